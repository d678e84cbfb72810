using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// dW of a layer whose grouped partial sums (ConvolutionKernels.Groups.cs) do not fit its slot: in blocks of its columns
/// (or pairs of taps, on the direct path), so that threads can share it without splitting a sum: block
/// <c>[j0, j0 + 16)</c> of <c>dW[OutChannels, C·kh·kw]</c> is copied into the slot, then for every sample in order the
/// slot's <c>rows[H'·W', 16]</c> (just those taps of im2row) are copied and <c>dW_block += dy[s] · rows</c> accumulates,
/// then the block goes back. Each weight is one sum in one order whatever the number of blocks or threads.
/// </summary>
public static partial class ConvolutionKernels
{
    /// <summary>Columns of dW per block of the im2row path.</summary>
    private const int ColumnBlock = 16;

    /// <summary>Whether dW goes in blocks of <see cref="ColumnBlock"/> columns: more than one block, and room for a block's rows and sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Blocked<TL>()
        where TL : struct, IConvolutionLayer
        => ColumnRows<TL>() > ColumnBlock
            && (long)ColumnBlock * (OutPositions<TL>() + TL.OutChannels) + PaddedImageLength<TL>() <= ScratchLength<TL>();

    /// <summary>The items dW splits into across threads: pairs of taps (direct), column blocks (im2row), or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WeightGradientBlocks<TL>()
        where TL : struct, IConvolutionLayer
        => Direct<TL>() ? (ColumnRows<TL>() + 1) / 2
            : Blocked<TL>() ? (ColumnRows<TL>() + ColumnBlock - 1) / ColumnBlock
            : 1;

    /// <summary>
    /// <c>dW[:, block] += Σ_s dy[s] · im2row(x[s])[:, block]</c> for blocks <paramref name="start"/> .. <paramref name="end"/> - 1
    /// of <see cref="WeightGradientBlocks{TL}"/>, every sample of <paramref name="dy"/> in order, through one slot of scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradient<TL>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> scratch, int start, int end)
        where TL : struct, IConvolutionLayer
    {
        if (Direct<TL>())
        {
            DirectWeightGradient<TL>(dy, x, weightGradient, scratch, 0, dy.Length / (TL.OutChannels * OutPositions<TL>()), start, end);
            return;
        }

        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, positions = OutPositions<TL>(), outLength = TL.OutChannels * positions;
        int batch = dy.Length / outLength, k = ColumnRows<TL>();
        ref float dw = ref MemoryMarshal.GetReference(weightGradient);
        if (!Blocked<TL>())
        {
            // dW[o, j] += Σ_n dy[s, o, n] · rows[n, j], the whole of im2row at once
            Span<float> rows = scratch.Slice(0, k * positions);
            Span<float> image = scratch.Slice(k * positions, PaddedImageLength<TL>());
            for (int s = 0; s < batch; s++)
            {
                Im2Row<TL>(x.Slice(s * inLength, inLength), rows, image);
                ProductKernels.Multiply<WeightGradientProduct<TL>>(ref MemoryMarshal.GetReference(dy.Slice(s * outLength, outLength)), ref MemoryMarshal.GetReference(rows), ref dw, ref Unsafe.NullRef<float>());
            }

            return;
        }

        Span<float> blockRows = scratch.Slice(0, ColumnBlock * positions);
        Span<float> sums = scratch.Slice(ColumnBlock * positions, ColumnBlock * TL.OutChannels);
        Span<float> padded = scratch.Slice(ColumnBlock * (positions + TL.OutChannels), PaddedImageLength<TL>());
        int blocks = WeightGradientBlocks<TL>(), last = k - (blocks - 1) * ColumnBlock;
        for (int block = start; block < end; block++)
        {
            int j0 = block * ColumnBlock, width = block == blocks - 1 ? last : ColumnBlock;
            ref float sum = ref MemoryMarshal.GetReference(sums);
            for (int o = 0; o < TL.OutChannels; o++)
            {
                Copy(ref At(ref sum, o * width), ref At(ref dw, o * k + j0), width);
            }

            for (int s = 0; s < batch; s++)
            {
                RowBlock<TL>(x.Slice(s * inLength, inLength), blockRows, padded, j0, width);
                ref float dys = ref MemoryMarshal.GetReference(dy.Slice(s * outLength, outLength));
                if (width == ColumnBlock)
                {
                    ProductKernels.Multiply<BlockProduct<TL, WholeColumns>>(ref dys, ref MemoryMarshal.GetReference(blockRows), ref sum, ref Unsafe.NullRef<float>());
                }
                else
                {
                    ProductKernels.Multiply<BlockProduct<TL, LastColumns>>(ref dys, ref MemoryMarshal.GetReference(blockRows), ref sum, ref Unsafe.NullRef<float>());
                }
            }

            for (int o = 0; o < TL.OutChannels; o++)
            {
                Copy(ref At(ref dw, o * k + j0), ref At(ref sum, o * width), width);
            }
        }
    }

    /// <summary>
    /// Columns <paramref name="j0"/> .. <paramref name="j0"/> + <paramref name="width"/> - 1 of im2row, <c>rows[n, j - j0]</c>:
    /// the block's taps in runs along a filter row (one copy of up to kw floats per run and output position).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowBlock<TL>(ReadOnlySpan<float> x, Span<float> rows, Span<float> image, int j0, int width)
        where TL : struct, IConvolutionLayer
    {
        int kh = TL.KernelHeight, kw = TL.KernelWidth, oh = TL.OutHeight, ow = TL.OutWidth;
        int pw = PaddedWidth<TL>(), plane = PaddedHeight<TL>() * pw;
        ref float src = ref Source<TL>(x, image);
        ref float dst = ref MemoryMarshal.GetReference(rows);
        for (int j = j0; j < j0 + width;)
        {
            // the run of taps (c, p, q .. q + length - 1) of one filter row
            int cp = j / kw, q = j - cp * kw, c = cp / kh, p = cp - c * kh;
            int length = Math.Min(kw - q, j0 + width - j);
            ref float tap = ref At(ref src, c * plane + p * TL.DilationHeight * pw + q * TL.DilationWidth);
            ref float column = ref At(ref dst, j - j0);
            for (int i = 0; i < oh; i++)
            {
                for (int jj = 0; jj < ow; jj++)
                {
                    ref float to = ref At(ref column, (i * ow + jj) * width);
                    ref float from = ref At(ref tap, i * TL.StrideHeight * pw + jj * TL.StrideWidth);
                    if (TL.DilationWidth == 1 && length == kw)
                    {
                        Copy(ref to, ref from, kw);
                    }
                    else
                    {
                        for (int t = 0; t < length; t++)
                        {
                            At(ref to, t) = At(ref from, t * TL.DilationWidth);
                        }
                    }
                }
            }

            j += length;
        }
    }

    /// <summary>Which block of dW's columns a product takes: a whole one, or the last.</summary>
    private interface IColumnBlock
    {
        static abstract bool IsLast { get; }
    }

    private readonly struct WholeColumns : IColumnBlock
    {
        public static bool IsLast => false;
    }

    private readonly struct LastColumns : IColumnBlock
    {
        public static bool IsLast => true;
    }

    /// <summary><c>sums[OutChannels, width] += dy[OutChannels, H'·W'] · rows[H'·W', width]</c>: one block of dW's columns.</summary>
    private readonly struct BlockProduct<TL, TB> : IProduct
        where TL : struct, IConvolutionLayer
        where TB : struct, IColumnBlock
    {
        public static int Rows => TL.OutChannels;
        public static int Columns
        {
            // inlined into the product's blocks, whatever the JIT's budget there (see ShapeGettersInlineTests)
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TB.IsLast ? ColumnRows<TL>() - (WeightGradientBlocks<TL>() - 1) * ColumnBlock : ColumnBlock;
        }
        public static int Depth => OutPositions<TL>();
        public static int RowStride => OutPositions<TL>();
        public static int DepthStride => 1;
        public static bool HasBias => false;
        public static bool Accumulates => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }
}
