using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// Max and average pooling (1-D, 2-D and global), written once for every layer; the layer comes in as a struct type
/// argument (<see cref="IPoolingLayer"/>) with its sizes as constants.
/// </summary>
/// <remarks>
/// <para>
/// Max pooling follows PyTorch, whose loop over a window's taps (row-major) lets a tap take over when
/// <c>v &gt; best || isnan(v)</c>: the value is the maximum, NaN if the window holds a NaN, and the winner backward sends
/// the gradient to is the first tap equal to the maximum, or in a window with NaNs the last NaN. Forward writes winners
/// only when given a span for them, which the forward chain does in training alone. No tap is decided by a branch: on
/// real data which tap wins is a coin toss, and a mispredicted branch per tap cost more than the rest of the window.
/// The maximum is a chain of <c>Simd.MaxFirst</c> (one <c>maxps</c>), NaN is or-ed in after, and the winner is chosen by
/// selects.
/// </para>
/// <para>
/// Windows two columns wide at stride 2 (2×2/2 in images, 2/2 in sequences: nearly every max pooling there is), up to 4
/// rows tall, run a row of windows at a time in vectors: each input row's even columns are the windows' left taps and
/// its odd columns their right taps (<c>Simd.Deinterleave</c>), so a vector of outputs costs a few loads, shuffles and
/// maxima. There is no 512-bit path: <see cref="Simd.Use256"/> holds on AVX-512 processors too, and pooling is a few
/// operations per float loaded. Other windows are strided gathers; they take the scalar, branch-free loop. Average
/// pooling is scalar.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PoolingKernels
{
    /// <summary>The tallest two-column window the vector path takes: two taps per row, each a register.</summary>
    private const int MaxPairRows = 4;

    /// <summary>Input floats a batch must bring before max pooling splits it across threads: enough to outweigh waking a worker.</summary>
    private const int MinFloatsForThreads = 1 << 15;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int InLength<TP>()
        where TP : struct, IPoolingLayer
        => TP.Channels * TP.InHeight * TP.InWidth;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int OutLength<TP>()
        where TP : struct, IPoolingLayer
        => TP.Channels * TP.OutHeight * TP.OutWidth;

    /// <summary>
    /// <c>y[s, c, i, j]</c> = the maximum of the window at <c>(i·sh, j·sw)</c> of <c>x[s, c]</c>, NaN if the window holds
    /// one; given <paramref name="winners"/> (in training), also the index in <c>x[s]</c> of each window's winner (an int in
    /// a float's bits), for backward. With <paramref name="threads"/> &gt; 1 a large enough batch is split across threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxForward<TP>(ReadOnlySpan<float> x, Span<float> y, Span<float> winners, int batch, int threads)
        where TP : struct, IPoolingLayer
    {
        int minSamples = Math.Max(2, (MinFloatsForThreads + InLength<TP>() - 1) / InLength<TP>());
        if (threads > 1 && batch >= minSamples)
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(x, default, default, y, winners),
                static (in KernelSpans s, int start, int end) => MaxForwardSamples<TP>(s.In0, s.Out0, s.Out1, start, end));
        }
        else
        {
            MaxForwardSamples<TP>(x, y, winners, 0, batch);
        }
    }

    /// <summary>Whether windows are two columns wide at stride 2 and short enough for the vector path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Pairs<TP>()
        where TP : struct, IPoolingLayer
        => TP.KernelWidth == 2 && TP.StrideWidth == 2 && TP.KernelHeight <= MaxPairRows;

    /// <summary>Samples <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="MaxForward{TP}"/>; a width serves only if a row has a vector of outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxForwardSamples<TP>(ReadOnlySpan<float> x, Span<float> y, Span<float> winners, int start, int end)
        where TP : struct, IPoolingLayer
    {
        if (Pairs<TP>() && Simd.Use256 && TP.OutWidth >= V256.Count)
        {
            MaxPairs<TP, V256>(x, y, winners, start, end);
        }
        else if (Pairs<TP>() && Simd.Use128 && TP.OutWidth >= V128.Count)
        {
            MaxPairs<TP, V128>(x, y, winners, start, end);
        }
        else
        {
            MaxWindows<TP>(x, y, winners, start, end);
        }
    }

    /// <summary>
    /// A row of two-column windows at a time, one vector of outputs per step; taps <c>t{2p}</c>, <c>t{2p+1}</c> are row p's
    /// left and right. A row whose outputs are not a whole number of vectors ends with a step that starts at
    /// <c>W' - lanes</c> and recomputes a few outputs rather than run a tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPairs<TP, TV>(ReadOnlySpan<float> x, Span<float> y, Span<float> winners, int first, int end)
        where TP : struct, IPoolingLayer
        where TV : struct, IMaskLanes<TV>
    {
        int n = TV.Count, kh = TP.KernelHeight, width = TP.InWidth, outWidth = TP.OutWidth;
        int inLength = InLength<TP>(), outLength = OutLength<TP>();
        bool keepWinners = !winners.IsEmpty;
        for (int s = first; s < end; s++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(s * inLength, inLength));
            ref float yr = ref MemoryMarshal.GetReference(y.Slice(s * outLength, outLength));
            ref float wr = ref MemoryMarshal.GetReference(keepWinners ? winners.Slice(s * outLength, outLength) : default);
            for (int c = 0; c < TP.Channels; c++)
            {
                for (int i = 0; i < TP.OutHeight; i++)
                {
                    int start = c * TP.InHeight * width + i * TP.StrideHeight * width;
                    int o = (c * TP.OutHeight + i) * outWidth;
                    for (int k = 0; k < outWidth; k += n)
                    {
                        // outputs j .. j + lanes - 1 read columns 2j .. 2j + 2·lanes - 1 of kh rows: the even columns are the
                        // windows' left taps, the odd ones their right taps
                        int j = Math.Min(k, outWidth - n);
                        ref float window = ref Unsafe.Add(ref xr, start + 2 * j);
                        TV t2 = TV.Zero, t3 = TV.Zero, t4 = TV.Zero, t5 = TV.Zero, t6 = TV.Zero, t7 = TV.Zero;
                        TV.Deinterleave(TV.Load(ref window, 0), TV.Load(ref window, (nuint)n), out TV t0, out TV t1);
                        if (kh > 1)
                        {
                            TV.Deinterleave(TV.Load(ref window, (nuint)width), TV.Load(ref window, (nuint)(width + n)), out t2, out t3);
                        }

                        if (kh > 2)
                        {
                            TV.Deinterleave(TV.Load(ref window, (nuint)(2 * width)), TV.Load(ref window, (nuint)(2 * width + n)), out t4, out t5);
                        }

                        if (kh > 3)
                        {
                            TV.Deinterleave(TV.Load(ref window, (nuint)(3 * width)), TV.Load(ref window, (nuint)(3 * width + n)), out t6, out t7);
                        }

                        // the first maximum in row-major order (MaxFirst keeps the earlier of equal values), then NaN wherever
                        // a tap is NaN, as in PyTorch: a NaN is the one value not equal to itself, and all-ones bits are a NaN
                        TV best = TV.MaxFirst(t0, t1);
                        TV numbers = TV.EqualMask(t0, t0) & TV.EqualMask(t1, t1);
                        if (kh > 1)
                        {
                            best = TV.MaxFirst(TV.MaxFirst(best, t2), t3);
                            numbers = numbers & TV.EqualMask(t2, t2) & TV.EqualMask(t3, t3);
                        }

                        if (kh > 2)
                        {
                            best = TV.MaxFirst(TV.MaxFirst(best, t4), t5);
                            numbers = numbers & TV.EqualMask(t4, t4) & TV.EqualMask(t5, t5);
                        }

                        if (kh > 3)
                        {
                            best = TV.MaxFirst(TV.MaxFirst(best, t6), t7);
                            numbers = numbers & TV.EqualMask(t6, t6) & TV.EqualMask(t7, t7);
                        }

                        best |= ~numbers;
                        best.Store(ref yr, (nuint)(o + j));
                        if (keepWinners)
                        {
                            // the winner as PyTorch's loop picks it: the first tap equal to best, found from the last tap back,
                            // or in a window with NaNs (none is equal to best then) the last NaN; a tap is its offset from the
                            // window's first element (row p, column q: p·W + q)
                            TV tap = TV.CreateInt32((kh - 1) * width + 1);
                            if (kh > 3)
                            {
                                tap = Winner(t7, best, 3 * width + 1, tap);
                                tap = Winner(t6, best, 3 * width, tap);
                            }

                            if (kh > 2)
                            {
                                tap = Winner(t5, best, 2 * width + 1, tap);
                                tap = Winner(t4, best, 2 * width, tap);
                            }

                            if (kh > 1)
                            {
                                tap = Winner(t3, best, width + 1, tap);
                                tap = Winner(t2, best, width, tap);
                            }

                            tap = Winner(t1, best, 1, tap);
                            tap = Winner(t0, best, 0, tap);
                            tap = NaNWinner(t0, 0, tap);
                            tap = NaNWinner(t1, 1, tap);
                            if (kh > 1)
                            {
                                tap = NaNWinner(t2, width, tap);
                                tap = NaNWinner(t3, width + 1, tap);
                            }

                            if (kh > 2)
                            {
                                tap = NaNWinner(t4, 2 * width, tap);
                                tap = NaNWinner(t5, 2 * width + 1, tap);
                            }

                            if (kh > 3)
                            {
                                tap = NaNWinner(t6, 3 * width, tap);
                                tap = NaNWinner(t7, 3 * width + 1, tap);
                            }

                            // the windows' first elements are two columns apart
                            TV.AddInt32(TV.Int32Sequence(start + 2 * j, 2), tap).Store(ref wr, (nuint)(o + j));
                        }
                    }
                }
            }
        }
    }

    /// <summary>The tap's offset where it equals the maximum, else <paramref name="tap"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Winner<TV>(TV value, TV best, int offset, TV tap)
        where TV : struct, IMaskLanes<TV>
        => TV.Select(TV.EqualMask(value, best), TV.CreateInt32(offset), tap);

    /// <summary>The tap's offset where it is NaN, else <paramref name="tap"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV NaNWinner<TV>(TV value, int offset, TV tap)
        where TV : struct, IMaskLanes<TV>
        => TV.Select(~TV.EqualMask(value, value), TV.CreateInt32(offset), tap);

    /// <summary>
    /// One window at a time, without a branch on the data: <c>best = MaxFirst(best, v)</c> over the taps in row-major order,
    /// NaN if one was NaN; the winner the first tap equal to best, found from the last tap back, else the last NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxWindows<TP>(ReadOnlySpan<float> x, Span<float> y, Span<float> winners, int first, int end)
        where TP : struct, IPoolingLayer
    {
        int kh = TP.KernelHeight, kw = TP.KernelWidth, width = TP.InWidth;
        int inLength = InLength<TP>(), outLength = OutLength<TP>();
        bool keepWinners = !winners.IsEmpty;
        for (int s = first; s < end; s++)
        {
            ref float xr = ref MemoryMarshal.GetReference(x.Slice(s * inLength, inLength));
            ref float yr = ref MemoryMarshal.GetReference(y.Slice(s * outLength, outLength));
            ref float wr = ref MemoryMarshal.GetReference(keepWinners ? winners.Slice(s * outLength, outLength) : default);
            for (int c = 0; c < TP.Channels; c++)
            {
                for (int i = 0; i < TP.OutHeight; i++)
                {
                    for (int j = 0; j < TP.OutWidth; j++)
                    {
                        int start = c * TP.InHeight * width + i * TP.StrideHeight * width + j * TP.StrideWidth;
                        int o = (c * TP.OutHeight + i) * TP.OutWidth + j;
                        ref float window = ref Unsafe.Add(ref xr, start);
                        float best = window;
                        int lastNaN = -1;
                        for (int p = 0; p < kh; p++)
                        {
                            for (int q = 0; q < kw; q++)
                            {
                                int at = p * width + q;
                                float v = Unsafe.Add(ref window, at);
                                best = Simd.MaxFirst(best, v);
                                lastNaN = float.IsNaN(v) ? at : lastNaN;
                            }
                        }

                        best = lastNaN >= 0 ? float.NaN : best;
                        Unsafe.Add(ref yr, o) = best;
                        if (keepWinners)
                        {
                            int tap = lastNaN;
                            for (int p = kh - 1; p >= 0; p--)
                            {
                                for (int q = kw - 1; q >= 0; q--)
                                {
                                    int at = p * width + q;
                                    tap = Unsafe.Add(ref window, at) == best ? at : tap;
                                }
                            }

                            Unsafe.Add(ref wr, o) = BitConverter.Int32BitsToSingle(start + tap);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Backward of max pooling: each gradient goes to its window's winner; positions no window reaches get 0. With
    /// <paramref name="threads"/> &gt; 1 a large enough batch is split across threads by samples (each sample's sums in
    /// the same order, so the bits are those of one thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackward<TP>(ReadOnlySpan<float> winners, ReadOnlySpan<float> dy, Span<float> dx, int batch, int threads)
        where TP : struct, IPoolingLayer
        => MaxBackward<TP, Plain>(winners, dy, default, dx, batch, threads);

    /// <summary>
    /// <see cref="MaxBackward{TP}"/> and the backward of the ReLU before the pooling in one pass:
    /// <c>dx[winner] += relu'(x[winner]) · dy</c>, that is <c>dy</c> where the pooled input <paramref name="x"/> (the ReLU's
    /// output) is positive and 0 elsewhere, the bits of <see cref="MaxBackward{TP}"/> followed by
    /// <see cref="Activations.ReluBackward"/>; split across threads as <see cref="MaxBackward{TP}"/> is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackwardRelu<TP>(ReadOnlySpan<float> winners, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int batch, int threads)
        where TP : struct, IPoolingLayer
        => MaxBackward<TP, ThroughRelu>(winners, dy, x, dx, batch, threads);

    /// <summary><see cref="MaxBackward{TP}"/> or, with <typeparamref name="TM"/> masking, <see cref="MaxBackwardRelu{TP}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxBackward<TP, TM>(ReadOnlySpan<float> winners, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int batch, int threads)
        where TP : struct, IPoolingLayer
        where TM : struct, IReluMask
    {
        if (dx.IsEmpty)
        {
            return;
        }

        int minSamples = Math.Max(2, (MinFloatsForThreads + InLength<TP>() - 1) / InLength<TP>());
        if (threads > 1 && batch >= minSamples)
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(winners, dy, x, dx, default),
                static (in KernelSpans s, int start, int end) => MaxBackwardSamples<TP, TM>(s.In0, s.In1, s.In2, s.Out0, start, end));
        }
        else
        {
            MaxBackwardSamples<TP, TM>(winners, dy, x, dx, 0, batch);
        }
    }

    /// <summary>Whether max pooling's backward also applies the ReLU before it.</summary>
    private interface IReluMask
    {
        static abstract bool Masks { get; }
    }

    private readonly struct Plain : IReluMask
    {
        public static bool Masks => false;
    }

    private readonly struct ThroughRelu : IReluMask
    {
        public static bool Masks => true;
    }

    /// <summary>
    /// Samples <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="MaxBackward{TP}"/>, or (with
    /// <typeparamref name="TM"/> masking) of <see cref="MaxBackwardRelu{TP}"/>: a winner whose input is not positive gets nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxBackwardSamples<TP, TM>(ReadOnlySpan<float> winners, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int start, int end)
        where TP : struct, IPoolingLayer
        where TM : struct, IReluMask
    {
        int inLength = InLength<TP>(), outLength = OutLength<TP>();
        dx.Slice(start * inLength, (end - start) * inLength).Clear();
        for (int s = start; s < end; s++)
        {
            ReadOnlySpan<float> dys = dy.Slice(s * outLength, outLength);
            Span<float> dxs = dx.Slice(s * inLength, inLength);
            ReadOnlySpan<float> ws = winners.Slice(s * outLength, outLength);
            ReadOnlySpan<float> xs = TM.Masks ? x.Slice(s * inLength, inLength) : default;
            for (int o = 0; o < outLength; o++)
            {
                int winner = BitConverter.SingleToInt32Bits(ws[o]);
                if (TM.Masks)
                {
                    // dy where the input is positive, else +0 (a NaN dy too), without a branch: about half of a ReLU's
                    // outputs are 0, so a branch would be mispredicted at every other window
                    int keep = -(int)Unsafe.BitCast<bool, byte>(xs[winner] > 0f);
                    dxs[winner] += BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(dys[o]) & keep);
                }
                else
                {
                    dxs[winner] += dys[o];
                }
            }
        }
    }

    /// <summary><c>y[s, c, i, j]</c> = the mean of the window at <c>(i·sh, j·sw)</c> of <c>x[s, c]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageForward<TP>(ReadOnlySpan<float> x, Span<float> y, int batch)
        where TP : struct, IPoolingLayer
    {
        int kh = TP.KernelHeight, kw = TP.KernelWidth, width = TP.InWidth, area = kh * kw;
        int inLength = InLength<TP>(), outLength = OutLength<TP>();
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> xs = x.Slice(s * inLength, inLength);
            Span<float> ys = y.Slice(s * outLength, outLength);
            for (int c = 0; c < TP.Channels; c++)
            {
                for (int i = 0; i < TP.OutHeight; i++)
                {
                    for (int j = 0; j < TP.OutWidth; j++)
                    {
                        int start = c * TP.InHeight * width + i * TP.StrideHeight * width + j * TP.StrideWidth;
                        int o = (c * TP.OutHeight + i) * TP.OutWidth + j;
                        if (kw == width)
                        {
                            // the window is whole rows, contiguous floats
                            ys[o] = TensorPrimitives.Sum(xs.Slice(start, area)) / area;
                        }
                        else
                        {
                            float sum = 0f;
                            for (int p = 0; p < kh; p++)
                            {
                                for (int q = 0; q < kw; q++)
                                {
                                    sum += xs[start + p * width + q];
                                }
                            }

                            ys[o] = sum / area;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Backward of average pooling: each gradient, divided by the window's taps, goes to every element of its window; positions no window reaches get 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageBackward<TP>(ReadOnlySpan<float> dy, Span<float> dx, int batch)
        where TP : struct, IPoolingLayer
    {
        if (dx.IsEmpty)
        {
            return;
        }

        int kh = TP.KernelHeight, kw = TP.KernelWidth, width = TP.InWidth, area = kh * kw;
        int inLength = InLength<TP>(), outLength = OutLength<TP>();
        dx.Clear();
        for (int s = 0; s < batch; s++)
        {
            ReadOnlySpan<float> dys = dy.Slice(s * outLength, outLength);
            Span<float> dxs = dx.Slice(s * inLength, inLength);
            for (int c = 0; c < TP.Channels; c++)
            {
                for (int i = 0; i < TP.OutHeight; i++)
                {
                    for (int j = 0; j < TP.OutWidth; j++)
                    {
                        int start = c * TP.InHeight * width + i * TP.StrideHeight * width + j * TP.StrideWidth;
                        int o = (c * TP.OutHeight + i) * TP.OutWidth + j;
                        float share = dys[o] / area;
                        if (kw == width)
                        {
                            TensorPrimitives.Add(dxs.Slice(start, area), share, dxs.Slice(start, area));
                        }
                        else
                        {
                            for (int p = 0; p < kh; p++)
                            {
                                for (int q = 0; q < kw; q++)
                                {
                                    dxs[start + p * width + q] += share;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
