using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

public static partial class RecurrentKernels
{
    /// <summary>
    /// One direction of the layer over a batch of sequences, from a zero initial state: <paramref name="x"/> is
    /// <c>[batch, T, F]</c>; this direction writes <c>h_t</c> into columns <c>OutputOffset .. OutputOffset + H − 1</c> of
    /// <paramref name="y"/> <c>[batch, T, OutputStride]</c> (the other columns are not touched) and fills
    /// <paramref name="state"/> (<c>batch · StateLength</c> floats, laid out as <see cref="StateLength{TLayer}"/> says) with
    /// what <see cref="Backward{TLayer}"/> needs. The weights are PyTorch's: <paramref name="weightIh"/> <c>[G·H, F]</c>,
    /// <paramref name="weightHh"/> <c>[G·H, H]</c>, <paramref name="biasIh"/> and <paramref name="biasHh"/> <c>[G·H]</c> (empty
    /// without a bias). With <paramref name="threads"/> &gt; 1 the input product and, for a large enough batch, the recurrence
    /// (by samples) are split across threads, giving the bits of one thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TLayer>(
        ReadOnlySpan<float> weightIh, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> x, Span<float> y, Span<float> state, Span<float> scratch, int batch, int threads)
        where TLayer : struct, IRecurrentLayer
        => Forward<TLayer>(weightIh, weightHh, biasIh, biasHh, x, y, state, default, scratch, batch, threads);

    /// <summary>
    /// <see cref="Forward{TLayer}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
    /// with a <paramref name="cache"/> of <see cref="CacheLength{TLayer}"/> floats that outlives the call (the workspace's,
    /// <see cref="WorkspaceAccess.RecurrentCache{TLayer}(Workspace)"/>), or empty: W_hh packed for the steps, with the
    /// weights it was packed from. A call whose W_hh is bit for bit the one the cache was packed from (an inference after
    /// another, with nothing written to the parameters in between) reads the packed copy as it is, which costs one
    /// comparison instead of packing again; any other call packs into it. So the copy is always the one these weights
    /// give, however the parameters were written (an optimizer, <c>Load</c>, a span kept by the caller). Without a
    /// cache, W_hh is packed into <paramref name="scratch"/> on every call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TLayer>(
        ReadOnlySpan<float> weightIh, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> x, Span<float> y, Span<float> state, Span<float> cache, Span<float> scratch, int batch, int threads)
        where TLayer : struct, IRecurrentLayer
    {
        int rows = batch * TLayer.Steps;
        var offsets = new StateOffsets<TLayer>(batch);
        state = state.Slice(0, offsets.End);

        // gates[b, t] = W_ih x[b, t] + b_ih for every sample and step at once: one product over B·T rows
        InputProducts<TLayer>(weightIh, biasIh, x.Slice(0, rows * TLayer.Inputs), state.Slice(0, rows * GateWidth<TLayer>()), rows, threads);

        // W_hh in the broadcast layout the steps read (W_hhᵀ in panels), written here on every call from the parameters
        // as they are now, then only read, by every thread; the scalar path reads W_hh as it is
        ReadOnlySpan<float> recurrentWeights = weightHh.Slice(0, GateWidth<TLayer>() * TLayer.Hidden);
        if (Simd.Use128)
        {
            recurrentWeights = cache.IsEmpty ? PackInto<TLayer>(recurrentWeights, scratch.Slice(0, PackedLength<TLayer>())) : Cached<TLayer>(recurrentWeights, cache);
        }

        y = y.Slice(0, rows * TLayer.OutputStride);
        if (threads > 1 && batch >= MinSamplesForThreads<TLayer>())
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(recurrentWeights, biasHh, default, y, state),
                static (in KernelSpans s, int start, int end) => ForwardSamples<TLayer>(s.In0, s.In1, s.Out0, s.Out1, start, end));
        }
        else
        {
            ForwardSamples<TLayer>(recurrentWeights, biasHh, y, state, 0, batch);
        }
    }

    /// <summary>
    /// Floats of the cache <see cref="Forward{TLayer}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
    /// keeps: a header of 16 (a 64-byte line: whether the rest is filled), the packed W_hh, then the W_hh it was packed from.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CacheLength<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => CacheHeader + (2 * PackedLength<TLayer>());

    /// <summary>The cache's header, whose first float's bits are <see cref="CacheFilled"/> once a packing is complete.</summary>
    private const int CacheHeader = 16;

    private const int CacheFilled = 0x4E47_0001;

    /// <summary>W_hh packed into <paramref name="packed"/>, which the steps then read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<float> PackInto<TLayer>(ReadOnlySpan<float> weightHh, Span<float> packed)
        where TLayer : struct, IRecurrentLayer
    {
        PackRecurrentWeights<TLayer>(weightHh, packed);
        return packed;
    }

    /// <summary>
    /// The packed W_hh of <paramref name="cache"/>: as it is when the cache is filled and its source is bit for bit
    /// <paramref name="weightHh"/> (a comparison of bytes, so NaN payloads and signed zeros count too), else packed again,
    /// with the header cleared while the cache is being written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<float> Cached<TLayer>(ReadOnlySpan<float> weightHh, Span<float> cache)
        where TLayer : struct, IRecurrentLayer
    {
        int length = PackedLength<TLayer>();
        Span<float> packed = cache.Slice(CacheHeader, length);
        Span<float> source = cache.Slice(CacheHeader + length, length);
        ref float header = ref MemoryMarshal.GetReference(cache);
        if (BitConverter.SingleToInt32Bits(header) == CacheFilled && MemoryMarshal.AsBytes(weightHh).SequenceEqual(MemoryMarshal.AsBytes(source)))
        {
            return packed;
        }

        header = 0;
        PackRecurrentWeights<TLayer>(weightHh, packed);
        weightHh.CopyTo(source);
        header = BitConverter.Int32BitsToSingle(CacheFilled);
        return packed;
    }

    /// <summary>
    /// Floats of the call's scratch <see cref="Forward{TLayer}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
    /// needs without a cache (the first ones of slot 0, whatever the batch and the threads): <c>G·H · H</c>, the copy of
    /// W_hh the steps read (<see cref="PackRecurrentWeights{TLayer}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PackedLength<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => GateWidth<TLayer>() * TLayer.Hidden;

    /// <summary>
    /// The units of one panel of the packed W_hh: 8 vectors of the widest lanes in use (128 at 512 bits), so a panel's
    /// 8 accumulators per sample sit in registers and the panel itself (<c>H</c> rows of them: 32 KB for H = 64) in L1
    /// while the samples of the step go by.
    /// </summary>
    private static int PanelWidth => 8 * (Simd.Use512 ? 16 : Simd.Use256 ? 8 : 4);

    /// <summary>
    /// W_hh <c>[G·H, H]</c> into <paramref name="packed"/> as <c>W_hhᵀ</c> cut into panels of <see cref="PanelWidth"/> units
    /// (the last one narrower when G·H is not a multiple of it): the panel of units <c>u0 .. u0 + w − 1</c> starts at
    /// <c>u0 · H</c> and holds <c>W[u0 + j, k]</c> at <c>k · w + j</c>, so a step reads each panel front to back, one row of
    /// w units for every <c>h[k]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRecurrentWeights<TLayer>(ReadOnlySpan<float> weightHh, Span<float> packed)
        where TLayer : struct, IRecurrentLayer
    {
        int hidden = TLayer.Hidden, width = GateWidth<TLayer>(), panel = PanelWidth;
        ref float w = ref MemoryMarshal.GetReference(weightHh);
        ref float p = ref MemoryMarshal.GetReference(packed);
        for (int u0 = 0; u0 < width; u0 += panel)
        {
            int units = Math.Min(panel, width - u0);
            // panel[k, j] = W_hh[u0 + j, k]: the product kernels' packing, 8 × 8 tiles through AVX registers where it can
            ProductKernels.Pack(ref w, hidden, u0, units, 0, hidden, ref At(ref p, u0 * hidden), byColumnTiles: false);
        }
    }

    /// <summary>
    /// <c>recurrent[s] = b_hh + W_hh h[s]</c> for <paramref name="samples"/> samples (h and recurrent rows contiguous): each
    /// output is <c>b[u]</c> (or 0), then <c>+ h[k] W[u, k]</c> fused, for k = 0 .. H − 1, or for k = H − 1 .. 0 when
    /// <paramref name="backwards"/>, whichever width, block or thread computes it, so a sample's bits do not depend on the
    /// batch. With vectors, from the packed copy (<see cref="PackRecurrentWeights{TLayer}"/>): broadcasts of h[k] times rows
    /// of a panel into accumulators, no horizontal sums; the scalar path reads W_hh as it is, in the textbook loop.
    /// <para>
    /// Backwards, the panels run last to first too, so the step reads the packed weights in exactly the reverse of the order
    /// the step before read them: what that step read last is what is still in L1. <c>W_hhᵀ</c> is G·H·H floats, 64 KB at
    /// H = 64, more than the 48 KB of L1; read in the same order every step, each read would evict the line needed next
    /// and all of it would come from L2 every step; alternating, only the part L1 could not keep does (measured: 31 steps
    /// of the product at H = 64, batch 1, 16.0 µs in one order, 12.4 µs alternating panels, 10.1 µs alternating whole
    /// traversals; 8 µs if it all fitted).
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RecurrentProducts<TLayer>(ReadOnlySpan<float> weights, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> h, Span<float> recurrent, int samples, bool backwards)
        where TLayer : struct, IRecurrentLayer
    {
        int hidden = TLayer.Hidden, width = GateWidth<TLayer>();
        if (!Simd.Use128)
        {
            for (int s = 0; s < samples; s++)
            {
                ReadOnlySpan<float> hs = h.Slice(s * hidden, hidden);
                Span<float> rs = recurrent.Slice(s * width, width);
                for (int u = 0; u < width; u++)
                {
                    ReadOnlySpan<float> wu = weights.Slice(u * hidden, hidden);
                    V1 sum = TLayer.HasBias ? V1.Create(biasHh[u]) : V1.Zero;
                    for (int i = 0, k = backwards ? hidden - 1 : 0; i < hidden; i++, k += backwards ? -1 : 1)
                    {
                        sum = V1.MultiplyAdd(V1.Create(hs[k]), V1.Create(wu[k]), sum);
                    }

                    sum.Store(ref rs[u], 0);
                }
            }

            return;
        }

        ref float w = ref MemoryMarshal.GetReference(weights);
        ref float b = ref MemoryMarshal.GetReference(biasHh);
        ref float h0 = ref MemoryMarshal.GetReference(h);
        ref float r0 = ref MemoryMarshal.GetReference(recurrent);
        int done = width / PanelWidth * PanelWidth;
        if (!backwards)
        {
            WholePanels(ref w, ref b, ref h0, ref r0, samples, backwards);
        }

        if (done < width)
        {
            // the last, narrower panel: single vectors of every width, then single floats
            int units = width - done;
            ref float panel = ref At(ref w, done * hidden);
            int j = 0;
            if (Simd.Use512)
            {
                j = RecurrentColumns<TLayer, V512>(ref panel, ref b, ref h0, ref r0, samples, done, units, j, backwards);
            }

            if (Simd.Use256)
            {
                j = RecurrentColumns<TLayer, V256>(ref panel, ref b, ref h0, ref r0, samples, done, units, j, backwards);
            }

            j = RecurrentColumns<TLayer, V128>(ref panel, ref b, ref h0, ref r0, samples, done, units, j, backwards);
            RecurrentColumns<TLayer, V1>(ref panel, ref b, ref h0, ref r0, samples, done, units, j, backwards);
        }

        if (backwards)
        {
            WholePanels(ref w, ref b, ref h0, ref r0, samples, backwards);
        }

        static void WholePanels(ref float w, ref float b, ref float h0, ref float r0, int samples, bool backwards)
        {
            if (Simd.Use512)
            {
                RecurrentPanels<TLayer, V512>(ref w, ref b, ref h0, ref r0, samples, backwards);
            }
            else if (Simd.Use256)
            {
                RecurrentPanels<TLayer, V256>(ref w, ref b, ref h0, ref r0, samples, backwards);
            }
            else
            {
                RecurrentPanels<TLayer, V128>(ref w, ref b, ref h0, ref r0, samples, backwards);
            }
        }
    }

    /// <summary>
    /// The whole panels of <see cref="RecurrentProducts{TLayer}"/> (8 vectors of <typeparamref name="TV"/> wide, which is
    /// <see cref="PanelWidth"/>): for each panel, first to last or (<paramref name="backwards"/>) last to first, three
    /// samples at a time at 512 bits (24 accumulators sharing each load of the panel), then two (16), then one; within a panel, h from its first
    /// element to its last or (backwards) from its last to its first.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RecurrentPanels<TLayer, TV>(ref float w, ref float b, ref float h0, ref float r0, int samples, bool backwards)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden, width = GateWidth<TLayer>(), n = TV.Count, panel = 8 * n;
        int panels = width / panel;
        int first = backwards ? hidden - 1 : 0, step = backwards ? -1 : 1;
        int firstPanel = 0;
        if (TV.Count >= 16 && samples == 1)
        {
            // one sample at 512 bits: two panels side by side, 16 chains of multiply-adds where one panel's 8 only just
            // cover the multiply-add's latency (a sample alone, an LSTM's 256 gate units: 2 panels per step)
            for (; firstPanel + 2 <= panels; firstPanel += 2)
            {
                int ua = (backwards ? panels - 1 - firstPanel : firstPanel) * panel;
                int ub = (backwards ? panels - 2 - firstPanel : firstPanel + 1) * panel;
                OneSampleTwoPanels<TLayer, TV>(ref At(ref w, ua * hidden), ref At(ref w, ub * hidden), ref b, ref h0, ref r0, ua, ub, first, step);
            }
        }

        for (int q = firstPanel; q < panels; q++)
        {
            int u0 = (backwards ? panels - 1 - q : q) * panel;
            ref float wp = ref At(ref w, u0 * hidden);
            int s = 0;
            if (TV.Count >= 16)
            {
                // at 512 bits three samples: 24 accumulators of AVX-512's 32 registers, each load of the panel feeding 3
                for (; s + 3 <= samples; s += 3)
                {
                    ThreeSamples<TLayer, TV>(ref wp, ref b, ref At(ref h0, s * hidden), ref At(ref r0, s * width + u0), u0, first, step);
                }
            }

            if (TV.Count < 16)
            {
                // below 512 bits two samples of a whole panel are 16 accumulators, with the panel's load and two broadcasts
                // more than the 16 registers: the JIT kept four of them on the stack, a load and a store each per term. So
                // each half of the panel (4 vectors) takes two samples at a time: 8 accumulators, each load feeding 2.
                for (; s + 2 <= samples; s += 2)
                {
                    ref float hs = ref At(ref h0, s * hidden);
                    ref float rs = ref At(ref r0, s * width + u0);
                    HalfPanelPair<TLayer, TV>(ref wp, ref At(ref b, u0), ref hs, ref rs, 0, first, step);
                    HalfPanelPair<TLayer, TV>(ref wp, ref At(ref b, u0), ref hs, ref rs, 4 * n, first, step);
                }
            }

            for (; s + 2 <= samples; s += 2)
            {
                ref float ha = ref At(ref h0, s * hidden);
                ref float hb = ref At(ref h0, (s + 1) * hidden);
                TV a0, a1, a2, a3, a4, a5, a6, a7;
                if (TLayer.HasBias)
                {
                    ref float bu = ref At(ref b, u0);
                    a0 = Load<TV>(ref bu, 0); a1 = Load<TV>(ref bu, n); a2 = Load<TV>(ref bu, 2 * n); a3 = Load<TV>(ref bu, 3 * n);
                    a4 = Load<TV>(ref bu, 4 * n); a5 = Load<TV>(ref bu, 5 * n); a6 = Load<TV>(ref bu, 6 * n); a7 = Load<TV>(ref bu, 7 * n);
                }
                else
                {
                    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = TV.Zero;
                }

                TV b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
                for (int i = 0, k = first; i < hidden; i++, k += step)
                {
                    TV x = TV.Create(At(ref ha, k)), z = TV.Create(At(ref hb, k));
                    ref float row = ref At(ref wp, k * panel);
                    TV v = Load<TV>(ref row, 0); TV.MultiplyAddTo(ref a0, v, x); TV.MultiplyAddTo(ref b0, v, z);
                    v = Load<TV>(ref row, n); TV.MultiplyAddTo(ref a1, v, x); TV.MultiplyAddTo(ref b1, v, z);
                    v = Load<TV>(ref row, 2 * n); TV.MultiplyAddTo(ref a2, v, x); TV.MultiplyAddTo(ref b2, v, z);
                    v = Load<TV>(ref row, 3 * n); TV.MultiplyAddTo(ref a3, v, x); TV.MultiplyAddTo(ref b3, v, z);
                    v = Load<TV>(ref row, 4 * n); TV.MultiplyAddTo(ref a4, v, x); TV.MultiplyAddTo(ref b4, v, z);
                    v = Load<TV>(ref row, 5 * n); TV.MultiplyAddTo(ref a5, v, x); TV.MultiplyAddTo(ref b5, v, z);
                    v = Load<TV>(ref row, 6 * n); TV.MultiplyAddTo(ref a6, v, x); TV.MultiplyAddTo(ref b6, v, z);
                    v = Load<TV>(ref row, 7 * n); TV.MultiplyAddTo(ref a7, v, x); TV.MultiplyAddTo(ref b7, v, z);
                }

                ref float ra = ref At(ref r0, s * width + u0);
                a0.Store(ref ra, 0); a1.Store(ref ra, (nuint)n); a2.Store(ref ra, (nuint)(2 * n)); a3.Store(ref ra, (nuint)(3 * n));
                a4.Store(ref ra, (nuint)(4 * n)); a5.Store(ref ra, (nuint)(5 * n)); a6.Store(ref ra, (nuint)(6 * n)); a7.Store(ref ra, (nuint)(7 * n));
                ref float rb = ref At(ref ra, width);
                b0.Store(ref rb, 0); b1.Store(ref rb, (nuint)n); b2.Store(ref rb, (nuint)(2 * n)); b3.Store(ref rb, (nuint)(3 * n));
                b4.Store(ref rb, (nuint)(4 * n)); b5.Store(ref rb, (nuint)(5 * n)); b6.Store(ref rb, (nuint)(6 * n)); b7.Store(ref rb, (nuint)(7 * n));
            }

            if (s < samples)
            {
                ref float ha = ref At(ref h0, s * hidden);
                TV a0, a1, a2, a3, a4, a5, a6, a7;
                if (TLayer.HasBias)
                {
                    ref float bu = ref At(ref b, u0);
                    a0 = Load<TV>(ref bu, 0); a1 = Load<TV>(ref bu, n); a2 = Load<TV>(ref bu, 2 * n); a3 = Load<TV>(ref bu, 3 * n);
                    a4 = Load<TV>(ref bu, 4 * n); a5 = Load<TV>(ref bu, 5 * n); a6 = Load<TV>(ref bu, 6 * n); a7 = Load<TV>(ref bu, 7 * n);
                }
                else
                {
                    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = TV.Zero;
                }

                for (int i = 0, k = first; i < hidden; i++, k += step)
                {
                    TV x = TV.Create(At(ref ha, k));
                    ref float row = ref At(ref wp, k * panel);
                    TV.MultiplyAddTo(ref a0, Load<TV>(ref row, 0), x);
                    TV.MultiplyAddTo(ref a1, Load<TV>(ref row, n), x);
                    TV.MultiplyAddTo(ref a2, Load<TV>(ref row, 2 * n), x);
                    TV.MultiplyAddTo(ref a3, Load<TV>(ref row, 3 * n), x);
                    TV.MultiplyAddTo(ref a4, Load<TV>(ref row, 4 * n), x);
                    TV.MultiplyAddTo(ref a5, Load<TV>(ref row, 5 * n), x);
                    TV.MultiplyAddTo(ref a6, Load<TV>(ref row, 6 * n), x);
                    TV.MultiplyAddTo(ref a7, Load<TV>(ref row, 7 * n), x);
                }

                ref float ra = ref At(ref r0, s * width + u0);
                a0.Store(ref ra, 0); a1.Store(ref ra, (nuint)n); a2.Store(ref ra, (nuint)(2 * n)); a3.Store(ref ra, (nuint)(3 * n));
                a4.Store(ref ra, (nuint)(4 * n)); a5.Store(ref ra, (nuint)(5 * n)); a6.Store(ref ra, (nuint)(6 * n)); a7.Store(ref ra, (nuint)(7 * n));
            }
        }
    }

    /// <summary>
    /// One sample of two whole panels of <see cref="RecurrentPanels{TLayer, TV}"/>, those of units <paramref name="ua"/> ..
    /// and <paramref name="ub"/> .. (<paramref name="wa"/> and <paramref name="wb"/>): 8 vectors each, the sums of the
    /// one-panel loop (each accumulator from the bias, adding <c>h[k] · W[u, k]</c> for k in the step's order), side by side.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneSampleTwoPanels<TLayer, TV>(ref float wa, ref float wb, ref float b, ref float h, ref float r0, int ua, int ub, int first, int step)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden, n = TV.Count, panel = 8 * n;
        TV a0, a1, a2, a3, a4, a5, a6, a7, c0, c1, c2, c3, c4, c5, c6, c7;
        if (TLayer.HasBias)
        {
            ref float ba = ref At(ref b, ua), bb = ref At(ref b, ub);
            a0 = Load<TV>(ref ba, 0); a1 = Load<TV>(ref ba, n); a2 = Load<TV>(ref ba, 2 * n); a3 = Load<TV>(ref ba, 3 * n);
            a4 = Load<TV>(ref ba, 4 * n); a5 = Load<TV>(ref ba, 5 * n); a6 = Load<TV>(ref ba, 6 * n); a7 = Load<TV>(ref ba, 7 * n);
            c0 = Load<TV>(ref bb, 0); c1 = Load<TV>(ref bb, n); c2 = Load<TV>(ref bb, 2 * n); c3 = Load<TV>(ref bb, 3 * n);
            c4 = Load<TV>(ref bb, 4 * n); c5 = Load<TV>(ref bb, 5 * n); c6 = Load<TV>(ref bb, 6 * n); c7 = Load<TV>(ref bb, 7 * n);
        }
        else
        {
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = TV.Zero;
        }

        for (int i = 0, k = first; i < hidden; i++, k += step)
        {
            TV x = TV.Create(At(ref h, k));
            ref float ra = ref At(ref wa, k * panel), rb = ref At(ref wb, k * panel);
            TV.MultiplyAddTo(ref a0, Load<TV>(ref ra, 0), x); TV.MultiplyAddTo(ref c0, Load<TV>(ref rb, 0), x);
            TV.MultiplyAddTo(ref a1, Load<TV>(ref ra, n), x); TV.MultiplyAddTo(ref c1, Load<TV>(ref rb, n), x);
            TV.MultiplyAddTo(ref a2, Load<TV>(ref ra, 2 * n), x); TV.MultiplyAddTo(ref c2, Load<TV>(ref rb, 2 * n), x);
            TV.MultiplyAddTo(ref a3, Load<TV>(ref ra, 3 * n), x); TV.MultiplyAddTo(ref c3, Load<TV>(ref rb, 3 * n), x);
            TV.MultiplyAddTo(ref a4, Load<TV>(ref ra, 4 * n), x); TV.MultiplyAddTo(ref c4, Load<TV>(ref rb, 4 * n), x);
            TV.MultiplyAddTo(ref a5, Load<TV>(ref ra, 5 * n), x); TV.MultiplyAddTo(ref c5, Load<TV>(ref rb, 5 * n), x);
            TV.MultiplyAddTo(ref a6, Load<TV>(ref ra, 6 * n), x); TV.MultiplyAddTo(ref c6, Load<TV>(ref rb, 6 * n), x);
            TV.MultiplyAddTo(ref a7, Load<TV>(ref ra, 7 * n), x); TV.MultiplyAddTo(ref c7, Load<TV>(ref rb, 7 * n), x);
        }

        ref float oa = ref At(ref r0, ua), ob = ref At(ref r0, ub);
        a0.Store(ref oa, 0); a1.Store(ref oa, (nuint)n); a2.Store(ref oa, (nuint)(2 * n)); a3.Store(ref oa, (nuint)(3 * n));
        a4.Store(ref oa, (nuint)(4 * n)); a5.Store(ref oa, (nuint)(5 * n)); a6.Store(ref oa, (nuint)(6 * n)); a7.Store(ref oa, (nuint)(7 * n));
        c0.Store(ref ob, 0); c1.Store(ref ob, (nuint)n); c2.Store(ref ob, (nuint)(2 * n)); c3.Store(ref ob, (nuint)(3 * n));
        c4.Store(ref ob, (nuint)(4 * n)); c5.Store(ref ob, (nuint)(5 * n)); c6.Store(ref ob, (nuint)(6 * n)); c7.Store(ref ob, (nuint)(7 * n));
    }

    /// <summary>
    /// Two samples (their h rows from <paramref name="h0"/>, their outputs from <paramref name="r0"/>, rows of the gate width
    /// apart) of the half of one whole panel of <see cref="RecurrentPanels{TLayer, TV}"/> that starts <paramref name="column"/>
    /// floats into it: 4 vectors each, the same sums, each accumulator starting at the bias (<paramref name="bias"/> is the
    /// panel's first) and adding <c>h[k] · W[u, k]</c> for k in the step's order.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void HalfPanelPair<TLayer, TV>(ref float wp, ref float bias, ref float h0, ref float r0, int column, int first, int step)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden, width = GateWidth<TLayer>(), n = TV.Count, panel = 8 * n;
        ref float ha = ref h0;
        ref float hb = ref At(ref h0, hidden);
        TV a0, a1, a2, a3;
        if (TLayer.HasBias)
        {
            ref float bu = ref At(ref bias, column);
            a0 = Load<TV>(ref bu, 0); a1 = Load<TV>(ref bu, n); a2 = Load<TV>(ref bu, 2 * n); a3 = Load<TV>(ref bu, 3 * n);
        }
        else
        {
            a0 = a1 = a2 = a3 = TV.Zero;
        }

        TV b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        ref float row = ref At(ref wp, (first * panel) + column);
        nint rowStep = step * panel;
        for (int i = 0, k = first; i < hidden; i++, k += step, row = ref Unsafe.Add(ref row, rowStep))
        {
            TV x = TV.Create(At(ref ha, k)), z = TV.Create(At(ref hb, k));
            TV v = Load<TV>(ref row, 0); TV.MultiplyAddTo(ref a0, v, x); TV.MultiplyAddTo(ref b0, v, z);
            v = Load<TV>(ref row, n); TV.MultiplyAddTo(ref a1, v, x); TV.MultiplyAddTo(ref b1, v, z);
            v = Load<TV>(ref row, 2 * n); TV.MultiplyAddTo(ref a2, v, x); TV.MultiplyAddTo(ref b2, v, z);
            v = Load<TV>(ref row, 3 * n); TV.MultiplyAddTo(ref a3, v, x); TV.MultiplyAddTo(ref b3, v, z);
        }

        ref float ra = ref At(ref r0, column);
        a0.Store(ref ra, 0); a1.Store(ref ra, (nuint)n); a2.Store(ref ra, (nuint)(2 * n)); a3.Store(ref ra, (nuint)(3 * n));
        ref float rb = ref At(ref ra, width);
        b0.Store(ref rb, 0); b1.Store(ref rb, (nuint)n); b2.Store(ref rb, (nuint)(2 * n)); b3.Store(ref rb, (nuint)(3 * n));
    }

    /// <summary>
    /// Samples <c>s</c>, <c>s + 1</c> and <c>s + 2</c> (their h rows from <paramref name="h0"/>, their outputs from
    /// <paramref name="r0"/>, rows of the gate width apart) of one whole panel of <see cref="RecurrentPanels{TLayer, TV}"/>:
    /// the same sums, each sample's accumulators starting at the bias and adding <c>h[k] · W[u, k]</c> for k in the step's order.
    /// </summary>
    // its own method, fully optimized from the first call as every kernel is (the JIT does not inline a loop this size)
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ThreeSamples<TLayer, TV>(ref float wp, ref float b, ref float h0, ref float r0, int u0, int first, int step)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden, width = GateWidth<TLayer>(), n = TV.Count, panel = 8 * n;
        ref float ha = ref h0;
        ref float hb = ref At(ref h0, hidden);
        ref float hc = ref At(ref h0, 2 * hidden);
        TV a0, a1, a2, a3, a4, a5, a6, a7;
        if (TLayer.HasBias)
        {
            ref float bu = ref At(ref b, u0);
            a0 = Load<TV>(ref bu, 0); a1 = Load<TV>(ref bu, n); a2 = Load<TV>(ref bu, 2 * n); a3 = Load<TV>(ref bu, 3 * n);
            a4 = Load<TV>(ref bu, 4 * n); a5 = Load<TV>(ref bu, 5 * n); a6 = Load<TV>(ref bu, 6 * n); a7 = Load<TV>(ref bu, 7 * n);
        }
        else
        {
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = TV.Zero;
        }

        TV b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
        TV c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5, c6 = a6, c7 = a7;
        for (int i = 0, k = first; i < hidden; i++, k += step)
        {
            TV x = TV.Create(At(ref ha, k)), y = TV.Create(At(ref hb, k)), z = TV.Create(At(ref hc, k));
            ref float row = ref At(ref wp, k * panel);
            TV v = Load<TV>(ref row, 0); TV.MultiplyAddTo(ref a0, v, x); TV.MultiplyAddTo(ref b0, v, y); TV.MultiplyAddTo(ref c0, v, z);
            v = Load<TV>(ref row, n); TV.MultiplyAddTo(ref a1, v, x); TV.MultiplyAddTo(ref b1, v, y); TV.MultiplyAddTo(ref c1, v, z);
            v = Load<TV>(ref row, 2 * n); TV.MultiplyAddTo(ref a2, v, x); TV.MultiplyAddTo(ref b2, v, y); TV.MultiplyAddTo(ref c2, v, z);
            v = Load<TV>(ref row, 3 * n); TV.MultiplyAddTo(ref a3, v, x); TV.MultiplyAddTo(ref b3, v, y); TV.MultiplyAddTo(ref c3, v, z);
            v = Load<TV>(ref row, 4 * n); TV.MultiplyAddTo(ref a4, v, x); TV.MultiplyAddTo(ref b4, v, y); TV.MultiplyAddTo(ref c4, v, z);
            v = Load<TV>(ref row, 5 * n); TV.MultiplyAddTo(ref a5, v, x); TV.MultiplyAddTo(ref b5, v, y); TV.MultiplyAddTo(ref c5, v, z);
            v = Load<TV>(ref row, 6 * n); TV.MultiplyAddTo(ref a6, v, x); TV.MultiplyAddTo(ref b6, v, y); TV.MultiplyAddTo(ref c6, v, z);
            v = Load<TV>(ref row, 7 * n); TV.MultiplyAddTo(ref a7, v, x); TV.MultiplyAddTo(ref b7, v, y); TV.MultiplyAddTo(ref c7, v, z);
        }

        ref float ra = ref r0;
        a0.Store(ref ra, 0); a1.Store(ref ra, (nuint)n); a2.Store(ref ra, (nuint)(2 * n)); a3.Store(ref ra, (nuint)(3 * n));
        a4.Store(ref ra, (nuint)(4 * n)); a5.Store(ref ra, (nuint)(5 * n)); a6.Store(ref ra, (nuint)(6 * n)); a7.Store(ref ra, (nuint)(7 * n));
        ref float rb = ref At(ref ra, width);
        b0.Store(ref rb, 0); b1.Store(ref rb, (nuint)n); b2.Store(ref rb, (nuint)(2 * n)); b3.Store(ref rb, (nuint)(3 * n));
        b4.Store(ref rb, (nuint)(4 * n)); b5.Store(ref rb, (nuint)(5 * n)); b6.Store(ref rb, (nuint)(6 * n)); b7.Store(ref rb, (nuint)(7 * n));
        ref float rc = ref At(ref ra, 2 * width);
        c0.Store(ref rc, 0); c1.Store(ref rc, (nuint)n); c2.Store(ref rc, (nuint)(2 * n)); c3.Store(ref rc, (nuint)(3 * n));
        c4.Store(ref rc, (nuint)(4 * n)); c5.Store(ref rc, (nuint)(5 * n)); c6.Store(ref rc, (nuint)(6 * n)); c7.Store(ref rc, (nuint)(7 * n));
    }

    /// <summary>
    /// Units <paramref name="from"/> + <paramref name="j"/> onward of the last panel (<paramref name="units"/> wide, starting
    /// at unit <paramref name="from"/>), one vector of <typeparamref name="TV"/> at a time for each sample, the same sums as
    /// <see cref="RecurrentPanels{TLayer, TV}"/>. Returns the first column of the panel left.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int RecurrentColumns<TLayer, TV>(ref float panel, ref float b, ref float h0, ref float r0, int samples, int from, int units, int j, bool backwards)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden, width = GateWidth<TLayer>(), n = TV.Count;
        int first = backwards ? hidden - 1 : 0, step = backwards ? -1 : 1;
        for (; j + n <= units; j += n)
        {
            for (int s = 0; s < samples; s++)
            {
                ref float hs = ref At(ref h0, s * hidden);
                TV a = TLayer.HasBias ? Load<TV>(ref b, from + j) : TV.Zero;
                for (int i = 0, k = first; i < hidden; i++, k += step)
                {
                    TV.MultiplyAddTo(ref a, Load<TV>(ref panel, k * units + j), TV.Create(At(ref hs, k)));
                }

                a.Store(ref r0, (nuint)(s * width + from + j));
            }
        }

        return j;
    }

    /// <summary>The largest <c>F·G·H</c> whose transposed <c>W_ih</c> <see cref="InputRows{TLayer}"/> keeps on the stack (32 KB).</summary>
    private const int MaxTransposedInputWeights = 8192;

    /// <summary>
    /// <c>gates = X W_ihᵀ + b_ih</c> over <paramref name="rows"/> rows of x (B·T of them): <see cref="DenseKernels"/>'
    /// product, whose register blocks of 6 rows keep the multiply-add units busy. With vectors on, a small input side (F·G·H
    /// up to <see cref="MaxTransposedInputWeights"/>) and fewer than <see cref="DenseKernels.ProductRows"/> rows (a sample
    /// of fewer than 4 steps), <see cref="InputRows{TLayer}"/> instead of the dense layer's dot products (with F as small as
    /// 16, their horizontal sums cost more than their multiply-adds). Both sum each output as <c>b[u]</c>, then
    /// <c>+ x_i W[u, i]</c> fused for i = 0 .. F − 1, so a sample alone and in a batch, and every thread count, get the
    /// same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputProducts<TLayer>(ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> x, Span<float> gates, int rows, int threads)
        where TLayer : struct, IRecurrentLayer
    {
        if (!Simd.Use128 || rows >= DenseKernels.ProductRows || TLayer.Inputs * GateWidth<TLayer>() > MaxTransposedInputWeights)
        {
            DenseKernels.Forward<InputProduct<TLayer>>(weightIh, biasIh, x, gates, rows, threads);
        }
        else if (threads > 1 && rows >= DenseKernels.MinRowsForThreads<InputProduct<TLayer>>())
        {
            KernelThreads.For(threads, rows, 1, new KernelSpans(weightIh, biasIh, x, gates, default),
                static (in KernelSpans s, int start, int end) => InputRows<TLayer>(s.In0, s.In1, s.In2, s.Out0, start, end));
        }
        else
        {
            InputRows<TLayer>(weightIh, biasIh, x, gates, 0, rows);
        }
    }

    /// <summary>Rows <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="InputProducts{TLayer}"/>, from a transposed copy of W_ih on the stack.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputRows<TLayer>(ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> x, Span<float> gates, int start, int end)
        where TLayer : struct, IRecurrentLayer
    {
        int inputs = TLayer.Inputs, width = GateWidth<TLayer>();
        Span<float> transposed = stackalloc float[inputs * width];
        ref float wt = ref MemoryMarshal.GetReference(transposed);
        ref float w = ref MemoryMarshal.GetReference(weightIh.Slice(0, width * inputs));

        // transposed[i, u] = W_ih[u, i]: the product kernels' packing, 8 × 8 tiles through AVX registers where it can
        ProductKernels.Pack(ref w, inputs, 0, width, 0, inputs, ref wt, byColumnTiles: false);

        ref float b = ref MemoryMarshal.GetReference(biasIh);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float g0 = ref MemoryMarshal.GetReference(gates);
        int done = 0;
        if (Simd.Use512)
        {
            done = InputColumns<TLayer, V512>(ref wt, ref b, ref x0, ref g0, start, end, done);
        }

        if (Simd.Use256)
        {
            done = InputColumns<TLayer, V256>(ref wt, ref b, ref x0, ref g0, start, end, done);
        }

        done = InputColumns<TLayer, V128>(ref wt, ref b, ref x0, ref g0, start, end, done);
        InputColumns<TLayer, V1>(ref wt, ref b, ref x0, ref g0, start, end, done);
    }

    /// <summary>
    /// Units <paramref name="from"/> onward of rows <paramref name="start"/> .. <paramref name="end"/> - 1, in whole vectors:
    /// blocks of 8 vectors of units (8 independent chains; the block's columns of <c>W_ihᵀ</c> stay in L1 while the rows go
    /// by), then single vectors. Each output is <c>b[u]</c> (or 0), then <c>+ x_i W[u, i]</c> fused, for i = 0 .. F − 1,
    /// whichever block or width takes it. Returns the first unit left.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int InputColumns<TLayer, TV>(ref float wt, ref float b, ref float x0, ref float g0, int start, int end, int from)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int inputs = TLayer.Inputs, width = GateWidth<TLayer>(), n = TV.Count;
        int u = from;
        for (; u + 8 * n <= width; u += 8 * n)
        {
            for (int r = start; r < end; r++)
            {
                ref float xr = ref At(ref x0, r * inputs);
                ref float gr = ref At(ref g0, r * width + u);
                TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero, s4 = TV.Zero, s5 = TV.Zero, s6 = TV.Zero, s7 = TV.Zero;
                if (TLayer.HasBias)
                {
                    ref float bu = ref At(ref b, u);
                    s0 = Load<TV>(ref bu, 0); s1 = Load<TV>(ref bu, n); s2 = Load<TV>(ref bu, 2 * n); s3 = Load<TV>(ref bu, 3 * n);
                    s4 = Load<TV>(ref bu, 4 * n); s5 = Load<TV>(ref bu, 5 * n); s6 = Load<TV>(ref bu, 6 * n); s7 = Load<TV>(ref bu, 7 * n);
                }

                for (int i = 0; i < inputs; i++)
                {
                    TV xi = TV.Create(At(ref xr, i));
                    ref float wi = ref At(ref wt, i * width + u);
                    TV.MultiplyAddTo(ref s0, Load<TV>(ref wi, 0), xi);
                    TV.MultiplyAddTo(ref s1, Load<TV>(ref wi, n), xi);
                    TV.MultiplyAddTo(ref s2, Load<TV>(ref wi, 2 * n), xi);
                    TV.MultiplyAddTo(ref s3, Load<TV>(ref wi, 3 * n), xi);
                    TV.MultiplyAddTo(ref s4, Load<TV>(ref wi, 4 * n), xi);
                    TV.MultiplyAddTo(ref s5, Load<TV>(ref wi, 5 * n), xi);
                    TV.MultiplyAddTo(ref s6, Load<TV>(ref wi, 6 * n), xi);
                    TV.MultiplyAddTo(ref s7, Load<TV>(ref wi, 7 * n), xi);
                }

                s0.Store(ref gr, 0); s1.Store(ref gr, (nuint)n); s2.Store(ref gr, (nuint)(2 * n)); s3.Store(ref gr, (nuint)(3 * n));
                s4.Store(ref gr, (nuint)(4 * n)); s5.Store(ref gr, (nuint)(5 * n)); s6.Store(ref gr, (nuint)(6 * n)); s7.Store(ref gr, (nuint)(7 * n));
            }
        }

        for (; u + n <= width; u += n)
        {
            for (int r = start; r < end; r++)
            {
                ref float xr = ref At(ref x0, r * inputs);
                TV s = TLayer.HasBias ? Load<TV>(ref b, u) : TV.Zero;
                for (int i = 0; i < inputs; i++)
                {
                    TV.MultiplyAddTo(ref s, Load<TV>(ref wt, i * width + u), TV.Create(At(ref xr, i)));
                }

                s.Store(ref g0, (nuint)(r * width + u));
            }
        }

        return u;
    }

    /// <summary>
    /// The recurrence of samples <paramref name="start"/> .. <paramref name="end"/> - 1, step after step; the batch is the
    /// state's length over <see cref="StateLength{TLayer}"/> (Forward cuts the region to it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSamples<TLayer>(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> y, Span<float> state, int start, int end)
        where TLayer : struct, IRecurrentLayer
    {
        int steps = TLayer.Steps, hidden = TLayer.Hidden, width = GateWidth<TLayer>();
        int batch = state.Length / StateLength<TLayer>();
        int samples = end - start;
        var offsets = new StateOffsets<TLayer>(batch);
        Span<float> gates = state.Slice(0, offsets.Previous);
        Span<float> previous = state.Slice(offsets.Previous, offsets.Extra - offsets.Previous);
        Span<float> extra = state.Slice(offsets.Extra, offsets.Carry - offsets.Extra);
        Span<float> carry = state.Slice(offsets.Carry + start * hidden, samples * hidden);
        Span<float> recurrent = state.Slice(offsets.Recurrent + start * width, samples * width);

        carry.Clear();
        for (int k = 0; k < steps; k++)
        {
            int t = StepAt<TLayer>(k);

            // recurrent[s] = W_hh h[s] + b_hh, every gate and every sample of the part in one product (h = 0 at the first step)
            if (k == 0)
            {
                for (int s = 0; s < samples; s++)
                {
                    if (TLayer.HasBias)
                    {
                        biasHh.Slice(0, width).CopyTo(recurrent.Slice(s * width, width));
                    }
                    else
                    {
                        recurrent.Slice(s * width, width).Clear();
                    }
                }
            }
            else
            {
                // every other step reads W_hhᵀ backwards, so what the step before read last is still in L1 (W_hhᵀ is
                // 64 KB at H = 64, more than L1): the step's sums run k = H − 1 .. 0 then, in every width and thread alike
                RecurrentProducts<TLayer>(weightHh, biasHh, carry, recurrent, samples, backwards: (k & 1) == 0);
            }

            // the gate epilogue, fused: one pass per sample over the hidden units, h_t stored into the carry, y and the
            // next step's row of previous
            bool hasNext = k + 1 < steps;
            int next = hasNext ? StepAt<TLayer>(k + 1) : t;
            for (int s = 0; s < samples; s++)
            {
                int sample = start + s;
                int row = sample * steps + t;
                if (k == 0)
                {
                    previous.Slice(row * hidden, hidden).Clear();
                }

                var lanes = new CellRefs(
                    ref MemoryMarshal.GetReference(gates.Slice(row * width, width)),
                    ref MemoryMarshal.GetReference(recurrent.Slice(s * width, width)),
                    ref MemoryMarshal.GetReference(carry.Slice(s * hidden, hidden)),
                    ref MemoryMarshal.GetReference(y.Slice(row * TLayer.OutputStride + TLayer.OutputOffset, hidden)),
                    ref MemoryMarshal.GetReference(previous.Slice((sample * steps + next) * hidden, hidden)),
                    hasNext);
                switch (TLayer.Cell)
                {
                    case RecurrentCell.Lstm:
                        // c_prev: the cell state of the step run before, none at the first
                        Span<float> cells = extra.Slice(sample * steps * hidden, steps * hidden);
                        int before = TLayer.Reverse ? t + 1 : t - 1;
                        LstmCells<TLayer>(lanes, ref MemoryMarshal.GetReference(cells.Slice(k == 0 ? t * hidden : before * hidden, hidden)), k > 0, ref MemoryMarshal.GetReference(cells.Slice(t * hidden, hidden)));
                        break;
                    case RecurrentCell.Gru:
                        GruCells<TLayer>(lanes, ref MemoryMarshal.GetReference(extra.Slice(row * hidden, hidden)));
                        break;
                    default:
                        RnnCells<TLayer>(lanes);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// Where one sample's step reads and writes: its gate row (input pre-activations in, activations out), its recurrent
    /// row, its running h (h_{t−1} in, h_t out), its row of y, and the next step's row of previous (written when
    /// <see cref="HasNext"/>).
    /// </summary>
    private readonly ref struct CellRefs
    {
        public CellRefs(ref float gates, ref float recurrent, ref float h, ref float y, ref float next, bool hasNext)
        {
            Gates = ref gates;
            Recurrent = ref recurrent;
            H = ref h;
            Y = ref y;
            Next = ref next;
            HasNext = hasNext;
        }

        public readonly ref float Gates;
        public readonly ref float Recurrent;
        public readonly ref float H;
        public readonly ref float Y;
        public readonly ref float Next;
        public readonly bool HasNext;

        /// <summary>h_t at hidden unit j onward, into the carry, y and (when there is a next step) its row of previous.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StoreHidden<TV>(TV h, int j)
            where TV : struct, IMathLanes<TV>
        {
            h.Store(ref H, (nuint)j);
            h.Store(ref Y, (nuint)j);
            if (HasNext)
            {
                h.Store(ref Next, (nuint)j);
            }
        }
    }

    /// <summary>
    /// An LSTM step of one sample over every hidden unit: the widest vectors first, then narrower ones, then one float at
    /// a time; each unit gets the same operations (and bits) whichever width takes it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmCells<TLayer>(in CellRefs lanes, ref float cellBefore, bool hasBefore, ref float cell)
        where TLayer : struct, IRecurrentLayer
    {
        int j = 0;
        if (Simd.Use512)
        {
            j = LstmCells<TLayer, V512>(lanes, ref cellBefore, hasBefore, ref cell, j);
        }

        if (Simd.Use256 && j < TLayer.Hidden)
        {
            j = LstmCells<TLayer, V256>(lanes, ref cellBefore, hasBefore, ref cell, j);
        }

        if (Simd.Use128 && j < TLayer.Hidden)
        {
            j = LstmCells<TLayer, V128>(lanes, ref cellBefore, hasBefore, ref cell, j);
        }

        if (j < TLayer.Hidden)
        {
            LstmCells<TLayer, V1>(lanes, ref cellBefore, hasBefore, ref cell, j);
        }
    }

    /// <summary>
    /// Hidden units <paramref name="j"/> onward in whole vectors of <typeparamref name="TV"/>: <c>i, f, g, o = σ, σ, tanh, σ
    /// of (gates + recurrent)</c> kept in the gate row; <c>c = f ⊙ c_prev + i ⊙ g</c> (c_prev = 0 without
    /// <paramref name="hasBefore"/>), each product rounded then added, as PyTorch; <c>h = o ⊙ tanh(c)</c>. Returns the first
    /// unit left.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int LstmCells<TLayer, TV>(in CellRefs lanes, ref float cellBefore, bool hasBefore, ref float cell, int j)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden, n = TV.Count;
        int end = j + (hidden - j) / n * n;
        ref float g = ref lanes.Gates;
        ref float r = ref lanes.Recurrent;

        // the gate activations first, a loop per function over units j .. end - 1 of each gate: every iteration is
        // independent, so the processor overlaps their long chains (one unit's σ, σ, tanh, σ, tanh in a row waits on latency)
        for (int gate = 0; gate < 2; gate++)
        {
            ref float gi = ref At(ref g, gate * hidden);
            ref float ri = ref At(ref r, gate * hidden);
            for (int u = j; u < end; u += n)
            {
                Sigmoid(Load<TV>(ref gi, u) + Load<TV>(ref ri, u)).Store(ref gi, (nuint)u);
            }
        }

        ref float gc = ref At(ref g, 2 * hidden);
        ref float rc = ref At(ref r, 2 * hidden);
        for (int u = j; u < end; u += n)
        {
            Tanh(Load<TV>(ref gc, u) + Load<TV>(ref rc, u)).Store(ref gc, (nuint)u);
        }

        ref float go = ref At(ref g, 3 * hidden);
        ref float ro = ref At(ref r, 3 * hidden);
        for (int u = j; u < end; u += n)
        {
            Sigmoid(Load<TV>(ref go, u) + Load<TV>(ref ro, u)).Store(ref go, (nuint)u);
        }

        // c = f ⊙ c_prev + i ⊙ g, h = o ⊙ tanh(c)
        for (; j < end; j += n)
        {
            TV input = Load<TV>(ref g, j), forget = Load<TV>(ref g, hidden + j);
            TV candidate = Load<TV>(ref gc, j), output = Load<TV>(ref go, j);
            TV c = input * candidate;
            if (hasBefore)
            {
                c = forget * Load<TV>(ref cellBefore, j) + c;
            }

            c.Store(ref cell, (nuint)j);
            lanes.StoreHidden(Tanh(c) * output, j);
        }

        return j;
    }

    /// <summary>A GRU step of one sample over every hidden unit, the widths as <see cref="LstmCells{TLayer}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruCells<TLayer>(in CellRefs lanes, ref float hiddenN)
        where TLayer : struct, IRecurrentLayer
    {
        int j = 0;
        if (Simd.Use512)
        {
            j = GruCells<TLayer, V512>(lanes, ref hiddenN, j);
        }

        if (Simd.Use256 && j < TLayer.Hidden)
        {
            j = GruCells<TLayer, V256>(lanes, ref hiddenN, j);
        }

        if (Simd.Use128 && j < TLayer.Hidden)
        {
            j = GruCells<TLayer, V128>(lanes, ref hiddenN, j);
        }

        if (j < TLayer.Hidden)
        {
            GruCells<TLayer, V1>(lanes, ref hiddenN, j);
        }
    }

    /// <summary>
    /// Hidden units <paramref name="j"/> onward: <c>r, z = σ(gates + recurrent)</c>; <c>hiddenN = W_hn h + b_hn</c> kept;
    /// <c>n = tanh(gates_n + r ⊙ hiddenN)</c>; <c>h = n + z ⊙ (h − n)</c>, which is <c>(1 − z) ⊙ n + z ⊙ h</c> in PyTorch's
    /// order of operations (each product rounded, then added). Returns the first unit left.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int GruCells<TLayer, TV>(in CellRefs lanes, ref float hiddenN, int j)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden;
        ref float g = ref lanes.Gates;
        ref float rec = ref lanes.Recurrent;
        for (; j + TV.Count <= hidden; j += TV.Count)
        {
            TV reset = Sigmoid(Load<TV>(ref g, j) + Load<TV>(ref rec, j));
            TV update = Sigmoid(Load<TV>(ref g, hidden + j) + Load<TV>(ref rec, hidden + j));
            TV n = Load<TV>(ref rec, 2 * hidden + j);
            n.Store(ref hiddenN, (nuint)j);
            n = Tanh(reset * n + Load<TV>(ref g, 2 * hidden + j));
            reset.Store(ref g, (nuint)j);
            update.Store(ref g, (nuint)(hidden + j));
            n.Store(ref g, (nuint)(2 * hidden + j));
            lanes.StoreHidden((Load<TV>(ref lanes.H, j) - n) * update + n, j);
        }

        return j;
    }

    /// <summary>An RNN step of one sample over every hidden unit, the widths as <see cref="LstmCells{TLayer}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RnnCells<TLayer>(in CellRefs lanes)
        where TLayer : struct, IRecurrentLayer
    {
        int j = 0;
        if (Simd.Use512)
        {
            j = RnnCells<TLayer, V512>(lanes, j);
        }

        if (Simd.Use256 && j < TLayer.Hidden)
        {
            j = RnnCells<TLayer, V256>(lanes, j);
        }

        if (Simd.Use128 && j < TLayer.Hidden)
        {
            j = RnnCells<TLayer, V128>(lanes, j);
        }

        if (j < TLayer.Hidden)
        {
            RnnCells<TLayer, V1>(lanes, j);
        }
    }

    /// <summary><c>h = act(g + r)</c>, kept in the gate row too (the activation's output is all backward needs).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int RnnCells<TLayer, TV>(in CellRefs lanes, int j)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden;
        ref float g = ref lanes.Gates;
        for (; j + TV.Count <= hidden; j += TV.Count)
        {
            TV a = Load<TV>(ref g, j) + Load<TV>(ref lanes.Recurrent, j);
            TV h = TLayer.Cell == RecurrentCell.Relu ? TV.Relu(a) : Tanh(a);
            h.Store(ref g, (nuint)j);
            lanes.StoreHidden(h, j);
        }

        return j;
    }
}
