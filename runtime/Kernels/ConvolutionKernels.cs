using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.CompilerServices;

/// <summary>
/// A convolution's kernels, written once for every layer and width; the layer comes in as a struct type argument
/// (<see cref="IConvolutionLayer"/>), so each instantiation runs with every size a constant. Everything goes sample by
/// sample through one slot of the thread's scratch, so what a sample copies stays in cache and the workspace holds no
/// per-sample copies. Forward is im2col (the sample's receptive fields unrolled into a <c>[C·kh·kw, H'·W']</c> column
/// matrix) and the product <c>y = act(W · columns + b)</c>; a 1×1 kernel with stride 1 and no padding skips the copy, its
/// input being its own column matrix. Backward is <c>db += Σ dy</c>, <c>dW += dy · rows</c> (rows = im2row, the transposed
/// copy, so that dW is a product whose columns are the weights' own), summed by groups of samples, then
/// <c>dcolumns = Wᵀ · dy</c> and col2im.
/// The three products are one register-blocked multiply (<see cref="ProductKernels"/>).
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class ConvolutionKernels
{
    /// <summary>Rows of the im2col matrix, the fan-in of one output: <c>C·kh·kw</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ColumnRows<TL>()
        where TL : struct, IConvolutionLayer
        => TL.InChannels * TL.KernelHeight * TL.KernelWidth;

    /// <summary>Output positions per channel: <c>H'·W'</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int OutPositions<TL>()
        where TL : struct, IConvolutionLayer
        => TL.OutHeight * TL.OutWidth;

    /// <summary>Whether the layer has padding, and so a padded image after its matrix in the scratch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Padded<TL>()
        where TL : struct, IConvolutionLayer
        => TL.PaddingHeight > 0 || TL.PaddingWidth > 0;

    /// <summary>Rows of the padded image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PaddedHeight<TL>()
        where TL : struct, IConvolutionLayer
        => TL.InHeight + 2 * TL.PaddingHeight;

    /// <summary>Columns of the padded image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PaddedWidth<TL>()
        where TL : struct, IConvolutionLayer
        => TL.InWidth + 2 * TL.PaddingWidth;

    /// <summary>Floats of the zero-padded copy of one sample, <c>[C, H + 2ph, W + 2pw]</c>; 0 without padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PaddedImageLength<TL>()
        where TL : struct, IConvolutionLayer
        => Padded<TL>() ? TL.InChannels * PaddedHeight<TL>() * PaddedWidth<TL>() : 0;

    /// <summary>
    /// Floats of scratch one thread needs for the layer: one sample's im2col matrix (in backward first a group's dW and db
    /// sums and as many positions of im2row as fit beside them, then dL/d(columns)), then the padded image, if any. The
    /// network's scratch per thread is
    /// the largest of its layers'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ScratchLength<TL>()
        where TL : struct, IConvolutionLayer
        => ColumnRows<TL>() * OutPositions<TL>() + PaddedImageLength<TL>();

    /// <summary>Samples a batch needs before forward splits it across threads: about 2^18 multiply-adds in all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MinSamplesForThreads<TL>()
        where TL : struct, IConvolutionLayer
    {
        long perSample = (long)TL.OutChannels * ColumnRows<TL>() * OutPositions<TL>();
        return (int)Math.Max(2, ((1L << 18) + perSample - 1) / perSample);
    }

    /// <summary>
    /// <c>y[s] = act(W · im2col(x[s]) + b)</c> for each sample: <paramref name="x"/> is <c>[batch, C, H, W]</c>,
    /// <paramref name="y"/> <c>[batch, OutChannels, H', W']</c>, <paramref name="weight"/> <c>[OutChannels, C·kh·kw]</c>,
    /// <paramref name="bias"/> <c>[OutChannels]</c> (empty without one). With <paramref name="threads"/> &gt; 1, a batch large
    /// enough to pay for it is split across threads by samples, each with its own slot of <paramref name="scratch"/>
    /// (<see cref="KernelThreads.Slot"/>); the bits are those of one thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TL>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int batch, int threads)
        where TL : struct, IConvolutionLayer
    {
        if (threads > 1 && batch >= MinSamplesForThreads<TL>())
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(weight, bias, x, y, scratch),
                static (in KernelSpans s, int start, int end) =>
                    ForwardSamples<TL>(s.In0, s.In1, s.In2, s.Out0, s.Out1.Slice(KernelThreads.Slot * ScratchLength<TL>(), ScratchLength<TL>()), start, end));
        }
        else
        {
            ForwardSamples<TL>(weight, bias, x, y, scratch.Slice(0, ScratchLength<TL>()), 0, batch);
        }
    }

    /// <summary>Samples <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="Forward{TL}"/>, through one slot of scratch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSamples<TL>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int start, int end)
        where TL : struct, IConvolutionLayer
    {
        if (Direct<TL>())
        {
            DirectForwardSamples<TL>(weight, bias, x, y, scratch, start, end);
            return;
        }

        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, outLength = TL.OutChannels * OutPositions<TL>();
        int columnLength = ColumnRows<TL>() * OutPositions<TL>();
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float b = ref MemoryMarshal.GetReference(bias);
        Span<float> columns = scratch.Slice(0, columnLength);
        Span<float> image = scratch.Slice(columnLength, PaddedImageLength<TL>());
        for (int s = start; s < end; s++)
        {
            ref float ys = ref MemoryMarshal.GetReference(y.Slice(s * outLength, outLength));
            if (TL.UsesColumns)
            {
                // columns = im2col(x[s]); y[s] = act(W · columns + b)
                Im2Col<TL>(x.Slice(s * inLength, inLength), columns, image);
                ProductKernels.Multiply<ForwardProduct<TL>>(ref w, ref MemoryMarshal.GetReference(columns), ref ys, ref b);
            }
            else
            {
                // y[s] = act(W · x[s] + b): the input is its own column matrix
                ProductKernels.Multiply<ForwardProduct<TL>>(ref w, ref MemoryMarshal.GetReference(x.Slice(s * inLength, inLength)), ref ys, ref b);
            }
        }
    }

    /// <summary>
    /// Backward from <paramref name="dy"/> = dL/d(W ⋆ x + b): <c>db += Σ_s Σ_n dy[s, o, n]</c> (when the layer has a
    /// bias), <c>dW += Σ_s dy[s] · im2row(x[s])</c>, and, when <paramref name="dx"/> is not empty,
    /// <c>dx[s] = col2im(Wᵀ · dy[s])</c>. db and dW are summed by fixed groups of 8 samples, each group's sums from zero, the
    /// groups' sums then added in group order (ConvolutionKernels.Groups.cs); with <paramref name="threads"/> &gt; 1 and enough
    /// work the groups are split across threads, and dx by samples. A layer whose group sums do not fit its slot sums dW
    /// over every sample in sample order instead, split across threads by blocks of its columns (taps), db on the calling
    /// thread. Either way the groups and the order of every sum depend on the batch alone, so the bits are the same for
    /// every thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TL>(ReadOnlySpan<float> weight, Span<float> weightGradient, Span<float> biasGradient, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, int batch, int threads)
        where TL : struct, IConvolutionLayer
    {
        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, positions = OutPositions<TL>(), outLength = TL.OutChannels * positions;
        x = x.Slice(0, batch * inLength);
        dy = dy.Slice(0, batch * outLength);
        bool split = threads > 1 && batch >= MinSamplesForThreads<TL>() / 2;
        if (Grouped<TL>())
        {
            GroupedWeightGradient<TL>(dy, x, weightGradient, biasGradient, scratch, batch, split ? threads : 1);
        }
        else
        {
            ColumnBlockWeightGradient<TL>(dy, x, weightGradient, biasGradient, scratch, batch, split ? threads : 1);
        }

        if (dx.IsEmpty)
        {
            return;
        }

        if (split)
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(weight, dy, default, dx, scratch),
                static (in KernelSpans s, int start, int end) =>
                    InputGradientSamples<TL>(s.In0, s.In1, s.Out0, s.Out1.Slice(KernelThreads.Slot * ScratchLength<TL>(), ScratchLength<TL>()), start, end));
        }
        else
        {
            InputGradientSamples<TL>(weight, dy, dx, scratch.Slice(0, ScratchLength<TL>()), 0, batch);
        }
    }

    /// <summary>
    /// db and dW of a layer whose grouped partial sums do not fit its slot: <c>db</c> on the calling thread, sample by sample,
    /// and dW by column blocks (taps), each block summed over every sample in sample order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnBlockWeightGradient<TL>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient, Span<float> scratch, int batch, int threads)
        where TL : struct, IConvolutionLayer
    {
        int positions = OutPositions<TL>(), outLength = TL.OutChannels * positions;
        if (TL.HasBias)
        {
            // db[o] += Σ_n dy[s, o, n], sample by sample
            for (int s = 0; s < batch; s++)
            {
                ReadOnlySpan<float> dys = dy.Slice(s * outLength, outLength);
                for (int o = 0; o < TL.OutChannels; o++)
                {
                    biasGradient[o] += TensorPrimitives.Sum(dys.Slice(o * positions, positions));
                }
            }
        }

        int blocks = WeightGradientBlocks<TL>();
        if (threads > 1 && blocks > 1)
        {
            KernelThreads.For(threads, blocks, 1, new KernelSpans(dy, x, default, weightGradient, scratch),
                static (in KernelSpans s, int start, int end) =>
                    WeightGradient<TL>(s.In0, s.In1, s.Out0, s.Out1.Slice(KernelThreads.Slot * ScratchLength<TL>(), ScratchLength<TL>()), start, end));
        }
        else
        {
            WeightGradient<TL>(dy, x, weightGradient, scratch.Slice(0, ScratchLength<TL>()), 0, blocks);
        }
    }

    /// <summary>
    /// <c>dx[s] = col2im(Wᵀ · dy[s])</c> (or <c>Wᵀ · dy[s]</c> without columns) for samples <paramref name="start"/> ..
    /// <paramref name="end"/> - 1, dcolumns in one slot of scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientSamples<TL>(ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, int start, int end)
        where TL : struct, IConvolutionLayer
    {
        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, outLength = TL.OutChannels * OutPositions<TL>();
        int columnLength = ColumnRows<TL>() * OutPositions<TL>();
        ref float w = ref MemoryMarshal.GetReference(weight);
        Span<float> columns = scratch.Slice(0, columnLength);
        Span<float> image = scratch.Slice(columnLength, PaddedImageLength<TL>());
        for (int s = start; s < end; s++)
        {
            ref float dyr = ref MemoryMarshal.GetReference(dy.Slice(s * outLength, outLength));
            if (TL.UsesColumns)
            {
                // dcolumns = Wᵀ · dy[s], folded back: dx[s] = col2im(dcolumns)
                ProductKernels.Multiply<TransposedProduct<TL>>(ref w, ref dyr, ref MemoryMarshal.GetReference(columns), ref Unsafe.NullRef<float>());
                Col2Im<TL>(columns, dx.Slice(s * inLength, inLength), image);
            }
            else
            {
                // dx[s] = Wᵀ · dy[s]
                ProductKernels.Multiply<TransposedProduct<TL>>(ref w, ref dyr, ref MemoryMarshal.GetReference(dx.Slice(s * inLength, inLength)), ref Unsafe.NullRef<float>());
            }
        }
    }

    /// <summary><c>y[OutChannels, H'·W'] = act(W[OutChannels, C·kh·kw] · columns[C·kh·kw, H'·W'] + b)</c>.</summary>
    private readonly struct ForwardProduct<TL> : IProduct
        where TL : struct, IConvolutionLayer
    {
        public static int Rows => TL.OutChannels;
        public static int Columns => OutPositions<TL>();
        public static int Depth => ColumnRows<TL>();
        public static int RowStride => ColumnRows<TL>();
        public static int DepthStride => 1;
        public static bool HasBias => TL.HasBias;
        public static bool Accumulates => false;
        public static FusedActivation Activation => TL.Activation;
        public static float Slope => TL.Slope;
    }

    /// <summary><c>dcolumns[C·kh·kw, H'·W'] = Wᵀ[C·kh·kw, OutChannels] · dy[OutChannels, H'·W']</c>: W read down its columns.</summary>
    private readonly struct TransposedProduct<TL> : IProduct
        where TL : struct, IConvolutionLayer
    {
        public static int Rows => ColumnRows<TL>();
        public static int Columns => OutPositions<TL>();
        public static int Depth => TL.OutChannels;
        public static int RowStride => 1;
        public static int DepthStride => ColumnRows<TL>();
        public static bool HasBias => false;
        public static bool Accumulates => false;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    /// <summary><c>dW[OutChannels, C·kh·kw] += dy[OutChannels, H'·W'] · rows[H'·W', C·kh·kw]</c>.</summary>
    private readonly struct WeightGradientProduct<TL> : IProduct
        where TL : struct, IConvolutionLayer
    {
        public static int Rows => TL.OutChannels;
        public static int Columns => ColumnRows<TL>();
        public static int Depth => OutPositions<TL>();
        public static int RowStride => OutPositions<TL>();
        public static int DepthStride => 1;
        public static bool HasBias => false;
        public static bool Accumulates => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }
}
