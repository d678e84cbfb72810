using System.Runtime.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

internal static partial class ProductKernels
{
    /// <summary>
    /// <c>c[r + q, i .. i + 2·lanes - 1]</c> for q below <typeparamref name="TR"/>'s count (at most 6): accumulators
    /// <c>s{q}{u}</c>, vector u of row q. Each step of the depth loads two vectors of b and broadcasts one float of a per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockOfPairs<TP, TV, TR, TD>(ref float a, ref float b, ref float c, ref float bias, Part part, int r, int i)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
        where TD : struct, IDepthPart
    {
        int rows = TR.Count;
        int n = TV.Count, cs = TP.Columns, rs = TP.RowStride;
        ref float cr = ref At(ref c, r * cs + i);
        ref float rb = ref At(ref bias, r);
        ref float cb = ref At(ref bias, i);
        TV s00 = Start<TP, TV, TD>(ref cr, ref rb, ref cb), s01 = Start<TP, TV, TD>(ref At(ref cr, n), ref rb, ref At(ref cb, n));
        TV s10 = TV.Zero, s11 = TV.Zero, s20 = TV.Zero, s21 = TV.Zero, s30 = TV.Zero, s31 = TV.Zero, s40 = TV.Zero, s41 = TV.Zero, s50 = TV.Zero, s51 = TV.Zero;
        if (rows > 1)
        {
            s10 = Start<TP, TV, TD>(ref At(ref cr, 1 * cs), ref At(ref rb, 1), ref cb);
            s11 = Start<TP, TV, TD>(ref At(ref cr, 1 * cs + n), ref At(ref rb, 1), ref At(ref cb, n));
        }

        if (rows > 2)
        {
            s20 = Start<TP, TV, TD>(ref At(ref cr, 2 * cs), ref At(ref rb, 2), ref cb);
            s21 = Start<TP, TV, TD>(ref At(ref cr, 2 * cs + n), ref At(ref rb, 2), ref At(ref cb, n));
        }

        if (rows > 3)
        {
            s30 = Start<TP, TV, TD>(ref At(ref cr, 3 * cs), ref At(ref rb, 3), ref cb);
            s31 = Start<TP, TV, TD>(ref At(ref cr, 3 * cs + n), ref At(ref rb, 3), ref At(ref cb, n));
        }

        if (rows > 4)
        {
            s40 = Start<TP, TV, TD>(ref At(ref cr, 4 * cs), ref At(ref rb, 4), ref cb);
            s41 = Start<TP, TV, TD>(ref At(ref cr, 4 * cs + n), ref At(ref rb, 4), ref At(ref cb, n));
        }

        if (rows > 5)
        {
            s50 = Start<TP, TV, TD>(ref At(ref cr, 5 * cs), ref At(ref rb, 5), ref cb);
            s51 = Start<TP, TV, TD>(ref At(ref cr, 5 * cs + n), ref At(ref rb, 5), ref At(ref cb, n));
        }

        // the depth's operands advance by a pointer step each term: b a row of BStride floats, a DepthStride floats
        int depth = part.Depth, bStride = part.BStride;
        ref float aj = ref At(ref a, r * rs);
        ref float bj = ref At(ref b, i - part.BColumn);
        for (int j = 0; j < depth; j++, aj = ref At(ref aj, TP.DepthStride), bj = ref At(ref bj, bStride))
        {
            // s[q][u] += a[r + q, j] · b[j, i + u·lanes ..]
            TV b0 = Load<TV>(ref bj, 0), b1 = Load<TV>(ref bj, n);
            TV aq = TV.Create(aj);
            s00 = TV.MultiplyAdd(aq, b0, s00); s01 = TV.MultiplyAdd(aq, b1, s01);
            if (rows > 1)
            {
                aq = TV.Create(At(ref aj, 1 * rs));
                s10 = TV.MultiplyAdd(aq, b0, s10); s11 = TV.MultiplyAdd(aq, b1, s11);
            }

            if (rows > 2)
            {
                aq = TV.Create(At(ref aj, 2 * rs));
                s20 = TV.MultiplyAdd(aq, b0, s20); s21 = TV.MultiplyAdd(aq, b1, s21);
            }

            if (rows > 3)
            {
                aq = TV.Create(At(ref aj, 3 * rs));
                s30 = TV.MultiplyAdd(aq, b0, s30); s31 = TV.MultiplyAdd(aq, b1, s31);
            }

            if (rows > 4)
            {
                aq = TV.Create(At(ref aj, 4 * rs));
                s40 = TV.MultiplyAdd(aq, b0, s40); s41 = TV.MultiplyAdd(aq, b1, s41);
            }

            if (rows > 5)
            {
                aq = TV.Create(At(ref aj, 5 * rs));
                s50 = TV.MultiplyAdd(aq, b0, s50); s51 = TV.MultiplyAdd(aq, b1, s51);
            }

        }

        Finish<TP, TV, TD>(s00).Store(ref cr, 0); Finish<TP, TV, TD>(s01).Store(ref cr, (nuint)n);
        if (rows > 1)
        {
            Finish<TP, TV, TD>(s10).Store(ref cr, (nuint)(1 * cs)); Finish<TP, TV, TD>(s11).Store(ref cr, (nuint)(1 * cs + n));
        }

        if (rows > 2)
        {
            Finish<TP, TV, TD>(s20).Store(ref cr, (nuint)(2 * cs)); Finish<TP, TV, TD>(s21).Store(ref cr, (nuint)(2 * cs + n));
        }

        if (rows > 3)
        {
            Finish<TP, TV, TD>(s30).Store(ref cr, (nuint)(3 * cs)); Finish<TP, TV, TD>(s31).Store(ref cr, (nuint)(3 * cs + n));
        }

        if (rows > 4)
        {
            Finish<TP, TV, TD>(s40).Store(ref cr, (nuint)(4 * cs)); Finish<TP, TV, TD>(s41).Store(ref cr, (nuint)(4 * cs + n));
        }

        if (rows > 5)
        {
            Finish<TP, TV, TD>(s50).Store(ref cr, (nuint)(5 * cs)); Finish<TP, TV, TD>(s51).Store(ref cr, (nuint)(5 * cs + n));
        }

    }

    /// <summary><c>c[r + q, i .. i + lanes - 1]</c> for q below <typeparamref name="TR"/>'s count (at most 12): one vector of b per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockOfSingles<TP, TV, TR, TD>(ref float a, ref float b, ref float c, ref float bias, Part part, int r, int i)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
        where TD : struct, IDepthPart
    {
        int rows = TR.Count;
        int cs = TP.Columns, rs = TP.RowStride;
        ref float cr = ref At(ref c, r * cs + i);
        ref float rb = ref At(ref bias, r);
        ref float cb = ref At(ref bias, i);
        TV s0 = Start<TP, TV, TD>(ref cr, ref rb, ref cb);
        TV s1 = rows > 1 ? Start<TP, TV, TD>(ref At(ref cr, 1 * cs), ref At(ref rb, 1), ref cb) : TV.Zero;
        TV s2 = rows > 2 ? Start<TP, TV, TD>(ref At(ref cr, 2 * cs), ref At(ref rb, 2), ref cb) : TV.Zero;
        TV s3 = rows > 3 ? Start<TP, TV, TD>(ref At(ref cr, 3 * cs), ref At(ref rb, 3), ref cb) : TV.Zero;
        TV s4 = rows > 4 ? Start<TP, TV, TD>(ref At(ref cr, 4 * cs), ref At(ref rb, 4), ref cb) : TV.Zero;
        TV s5 = rows > 5 ? Start<TP, TV, TD>(ref At(ref cr, 5 * cs), ref At(ref rb, 5), ref cb) : TV.Zero;
        TV s6 = rows > 6 ? Start<TP, TV, TD>(ref At(ref cr, 6 * cs), ref At(ref rb, 6), ref cb) : TV.Zero;
        TV s7 = rows > 7 ? Start<TP, TV, TD>(ref At(ref cr, 7 * cs), ref At(ref rb, 7), ref cb) : TV.Zero;
        TV s8 = rows > 8 ? Start<TP, TV, TD>(ref At(ref cr, 8 * cs), ref At(ref rb, 8), ref cb) : TV.Zero;
        TV s9 = rows > 9 ? Start<TP, TV, TD>(ref At(ref cr, 9 * cs), ref At(ref rb, 9), ref cb) : TV.Zero;
        TV s10 = rows > 10 ? Start<TP, TV, TD>(ref At(ref cr, 10 * cs), ref At(ref rb, 10), ref cb) : TV.Zero;
        TV s11 = rows > 11 ? Start<TP, TV, TD>(ref At(ref cr, 11 * cs), ref At(ref rb, 11), ref cb) : TV.Zero;
        int depth = part.Depth, bStride = part.BStride;
        ref float aj = ref At(ref a, r * rs);
        ref float bj = ref At(ref b, i - part.BColumn);
        for (int j = 0; j < depth; j++, aj = ref At(ref aj, TP.DepthStride), bj = ref At(ref bj, bStride))
        {
            // s[q] += a[r + q, j] · b[j, i ..]
            TV bv = Load<TV>(ref bj, 0);
            s0 = TV.MultiplyAdd(TV.Create(aj), bv, s0);
            if (rows > 1)
            {
                s1 = TV.MultiplyAdd(TV.Create(At(ref aj, 1 * rs)), bv, s1);
            }

            if (rows > 2)
            {
                s2 = TV.MultiplyAdd(TV.Create(At(ref aj, 2 * rs)), bv, s2);
            }

            if (rows > 3)
            {
                s3 = TV.MultiplyAdd(TV.Create(At(ref aj, 3 * rs)), bv, s3);
            }

            if (rows > 4)
            {
                s4 = TV.MultiplyAdd(TV.Create(At(ref aj, 4 * rs)), bv, s4);
            }

            if (rows > 5)
            {
                s5 = TV.MultiplyAdd(TV.Create(At(ref aj, 5 * rs)), bv, s5);
            }

            if (rows > 6)
            {
                s6 = TV.MultiplyAdd(TV.Create(At(ref aj, 6 * rs)), bv, s6);
            }

            if (rows > 7)
            {
                s7 = TV.MultiplyAdd(TV.Create(At(ref aj, 7 * rs)), bv, s7);
            }

            if (rows > 8)
            {
                s8 = TV.MultiplyAdd(TV.Create(At(ref aj, 8 * rs)), bv, s8);
            }

            if (rows > 9)
            {
                s9 = TV.MultiplyAdd(TV.Create(At(ref aj, 9 * rs)), bv, s9);
            }

            if (rows > 10)
            {
                s10 = TV.MultiplyAdd(TV.Create(At(ref aj, 10 * rs)), bv, s10);
            }

            if (rows > 11)
            {
                s11 = TV.MultiplyAdd(TV.Create(At(ref aj, 11 * rs)), bv, s11);
            }

        }

        Finish<TP, TV, TD>(s0).Store(ref cr, 0);
        if (rows > 1)
        {
            Finish<TP, TV, TD>(s1).Store(ref cr, (nuint)(1 * cs));
        }

        if (rows > 2)
        {
            Finish<TP, TV, TD>(s2).Store(ref cr, (nuint)(2 * cs));
        }

        if (rows > 3)
        {
            Finish<TP, TV, TD>(s3).Store(ref cr, (nuint)(3 * cs));
        }

        if (rows > 4)
        {
            Finish<TP, TV, TD>(s4).Store(ref cr, (nuint)(4 * cs));
        }

        if (rows > 5)
        {
            Finish<TP, TV, TD>(s5).Store(ref cr, (nuint)(5 * cs));
        }

        if (rows > 6)
        {
            Finish<TP, TV, TD>(s6).Store(ref cr, (nuint)(6 * cs));
        }

        if (rows > 7)
        {
            Finish<TP, TV, TD>(s7).Store(ref cr, (nuint)(7 * cs));
        }

        if (rows > 8)
        {
            Finish<TP, TV, TD>(s8).Store(ref cr, (nuint)(8 * cs));
        }

        if (rows > 9)
        {
            Finish<TP, TV, TD>(s9).Store(ref cr, (nuint)(9 * cs));
        }

        if (rows > 10)
        {
            Finish<TP, TV, TD>(s10).Store(ref cr, (nuint)(10 * cs));
        }

        if (rows > 11)
        {
            Finish<TP, TV, TD>(s11).Store(ref cr, (nuint)(11 * cs));
        }

    }

    /// <summary>
    /// An accumulator's first value: the output already there (accumulating, or a later block of the depth), else the
    /// column's or the row's bias, or 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Start<TP, TV, TD>(ref float output, ref float rowBias, ref float columnBias)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TD : struct, IDepthPart
        => TP.Accumulates || TD.Continues ? TV.Load(ref output, 0)
            : TP.HasColumnBias ? TV.Load(ref columnBias, 0)
            : TP.HasBias ? TV.Create(rowBias)
            : TV.Zero;

    /// <summary>What a block stores: after the depth's last block the activated output, else the running sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Finish<TP, TV, TD>(TV z)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TD : struct, IDepthPart
        => TD.Finishes ? FusedActivations.Apply(TP.Activation, TP.Slope, z) : z;

    /// <summary>The rows a block takes, as a constant, so its unrolled rows fold away.</summary>
    private interface IRowCount
    {
        static abstract int Count { get; }
    }

    private readonly struct R1 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 1;
        }
    }

    private readonly struct R2 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 2;
        }
    }

    private readonly struct R3 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 3;
        }
    }

    private readonly struct R4 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 4;
        }
    }

    private readonly struct R5 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 5;
        }
    }

    private readonly struct R6 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 6;
        }
    }

    private readonly struct R12 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 12;
        }
    }

    /// <summary>
    /// Which part of the depth a call sums: all of it, or (<see cref="MultiplyByTransposed{TP}"/>) a block of it, which
    /// continues from the running sums a block before it stored, and which finishes the outputs with the activation.
    /// </summary>
    private interface IDepthPart
    {
        static abstract bool Continues { get; }

        static abstract bool Finishes { get; }
    }

    /// <summary>The whole depth in one call.</summary>
    private readonly struct WholeDepth : IDepthPart
    {
        public static bool Continues
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => false;
        }

        public static bool Finishes
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => true;
        }
    }

    /// <summary>The first block of several.</summary>
    private readonly struct FirstDepth : IDepthPart
    {
        public static bool Continues
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => false;
        }

        public static bool Finishes
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => false;
        }
    }

    /// <summary>A block between the first and the last.</summary>
    private readonly struct MiddleDepth : IDepthPart
    {
        public static bool Continues
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => true;
        }

        public static bool Finishes
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => false;
        }
    }

    /// <summary>The last block of several.</summary>
    private readonly struct LastDepth : IDepthPart
    {
        public static bool Continues
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => true;
        }

        public static bool Finishes
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => true;
        }
    }
}
