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
    /// <c>[Units]</c> (empty without one). Fewer than <see cref="ProductRows"/> rows go one at a time as dot products (W
    /// streams from cache once per row); a larger batch is one register-blocked product <c>x · Wᵀ</c> over W packed a
    /// panel at a time (<see cref="ProductKernels"/>), split across <paramref name="threads"/> by groups of units when it
    /// is large enough to pay for it, so each thread packs only its own part of W (the same bits as one thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int rows, int threads)
        where TLayer : struct, IDenseLayer
        => Forward<TLayer>(weight, bias, x, y, rows, threads, Span<float>.Empty, repack: false);

    /// <summary>
    /// <see cref="Forward{TLayer}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/>
    /// with W kept packed between calls in <paramref name="packed"/> (<see cref="PackedLength{TLayer}"/> floats, at most
    /// <see cref="MaxKeptPackedFloats"/>, or empty: packed a panel at a time as there). W is packed into it when
    /// <paramref name="repack"/> is true and read as it is otherwise, so the caller passes true on the first call and after
    /// every change of W (<see cref="WorkspaceAccess.PackedWeights"/> decides). A batch of <see cref="ProductRows"/> or more
    /// gets the bits of the other overload. Fewer rows are each one row of the product over the kept panels
    /// (<see cref="ProductKernels.RowByKept{TP}"/>: eight accumulator vectors over one stream of panels, about 1.8 times the
    /// speed of reading W row by row from L2), and so get the bits a row gets in a batch of <see cref="ProductRows"/> or
    /// more, not those of the other overload's rows alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int rows, int threads, Span<float> packed, bool repack)
        where TLayer : struct, IDenseLayer
    {
        if (!packed.IsEmpty && (packed.Length != PackedLength<TLayer>() || PackedLength<TLayer>() > MaxKeptPackedFloats))
        {
            throw new ArgumentException(
                PackedLength<TLayer>() > MaxKeptPackedFloats
                    ? $"A {TLayer.Units} × {TLayer.Inputs} W is past the {MaxKeptPackedFloats} floats kept packed (DenseKernels.MaxKeptPackedFloats): pass no packed region."
                    : $"Expected {PackedLength<TLayer>()} floats for the packed W of a {TLayer.Units} × {TLayer.Inputs} layer, or none; got {packed.Length}.",
                nameof(packed));
        }

        int groups = ProductKernels.ColumnGroups<ForwardShape<TLayer>>();
        if (rows < ProductRows && !packed.IsEmpty)
        {
            ForwardEachRowByKept<TLayer>(weight, bias, x, y, rows, packed, repack);
        }
        else if (rows < ProductRows)
        {
            ForwardEachRow<TLayer>(weight, bias, x, y, 0, rows);
        }
        else if (threads > 1 && groups > 1 && rows >= MinRowsForThreads<TLayer>())
        {
            int grain = ProductKernels.SplitGrain<ForwardShape<TLayer>>(TLayer.Inputs, !packed.IsEmpty, groups, threads);
            KernelThreads.For(threads, groups, grain, new KernelSpans(weight, bias, x, y, packed), (rows, repack),
                static (in KernelSpans s, in (int Rows, bool Repack) call, int start, int end) => ForwardProduct<TLayer>(s.In0, s.In1, s.In2, s.Out0, call.Rows, start, end, s.Out1, call.Repack));
        }
        else
        {
            ForwardProduct<TLayer>(weight, bias, x, y, rows, 0, groups, packed, repack);
        }
    }

    /// <summary>Floats of W packed whole (laid out as <see cref="ProductKernels.MultiplyByTransposed{TP}"/> says): as many as W has, <c>Units · Inputs</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PackedLength<TLayer>()
        where TLayer : struct, IDenseLayer
        => TLayer.Units * TLayer.Inputs;

    /// <summary>
    /// Unit groups <paramref name="firstGroup"/> .. <paramref name="endGroup"/> - 1 of <c>y = act(x · Wᵀ + b)</c> for every
    /// row, as one product over W packed a panel at a time, or kept packed in <paramref name="packed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardProduct<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int rows, int firstGroup, int endGroup, Span<float> packed, bool repack)
        where TLayer : struct, IDenseLayer
        => ProductKernels.MultiplyByTransposed<ForwardShape<TLayer>>(
            ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(weight), ref MemoryMarshal.GetReference(y),
            ref MemoryMarshal.GetReference(bias), rows, TLayer.Inputs, firstGroup, endGroup,
            ref packed.IsEmpty ? ref Unsafe.NullRef<float>() : ref MemoryMarshal.GetReference(packed), repack);

    /// <summary>
    /// Each of a few rows as one row of the product over W kept packed in <paramref name="packed"/>, packed first when
    /// <paramref name="repack"/>: the bits a row gets in a batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardEachRowByKept<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int rows, Span<float> packed, bool repack)
        where TLayer : struct, IDenseLayer
    {
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float p = ref MemoryMarshal.GetReference(packed);
        if (repack)
        {
            ProductKernels.PackKept<ForwardShape<TLayer>>(ref w, TLayer.Inputs, ref p);
        }

        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        for (int r = 0; r < rows; r++)
        {
            ProductKernels.RowByKept<ForwardShape<TLayer>>(ref At(ref x0, r * TLayer.Inputs), ref w, ref p, ref At(ref y0, r * TLayer.Units), ref b, TLayer.Inputs);
        }
    }

    /// <summary>Rows <paramref name="start"/> .. <paramref name="end"/> - 1 one at a time, at the widest width the process runs: each row gets the bits it gets alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardEachRow<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        if (!Simd.Use128)
        {
            ForwardTextbook<TLayer>(weight, bias, x, y, start, end);
            return;
        }

        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        for (int r = start; r < end; r++)
        {
            ref float xr = ref Unsafe.Add(ref x0, r * TLayer.Inputs);
            ref float yr = ref Unsafe.Add(ref y0, r * TLayer.Units);
            if (Simd.Use512)
            {
                ForwardRow<TLayer, V512>(ref w, ref b, ref xr, ref yr);
            }
            else if (Simd.Use256)
            {
                ForwardRow<TLayer, V256>(ref w, ref b, ref xr, ref yr);
            }
            else
            {
                ForwardRow<TLayer, V128>(ref w, ref b, ref xr, ref yr);
            }
        }
    }

    /// <summary>
    /// The scalar path of a row alone: <c>y[r, o] = act(Σ_i W[o, i] x[r, i] + b[o])</c>, one dot product at a time.
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

    /// <summary><c>y[rows, Units] = act(x[rows, Inputs] · Wᵀ + b)</c>: the product's a is x, its b is W transposed, the bias is per column.</summary>
    private readonly struct ForwardShape<TLayer> : IProductShape
        where TLayer : struct, IDenseLayer
    {
        public static int Columns => TLayer.Units;
        public static int RowStride => TLayer.Inputs;
        public static int DepthStride => 1;
        public static bool HasBias => false;
        public static bool HasColumnBias => TLayer.HasBias;
        public static bool Accumulates => false;
        public static FusedActivation Activation => TLayer.Activation;
        public static float Slope => TLayer.Slope;
    }

    /// <summary>Whether a row's dot products end with the horizontal-add tree: whole vectors of 256 bits or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EndsWithTree<TLayer, TV>()
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
        => TV.Count >= 8 && TLayer.Inputs % TV.Count == 0;

    /// <summary>
    /// One row alone (the path of batches below ProductRows): W streams from cache once, each load of x feeds
    /// 8 dot products (4 for a W past L2), then 4, then 1 for the units left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRow<TLayer, TV>(ref float w, ref float b, ref float xr, ref float yr)
        where TLayer : struct, IDenseLayer
        where TV : struct, ILanes<TV>
    {
        // A W past L2 (over 512 KB) comes from L3 a row at a time, each row a stream: four at once keep up with the
        // prefetchers where eight fall behind (wide's 1,024 × 1,024 layer: 46.8–48.7 → 41.6–41.8 µs), and a unit's sum is
        // the same either way (the same lanes in the same order, then the same tree)
        int units = TLayer.Units;
        int byEight = ProductKernels.PacksByColumnTiles(TLayer.Units, TLayer.Inputs) ? 0 : units / 8 * 8;
        for (int o = 0; o < byEight; o += 8)
        {
            ForwardRowEight<TLayer, TV>(ref At(ref w, o * TLayer.Inputs), ref b, ref xr, ref yr, o);
        }

        int o4 = byEight;
        for (; units - o4 >= 4; o4 += 4)
        {
            ForwardRowFour<TLayer, TV>(ref At(ref w, o4 * TLayer.Inputs), ref b, ref xr, ref yr, o4);
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
            TV.MultiplyAddTo(ref s0, xi, Load<TV>(ref wo, i));
            TV.MultiplyAddTo(ref s1, xi, Load<TV>(ref At(ref wo, inputs), i));
            TV.MultiplyAddTo(ref s2, xi, Load<TV>(ref At(ref wo, 2 * inputs), i));
            TV.MultiplyAddTo(ref s3, xi, Load<TV>(ref At(ref wo, 3 * inputs), i));
            TV.MultiplyAddTo(ref s4, xi, Load<TV>(ref At(ref wo, 4 * inputs), i));
            TV.MultiplyAddTo(ref s5, xi, Load<TV>(ref At(ref wo, 5 * inputs), i));
            TV.MultiplyAddTo(ref s6, xi, Load<TV>(ref At(ref wo, 6 * inputs), i));
            TV.MultiplyAddTo(ref s7, xi, Load<TV>(ref At(ref wo, 7 * inputs), i));
            int i2 = i + TV.Count;
            xi = Load<TV>(ref xr, i2);
            TV.MultiplyAddTo(ref s0, xi, Load<TV>(ref wo, i2));
            TV.MultiplyAddTo(ref s1, xi, Load<TV>(ref At(ref wo, inputs), i2));
            TV.MultiplyAddTo(ref s2, xi, Load<TV>(ref At(ref wo, 2 * inputs), i2));
            TV.MultiplyAddTo(ref s3, xi, Load<TV>(ref At(ref wo, 3 * inputs), i2));
            TV.MultiplyAddTo(ref s4, xi, Load<TV>(ref At(ref wo, 4 * inputs), i2));
            TV.MultiplyAddTo(ref s5, xi, Load<TV>(ref At(ref wo, 5 * inputs), i2));
            TV.MultiplyAddTo(ref s6, xi, Load<TV>(ref At(ref wo, 6 * inputs), i2));
            TV.MultiplyAddTo(ref s7, xi, Load<TV>(ref At(ref wo, 7 * inputs), i2));
        }

        if (pairs < main)
        {
            // the odd vector left over
            TV xi = Load<TV>(ref xr, pairs);
            TV.MultiplyAddTo(ref s0, xi, Load<TV>(ref wo, pairs));
            TV.MultiplyAddTo(ref s1, xi, Load<TV>(ref At(ref wo, inputs), pairs));
            TV.MultiplyAddTo(ref s2, xi, Load<TV>(ref At(ref wo, 2 * inputs), pairs));
            TV.MultiplyAddTo(ref s3, xi, Load<TV>(ref At(ref wo, 3 * inputs), pairs));
            TV.MultiplyAddTo(ref s4, xi, Load<TV>(ref At(ref wo, 4 * inputs), pairs));
            TV.MultiplyAddTo(ref s5, xi, Load<TV>(ref At(ref wo, 5 * inputs), pairs));
            TV.MultiplyAddTo(ref s6, xi, Load<TV>(ref At(ref wo, 6 * inputs), pairs));
            TV.MultiplyAddTo(ref s7, xi, Load<TV>(ref At(ref wo, 7 * inputs), pairs));
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
            TV.MultiplyAddTo(ref s0, xi, Load<TV>(ref wo, i));
            TV.MultiplyAddTo(ref s1, xi, Load<TV>(ref At(ref wo, inputs), i));
            TV.MultiplyAddTo(ref s2, xi, Load<TV>(ref At(ref wo, 2 * inputs), i));
            TV.MultiplyAddTo(ref s3, xi, Load<TV>(ref At(ref wo, 3 * inputs), i));
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
            TV.MultiplyAddTo(ref s, Load<TV>(ref xr, i), Load<TV>(ref wo, i));
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
