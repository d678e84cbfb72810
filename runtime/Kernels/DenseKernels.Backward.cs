using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

public static partial class DenseKernels
{
    /// <summary>
    /// Backward from <c>dz = dL/d(W x + b)</c> (<c>[rows, Units]</c>): <c>dW += dzᵀ x</c>, <c>db += Σ_r dz[r]</c> (when the
    /// layer has a bias) and, when <paramref name="dx"/> is not empty, <c>dx = dz W</c>. With <paramref name="threads"/> &gt; 1
    /// a large enough batch is split across threads: units for <c>dW</c>, rows for <c>dx</c>, at multiples of
    /// <see cref="BackwardGroup"/> (the same bits as one thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TLayer>(
        ReadOnlySpan<float> weight, Span<float> weightGradient, Span<float> biasGradient,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dx, int rows, int threads)
        where TLayer : struct, IDenseLayer
    {
        bool split = threads > 1 && rows >= MinRowsForThreads<TLayer>();

        // dW += dzᵀ x, db += Σ_r dz[r]: each unit summed over the batch by one thread
        if (split)
        {
            KernelThreads.For(threads, TLayer.Units, BackwardGroup, new KernelSpans(x, dz, default, weightGradient, biasGradient),
                static (in KernelSpans s, int start, int end) => WeightGradient<TLayer>(s.In0, s.In1, s.Out0, s.Out1, start, end));
        }
        else
        {
            WeightGradient<TLayer>(x, dz, weightGradient, biasGradient, 0, TLayer.Units);
        }

        if (dx.IsEmpty)
        {
            return;
        }

        // dx = dz W
        if (split)
        {
            KernelThreads.For(threads, rows, BackwardGroup, new KernelSpans(weight, dz, default, dx, default),
                static (in KernelSpans s, int start, int end) => InputGradient<TLayer>(s.In0, s.In1, s.Out0, start, end));
        }
        else
        {
            InputGradient<TLayer>(weight, dz, dx, 0, rows);
        }
    }

    /// <summary>Units <paramref name="start"/> .. <paramref name="end"/> - 1 of <c>dW += dzᵀ x</c> and <c>db += Σ_r dz[r]</c>, over every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradient<TLayer>(ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> weightGradient, Span<float> biasGradient, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        int units = TLayer.Units;
        int rows = dz.Length / units;
        if (TLayer.HasBias)
        {
            // db[o] += Σ_r dz[r, o]
            Span<float> db = biasGradient.Slice(start, end - start);
            for (int r = 0; r < rows; r++)
            {
                TensorPrimitives.Add(db, dz.Slice(r * units + start, end - start), db);
            }
        }

        if (!Simd.Use128)
        {
            WeightGradientTextbook<TLayer>(x, dz, weightGradient, rows, start, end);
            return;
        }

        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float dz0 = ref MemoryMarshal.GetReference(dz);
        ref float gw = ref MemoryMarshal.GetReference(weightGradient);
        int done = Simd.Use512 ? WeightGradientColumns<TLayer, V512>(ref x0, ref dz0, ref gw, rows, start, end, 0)
            : Simd.Use256 ? WeightGradientColumns<TLayer, V256>(ref x0, ref dz0, ref gw, rows, start, end, 0)
            : 0;
        done = WeightGradientColumns<TLayer, V128>(ref x0, ref dz0, ref gw, rows, start, end, done);
        WeightGradientColumns<TLayer, V1>(ref x0, ref dz0, ref gw, rows, start, end, done);
    }

    /// <summary>The scalar path: <c>dW[o, i] += Σ_r dz[r, o] x[r, i]</c>, a row of the batch at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientTextbook<TLayer>(ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> weightGradient, int rows, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        for (int o = start; o < end; o++)
        {
            Span<float> gwo = weightGradient.Slice(o * inputs, inputs);
            for (int r = 0; r < rows; r++)
            {
                float d = dz[r * units + o];
                ReadOnlySpan<float> xr = x.Slice(r * inputs, inputs);
                for (int i = 0; i < inputs; i++)
                {
                    gwo[i] += d * xr[i];
                }
            }
        }
    }

    /// <summary>
    /// Columns <paramref name="from"/> onward of <c>dW[o, i] += Σ_r dz[r, o] x[r, i]</c> in whole vectors of
    /// <typeparamref name="TV"/>: chunks of 3 vectors (the chunk of x, rows × 3 vectors, stays in L1 for every unit), 4 units
    /// at a time in 12 accumulators loaded from dW once and stored once while the batch streams by; then single vectors.
    /// Returns the first column left for a narrower width. Every element is summed over the rows in order, so which width
    /// or block takes a column changes no bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int WeightGradientColumns<TLayer, TV>(ref float x0, ref float dz0, ref float gw, int rows, int start, int end, int from)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs;
        int grouped = start + (end - start) / BackwardGroup * BackwardGroup;
        int i = from;
        for (; i + 3 * TV.Count <= inputs; i += 3 * TV.Count)
        {
            for (int o = start; o < grouped; o += BackwardGroup)
            {
                WeightGradientBlock4x3<TLayer, TV>(ref x0, ref dz0, ref gw, rows, o, i);
            }

            for (int o = grouped; o < end; o++)
            {
                WeightGradientBlock1x3<TLayer, TV>(ref x0, ref dz0, ref gw, rows, o, i);
            }
        }

        for (; i + TV.Count <= inputs; i += TV.Count)
        {
            for (int o = start; o < grouped; o += BackwardGroup)
            {
                WeightGradientBlock4x1<TLayer, TV>(ref x0, ref dz0, ref gw, rows, o, i);
            }

            for (int o = grouped; o < end; o++)
            {
                WeightGradientBlock1x1<TLayer, TV>(ref x0, ref dz0, ref gw, rows, o, i);
            }
        }

        return i;
    }

    /// <summary><c>g[u][k] = dW[o + u, i + k·lanes ..] += Σ_r dz[r, o + u] x[r, i + k·lanes ..]</c> for u &lt; 4, k &lt; 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientBlock4x3<TLayer, TV>(ref float x0, ref float dz0, ref float gw, int rows, int o, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units, n = TV.Count;
        ref float go = ref At(ref gw, o * inputs + i);
        TV g00 = Load<TV>(ref go, 0), g01 = Load<TV>(ref go, n), g02 = Load<TV>(ref go, 2 * n);
        TV g10 = Load<TV>(ref go, inputs), g11 = Load<TV>(ref go, inputs + n), g12 = Load<TV>(ref go, inputs + 2 * n);
        TV g20 = Load<TV>(ref go, 2 * inputs), g21 = Load<TV>(ref go, 2 * inputs + n), g22 = Load<TV>(ref go, 2 * inputs + 2 * n);
        TV g30 = Load<TV>(ref go, 3 * inputs), g31 = Load<TV>(ref go, 3 * inputs + n), g32 = Load<TV>(ref go, 3 * inputs + 2 * n);
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref At(ref x0, r * inputs + i);
            ref float dzr = ref At(ref dz0, r * units + o);
            TV xv0 = Load<TV>(ref xr, 0), xv1 = Load<TV>(ref xr, n), xv2 = Load<TV>(ref xr, 2 * n);
            TV d = TV.Create(dzr);
            g00 = TV.MultiplyAdd(d, xv0, g00); g01 = TV.MultiplyAdd(d, xv1, g01); g02 = TV.MultiplyAdd(d, xv2, g02);
            d = TV.Create(At(ref dzr, 1));
            g10 = TV.MultiplyAdd(d, xv0, g10); g11 = TV.MultiplyAdd(d, xv1, g11); g12 = TV.MultiplyAdd(d, xv2, g12);
            d = TV.Create(At(ref dzr, 2));
            g20 = TV.MultiplyAdd(d, xv0, g20); g21 = TV.MultiplyAdd(d, xv1, g21); g22 = TV.MultiplyAdd(d, xv2, g22);
            d = TV.Create(At(ref dzr, 3));
            g30 = TV.MultiplyAdd(d, xv0, g30); g31 = TV.MultiplyAdd(d, xv1, g31); g32 = TV.MultiplyAdd(d, xv2, g32);
        }

        g00.Store(ref go, 0); g01.Store(ref go, (nuint)n); g02.Store(ref go, (nuint)(2 * n));
        g10.Store(ref go, (nuint)inputs); g11.Store(ref go, (nuint)(inputs + n)); g12.Store(ref go, (nuint)(inputs + 2 * n));
        g20.Store(ref go, (nuint)(2 * inputs)); g21.Store(ref go, (nuint)(2 * inputs + n)); g22.Store(ref go, (nuint)(2 * inputs + 2 * n));
        g30.Store(ref go, (nuint)(3 * inputs)); g31.Store(ref go, (nuint)(3 * inputs + n)); g32.Store(ref go, (nuint)(3 * inputs + 2 * n));
    }

    /// <summary>One unit's <c>dW[o, i .. i + 3·lanes - 1]</c>, as <see cref="WeightGradientBlock4x3{TLayer, TV}"/> sums it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientBlock1x3<TLayer, TV>(ref float x0, ref float dz0, ref float gw, int rows, int o, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units, n = TV.Count;
        ref float go = ref At(ref gw, o * inputs + i);
        TV g0 = Load<TV>(ref go, 0), g1 = Load<TV>(ref go, n), g2 = Load<TV>(ref go, 2 * n);
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref At(ref x0, r * inputs + i);
            TV d = TV.Create(At(ref dz0, r * units + o));
            g0 = TV.MultiplyAdd(d, Load<TV>(ref xr, 0), g0);
            g1 = TV.MultiplyAdd(d, Load<TV>(ref xr, n), g1);
            g2 = TV.MultiplyAdd(d, Load<TV>(ref xr, 2 * n), g2);
        }

        g0.Store(ref go, 0); g1.Store(ref go, (nuint)n); g2.Store(ref go, (nuint)(2 * n));
    }

    /// <summary>Four units' <c>dW[o + u, i .. i + lanes - 1]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientBlock4x1<TLayer, TV>(ref float x0, ref float dz0, ref float gw, int rows, int o, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        ref float go = ref At(ref gw, o * inputs + i);
        TV g0 = Load<TV>(ref go, 0), g1 = Load<TV>(ref go, inputs), g2 = Load<TV>(ref go, 2 * inputs), g3 = Load<TV>(ref go, 3 * inputs);
        for (int r = 0; r < rows; r++)
        {
            TV xv = Load<TV>(ref x0, r * inputs + i);
            ref float dzr = ref At(ref dz0, r * units + o);
            g0 = TV.MultiplyAdd(TV.Create(dzr), xv, g0);
            g1 = TV.MultiplyAdd(TV.Create(At(ref dzr, 1)), xv, g1);
            g2 = TV.MultiplyAdd(TV.Create(At(ref dzr, 2)), xv, g2);
            g3 = TV.MultiplyAdd(TV.Create(At(ref dzr, 3)), xv, g3);
        }

        g0.Store(ref go, 0); g1.Store(ref go, (nuint)inputs); g2.Store(ref go, (nuint)(2 * inputs)); g3.Store(ref go, (nuint)(3 * inputs));
    }

    /// <summary>One unit's <c>dW[o, i .. i + lanes - 1]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientBlock1x1<TLayer, TV>(ref float x0, ref float dz0, ref float gw, int rows, int o, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        ref float go = ref At(ref gw, o * inputs + i);
        TV g = Load<TV>(ref go, 0);
        for (int r = 0; r < rows; r++)
        {
            g = TV.MultiplyAdd(TV.Create(At(ref dz0, r * units + o)), Load<TV>(ref x0, r * inputs + i), g);
        }

        g.Store(ref go, 0);
    }

    /// <summary>
    /// Rows <paramref name="start"/> .. <paramref name="end"/> - 1 of <c>dx = dz W</c> (overwritten), on the calling thread. Internal
    /// rather than private for <see cref="RecurrentKernels"/>, whose backward needs <c>dh = dgates W_hh</c> at every step without
    /// a weight gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InputGradient<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> dz, Span<float> dx, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        if (!Simd.Use128)
        {
            InputGradientTextbook<TLayer>(weight, dz, dx, start, end);
            return;
        }

        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float dz0 = ref MemoryMarshal.GetReference(dz);
        ref float dx0 = ref MemoryMarshal.GetReference(dx);
        int done = Simd.Use512 ? InputGradientColumns<TLayer, V512>(ref w, ref dz0, ref dx0, start, end, 0)
            : Simd.Use256 ? InputGradientColumns<TLayer, V256>(ref w, ref dz0, ref dx0, start, end, 0)
            : 0;
        done = InputGradientColumns<TLayer, V128>(ref w, ref dz0, ref dx0, start, end, done);
        InputGradientColumns<TLayer, V1>(ref w, ref dz0, ref dx0, start, end, done);
    }

    /// <summary>The scalar path: <c>dx[r, i] = Σ_o dz[r, o] W[o, i]</c>, adding one row of W at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientTextbook<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> dz, Span<float> dx, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        for (int r = start; r < end; r++)
        {
            Span<float> dxr = dx.Slice(r * inputs, inputs);
            dxr.Clear();
            for (int o = 0; o < units; o++)
            {
                float d = dz[r * units + o];
                ReadOnlySpan<float> wo = weight.Slice(o * inputs, inputs);
                for (int i = 0; i < inputs; i++)
                {
                    dxr[i] += d * wo[i];
                }
            }
        }
    }

    /// <summary>
    /// Columns <paramref name="from"/> onward of <c>dx[r, i] = Σ_o dz[r, o] W[o, i]</c> in whole vectors of
    /// <typeparamref name="TV"/>: chunks of 3 vectors (the chunk of W, units × 3 vectors, stays in L1), 4 rows at a time in
    /// 12 accumulators with the sum over units inside; then single vectors. Returns the first column left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int InputGradientColumns<TLayer, TV>(ref float w, ref float dz0, ref float dx0, int start, int end, int from)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs;
        int grouped = start + (end - start) / BackwardGroup * BackwardGroup;
        int i = from;
        for (; i + 3 * TV.Count <= inputs; i += 3 * TV.Count)
        {
            for (int r = start; r < grouped; r += BackwardGroup)
            {
                InputGradientBlock4x3<TLayer, TV>(ref w, ref dz0, ref dx0, r, i);
            }

            for (int r = grouped; r < end; r++)
            {
                InputGradientBlock1x3<TLayer, TV>(ref w, ref dz0, ref dx0, r, i);
            }
        }

        for (; i + TV.Count <= inputs; i += TV.Count)
        {
            for (int r = start; r < grouped; r += BackwardGroup)
            {
                InputGradientBlock4x1<TLayer, TV>(ref w, ref dz0, ref dx0, r, i);
            }

            for (int r = grouped; r < end; r++)
            {
                InputGradientBlock1x1<TLayer, TV>(ref w, ref dz0, ref dx0, r, i);
            }
        }

        return i;
    }

    /// <summary><c>a[j][k] = dx[r + j, i + k·lanes ..] = Σ_o dz[r + j, o] W[o, i + k·lanes ..]</c> for j &lt; 4, k &lt; 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientBlock4x3<TLayer, TV>(ref float w, ref float dz0, ref float dx0, int r, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units, n = TV.Count;
        ref float dzr = ref At(ref dz0, r * units);
        TV a00 = TV.Zero, a01 = TV.Zero, a02 = TV.Zero;
        TV a10 = TV.Zero, a11 = TV.Zero, a12 = TV.Zero;
        TV a20 = TV.Zero, a21 = TV.Zero, a22 = TV.Zero;
        TV a30 = TV.Zero, a31 = TV.Zero, a32 = TV.Zero;
        for (int o = 0; o < units; o++)
        {
            ref float wo = ref At(ref w, o * inputs + i);
            TV wv0 = Load<TV>(ref wo, 0), wv1 = Load<TV>(ref wo, n), wv2 = Load<TV>(ref wo, 2 * n);
            TV d = TV.Create(At(ref dzr, o));
            a00 = TV.MultiplyAdd(d, wv0, a00); a01 = TV.MultiplyAdd(d, wv1, a01); a02 = TV.MultiplyAdd(d, wv2, a02);
            d = TV.Create(At(ref dzr, units + o));
            a10 = TV.MultiplyAdd(d, wv0, a10); a11 = TV.MultiplyAdd(d, wv1, a11); a12 = TV.MultiplyAdd(d, wv2, a12);
            d = TV.Create(At(ref dzr, 2 * units + o));
            a20 = TV.MultiplyAdd(d, wv0, a20); a21 = TV.MultiplyAdd(d, wv1, a21); a22 = TV.MultiplyAdd(d, wv2, a22);
            d = TV.Create(At(ref dzr, 3 * units + o));
            a30 = TV.MultiplyAdd(d, wv0, a30); a31 = TV.MultiplyAdd(d, wv1, a31); a32 = TV.MultiplyAdd(d, wv2, a32);
        }

        ref float dxr = ref At(ref dx0, r * inputs + i);
        a00.Store(ref dxr, 0); a01.Store(ref dxr, (nuint)n); a02.Store(ref dxr, (nuint)(2 * n));
        a10.Store(ref dxr, (nuint)inputs); a11.Store(ref dxr, (nuint)(inputs + n)); a12.Store(ref dxr, (nuint)(inputs + 2 * n));
        a20.Store(ref dxr, (nuint)(2 * inputs)); a21.Store(ref dxr, (nuint)(2 * inputs + n)); a22.Store(ref dxr, (nuint)(2 * inputs + 2 * n));
        a30.Store(ref dxr, (nuint)(3 * inputs)); a31.Store(ref dxr, (nuint)(3 * inputs + n)); a32.Store(ref dxr, (nuint)(3 * inputs + 2 * n));
    }

    /// <summary>One row's <c>dx[r, i .. i + 3·lanes - 1]</c>, as <see cref="InputGradientBlock4x3{TLayer, TV}"/> sums it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientBlock1x3<TLayer, TV>(ref float w, ref float dz0, ref float dx0, int r, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units, n = TV.Count;
        ref float dzr = ref At(ref dz0, r * units);
        TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero;
        for (int o = 0; o < units; o++)
        {
            ref float wo = ref At(ref w, o * inputs + i);
            TV d = TV.Create(At(ref dzr, o));
            a0 = TV.MultiplyAdd(d, Load<TV>(ref wo, 0), a0);
            a1 = TV.MultiplyAdd(d, Load<TV>(ref wo, n), a1);
            a2 = TV.MultiplyAdd(d, Load<TV>(ref wo, 2 * n), a2);
        }

        ref float dxr = ref At(ref dx0, r * inputs + i);
        a0.Store(ref dxr, 0); a1.Store(ref dxr, (nuint)n); a2.Store(ref dxr, (nuint)(2 * n));
    }

    /// <summary>Four rows' <c>dx[r + j, i .. i + lanes - 1]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientBlock4x1<TLayer, TV>(ref float w, ref float dz0, ref float dx0, int r, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        ref float dzr = ref At(ref dz0, r * units);
        TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, a3 = TV.Zero;
        for (int o = 0; o < units; o++)
        {
            TV wv = Load<TV>(ref w, o * inputs + i);
            a0 = TV.MultiplyAdd(TV.Create(At(ref dzr, o)), wv, a0);
            a1 = TV.MultiplyAdd(TV.Create(At(ref dzr, units + o)), wv, a1);
            a2 = TV.MultiplyAdd(TV.Create(At(ref dzr, 2 * units + o)), wv, a2);
            a3 = TV.MultiplyAdd(TV.Create(At(ref dzr, 3 * units + o)), wv, a3);
        }

        ref float dxr = ref At(ref dx0, r * inputs + i);
        a0.Store(ref dxr, 0); a1.Store(ref dxr, (nuint)inputs); a2.Store(ref dxr, (nuint)(2 * inputs)); a3.Store(ref dxr, (nuint)(3 * inputs));
    }

    /// <summary>One row's <c>dx[r, i .. i + lanes - 1]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientBlock1x1<TLayer, TV>(ref float w, ref float dz0, ref float dx0, int r, int i)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        ref float dzr = ref At(ref dz0, r * units);
        TV a = TV.Zero;
        for (int o = 0; o < units; o++)
        {
            a = TV.MultiplyAdd(TV.Create(At(ref dzr, o)), Load<TV>(ref w, o * inputs + i), a);
        }

        a.Store(ref At(ref dx0, r * inputs + i), 0);
    }
}
