using System.Runtime.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

internal static partial class ProductKernels
{
    /// <summary>
    /// <c>c[r + q, i .. i + 2·lanes - 1]</c> for q below <typeparamref name="TR"/>'s count (at most 12, two accumulators a
    /// row: 24 of AVX-512's 32 registers; at most 6 below 512 bits, 12 of AVX2's 16): accumulators <c>s{q}_{u}</c>, vector u
    /// of row q. Each step of the depth loads two vectors of b and broadcasts one float of a per row.
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
        TV s0_0 = Start<TP, TV, TD>(ref cr, ref rb, ref cb), s0_1 = Start<TP, TV, TD>(ref At(ref cr, n), ref rb, ref At(ref cb, n));
        TV s1_0 = TV.Zero, s1_1 = TV.Zero, s2_0 = TV.Zero, s2_1 = TV.Zero, s3_0 = TV.Zero, s3_1 = TV.Zero, s4_0 = TV.Zero, s4_1 = TV.Zero, s5_0 = TV.Zero, s5_1 = TV.Zero, s6_0 = TV.Zero, s6_1 = TV.Zero, s7_0 = TV.Zero, s7_1 = TV.Zero, s8_0 = TV.Zero, s8_1 = TV.Zero, s9_0 = TV.Zero, s9_1 = TV.Zero, s10_0 = TV.Zero, s10_1 = TV.Zero, s11_0 = TV.Zero, s11_1 = TV.Zero;
        if (rows > 1)
        {
            s1_0 = Start<TP, TV, TD>(ref At(ref cr, 1 * cs), ref At(ref rb, 1), ref cb);
            s1_1 = Start<TP, TV, TD>(ref At(ref cr, 1 * cs + n), ref At(ref rb, 1), ref At(ref cb, n));
        }

        if (rows > 2)
        {
            s2_0 = Start<TP, TV, TD>(ref At(ref cr, 2 * cs), ref At(ref rb, 2), ref cb);
            s2_1 = Start<TP, TV, TD>(ref At(ref cr, 2 * cs + n), ref At(ref rb, 2), ref At(ref cb, n));
        }

        if (rows > 3)
        {
            s3_0 = Start<TP, TV, TD>(ref At(ref cr, 3 * cs), ref At(ref rb, 3), ref cb);
            s3_1 = Start<TP, TV, TD>(ref At(ref cr, 3 * cs + n), ref At(ref rb, 3), ref At(ref cb, n));
        }

        if (rows > 4)
        {
            s4_0 = Start<TP, TV, TD>(ref At(ref cr, 4 * cs), ref At(ref rb, 4), ref cb);
            s4_1 = Start<TP, TV, TD>(ref At(ref cr, 4 * cs + n), ref At(ref rb, 4), ref At(ref cb, n));
        }

        if (rows > 5)
        {
            s5_0 = Start<TP, TV, TD>(ref At(ref cr, 5 * cs), ref At(ref rb, 5), ref cb);
            s5_1 = Start<TP, TV, TD>(ref At(ref cr, 5 * cs + n), ref At(ref rb, 5), ref At(ref cb, n));
        }

        if (rows > 6)
        {
            s6_0 = Start<TP, TV, TD>(ref At(ref cr, 6 * cs), ref At(ref rb, 6), ref cb);
            s6_1 = Start<TP, TV, TD>(ref At(ref cr, 6 * cs + n), ref At(ref rb, 6), ref At(ref cb, n));
        }

        if (rows > 7)
        {
            s7_0 = Start<TP, TV, TD>(ref At(ref cr, 7 * cs), ref At(ref rb, 7), ref cb);
            s7_1 = Start<TP, TV, TD>(ref At(ref cr, 7 * cs + n), ref At(ref rb, 7), ref At(ref cb, n));
        }

        if (rows > 8)
        {
            s8_0 = Start<TP, TV, TD>(ref At(ref cr, 8 * cs), ref At(ref rb, 8), ref cb);
            s8_1 = Start<TP, TV, TD>(ref At(ref cr, 8 * cs + n), ref At(ref rb, 8), ref At(ref cb, n));
        }

        if (rows > 9)
        {
            s9_0 = Start<TP, TV, TD>(ref At(ref cr, 9 * cs), ref At(ref rb, 9), ref cb);
            s9_1 = Start<TP, TV, TD>(ref At(ref cr, 9 * cs + n), ref At(ref rb, 9), ref At(ref cb, n));
        }

        if (rows > 10)
        {
            s10_0 = Start<TP, TV, TD>(ref At(ref cr, 10 * cs), ref At(ref rb, 10), ref cb);
            s10_1 = Start<TP, TV, TD>(ref At(ref cr, 10 * cs + n), ref At(ref rb, 10), ref At(ref cb, n));
        }

        if (rows > 11)
        {
            s11_0 = Start<TP, TV, TD>(ref At(ref cr, 11 * cs), ref At(ref rb, 11), ref cb);
            s11_1 = Start<TP, TV, TD>(ref At(ref cr, 11 * cs + n), ref At(ref rb, 11), ref At(ref cb, n));
        }

        // the depth's operands advance by a pointer step each term: b a row of BStride floats, a DepthStride floats (read
        // once here: a shape whose stride the JIT does not inline, in a method this large, would otherwise be a call in
        // the loop, and a call makes every accumulator go to the stack and back at every term)
        int depth = part.Depth;
        nint bStride = part.BStride, aStride = TP.DepthStride; // native-width strides: no sign extension at every term
        ref float aj = ref At(ref a, r * rs);
        ref float bj = ref At(ref b, i - part.BColumn);
        for (int j = 0; j < depth; j++, aj = ref Unsafe.Add(ref aj, aStride), bj = ref Unsafe.Add(ref bj, bStride))
        {
            // s[q][u] += a[r + q, j] · b[j, i + u·lanes ..]
            TV b0 = Load<TV>(ref bj, 0), b1 = Load<TV>(ref bj, n);
            TV aq = TV.Create(aj);
            TV.MultiplyAddTo(ref s0_0, b0, aq); TV.MultiplyAddTo(ref s0_1, b1, aq);
            if (rows > 1)
            {
                aq = TV.Create(At(ref aj, 1 * rs));
                TV.MultiplyAddTo(ref s1_0, b0, aq); TV.MultiplyAddTo(ref s1_1, b1, aq);
            }

            if (rows > 2)
            {
                aq = TV.Create(At(ref aj, 2 * rs));
                TV.MultiplyAddTo(ref s2_0, b0, aq); TV.MultiplyAddTo(ref s2_1, b1, aq);
            }

            if (rows > 3)
            {
                aq = TV.Create(At(ref aj, 3 * rs));
                TV.MultiplyAddTo(ref s3_0, b0, aq); TV.MultiplyAddTo(ref s3_1, b1, aq);
            }

            if (rows > 4)
            {
                aq = TV.Create(At(ref aj, 4 * rs));
                TV.MultiplyAddTo(ref s4_0, b0, aq); TV.MultiplyAddTo(ref s4_1, b1, aq);
            }

            if (rows > 5)
            {
                aq = TV.Create(At(ref aj, 5 * rs));
                TV.MultiplyAddTo(ref s5_0, b0, aq); TV.MultiplyAddTo(ref s5_1, b1, aq);
            }

            if (rows > 6)
            {
                aq = TV.Create(At(ref aj, 6 * rs));
                TV.MultiplyAddTo(ref s6_0, b0, aq); TV.MultiplyAddTo(ref s6_1, b1, aq);
            }

            if (rows > 7)
            {
                aq = TV.Create(At(ref aj, 7 * rs));
                TV.MultiplyAddTo(ref s7_0, b0, aq); TV.MultiplyAddTo(ref s7_1, b1, aq);
            }

            if (rows > 8)
            {
                aq = TV.Create(At(ref aj, 8 * rs));
                TV.MultiplyAddTo(ref s8_0, b0, aq); TV.MultiplyAddTo(ref s8_1, b1, aq);
            }

            if (rows > 9)
            {
                aq = TV.Create(At(ref aj, 9 * rs));
                TV.MultiplyAddTo(ref s9_0, b0, aq); TV.MultiplyAddTo(ref s9_1, b1, aq);
            }

            if (rows > 10)
            {
                aq = TV.Create(At(ref aj, 10 * rs));
                TV.MultiplyAddTo(ref s10_0, b0, aq); TV.MultiplyAddTo(ref s10_1, b1, aq);
            }

            if (rows > 11)
            {
                aq = TV.Create(At(ref aj, 11 * rs));
                TV.MultiplyAddTo(ref s11_0, b0, aq); TV.MultiplyAddTo(ref s11_1, b1, aq);
            }
        }

        Finish<TP, TV, TD>(s0_0).Store(ref cr, 0); Finish<TP, TV, TD>(s0_1).Store(ref cr, (nuint)n);
        if (rows > 1)
        {
            Finish<TP, TV, TD>(s1_0).Store(ref cr, (nuint)(1 * cs)); Finish<TP, TV, TD>(s1_1).Store(ref cr, (nuint)(1 * cs + n));
        }

        if (rows > 2)
        {
            Finish<TP, TV, TD>(s2_0).Store(ref cr, (nuint)(2 * cs)); Finish<TP, TV, TD>(s2_1).Store(ref cr, (nuint)(2 * cs + n));
        }

        if (rows > 3)
        {
            Finish<TP, TV, TD>(s3_0).Store(ref cr, (nuint)(3 * cs)); Finish<TP, TV, TD>(s3_1).Store(ref cr, (nuint)(3 * cs + n));
        }

        if (rows > 4)
        {
            Finish<TP, TV, TD>(s4_0).Store(ref cr, (nuint)(4 * cs)); Finish<TP, TV, TD>(s4_1).Store(ref cr, (nuint)(4 * cs + n));
        }

        if (rows > 5)
        {
            Finish<TP, TV, TD>(s5_0).Store(ref cr, (nuint)(5 * cs)); Finish<TP, TV, TD>(s5_1).Store(ref cr, (nuint)(5 * cs + n));
        }

        if (rows > 6)
        {
            Finish<TP, TV, TD>(s6_0).Store(ref cr, (nuint)(6 * cs)); Finish<TP, TV, TD>(s6_1).Store(ref cr, (nuint)(6 * cs + n));
        }

        if (rows > 7)
        {
            Finish<TP, TV, TD>(s7_0).Store(ref cr, (nuint)(7 * cs)); Finish<TP, TV, TD>(s7_1).Store(ref cr, (nuint)(7 * cs + n));
        }

        if (rows > 8)
        {
            Finish<TP, TV, TD>(s8_0).Store(ref cr, (nuint)(8 * cs)); Finish<TP, TV, TD>(s8_1).Store(ref cr, (nuint)(8 * cs + n));
        }

        if (rows > 9)
        {
            Finish<TP, TV, TD>(s9_0).Store(ref cr, (nuint)(9 * cs)); Finish<TP, TV, TD>(s9_1).Store(ref cr, (nuint)(9 * cs + n));
        }

        if (rows > 10)
        {
            Finish<TP, TV, TD>(s10_0).Store(ref cr, (nuint)(10 * cs)); Finish<TP, TV, TD>(s10_1).Store(ref cr, (nuint)(10 * cs + n));
        }

        if (rows > 11)
        {
            Finish<TP, TV, TD>(s11_0).Store(ref cr, (nuint)(11 * cs)); Finish<TP, TV, TD>(s11_1).Store(ref cr, (nuint)(11 * cs + n));
        }
    }

    /// <summary>
    /// <c>c[r + q, i .. i + lanes - 1]</c> for q below <typeparamref name="TR"/>'s count (at most 24 at 512 bits, 12 below):
    /// one vector of b per step, one broadcast of a per row.
    /// </summary>
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
        TV s12 = rows > 12 ? Start<TP, TV, TD>(ref At(ref cr, 12 * cs), ref At(ref rb, 12), ref cb) : TV.Zero;
        TV s13 = rows > 13 ? Start<TP, TV, TD>(ref At(ref cr, 13 * cs), ref At(ref rb, 13), ref cb) : TV.Zero;
        TV s14 = rows > 14 ? Start<TP, TV, TD>(ref At(ref cr, 14 * cs), ref At(ref rb, 14), ref cb) : TV.Zero;
        TV s15 = rows > 15 ? Start<TP, TV, TD>(ref At(ref cr, 15 * cs), ref At(ref rb, 15), ref cb) : TV.Zero;
        TV s16 = rows > 16 ? Start<TP, TV, TD>(ref At(ref cr, 16 * cs), ref At(ref rb, 16), ref cb) : TV.Zero;
        TV s17 = rows > 17 ? Start<TP, TV, TD>(ref At(ref cr, 17 * cs), ref At(ref rb, 17), ref cb) : TV.Zero;
        TV s18 = rows > 18 ? Start<TP, TV, TD>(ref At(ref cr, 18 * cs), ref At(ref rb, 18), ref cb) : TV.Zero;
        TV s19 = rows > 19 ? Start<TP, TV, TD>(ref At(ref cr, 19 * cs), ref At(ref rb, 19), ref cb) : TV.Zero;
        TV s20 = rows > 20 ? Start<TP, TV, TD>(ref At(ref cr, 20 * cs), ref At(ref rb, 20), ref cb) : TV.Zero;
        TV s21 = rows > 21 ? Start<TP, TV, TD>(ref At(ref cr, 21 * cs), ref At(ref rb, 21), ref cb) : TV.Zero;
        TV s22 = rows > 22 ? Start<TP, TV, TD>(ref At(ref cr, 22 * cs), ref At(ref rb, 22), ref cb) : TV.Zero;
        TV s23 = rows > 23 ? Start<TP, TV, TD>(ref At(ref cr, 23 * cs), ref At(ref rb, 23), ref cb) : TV.Zero;
        int depth = part.Depth;
        nint bStride = part.BStride, aStride = TP.DepthStride; // read once, as in BlockOfPairs
        ref float aj = ref At(ref a, r * rs);
        ref float bj = ref At(ref b, i - part.BColumn);
        for (int j = 0; j < depth; j++, aj = ref Unsafe.Add(ref aj, aStride), bj = ref Unsafe.Add(ref bj, bStride))
        {
            // s[q] += a[r + q, j] · b[j, i ..]
            TV bv = Load<TV>(ref bj, 0);
            TV.MultiplyAddTo(ref s0, bv, TV.Create(aj));
            if (rows > 1)
            {
                TV.MultiplyAddTo(ref s1, bv, TV.Create(At(ref aj, 1 * rs)));
            }

            if (rows > 2)
            {
                TV.MultiplyAddTo(ref s2, bv, TV.Create(At(ref aj, 2 * rs)));
            }

            if (rows > 3)
            {
                TV.MultiplyAddTo(ref s3, bv, TV.Create(At(ref aj, 3 * rs)));
            }

            if (rows > 4)
            {
                TV.MultiplyAddTo(ref s4, bv, TV.Create(At(ref aj, 4 * rs)));
            }

            if (rows > 5)
            {
                TV.MultiplyAddTo(ref s5, bv, TV.Create(At(ref aj, 5 * rs)));
            }

            if (rows > 6)
            {
                TV.MultiplyAddTo(ref s6, bv, TV.Create(At(ref aj, 6 * rs)));
            }

            if (rows > 7)
            {
                TV.MultiplyAddTo(ref s7, bv, TV.Create(At(ref aj, 7 * rs)));
            }

            if (rows > 8)
            {
                TV.MultiplyAddTo(ref s8, bv, TV.Create(At(ref aj, 8 * rs)));
            }

            if (rows > 9)
            {
                TV.MultiplyAddTo(ref s9, bv, TV.Create(At(ref aj, 9 * rs)));
            }

            if (rows > 10)
            {
                TV.MultiplyAddTo(ref s10, bv, TV.Create(At(ref aj, 10 * rs)));
            }

            if (rows > 11)
            {
                TV.MultiplyAddTo(ref s11, bv, TV.Create(At(ref aj, 11 * rs)));
            }

            if (rows > 12)
            {
                TV.MultiplyAddTo(ref s12, bv, TV.Create(At(ref aj, 12 * rs)));
            }

            if (rows > 13)
            {
                TV.MultiplyAddTo(ref s13, bv, TV.Create(At(ref aj, 13 * rs)));
            }

            if (rows > 14)
            {
                TV.MultiplyAddTo(ref s14, bv, TV.Create(At(ref aj, 14 * rs)));
            }

            if (rows > 15)
            {
                TV.MultiplyAddTo(ref s15, bv, TV.Create(At(ref aj, 15 * rs)));
            }

            if (rows > 16)
            {
                TV.MultiplyAddTo(ref s16, bv, TV.Create(At(ref aj, 16 * rs)));
            }

            if (rows > 17)
            {
                TV.MultiplyAddTo(ref s17, bv, TV.Create(At(ref aj, 17 * rs)));
            }

            if (rows > 18)
            {
                TV.MultiplyAddTo(ref s18, bv, TV.Create(At(ref aj, 18 * rs)));
            }

            if (rows > 19)
            {
                TV.MultiplyAddTo(ref s19, bv, TV.Create(At(ref aj, 19 * rs)));
            }

            if (rows > 20)
            {
                TV.MultiplyAddTo(ref s20, bv, TV.Create(At(ref aj, 20 * rs)));
            }

            if (rows > 21)
            {
                TV.MultiplyAddTo(ref s21, bv, TV.Create(At(ref aj, 21 * rs)));
            }

            if (rows > 22)
            {
                TV.MultiplyAddTo(ref s22, bv, TV.Create(At(ref aj, 22 * rs)));
            }

            if (rows > 23)
            {
                TV.MultiplyAddTo(ref s23, bv, TV.Create(At(ref aj, 23 * rs)));
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

        if (rows > 12)
        {
            Finish<TP, TV, TD>(s12).Store(ref cr, (nuint)(12 * cs));
        }

        if (rows > 13)
        {
            Finish<TP, TV, TD>(s13).Store(ref cr, (nuint)(13 * cs));
        }

        if (rows > 14)
        {
            Finish<TP, TV, TD>(s14).Store(ref cr, (nuint)(14 * cs));
        }

        if (rows > 15)
        {
            Finish<TP, TV, TD>(s15).Store(ref cr, (nuint)(15 * cs));
        }

        if (rows > 16)
        {
            Finish<TP, TV, TD>(s16).Store(ref cr, (nuint)(16 * cs));
        }

        if (rows > 17)
        {
            Finish<TP, TV, TD>(s17).Store(ref cr, (nuint)(17 * cs));
        }

        if (rows > 18)
        {
            Finish<TP, TV, TD>(s18).Store(ref cr, (nuint)(18 * cs));
        }

        if (rows > 19)
        {
            Finish<TP, TV, TD>(s19).Store(ref cr, (nuint)(19 * cs));
        }

        if (rows > 20)
        {
            Finish<TP, TV, TD>(s20).Store(ref cr, (nuint)(20 * cs));
        }

        if (rows > 21)
        {
            Finish<TP, TV, TD>(s21).Store(ref cr, (nuint)(21 * cs));
        }

        if (rows > 22)
        {
            Finish<TP, TV, TD>(s22).Store(ref cr, (nuint)(22 * cs));
        }

        if (rows > 23)
        {
            Finish<TP, TV, TD>(s23).Store(ref cr, (nuint)(23 * cs));
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

    private readonly struct R7 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 7;
        }
    }

    private readonly struct R8 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 8;
        }
    }

    private readonly struct R9 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 9;
        }
    }

    private readonly struct R10 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 10;
        }
    }

    private readonly struct R11 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 11;
        }
    }

    private readonly struct R24 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 24;
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
