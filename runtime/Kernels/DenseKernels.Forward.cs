using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

public static partial class DenseKernels
{
    /// <summary>
    /// <c>y[r] = act(W x[r] + b)</c> for each of <paramref name="rows"/> rows: <paramref name="x"/> is <c>[rows, Inputs]</c>,
    /// <paramref name="y"/> <c>[rows, Units]</c>, <paramref name="weight"/> <c>[Units, Inputs]</c>, <paramref name="bias"/>
    /// <c>[Units]</c> (empty without one). With <paramref name="threads"/> &gt; 1, a batch large enough to pay for it is split
    /// across threads at multiples of <see cref="RowGroup"/> rows (the same bits as one thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int rows, int threads)
        where TLayer : struct, IDenseLayer
    {
        if (threads > 1 && rows >= MinRowsForThreads<TLayer>())
        {
            KernelThreads.For(threads, rows, RowGroup, new KernelSpans(weight, bias, x, y, default),
                static (in KernelSpans s, int start, int end) => ForwardRows<TLayer>(s.In0, s.In1, s.In2, s.Out0, start, end));
        }
        else
        {
            ForwardRows<TLayer>(weight, bias, x, y, 0, rows);
        }
    }

    /// <summary>Rows <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="Forward{TLayer}"/>, at the widest width the process runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        if (Simd.Use512)
        {
            ForwardRows<TLayer, V512>(weight, bias, x, y, start, end);
        }
        else if (Simd.Use256)
        {
            ForwardRows<TLayer, V256>(weight, bias, x, y, start, end);
        }
        else if (Simd.Use128)
        {
            ForwardRows<TLayer, V128>(weight, bias, x, y, start, end);
        }
        else
        {
            ForwardTextbook<TLayer>(weight, bias, x, y, start, end);
        }
    }

    /// <summary>
    /// The scalar path: <c>y[r, o] = act(Σ_i W[o, i] x[r, i] + b[o])</c>, one dot product at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTextbook<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        for (int r = start; r < end; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * inputs, inputs);
            for (int o = 0; o < units; o++)
            {
                ReadOnlySpan<float> wo = weight.Slice(o * inputs, inputs);
                float z = 0f;
                for (int i = 0; i < inputs; i++)
                {
                    z += wo[i] * xr[i];
                }

                y[r * units + o] = Activate<TLayer>(TLayer.HasBias ? z + bias[o] : z);
            }
        }
    }

    /// <summary>Groups of <see cref="RowGroup"/> rows share each load of W; the rows left over go one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<TLayer, TV>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int start, int end)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int grouped = start + (end - start) / RowGroup * RowGroup;
        if (grouped > start)
        {
            ForwardRowGroups<TLayer, TV>(ref w, ref b, ref x0, ref y0, start, grouped);
        }

        for (int r = grouped; r < end; r++)
        {
            ForwardRow<TLayer, TV>(ref w, ref b, ref Unsafe.Add(ref x0, r * TLayer.Inputs), ref Unsafe.Add(ref y0, r * TLayer.Units));
        }
    }

    /// <summary>Whether a block's dot products end with the horizontal-add tree: whole vectors of 256 bits or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EndsWithTree<TLayer, TV>()
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
        => TV.Count >= 8 && TLayer.Inputs % TV.Count == 0;

    /// <summary>
    /// Rows <paramref name="start"/> .. <paramref name="end"/> - 1, a multiple of 3: a 3×4 block of dot products per step
    /// (x rows j, W rows k) in 12 accumulators, each vector load feeding 3 or 4 multiply-adds. Units are the outer loop, so
    /// the 4 rows of W stay in L1 while the rows of x stream by.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowGroups<TLayer, TV>(ref float w, ref float b, ref float x0, ref float y0, int start, int end)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs, units = TLayer.Units;
        int main = inputs / TV.Count * TV.Count;
        int grouped = units / UnitGroup * UnitGroup;
        for (int o = 0; o < grouped; o += UnitGroup)
        {
            ref float wo = ref At(ref w, o * inputs);
            for (int r = start; r < end; r += RowGroup)
            {
                ref float xr = ref At(ref x0, r * inputs);
                ref float yr = ref At(ref y0, r * units);

                // s[j][k] = Σ_i x[r + j, i] W[o + k, i], lane by lane
                TV s00 = TV.Zero, s01 = TV.Zero, s02 = TV.Zero, s03 = TV.Zero;
                TV s10 = TV.Zero, s11 = TV.Zero, s12 = TV.Zero, s13 = TV.Zero;
                TV s20 = TV.Zero, s21 = TV.Zero, s22 = TV.Zero, s23 = TV.Zero;
                for (int i = 0; i < main; i += TV.Count)
                {
                    TV x0i = Load<TV>(ref xr, i), x1i = Load<TV>(ref At(ref xr, inputs), i), x2i = Load<TV>(ref At(ref xr, 2 * inputs), i);
                    TV wk = Load<TV>(ref wo, i);
                    s00 = TV.MultiplyAdd(wk, x0i, s00); s10 = TV.MultiplyAdd(wk, x1i, s10); s20 = TV.MultiplyAdd(wk, x2i, s20);
                    wk = Load<TV>(ref At(ref wo, inputs), i);
                    s01 = TV.MultiplyAdd(wk, x0i, s01); s11 = TV.MultiplyAdd(wk, x1i, s11); s21 = TV.MultiplyAdd(wk, x2i, s21);
                    wk = Load<TV>(ref At(ref wo, 2 * inputs), i);
                    s02 = TV.MultiplyAdd(wk, x0i, s02); s12 = TV.MultiplyAdd(wk, x1i, s12); s22 = TV.MultiplyAdd(wk, x2i, s22);
                    wk = Load<TV>(ref At(ref wo, 3 * inputs), i);
                    s03 = TV.MultiplyAdd(wk, x0i, s03); s13 = TV.MultiplyAdd(wk, x1i, s13); s23 = TV.MultiplyAdd(wk, x2i, s23);
                }

                if (EndsWithTree<TLayer, TV>())
                {
                    // y[r + j, o .. o + 3] = act(Σ lanes of s[j][0..3] + b[o .. o + 3]), as one vector per row
                    Vector128<float> bo = TLayer.HasBias ? Vector128.LoadUnsafe(ref b, (nuint)o) : Vector128<float>.Zero;
                    StoreFour<TLayer>(TV.Sum4(s00, s01, s02, s03), bo, ref At(ref yr, o));
                    StoreFour<TLayer>(TV.Sum4(s10, s11, s12, s13), bo, ref At(ref yr, units + o));
                    StoreFour<TLayer>(TV.Sum4(s20, s21, s22, s23), bo, ref At(ref yr, 2 * units + o));
                    continue;
                }

                float t00 = TV.Sum(s00), t01 = TV.Sum(s01), t02 = TV.Sum(s02), t03 = TV.Sum(s03);
                float t10 = TV.Sum(s10), t11 = TV.Sum(s11), t12 = TV.Sum(s12), t13 = TV.Sum(s13);
                float t20 = TV.Sum(s20), t21 = TV.Sum(s21), t22 = TV.Sum(s22), t23 = TV.Sum(s23);
                for (int i = main; i < inputs; i++)
                {
                    float x0i = At(ref xr, i), x1i = At(ref xr, inputs + i), x2i = At(ref xr, 2 * inputs + i);
                    float wk = At(ref wo, i);
                    t00 += wk * x0i; t10 += wk * x1i; t20 += wk * x2i;
                    wk = At(ref wo, inputs + i);
                    t01 += wk * x0i; t11 += wk * x1i; t21 += wk * x2i;
                    wk = At(ref wo, 2 * inputs + i);
                    t02 += wk * x0i; t12 += wk * x1i; t22 += wk * x2i;
                    wk = At(ref wo, 3 * inputs + i);
                    t03 += wk * x0i; t13 += wk * x1i; t23 += wk * x2i;
                }

                StoreOne<TLayer>(t00, ref b, o, ref yr, 0); StoreOne<TLayer>(t01, ref b, o + 1, ref yr, 0);
                StoreOne<TLayer>(t02, ref b, o + 2, ref yr, 0); StoreOne<TLayer>(t03, ref b, o + 3, ref yr, 0);
                StoreOne<TLayer>(t10, ref b, o, ref yr, units); StoreOne<TLayer>(t11, ref b, o + 1, ref yr, units);
                StoreOne<TLayer>(t12, ref b, o + 2, ref yr, units); StoreOne<TLayer>(t13, ref b, o + 3, ref yr, units);
                StoreOne<TLayer>(t20, ref b, o, ref yr, 2 * units); StoreOne<TLayer>(t21, ref b, o + 1, ref yr, 2 * units);
                StoreOne<TLayer>(t22, ref b, o + 2, ref yr, 2 * units); StoreOne<TLayer>(t23, ref b, o + 3, ref yr, 2 * units);
            }
        }

        // the units left over (fewer than 4), one at a time against the same 3 rows
        for (int o = grouped; o < units; o++)
        {
            ref float wo = ref At(ref w, o * inputs);
            for (int r = start; r < end; r += RowGroup)
            {
                ref float xr = ref At(ref x0, r * inputs);
                ref float yr = ref At(ref y0, r * units);
                TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero;
                for (int i = 0; i < main; i += TV.Count)
                {
                    TV wk = Load<TV>(ref wo, i);
                    s0 = TV.MultiplyAdd(wk, Load<TV>(ref xr, i), s0);
                    s1 = TV.MultiplyAdd(wk, Load<TV>(ref At(ref xr, inputs), i), s1);
                    s2 = TV.MultiplyAdd(wk, Load<TV>(ref At(ref xr, 2 * inputs), i), s2);
                }

                float t0 = TV.Sum(s0), t1 = TV.Sum(s1), t2 = TV.Sum(s2);
                for (int i = main; i < inputs; i++)
                {
                    float wk = At(ref wo, i);
                    t0 += wk * At(ref xr, i); t1 += wk * At(ref xr, inputs + i); t2 += wk * At(ref xr, 2 * inputs + i);
                }

                StoreOne<TLayer>(t0, ref b, o, ref yr, 0);
                StoreOne<TLayer>(t1, ref b, o, ref yr, units);
                StoreOne<TLayer>(t2, ref b, o, ref yr, 2 * units);
            }
        }
    }

    /// <summary>
    /// One row alone (the batch-1 path, and the rows a batch leaves over): W streams from cache once, each load of x feeds
    /// 8 dot products, then 4, then 1 for the units left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRow<TLayer, TV>(ref float w, ref float b, ref float xr, ref float yr)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int units = TLayer.Units;
        int byEight = units / 8 * 8;
        for (int o = 0; o < byEight; o += 8)
        {
            ForwardRowEight<TLayer, TV>(ref At(ref w, o * TLayer.Inputs), ref b, ref xr, ref yr, o);
        }

        int o4 = byEight;
        if (units - o4 >= 4)
        {
            ForwardRowFour<TLayer, TV>(ref At(ref w, o4 * TLayer.Inputs), ref b, ref xr, ref yr, o4);
            o4 += 4;
        }

        for (int o = o4; o < units; o++)
        {
            ForwardRowOne<TLayer, TV>(ref At(ref w, o * TLayer.Inputs), ref b, ref xr, ref yr, o);
        }
    }

    /// <summary>
    /// <c>y[o .. o + 7]</c> from rows <c>o .. o + 7</c> of W (<paramref name="wo"/>). Two vectors of x per iteration (half
    /// the loop overhead, two loads of x in flight) go into the same accumulators, so each sum is taken in the order of
    /// one vector at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardRowEight<TLayer, TV>(ref float wo, ref float b, ref float xr, ref float yr, int o)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs;
        int main = inputs / TV.Count * TV.Count;
        int pairs = inputs / (2 * TV.Count) * (2 * TV.Count);
        TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero, s4 = TV.Zero, s5 = TV.Zero, s6 = TV.Zero, s7 = TV.Zero;
        for (int i = 0; i < pairs; i += 2 * TV.Count)
        {
            TV xi = Load<TV>(ref xr, i);
            s0 = TV.MultiplyAdd(Load<TV>(ref wo, i), xi, s0);
            s1 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, inputs), i), xi, s1);
            s2 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 2 * inputs), i), xi, s2);
            s3 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 3 * inputs), i), xi, s3);
            s4 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 4 * inputs), i), xi, s4);
            s5 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 5 * inputs), i), xi, s5);
            s6 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 6 * inputs), i), xi, s6);
            s7 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 7 * inputs), i), xi, s7);
            int i2 = i + TV.Count;
            xi = Load<TV>(ref xr, i2);
            s0 = TV.MultiplyAdd(Load<TV>(ref wo, i2), xi, s0);
            s1 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, inputs), i2), xi, s1);
            s2 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 2 * inputs), i2), xi, s2);
            s3 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 3 * inputs), i2), xi, s3);
            s4 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 4 * inputs), i2), xi, s4);
            s5 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 5 * inputs), i2), xi, s5);
            s6 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 6 * inputs), i2), xi, s6);
            s7 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 7 * inputs), i2), xi, s7);
        }

        if (pairs < main)
        {
            // the odd vector left over
            TV xi = Load<TV>(ref xr, pairs);
            s0 = TV.MultiplyAdd(Load<TV>(ref wo, pairs), xi, s0);
            s1 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, inputs), pairs), xi, s1);
            s2 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 2 * inputs), pairs), xi, s2);
            s3 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 3 * inputs), pairs), xi, s3);
            s4 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 4 * inputs), pairs), xi, s4);
            s5 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 5 * inputs), pairs), xi, s5);
            s6 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 6 * inputs), pairs), xi, s6);
            s7 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 7 * inputs), pairs), xi, s7);
        }

        if (EndsWithTree<TLayer, TV>())
        {
            // y[o .. o + 7] = act(Σ lanes of s0..s7 + b[o .. o + 7]), as one vector
            Vector256<float> z = TV.Sum8(s0, s1, s2, s3, s4, s5, s6, s7);
            if (TLayer.HasBias)
            {
                z += Vector256.LoadUnsafe(ref b, (nuint)o);
            }

            Activate<TLayer, V256>(new V256(z)).Store(ref yr, (nuint)o);
            return;
        }

        float t0 = TV.Sum(s0), t1 = TV.Sum(s1), t2 = TV.Sum(s2), t3 = TV.Sum(s3);
        float t4 = TV.Sum(s4), t5 = TV.Sum(s5), t6 = TV.Sum(s6), t7 = TV.Sum(s7);
        for (int i = main; i < inputs; i++)
        {
            float xi = At(ref xr, i);
            t0 += At(ref wo, i) * xi;
            t1 += At(ref wo, inputs + i) * xi;
            t2 += At(ref wo, 2 * inputs + i) * xi;
            t3 += At(ref wo, 3 * inputs + i) * xi;
            t4 += At(ref wo, 4 * inputs + i) * xi;
            t5 += At(ref wo, 5 * inputs + i) * xi;
            t6 += At(ref wo, 6 * inputs + i) * xi;
            t7 += At(ref wo, 7 * inputs + i) * xi;
        }

        StoreOne<TLayer>(t0, ref b, o, ref yr, 0); StoreOne<TLayer>(t1, ref b, o + 1, ref yr, 0);
        StoreOne<TLayer>(t2, ref b, o + 2, ref yr, 0); StoreOne<TLayer>(t3, ref b, o + 3, ref yr, 0);
        StoreOne<TLayer>(t4, ref b, o + 4, ref yr, 0); StoreOne<TLayer>(t5, ref b, o + 5, ref yr, 0);
        StoreOne<TLayer>(t6, ref b, o + 6, ref yr, 0); StoreOne<TLayer>(t7, ref b, o + 7, ref yr, 0);
    }

    /// <summary><c>y[o .. o + 3]</c> from rows <c>o .. o + 3</c> of W, in the order of <see cref="ForwardRowEight{TLayer, TV}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowFour<TLayer, TV>(ref float wo, ref float b, ref float xr, ref float yr, int o)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs;
        int main = inputs / TV.Count * TV.Count;
        TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero;
        for (int i = 0; i < main; i += TV.Count)
        {
            TV xi = Load<TV>(ref xr, i);
            s0 = TV.MultiplyAdd(Load<TV>(ref wo, i), xi, s0);
            s1 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, inputs), i), xi, s1);
            s2 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 2 * inputs), i), xi, s2);
            s3 = TV.MultiplyAdd(Load<TV>(ref At(ref wo, 3 * inputs), i), xi, s3);
        }

        if (EndsWithTree<TLayer, TV>())
        {
            Vector128<float> bo = TLayer.HasBias ? Vector128.LoadUnsafe(ref b, (nuint)o) : Vector128<float>.Zero;
            StoreFour<TLayer>(TV.Sum4(s0, s1, s2, s3), bo, ref At(ref yr, o));
            return;
        }

        float t0 = TV.Sum(s0), t1 = TV.Sum(s1), t2 = TV.Sum(s2), t3 = TV.Sum(s3);
        for (int i = main; i < inputs; i++)
        {
            float xi = At(ref xr, i);
            t0 += At(ref wo, i) * xi;
            t1 += At(ref wo, inputs + i) * xi;
            t2 += At(ref wo, 2 * inputs + i) * xi;
            t3 += At(ref wo, 3 * inputs + i) * xi;
        }

        StoreOne<TLayer>(t0, ref b, o, ref yr, 0); StoreOne<TLayer>(t1, ref b, o + 1, ref yr, 0);
        StoreOne<TLayer>(t2, ref b, o + 2, ref yr, 0); StoreOne<TLayer>(t3, ref b, o + 3, ref yr, 0);
    }

    /// <summary><c>y[o]</c> from row <c>o</c> of W.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowOne<TLayer, TV>(ref float wo, ref float b, ref float xr, ref float yr, int o)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        int inputs = TLayer.Inputs;
        int main = inputs / TV.Count * TV.Count;
        TV s = TV.Zero;
        for (int i = 0; i < main; i += TV.Count)
        {
            s = TV.MultiplyAdd(Load<TV>(ref wo, i), Load<TV>(ref xr, i), s);
        }

        float t = TV.Sum(s);
        for (int i = main; i < inputs; i++)
        {
            t += At(ref wo, i) * At(ref xr, i);
        }

        StoreOne<TLayer>(t, ref b, o, ref yr, 0);
    }

    /// <summary><c>y[offset + o] = act(t + b[o])</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOne<TLayer>(float t, ref float b, int o, ref float yr, int offset)
        where TLayer : struct, IDenseLayer
        => At(ref yr, offset + o) = Activate<TLayer>(TLayer.HasBias ? t + At(ref b, o) : t);

    /// <summary><c>y[0 .. 3] = act(sums + bias)</c> at <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFour<TLayer>(Vector128<float> sums, Vector128<float> bias, ref float target)
        where TLayer : struct, IDenseLayer
        => Activate<TLayer, V128>(new V128(TLayer.HasBias ? sums + bias : sums)).Store(ref target, 0);
}
