using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// The direct path, for layers with few taps (<c>C·kh·kw ≤ 32</c>, stride 1, such as LeNet's first layer with one input
/// channel), where im2col's copy costs more than the product. The sample goes once into a zeroed image in the slot
/// (<c>[C, H + 2ph, W + 2pw]</c> and a tail of zeros), and outputs are computed on a "wide" grid: output row i takes the
/// image's whole row pitch <c>pw</c> (the last <c>pw - W'</c> positions of each row are not outputs), so for wide
/// position <c>n = i·pw + j</c> and tap <c>(c, p, q)</c> the input is <c>image[c·plane + p·dh·pw + q·dw + n]</c>: each tap
/// is one contiguous shifted row of the image, which the kernels read in place of an im2col matrix.
/// Forward is <c>W · shifted image</c> (blocks of 6 filters × 2 vectors of positions, as the product) into a wide output
/// in the slot, whose real columns are then copied to y; dW is dot products of each filter's dy (copied onto the wide
/// grid, zeros in the columns that are not outputs) with each tap's shifted image.
/// </summary>
public static partial class ConvolutionKernels
{
    /// <summary>Positions the wide grid is rounded up to: two of the widest vectors, so every chunk is whole.</summary>
    private const int WideGrain = 32;

    /// <summary>Taps at most of a layer that takes the direct path.</summary>
    private const int DirectTaps = 32;

    /// <summary>Positions of the wide grid, <c>H'·pw</c> rounded up to <see cref="WideGrain"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WideLength<TL>()
        where TL : struct, IConvolutionLayer
        => (TL.OutHeight * PaddedWidth<TL>() + WideGrain - 1) / WideGrain * WideGrain;

    /// <summary>Floats of the direct path's image: the padded image and the zeros the last tap's last chunk reads past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DirectImageLength<TL>()
        where TL : struct, IConvolutionLayer
    {
        int pw = PaddedWidth<TL>(), plane = PaddedHeight<TL>() * pw;
        int lastTap = (TL.InChannels - 1) * plane + (TL.KernelHeight - 1) * TL.DilationHeight * pw + (TL.KernelWidth - 1) * TL.DilationWidth;
        return (Math.Max(TL.InChannels * plane, lastTap + WideLength<TL>()) + 15) / 16 * 16;
    }

    /// <summary>
    /// Whether the layer takes the direct path: columns to copy, stride 1, at most <see cref="DirectTaps"/> taps, and the
    /// image and the wide output fit in the slot the im2col path needs (so the network's scratch is the same).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Direct<TL>()
        where TL : struct, IConvolutionLayer
        => TL.UsesColumns && TL.StrideHeight == 1 && TL.StrideWidth == 1 && ColumnRows<TL>() <= DirectTaps
            && (long)DirectImageLength<TL>() + (long)TL.OutChannels * WideLength<TL>() <= ScratchLength<TL>();

    /// <summary>Offset in the image of tap <paramref name="k"/> = (c, p, q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TapOffset<TL>(int k)
        where TL : struct, IConvolutionLayer
    {
        int kh = TL.KernelHeight, kw = TL.KernelWidth, pw = PaddedWidth<TL>();
        int cp = k / kw, q = k - cp * kw, c = cp / kh, p = cp - c * kh;
        return c * PaddedHeight<TL>() * pw + p * TL.DilationHeight * pw + q * TL.DilationWidth;
    }

    /// <summary>Copies x[s] into the inside of the direct image, whose padding and tail stay zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillImage<TL>(ReadOnlySpan<float> xs, Span<float> image)
        where TL : struct, IConvolutionLayer
    {
        if (Padded<TL>())
        {
            CopyInside<TL>(ref MemoryMarshal.GetReference(xs), ref MemoryMarshal.GetReference(image), intoImage: true);
        }
        else
        {
            xs.CopyTo(image);
        }
    }

    /// <summary><c>y[s] = act(W ⋆ x[s] + b)</c> on the direct path for samples <paramref name="start"/> .. <paramref name="end"/> - 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectForwardSamples<TL>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int start, int end)
        where TL : struct, IConvolutionLayer
    {
        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, positions = OutPositions<TL>(), outLength = TL.OutChannels * positions;
        int wide = WideLength<TL>(), pw = PaddedWidth<TL>(), ow = TL.OutWidth;
        Span<float> image = scratch.Slice(0, DirectImageLength<TL>());
        Span<float> output = scratch.Slice(DirectImageLength<TL>(), TL.OutChannels * wide);
        image.Clear();
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float img = ref MemoryMarshal.GetReference(image);
        ref float wo = ref MemoryMarshal.GetReference(output);
        for (int s = start; s < end; s++)
        {
            FillImage<TL>(x.Slice(s * inLength, inLength), image);
            ref float ys = ref MemoryMarshal.GetReference(y.Slice(s * outLength, outLength));
            if (!Simd.Use128)
            {
                DirectForwardTextbook<TL>(ref w, ref b, ref img, ref ys);
                continue;
            }

            if (Simd.Use512)
            {
                DirectForward<TL, V512>(ref w, ref b, ref img, ref wo);
            }
            else if (Simd.Use256)
            {
                DirectForward<TL, V256>(ref w, ref b, ref img, ref wo);
            }
            else
            {
                DirectForward<TL, V128>(ref w, ref b, ref img, ref wo);
            }

            // the wide output's real columns are y[s]
            for (int r = 0; r < TL.OutChannels * TL.OutHeight; r++)
            {
                int o = r / TL.OutHeight, i = r - o * TL.OutHeight;
                Copy(ref At(ref ys, r * ow), ref At(ref wo, o * wide + i * pw), ow);
            }
        }
    }

    /// <summary>The scalar path: <c>y[o, i, j] = act(b[o] + Σ_(c, p, q) W[o, c, p, q] · image[c, i + p·dh, j + q·dw])</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectForwardTextbook<TL>(ref float w, ref float b, ref float img, ref float y)
        where TL : struct, IConvolutionLayer
    {
        int k = ColumnRows<TL>(), pw = PaddedWidth<TL>();
        for (int o = 0; o < TL.OutChannels; o++)
        {
            for (int i = 0; i < TL.OutHeight; i++)
            {
                for (int j = 0; j < TL.OutWidth; j++)
                {
                    float sum = TL.HasBias ? At(ref b, o) : 0f;
                    for (int t = 0; t < k; t++)
                    {
                        sum += At(ref w, o * k + t) * At(ref img, TapOffset<TL>(t) + i * pw + j);
                    }

                    At(ref y, (o * TL.OutHeight + i) * TL.OutWidth + j) = FusedActivations.Apply(TL.Activation, TL.Slope, sum);
                }
            }
        }
    }

    /// <summary>The wide output <c>[OutChannels, wide]</c> of one sample, in blocks of 6 filters × 2 vectors of positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectForward<TL, TV>(ref float w, ref float b, ref float img, ref float output)
        where TL : struct, IConvolutionLayer
        where TV : struct, ILanes<TV>
    {
        int whole = TL.OutChannels / 6 * 6;
        for (int n = 0; n < WideLength<TL>(); n += 2 * TV.Count)
        {
            for (int o = 0; o < whole; o += 6)
            {
                DirectForwardBlock<TL, TV>(ref w, ref b, ref img, ref output, o, 6, n);
            }

            if (whole < TL.OutChannels)
            {
                DirectForwardBlock<TL, TV>(ref w, ref b, ref img, ref output, whole, TL.OutChannels - whole, n);
            }
        }
    }

    /// <summary>
    /// <c>output[o + r, n .. n + 2·lanes - 1]</c> for r below <paramref name="rows"/> (at most 6): accumulators
    /// <c>s{r}{u}</c>, and per tap two loads of the shifted image and one broadcast weight per filter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DirectForwardBlock<TL, TV>(ref float w, ref float b, ref float img, ref float output, int o, int rows, int n)
        where TL : struct, IConvolutionLayer
        where TV : struct, ILanes<TV>
    {
        int k = ColumnRows<TL>(), v = TV.Count, wide = WideLength<TL>();
        TV s00 = Start<TL, TV>(ref b, o), s01 = s00;
        TV s10 = rows > 1 ? Start<TL, TV>(ref b, o + 1) : TV.Zero, s11 = s10;
        TV s20 = rows > 2 ? Start<TL, TV>(ref b, o + 2) : TV.Zero, s21 = s20;
        TV s30 = rows > 3 ? Start<TL, TV>(ref b, o + 3) : TV.Zero, s31 = s30;
        TV s40 = rows > 4 ? Start<TL, TV>(ref b, o + 4) : TV.Zero, s41 = s40;
        TV s50 = rows > 5 ? Start<TL, TV>(ref b, o + 5) : TV.Zero, s51 = s50;
        ref float wr = ref At(ref w, o * k);

        // the taps t = (c·kh + p)·kw + q in that order, walked by channel, kernel row and kernel column so that each tap's
        // place in the image is a step from the last rather than a division of t by kw and kh (which cost more integer
        // work per tap than its 12 multiply-adds take)
        int t = 0;
        nint channelStep = PaddedHeight<TL>() * PaddedWidth<TL>(), rowStep = TL.DilationHeight * PaddedWidth<TL>(), columnStep = TL.DilationWidth;
        ref float channel = ref At(ref img, n);
        for (int c = 0; c < TL.InChannels; c++, channel = ref Unsafe.Add(ref channel, channelStep))
        {
            ref float kernelRow = ref channel;
            for (int p = 0; p < TL.KernelHeight; p++, kernelRow = ref Unsafe.Add(ref kernelRow, rowStep))
            {
                ref float from = ref kernelRow;
                for (int q = 0; q < TL.KernelWidth; q++, t++, from = ref Unsafe.Add(ref from, columnStep))
                {
                    // s[r][u] += W[o + r, t] · image[tap t + n + u·lanes ..]
                    TV x0 = Load<TV>(ref from, 0), x1 = Load<TV>(ref from, v);
                    ref float wt = ref At(ref wr, t);
                    TV a = TV.Create(wt);
                    TV.MultiplyAddTo(ref s00, x0, a); TV.MultiplyAddTo(ref s01, x1, a);
                    if (rows > 1)
                    {
                        a = TV.Create(At(ref wt, k));
                        TV.MultiplyAddTo(ref s10, x0, a); TV.MultiplyAddTo(ref s11, x1, a);
                    }

                    if (rows > 2)
                    {
                        a = TV.Create(At(ref wt, 2 * k));
                        TV.MultiplyAddTo(ref s20, x0, a); TV.MultiplyAddTo(ref s21, x1, a);
                    }

                    if (rows > 3)
                    {
                        a = TV.Create(At(ref wt, 3 * k));
                        TV.MultiplyAddTo(ref s30, x0, a); TV.MultiplyAddTo(ref s31, x1, a);
                    }

                    if (rows > 4)
                    {
                        a = TV.Create(At(ref wt, 4 * k));
                        TV.MultiplyAddTo(ref s40, x0, a); TV.MultiplyAddTo(ref s41, x1, a);
                    }

                    if (rows > 5)
                    {
                        a = TV.Create(At(ref wt, 5 * k));
                        TV.MultiplyAddTo(ref s50, x0, a); TV.MultiplyAddTo(ref s51, x1, a);
                    }
                }
            }
        }

        ref float to = ref At(ref output, o * wide + n);
        Activate<TL, TV>(s00).Store(ref to, 0); Activate<TL, TV>(s01).Store(ref to, (nuint)v);
        if (rows > 1)
        {
            Activate<TL, TV>(s10).Store(ref to, (nuint)wide); Activate<TL, TV>(s11).Store(ref to, (nuint)(wide + v));
        }

        if (rows > 2)
        {
            Activate<TL, TV>(s20).Store(ref to, (nuint)(2 * wide)); Activate<TL, TV>(s21).Store(ref to, (nuint)(2 * wide + v));
        }

        if (rows > 3)
        {
            Activate<TL, TV>(s30).Store(ref to, (nuint)(3 * wide)); Activate<TL, TV>(s31).Store(ref to, (nuint)(3 * wide + v));
        }

        if (rows > 4)
        {
            Activate<TL, TV>(s40).Store(ref to, (nuint)(4 * wide)); Activate<TL, TV>(s41).Store(ref to, (nuint)(4 * wide + v));
        }

        if (rows > 5)
        {
            Activate<TL, TV>(s50).Store(ref to, (nuint)(5 * wide)); Activate<TL, TV>(s51).Store(ref to, (nuint)(5 * wide + v));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Start<TL, TV>(ref float bias, int o)
        where TL : struct, IConvolutionLayer
        where TV : struct, ILanes<TV>
        => TL.HasBias ? TV.Create(At(ref bias, o)) : TV.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Activate<TL, TV>(TV z)
        where TL : struct, IConvolutionLayer
        where TV : struct, ILanes<TV>
        => FusedActivations.Apply(TL.Activation, TL.Slope, z);

    /// <summary>
    /// <c>dW[o, t] += Σ_s Σ_n dy[s, o, n] · image_s[tap t + n]</c> on the direct path for the pairs of taps
    /// <paramref name="start"/> .. <paramref name="end"/> - 1 and samples <paramref name="s0"/> .. <paramref name="s1"/> - 1 in
    /// order (a column block over the whole batch, or a group's partial sums over every tap): each sample's sums go in
    /// vectors over the wide grid, then into <paramref name="weightGradient"/> as one lane sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectWeightGradient<TL>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> scratch, int s0, int s1, int start, int end)
        where TL : struct, IConvolutionLayer
    {
        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, positions = OutPositions<TL>(), outLength = TL.OutChannels * positions;
        int wide = WideLength<TL>(), pw = PaddedWidth<TL>(), ow = TL.OutWidth;
        Span<float> image = scratch.Slice(0, DirectImageLength<TL>());
        Span<float> gradient = scratch.Slice(DirectImageLength<TL>(), TL.OutChannels * wide);
        image.Clear();
        gradient.Clear();
        ref float dw = ref MemoryMarshal.GetReference(weightGradient);
        ref float img = ref MemoryMarshal.GetReference(image);
        ref float dg = ref MemoryMarshal.GetReference(gradient);
        for (int s = s0; s < s1; s++)
        {
            FillImage<TL>(x.Slice(s * inLength, inLength), image);
            ref float dys = ref MemoryMarshal.GetReference(dy.Slice(s * outLength, outLength));
            if (!Simd.Use128)
            {
                DirectWeightGradientTextbook<TL>(ref dys, ref img, ref dw, start, end);
                continue;
            }

            // dy[s] onto the wide grid; the columns past W' stay zero
            for (int r = 0; r < TL.OutChannels * TL.OutHeight; r++)
            {
                int o = r / TL.OutHeight, i = r - o * TL.OutHeight;
                Copy(ref At(ref dg, o * wide + i * pw), ref At(ref dys, r * ow), ow);
            }

            if (Simd.Use512)
            {
                DirectWeightGradient<TL, V512>(ref dg, ref img, ref dw, start, end);
            }
            else if (Simd.Use256)
            {
                DirectWeightGradient<TL, V256>(ref dg, ref img, ref dw, start, end);
            }
            else
            {
                DirectWeightGradient<TL, V128>(ref dg, ref img, ref dw, start, end);
            }
        }
    }

    /// <summary>The scalar path: <c>dW[o, t] += Σ_(i, j) dy[o, i, j] · image[tap t + i·pw + j]</c>, one sum per weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectWeightGradientTextbook<TL>(ref float dy, ref float img, ref float dw, int start, int end)
        where TL : struct, IConvolutionLayer
    {
        int k = ColumnRows<TL>(), pw = PaddedWidth<TL>();
        for (int t = 2 * start; t < Math.Min(k, 2 * end); t++)
        {
            ref float tap = ref At(ref img, TapOffset<TL>(t));
            for (int o = 0; o < TL.OutChannels; o++)
            {
                float sum = 0f;
                for (int i = 0; i < TL.OutHeight; i++)
                {
                    for (int j = 0; j < TL.OutWidth; j++)
                    {
                        sum += At(ref dy, (o * TL.OutHeight + i) * TL.OutWidth + j) * At(ref tap, i * pw + j);
                    }
                }

                At(ref dw, o * k + t) += sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DirectWeightGradient<TL, TV>(ref float dg, ref float img, ref float dw, int start, int end)
        where TL : struct, IConvolutionLayer
        where TV : struct, ILanes<TV>
    {
        int k = ColumnRows<TL>(), whole = TL.OutChannels / 6 * 6;
        for (int pair = start; pair < end; pair++)
        {
            int t = 2 * pair;
            bool two = t + 1 < k;
            for (int o = 0; o < whole; o += 6)
            {
                DirectWeightGradientBlock<TL, TV>(ref dg, ref img, ref dw, o, 6, t, two);
            }

            if (whole < TL.OutChannels)
            {
                DirectWeightGradientBlock<TL, TV>(ref dg, ref img, ref dw, whole, TL.OutChannels - whole, t, two);
            }
        }
    }

    /// <summary>
    /// <c>dW[o + r, t + u] += Σ_n dg[o + r, n] · image[tap (t + u) + n]</c> for r below <paramref name="rows"/> (at most 6) and
    /// u below 2 (1 when not <paramref name="two"/>): accumulators <c>s{r}{u}</c> over the wide grid, then their lane sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DirectWeightGradientBlock<TL, TV>(ref float dg, ref float img, ref float dw, int o, int rows, int t, bool two)
        where TL : struct, IConvolutionLayer
        where TV : struct, ILanes<TV>
    {
        int k = ColumnRows<TL>(), wide = WideLength<TL>();
        TV s00 = TV.Zero, s01 = TV.Zero, s10 = TV.Zero, s11 = TV.Zero, s20 = TV.Zero, s21 = TV.Zero;
        TV s30 = TV.Zero, s31 = TV.Zero, s40 = TV.Zero, s41 = TV.Zero, s50 = TV.Zero, s51 = TV.Zero;
        ref float tap0 = ref At(ref img, TapOffset<TL>(t));
        ref float tap1 = ref At(ref img, two ? TapOffset<TL>(t + 1) : TapOffset<TL>(t));
        ref float d = ref At(ref dg, o * wide);
        for (int n = 0; n < wide; n += TV.Count)
        {
            TV x0 = Load<TV>(ref tap0, n), x1 = Load<TV>(ref tap1, n);
            TV g = Load<TV>(ref d, n);
            TV.MultiplyAddTo(ref s00, x0, g); TV.MultiplyAddTo(ref s01, x1, g);
            if (rows > 1)
            {
                g = Load<TV>(ref d, wide + n);
                TV.MultiplyAddTo(ref s10, x0, g); TV.MultiplyAddTo(ref s11, x1, g);
            }

            if (rows > 2)
            {
                g = Load<TV>(ref d, 2 * wide + n);
                TV.MultiplyAddTo(ref s20, x0, g); TV.MultiplyAddTo(ref s21, x1, g);
            }

            if (rows > 3)
            {
                g = Load<TV>(ref d, 3 * wide + n);
                TV.MultiplyAddTo(ref s30, x0, g); TV.MultiplyAddTo(ref s31, x1, g);
            }

            if (rows > 4)
            {
                g = Load<TV>(ref d, 4 * wide + n);
                TV.MultiplyAddTo(ref s40, x0, g); TV.MultiplyAddTo(ref s41, x1, g);
            }

            if (rows > 5)
            {
                g = Load<TV>(ref d, 5 * wide + n);
                TV.MultiplyAddTo(ref s50, x0, g); TV.MultiplyAddTo(ref s51, x1, g);
            }
        }

        ref float to = ref At(ref dw, o * k + t);
        AddSums<TV>(ref to, s00, s01, two);
        if (rows > 1)
        {
            AddSums<TV>(ref At(ref to, k), s10, s11, two);
        }

        if (rows > 2)
        {
            AddSums<TV>(ref At(ref to, 2 * k), s20, s21, two);
        }

        if (rows > 3)
        {
            AddSums<TV>(ref At(ref to, 3 * k), s30, s31, two);
        }

        if (rows > 4)
        {
            AddSums<TV>(ref At(ref to, 4 * k), s40, s41, two);
        }

        if (rows > 5)
        {
            AddSums<TV>(ref At(ref to, 5 * k), s50, s51, two);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSums<TV>(ref float to, TV first, TV second, bool two)
        where TV : struct, ILanes<TV>
    {
        to += TV.Sum(first);
        if (two)
        {
            At(ref to, 1) += TV.Sum(second);
        }
    }
}
