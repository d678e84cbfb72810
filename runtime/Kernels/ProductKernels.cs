using System;
using System.Runtime.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// One matrix product as constants: <c>c[Rows, Columns] = start + a[Rows, Depth] · b[Depth, Columns]</c>, then the fused
/// activation, with <c>a[r, j]</c> at <c>r·RowStride + j·DepthStride</c> (so a may be read transposed) and b and c
/// row-major. A kernel derives one from its layer's descriptor as a small struct (<c>ForwardProduct&lt;Conv0&gt;</c>), so
/// the JIT folds every member.
/// </summary>
internal interface IProduct
{
    /// <summary>Rows of c and of a.</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of c and of b.</summary>
    static abstract int Columns { get; }

    /// <summary>The length of each sum: columns of a, rows of b.</summary>
    static abstract int Depth { get; }

    /// <summary>Floats between <c>a[r, j]</c> and <c>a[r + 1, j]</c>.</summary>
    static abstract int RowStride { get; }

    /// <summary>Floats between <c>a[r, j]</c> and <c>a[r, j + 1]</c>.</summary>
    static abstract int DepthStride { get; }

    /// <summary>Whether each output starts from the bias of its row, <c>c[r, n] = bias[r] + (a · b)[r, n]</c> (else from 0).</summary>
    static abstract bool HasBias { get; }

    /// <summary>Whether each output starts from the value already there, <c>c += a · b</c>.</summary>
    static abstract bool Accumulates { get; }

    /// <summary>The activation applied to each finished output.</summary>
    static abstract FusedActivation Activation { get; }

    /// <summary>The negative slope of <see cref="FusedActivation.LeakyRelu"/>; unused otherwise.</summary>
    static abstract float Slope { get; }
}

/// <summary>
/// The register-blocked product every convolution runs three times (forward <c>W · columns</c>, <c>Wᵀ · dy</c>,
/// <c>dW += dy · rows</c>), written once over the lane width and the product's constants. Columns go in chunks of two
/// vectors (then one, then the narrower widths, then single floats), rows in blocks that fill 12 accumulators, so each
/// load of b feeds a block of rows and each broadcast of a feeds the chunk; the depth streams through.
/// </summary>
/// <remarks>
/// Every output is one sum in one order, <c>start + a[r, 0]·b[0, n] + a[r, 1]·b[1, n] + ...</c>, whichever block or width
/// takes it: fused multiply-adds in vectors, and in the last <c>Columns % 4</c> columns (and the scalar path) a multiply
/// and an add rounded apart, as the generated kernels summed before this library held them.
/// </remarks>
internal static class ProductKernels
{
    /// <summary>Vector accumulators one block keeps (of 16 registers on AVX2: 12, plus the loads and a broadcast).</summary>
    private const int Accumulators = 12;

    /// <summary><c>c = start + a · b</c>, then the activation, at the widest width the process runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TP>(ref float a, ref float b, ref float c, ref float bias)
        where TP : struct, IProduct
    {
        if (Simd.Use512)
        {
            Multiply<TP, V512>(ref a, ref b, ref c, ref bias);
        }
        else if (Simd.Use256)
        {
            Multiply<TP, V256>(ref a, ref b, ref c, ref bias);
        }
        else if (Simd.Use128)
        {
            Multiply<TP, V128>(ref a, ref b, ref c, ref bias);
        }
        else
        {
            MultiplyTextbook<TP>(ref a, ref b, ref c, ref bias);
        }
    }

    /// <summary>
    /// The scalar path: row by row, <c>c[r, :] = start</c>, then <c>c[r, :] += a[r, j] · b[j, :]</c> for each j in order,
    /// then the activation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyTextbook<TP>(ref float a, ref float b, ref float c, ref float bias)
        where TP : struct, IProduct
    {
        int rows = TP.Rows, columns = TP.Columns, depth = TP.Depth;
        for (int r = 0; r < rows; r++)
        {
            ref float cr = ref At(ref c, r * columns);
            if (!TP.Accumulates)
            {
                float start = TP.HasBias ? At(ref bias, r) : 0f;
                for (int n = 0; n < columns; n++)
                {
                    At(ref cr, n) = start;
                }
            }

            for (int j = 0; j < depth; j++)
            {
                float arj = At(ref a, r * TP.RowStride + j * TP.DepthStride);
                ref float bj = ref At(ref b, j * columns);
                for (int n = 0; n < columns; n++)
                {
                    At(ref cr, n) += arj * At(ref bj, n);
                }
            }

            if (TP.Activation != FusedActivation.None)
            {
                for (int n = 0; n < columns; n++)
                {
                    At(ref cr, n) = Activate<TP>(At(ref cr, n));
                }
            }
        }
    }

    /// <summary>All columns: the widest width's whole vectors, then each narrower width's, then single floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply<TP, TV>(ref float a, ref float b, ref float c, ref float bias)
        where TP : struct, IProduct
        where TV : struct, ILanes<TV>
    {
        int done = Columns<TP, TV>(ref a, ref b, ref c, ref bias, 0);
        if (TV.Count > V256.Count)
        {
            done = Columns<TP, V256>(ref a, ref b, ref c, ref bias, done);
        }

        if (TV.Count > V128.Count)
        {
            done = Columns<TP, V128>(ref a, ref b, ref c, ref bias, done);
        }

        Columns<TP, S1>(ref a, ref b, ref c, ref bias, done);
    }

    /// <summary>
    /// Columns <paramref name="from"/> onward in whole vectors of <typeparamref name="TV"/>: chunks of two vectors (6 rows
    /// a block), then one vector (12 rows a block). Returns the first column left for a narrower width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Columns<TP, TV>(ref float a, ref float b, ref float c, ref float bias, int from)
        where TP : struct, IProduct
        where TV : struct, ILanes<TV>
    {
        int i = from;
        for (; i + 2 * TV.Count <= TP.Columns; i += 2 * TV.Count)
        {
            int whole = TP.Rows / (Accumulators / 2) * (Accumulators / 2);
            for (int r = 0; r < whole; r += Accumulators / 2)
            {
                BlockOfPairs<TP, TV, WholeBlock>(ref a, ref b, ref c, ref bias, r, i);
            }

            if (whole < TP.Rows)
            {
                BlockOfPairs<TP, TV, RestBlock>(ref a, ref b, ref c, ref bias, whole, i);
            }
        }

        if (i + TV.Count <= TP.Columns)
        {
            int whole = TP.Rows / Accumulators * Accumulators;
            for (int r = 0; r < whole; r += Accumulators)
            {
                BlockOfSingles<TP, TV, WholeBlock>(ref a, ref b, ref c, ref bias, r, i);
            }

            if (whole < TP.Rows)
            {
                BlockOfSingles<TP, TV, RestBlock>(ref a, ref b, ref c, ref bias, whole, i);
            }

            i += TV.Count;
        }

        return i;
    }

    /// <summary>
    /// <c>c[r + q, i .. i + 2·lanes - 1]</c> for q below 6 (or the rows left over): accumulators <c>s{q}{u}</c>, vector u of
    /// row q. Each step of the depth loads two vectors of b and broadcasts one float of a per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockOfPairs<TP, TV, TB>(ref float a, ref float b, ref float c, ref float bias, int r, int i)
        where TP : struct, IProduct
        where TV : struct, ILanes<TV>
        where TB : struct, IBlockPart
    {
        int rows = TB.IsRest ? TP.Rows % (Accumulators / 2) : Accumulators / 2;
        int n = TV.Count, cs = TP.Columns, rs = TP.RowStride;
        ref float cr = ref At(ref c, r * cs + i);
        ref float br = ref At(ref bias, r);
        TV s00 = Start<TP, TV>(ref cr, ref br), s01 = Start<TP, TV>(ref At(ref cr, n), ref br);
        TV s10 = TV.Zero, s11 = TV.Zero, s20 = TV.Zero, s21 = TV.Zero, s30 = TV.Zero, s31 = TV.Zero;
        TV s40 = TV.Zero, s41 = TV.Zero, s50 = TV.Zero, s51 = TV.Zero;
        if (rows > 1)
        {
            s10 = Start<TP, TV>(ref At(ref cr, cs), ref At(ref br, 1));
            s11 = Start<TP, TV>(ref At(ref cr, cs + n), ref At(ref br, 1));
        }

        if (rows > 2)
        {
            s20 = Start<TP, TV>(ref At(ref cr, 2 * cs), ref At(ref br, 2));
            s21 = Start<TP, TV>(ref At(ref cr, 2 * cs + n), ref At(ref br, 2));
        }

        if (rows > 3)
        {
            s30 = Start<TP, TV>(ref At(ref cr, 3 * cs), ref At(ref br, 3));
            s31 = Start<TP, TV>(ref At(ref cr, 3 * cs + n), ref At(ref br, 3));
        }

        if (rows > 4)
        {
            s40 = Start<TP, TV>(ref At(ref cr, 4 * cs), ref At(ref br, 4));
            s41 = Start<TP, TV>(ref At(ref cr, 4 * cs + n), ref At(ref br, 4));
        }

        if (rows > 5)
        {
            s50 = Start<TP, TV>(ref At(ref cr, 5 * cs), ref At(ref br, 5));
            s51 = Start<TP, TV>(ref At(ref cr, 5 * cs + n), ref At(ref br, 5));
        }

        ref float ar = ref At(ref a, r * rs);
        ref float bi = ref At(ref b, i);
        for (int j = 0; j < TP.Depth; j++)
        {
            // s[q][u] += a[r + q, j] · b[j, i + u·lanes ..]
            ref float bj = ref At(ref bi, j * cs);
            ref float aj = ref At(ref ar, j * TP.DepthStride);
            TV b0 = Load<TV>(ref bj, 0), b1 = Load<TV>(ref bj, n);
            TV aq = TV.Create(aj);
            s00 = TV.MultiplyAdd(aq, b0, s00); s01 = TV.MultiplyAdd(aq, b1, s01);
            if (rows > 1)
            {
                aq = TV.Create(At(ref aj, rs));
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

        Activate<TP, TV>(s00).Store(ref cr, 0); Activate<TP, TV>(s01).Store(ref cr, (nuint)n);
        if (rows > 1)
        {
            Activate<TP, TV>(s10).Store(ref cr, (nuint)cs); Activate<TP, TV>(s11).Store(ref cr, (nuint)(cs + n));
        }

        if (rows > 2)
        {
            Activate<TP, TV>(s20).Store(ref cr, (nuint)(2 * cs)); Activate<TP, TV>(s21).Store(ref cr, (nuint)(2 * cs + n));
        }

        if (rows > 3)
        {
            Activate<TP, TV>(s30).Store(ref cr, (nuint)(3 * cs)); Activate<TP, TV>(s31).Store(ref cr, (nuint)(3 * cs + n));
        }

        if (rows > 4)
        {
            Activate<TP, TV>(s40).Store(ref cr, (nuint)(4 * cs)); Activate<TP, TV>(s41).Store(ref cr, (nuint)(4 * cs + n));
        }

        if (rows > 5)
        {
            Activate<TP, TV>(s50).Store(ref cr, (nuint)(5 * cs)); Activate<TP, TV>(s51).Store(ref cr, (nuint)(5 * cs + n));
        }
    }

    /// <summary><c>c[r + q, i .. i + lanes - 1]</c> for q below 12 (or the rows left over): one vector of b per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockOfSingles<TP, TV, TB>(ref float a, ref float b, ref float c, ref float bias, int r, int i)
        where TP : struct, IProduct
        where TV : struct, ILanes<TV>
        where TB : struct, IBlockPart
    {
        int rows = TB.IsRest ? TP.Rows % Accumulators : Accumulators;
        int cs = TP.Columns, rs = TP.RowStride;
        ref float cr = ref At(ref c, r * cs + i);
        ref float br = ref At(ref bias, r);
        TV s0 = Start<TP, TV>(ref cr, ref br);
        TV s1 = rows > 1 ? Start<TP, TV>(ref At(ref cr, cs), ref At(ref br, 1)) : TV.Zero;
        TV s2 = rows > 2 ? Start<TP, TV>(ref At(ref cr, 2 * cs), ref At(ref br, 2)) : TV.Zero;
        TV s3 = rows > 3 ? Start<TP, TV>(ref At(ref cr, 3 * cs), ref At(ref br, 3)) : TV.Zero;
        TV s4 = rows > 4 ? Start<TP, TV>(ref At(ref cr, 4 * cs), ref At(ref br, 4)) : TV.Zero;
        TV s5 = rows > 5 ? Start<TP, TV>(ref At(ref cr, 5 * cs), ref At(ref br, 5)) : TV.Zero;
        TV s6 = rows > 6 ? Start<TP, TV>(ref At(ref cr, 6 * cs), ref At(ref br, 6)) : TV.Zero;
        TV s7 = rows > 7 ? Start<TP, TV>(ref At(ref cr, 7 * cs), ref At(ref br, 7)) : TV.Zero;
        TV s8 = rows > 8 ? Start<TP, TV>(ref At(ref cr, 8 * cs), ref At(ref br, 8)) : TV.Zero;
        TV s9 = rows > 9 ? Start<TP, TV>(ref At(ref cr, 9 * cs), ref At(ref br, 9)) : TV.Zero;
        TV s10 = rows > 10 ? Start<TP, TV>(ref At(ref cr, 10 * cs), ref At(ref br, 10)) : TV.Zero;
        TV s11 = rows > 11 ? Start<TP, TV>(ref At(ref cr, 11 * cs), ref At(ref br, 11)) : TV.Zero;
        ref float ar = ref At(ref a, r * rs);
        ref float bi = ref At(ref b, i);
        for (int j = 0; j < TP.Depth; j++)
        {
            // s[q] += a[r + q, j] · b[j, i ..]
            ref float aj = ref At(ref ar, j * TP.DepthStride);
            TV bv = Load<TV>(ref At(ref bi, j * cs), 0);
            s0 = TV.MultiplyAdd(TV.Create(aj), bv, s0);
            if (rows > 1)
            {
                s1 = TV.MultiplyAdd(TV.Create(At(ref aj, rs)), bv, s1);
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

        Activate<TP, TV>(s0).Store(ref cr, 0);
        if (rows > 1)
        {
            Activate<TP, TV>(s1).Store(ref cr, (nuint)cs);
        }

        if (rows > 2)
        {
            Activate<TP, TV>(s2).Store(ref cr, (nuint)(2 * cs));
        }

        if (rows > 3)
        {
            Activate<TP, TV>(s3).Store(ref cr, (nuint)(3 * cs));
        }

        if (rows > 4)
        {
            Activate<TP, TV>(s4).Store(ref cr, (nuint)(4 * cs));
        }

        if (rows > 5)
        {
            Activate<TP, TV>(s5).Store(ref cr, (nuint)(5 * cs));
        }

        if (rows > 6)
        {
            Activate<TP, TV>(s6).Store(ref cr, (nuint)(6 * cs));
        }

        if (rows > 7)
        {
            Activate<TP, TV>(s7).Store(ref cr, (nuint)(7 * cs));
        }

        if (rows > 8)
        {
            Activate<TP, TV>(s8).Store(ref cr, (nuint)(8 * cs));
        }

        if (rows > 9)
        {
            Activate<TP, TV>(s9).Store(ref cr, (nuint)(9 * cs));
        }

        if (rows > 10)
        {
            Activate<TP, TV>(s10).Store(ref cr, (nuint)(10 * cs));
        }

        if (rows > 11)
        {
            Activate<TP, TV>(s11).Store(ref cr, (nuint)(11 * cs));
        }
    }

    /// <summary>An accumulator's first value: 0, the row's bias, or (accumulating) the output already there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Start<TP, TV>(ref float output, ref float bias)
        where TP : struct, IProduct
        where TV : struct, ILanes<TV>
        => TP.Accumulates ? TV.Load(ref output, 0)
            : TP.HasBias ? TV.Create(bias)
            : TV.Zero;

    /// <summary>The product's fused activation on finished outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Activate<TP, TV>(TV z)
        where TP : struct, IProduct
        where TV : struct, ILanes<TV>
        => FusedActivations.Apply(TP.Activation, TP.Slope, z);

    /// <summary>The product's fused activation on one finished output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Activate<TP>(float z)
        where TP : struct, IProduct
        => FusedActivations.Apply(TP.Activation, TP.Slope, z);

    /// <summary>Which rows of a column chunk a block takes: a whole block, or the rows left after the whole blocks.</summary>
    private interface IBlockPart
    {
        static abstract bool IsRest { get; }
    }

    private readonly struct WholeBlock : IBlockPart
    {
        public static bool IsRest
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => false;
        }
    }

    private readonly struct RestBlock : IBlockPart
    {
        public static bool IsRest
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => true;
        }
    }
}
