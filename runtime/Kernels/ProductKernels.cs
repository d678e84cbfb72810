using System;
using System.Runtime.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// A matrix product's constants apart from its rows and depth, which may come per call (a dense layer's batch):
/// <c>c[r, n] = start + Σ_j a[r, j] · b[j, n]</c>, then the fused activation, with <c>a[r, j]</c> at
/// <c>r·RowStride + j·DepthStride</c> (so a may be read transposed), b and c row-major with <see cref="Columns"/> columns.
/// A kernel derives one from its layer's descriptor as a small struct, so the JIT folds every member.
/// </summary>
internal interface IProductShape
{
    /// <summary>Columns of c and of b.</summary>
    static abstract int Columns { get; }

    /// <summary>Floats between <c>a[r, j]</c> and <c>a[r + 1, j]</c>.</summary>
    static abstract int RowStride { get; }

    /// <summary>Floats between <c>a[r, j]</c> and <c>a[r, j + 1]</c>.</summary>
    static abstract int DepthStride { get; }

    /// <summary>Whether each output starts from the bias of its row, <c>c[r, n] = bias[r] + (a · b)[r, n]</c>.</summary>
    static abstract bool HasBias { get; }

    /// <summary>Whether each output starts from the bias of its column, <c>c[r, n] = bias[n] + (a · b)[r, n]</c> (a dense layer's).</summary>
    static virtual bool HasColumnBias => false;

    /// <summary>Whether each output starts from the value already there, <c>c += a · b</c>.</summary>
    static abstract bool Accumulates { get; }

    /// <summary>The activation applied to each finished output.</summary>
    static abstract FusedActivation Activation { get; }

    /// <summary>The negative slope of <see cref="FusedActivation.LeakyRelu"/>; unused otherwise.</summary>
    static abstract float Slope { get; }
}

/// <summary>A product whose every size is a constant: <c>c[Rows, Columns] = start + a[Rows, Depth] · b[Depth, Columns]</c>.</summary>
internal interface IProduct : IProductShape
{
    /// <summary>Rows of c and of a.</summary>
    static abstract int Rows { get; }

    /// <summary>The length of each sum: columns of a, rows of b.</summary>
    static abstract int Depth { get; }
}

/// <summary>
/// The register-blocked matrix product every dense and convolution layer runs (dense: forward <c>x · Wᵀ</c>, <c>dx = dz · W</c>,
/// <c>dW += dzᵀ · x</c>; convolution: <c>W · columns</c>, <c>Wᵀ · dy</c>, <c>dW += dy · rows</c>), written once over the lane
/// width and the product's constants. Columns go in chunks of two vectors (then one, then the narrower widths, then single
/// floats), rows in blocks that fill 12 accumulators, so each load of b feeds a block of rows and each broadcast of a
/// feeds the chunk; the depth streams through.
/// </summary>
/// <remarks>
/// Every output is one sum in one order, <c>start + a[r, 0]·b[0, n] + a[r, 1]·b[1, n] + ...</c>, whichever block, width,
/// row range or depth block takes it: fused multiply-adds in vectors, and in the last <c>Columns % 4</c> columns (and the
/// scalar path) a multiply and an add rounded apart. So a split of the rows across threads gives the bits of one thread.
/// </remarks>
internal static partial class ProductKernels
{
    /// <summary>
    /// Rows of a block of two-vector chunks below 512 bits (12 accumulators of AVX2's 16 registers, the rest for the two
    /// loads of b and a broadcast), and the grain at which threads split a product's rows: a multiple of it keeps every
    /// such block whole, and at 512 bits cuts a 12-row block at most in half (the bits are the same either way).
    /// </summary>
    public const int RowBlock = 6;

    /// <summary>
    /// Rows of a block of two-vector chunks at width <typeparamref name="TV"/>: 12 (24 accumulators) with AVX-512's 32
    /// registers, <see cref="RowBlock"/> below it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PairRows<TV>()
        where TV : struct, ILanes<TV>
        => TV.Count >= 16 ? 12 : RowBlock;

    /// <summary>
    /// Rows of the two-vector block at the widest width the process runs (12 with AVX-512, else <see cref="RowBlock"/>):
    /// the items a split of a small product hands out, so that each runs as one whole block.
    /// </summary>
    public static int WidestPairRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Simd.Use512 ? 12 : RowBlock;
    }

    /// <summary><c>c = start + a · b</c>, then the activation, at the widest width the process runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TP>(ref float a, ref float b, ref float c, ref float bias)
        where TP : struct, IProduct
        => MultiplyRows<TP>(ref a, ref b, ref c, ref bias, 0, TP.Rows, TP.Depth);

    /// <summary>Rows <paramref name="start"/> .. <paramref name="end"/> - 1 of <c>c = start + a · b</c> over a depth of <paramref name="depth"/>, then the activation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyRows<TP>(ref float a, ref float b, ref float c, ref float bias, int start, int end, int depth)
        where TP : struct, IProductShape
    {
        var part = new Part(start, end, depth, TP.Columns, 0);
        if (Simd.Use512)
        {
            AllColumns<TP, V512, WholeDepth>(ref a, ref b, ref c, ref bias, part, 0, TP.Columns);
        }
        else if (Simd.Use256)
        {
            AllColumns<TP, V256, WholeDepth>(ref a, ref b, ref c, ref bias, part, 0, TP.Columns);
        }
        else if (Simd.Use128)
        {
            AllColumns<TP, V128, WholeDepth>(ref a, ref b, ref c, ref bias, part, 0, TP.Columns);
        }
        else
        {
            MultiplyTextbook<TP>(ref a, ref b, TP.Columns, 1, ref c, ref bias, start, end, depth, 0, TP.Columns);
        }
    }

    /// <summary>
    /// The scalar path: row by row, <c>c[r, :] = start</c>, then <c>c[r, :] += a[r, j] · b[j, :]</c> for each j in order,
    /// then the activation, over columns <paramref name="from"/> .. <paramref name="to"/> - 1; <c>b[j, n]</c> is at
    /// <c>j·bDepthStride + n·bColumnStride</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyTextbook<TP>(ref float a, ref float b, int bDepthStride, int bColumnStride, ref float c, ref float bias, int start, int end, int depth, int from, int to)
        where TP : struct, IProductShape
    {
        int columns = TP.Columns;
        for (int r = start; r < end; r++)
        {
            ref float cr = ref At(ref c, r * columns);
            if (!TP.Accumulates)
            {
                for (int n = from; n < to; n++)
                {
                    At(ref cr, n) = TP.HasColumnBias ? At(ref bias, n) : TP.HasBias ? At(ref bias, r) : 0f;
                }
            }

            for (int j = 0; j < depth; j++)
            {
                float arj = At(ref a, r * TP.RowStride + j * TP.DepthStride);
                for (int n = from; n < to; n++)
                {
                    At(ref cr, n) += arj * At(ref b, j * bDepthStride + n * bColumnStride);
                }
            }

            if (TP.Activation != FusedActivation.None)
            {
                for (int n = from; n < to; n++)
                {
                    At(ref cr, n) = FusedActivations.Apply(TP.Activation, TP.Slope, At(ref cr, n));
                }
            }
        }
    }

    /// <summary>
    /// The rows, depth and b layout of one call: rows <see cref="Start"/> .. <see cref="End"/> - 1, a sum over
    /// <see cref="Depth"/> terms, <c>b[j, n]</c> at <c>j·BStride + n - BColumn</c> (b may hold only some columns).
    /// </summary>
    private readonly record struct Part(int Start, int End, int Depth, int BStride, int BColumn);

    /// <summary>Columns <paramref name="from"/> .. <paramref name="to"/> - 1: the widest width's whole vectors, then each narrower width's, then single floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AllColumns<TP, TV, TD>(ref float a, ref float b, ref float c, ref float bias, Part part, int from, int to)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TD : struct, IDepthPart
    {
        int done = Columns<TP, TV, TD>(ref a, ref b, ref c, ref bias, part, from, to);
        if (TakesNarrowColumnsByRows<TP, TV>(part, done, to))
        {
            // the columns left with the rows in the lanes; the rows left after its blocks, as before
            part = part with { Start = NarrowColumnsByRows<TP, TV, TD>(ref a, ref b, ref c, ref bias, part, done) };
        }

        if (TV.Count > V256.Count)
        {
            done = Columns<TP, V256, TD>(ref a, ref b, ref c, ref bias, part, done, to);
        }

        if (TV.Count > V128.Count)
        {
            done = Columns<TP, V128, TD>(ref a, ref b, ref c, ref bias, part, done, to);
        }

        Columns<TP, S1, TD>(ref a, ref b, ref c, ref bias, part, done, to);
    }

    /// <summary>
    /// Columns <paramref name="from"/> onward (below <paramref name="to"/>) in whole vectors of <typeparamref name="TV"/>:
    /// chunks of two vectors (<see cref="PairRows{TV}"/> rows a block), then one vector (24 rows a block at 512 bits, 12 below). Returns the first
    /// column left for a narrower width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Columns<TP, TV, TD>(ref float a, ref float b, ref float c, ref float bias, Part part, int from, int to)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TD : struct, IDepthPart
    {
        int i = from;
        int blockRows = PairRows<TV>();
        int pairs = part.Start + (part.End - part.Start) / blockRows * blockRows;
        for (; i + 2 * TV.Count <= to; i += 2 * TV.Count)
        {
            for (int r = part.Start; r < pairs; r += blockRows)
            {
                if (blockRows == 12)
                {
                    BlockOfPairs<TP, TV, R12, TD>(ref a, ref b, ref c, ref bias, part, r, i);
                }
                else
                {
                    BlockOfPairs<TP, TV, R6, TD>(ref a, ref b, ref c, ref bias, part, r, i);
                }
            }

            switch (part.End - pairs)
            {
                case 1: BlockOfPairs<TP, TV, R1, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 2: BlockOfPairs<TP, TV, R2, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 3: BlockOfPairs<TP, TV, R3, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 4: BlockOfPairs<TP, TV, R4, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 5: BlockOfPairs<TP, TV, R5, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 6: BlockOfPairs<TP, TV, R6, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 7: BlockOfPairs<TP, TV, R7, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 8: BlockOfPairs<TP, TV, R8, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 9: BlockOfPairs<TP, TV, R9, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 10: BlockOfPairs<TP, TV, R10, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
                case 11: BlockOfPairs<TP, TV, R11, TD>(ref a, ref b, ref c, ref bias, part, pairs, i); break;
            }
        }

        if (i + TV.Count <= to)
        {
            // blocks of 24 rows at 512 bits (24 accumulators), then of 12, then one of 6, then fewer
            int r = part.Start;
            if (TV.Count >= 16)
            {
                for (; r + 24 <= part.End; r += 24)
                {
                    BlockOfSingles<TP, TV, R24, TD>(ref a, ref b, ref c, ref bias, part, r, i);
                }
            }

            for (; r + 12 <= part.End; r += 12)
            {
                BlockOfSingles<TP, TV, R12, TD>(ref a, ref b, ref c, ref bias, part, r, i);
            }

            if (part.End - r >= 6)
            {
                BlockOfSingles<TP, TV, R6, TD>(ref a, ref b, ref c, ref bias, part, r, i);
                r += 6;
            }

            switch (part.End - r)
            {
                case 1: BlockOfSingles<TP, TV, R1, TD>(ref a, ref b, ref c, ref bias, part, r, i); break;
                case 2: BlockOfSingles<TP, TV, R2, TD>(ref a, ref b, ref c, ref bias, part, r, i); break;
                case 3: BlockOfSingles<TP, TV, R3, TD>(ref a, ref b, ref c, ref bias, part, r, i); break;
                case 4: BlockOfSingles<TP, TV, R4, TD>(ref a, ref b, ref c, ref bias, part, r, i); break;
                case 5: BlockOfSingles<TP, TV, R5, TD>(ref a, ref b, ref c, ref bias, part, r, i); break;
            }

            i += TV.Count;
        }

        return i;
    }
}
