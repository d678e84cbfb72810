using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

internal static partial class ProductKernels
{
    /// <summary>Units (columns of c, rows of bT) one register block of <see cref="RowsInLanes{TP, TV}"/> takes: 6 × 4 vectors, 24 accumulators.</summary>
    private const int LaneBlockUnits = 6;

    /// <summary>
    /// Units whose sums <see cref="RowsInLanes{TP, TV}"/> gathers before it writes them out to c: 8 blocks of 6, 48 × 64 floats
    /// (12 KB) that stay in L1, and a multiple of 8 for the tiles that transpose them.
    /// </summary>
    private const int LaneChunkUnits = 48;

    /// <summary>
    /// The fewest floats of W (<c>Columns · depth</c>) that <see cref="RowsInLanes{TP, TV}"/> reads in place rather than
    /// packing: 256 KB, past L1 and most of a Zen 4's L2, where packing it costs a pass over W from L2 or L3 per call. Below
    /// the column tiles' 128 K floats (<see cref="PacksByColumnTiles"/>) only a call over all of W's columns does: one
    /// thread's, not a piece of a split (<see cref="TakesRowsInLanes{TP, TV}"/>).
    /// </summary>
    /// <remarks>
    /// Measured (Zen 4, 1 thread, quick timer p10, two pairs): mlp's 784 → 128 (100,352 floats) at batch 64, 132 µs packed
    /// → 128 µs in place; lenet's 400 → 120 (48,000) no difference either way, so the line stays at a W of 64 K floats.
    /// </remarks>
    private const long RowsInLanesWeightFloats = 64 * 1024;

    /// <summary>Each thread's scratch for <see cref="RowsInLanes{TP, TV}"/>: a chunk of a transposed, then the chunk's sums; grown to the largest depth it has seen.</summary>
    [ThreadStatic]
    private static AlignedFloats? t_rowsInLanes;

    /// <summary>
    /// Whether <see cref="ByTransposed{TP, TV}"/> runs as <see cref="RowsInLanes{TP, TV}"/>: 512-bit vectors (the block needs
    /// 24 accumulators and 4 loads of a: AVX-512's 32 registers), a bT of at least <see cref="RowsInLanesWeightFloats"/>
    /// and not kept (a kept copy costs nothing to read, and its product runs as fast as this one), and a product that starts
    /// from a column's bias or 0 over an a whose terms are contiguous: a dense layer's forward <c>x · Wᵀ</c>. A W below the
    /// column tiles takes it only over <paramref name="allColumns"/>: a piece of a split across threads packs instead, since
    /// each piece in the lanes transposes all of a again (mlp's 784 → 128 on two threads is four pieces of 32 units; its
    /// batch 64 read 75–80 µs packed, 79–101 µs in place, and 78–80 µs in place one piece per thread against 71–73 packed).
    /// </summary>
    /// <remarks>
    /// Measured over 64 rows, 1 thread, Zen 5 (median µs, packed a panel at a time → rows in the lanes): 1024 → 1024
    /// 667–693 → 587–589 (the packing of a 4 MB W from L3 was most of the difference); 784 → 128 (a W in L2) 57 → 55–68, and
    /// 128 → 64 4.65 → 5.15, so a small W stays with the packed product (see <see cref="RowsInLanesWeightFloats"/>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TakesRowsInLanes<TP, TV>(int depth, bool keeps, bool allColumns)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        => TV.Count >= 16 && !keeps && !TP.Accumulates && !TP.HasBias && TP.DepthStride == 1 && (long)TP.Columns * depth >= RowsInLanesWeightFloats
            && (allColumns || PacksByColumnTiles(TP.Columns, depth));

    /// <summary>
    /// The grain (in column groups) at which a split across <paramref name="threads"/> cuts a product of
    /// <paramref name="groups"/> groups: one piece per thread when the product runs in the lanes over a W past the column
    /// tiles, since every piece transposes all of a's chunks again (wide's 1,024 × 1,024 layers on two threads were eight
    /// pieces, eight transposes of 256 KB each); else 1, the split's own pieces.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SplitGrain<TP>(int depth, bool keeps, int groups, int threads)
        where TP : struct, IProductShape
        => Simd.Use512 && TakesRowsInLanes<TP, V512>(depth, keeps, allColumns: false) ? (groups + threads - 1) / threads : 1;

    /// <summary>
    /// Columns <paramref name="from"/> .. <paramref name="to"/> - 1 of <c>c = start + a · b</c> with b given transposed
    /// (<c>b[j, n] = bT[n·depth + j]</c>, as in <see cref="MultiplyByTransposed{TP}"/>), with the rows of a in the lanes and
    /// bT read where it lies: no panel is packed. Each chunk of <c>4 · lanes</c> rows of a (64 at 512 bits) is transposed
    /// once, term j's rows at <c>j · 64</c>; then each block of 6 units keeps its 6 × 4 sums in registers over the whole depth,
    /// each term 4 loads of a's chunk and 6 broadcasts of W, one from each unit's row, which the hardware prefetchers follow
    /// as 6 sequential streams. The sums go to the chunk's scratch, unit by unit, and out to c in 8 × 8 transposed tiles.
    /// </summary>
    /// <remarks>
    /// Packing a panel of bT at a time reads W from L3 as 32 strided streams and writes it again; here each float of W is
    /// read once per chunk of rows, in order, and feeds 64 rows from a register. The bits are those of the packed product:
    /// every output sums its terms in order from the same start, with fused multiply-adds in the units the packed product
    /// takes in vectors (the first <c>Columns / 4 · 4</c>), activated as vectors, and in the last <c>Columns % 4</c> a multiply
    /// and an add rounded apart, activated one by one (<see cref="S1"/>'s). Lanes of a chunk past its last row are 0 and
    /// never stored.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsInLanes<TP, TV>(ref float a, ref float bT, ref float c, ref float bias, int rows, int depth, int from, int to)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
    {
        int chunkRows = 4 * TV.Count;
        int need = (depth * chunkRows) + (LaneChunkUnits * chunkRows);
        if (t_rowsInLanes is not { } scratch || scratch.Length < need)
        {
            t_rowsInLanes = scratch = new AlignedFloats(need);
        }

        ref float aT = ref MemoryMarshal.GetReference(scratch.Span);
        ref float sums = ref At(ref aT, depth * chunkRows);
        int fusedEnd = TP.Columns / 4 * 4;
        for (int r = 0; r < rows; r += chunkRows)
        {
            int count = Math.Min(chunkRows, rows - r);
            int vectors = (count + TV.Count - 1) / TV.Count;
            TransposeChunk(ref At(ref a, r * TP.RowStride), TP.RowStride, count, vectors * TV.Count, depth, ref aT, chunkRows);
            for (int n0 = from; n0 < to; n0 += LaneChunkUnits)
            {
                int units = Math.Min(LaneChunkUnits, to - n0);
                int fused = Math.Clamp(fusedEnd - n0, 0, units);
                switch (vectors)
                {
                    case 1: ChunkOfUnits<TP, TV, R1>(ref aT, ref bT, ref bias, ref sums, depth, n0, units, fused); break;
                    case 2: ChunkOfUnits<TP, TV, R2>(ref aT, ref bT, ref bias, ref sums, depth, n0, units, fused); break;
                    case 3: ChunkOfUnits<TP, TV, R3>(ref aT, ref bT, ref bias, ref sums, depth, n0, units, fused); break;
                    default: ChunkOfUnits<TP, TV, R4>(ref aT, ref bT, ref bias, ref sums, depth, n0, units, fused); break;
                }

                StoreChunk<TP>(ref sums, chunkRows, ref At(ref c, (r * TP.Columns) + n0), count, units, fused);
            }
        }
    }

    /// <summary>
    /// Units <paramref name="n0"/> .. <paramref name="n0"/> + <paramref name="units"/> - 1 of the chunk into
    /// <paramref name="sums"/> (unit u's rows at <c>u · 4 · lanes</c>): blocks of 6 over the first <paramref name="fused"/>, one
    /// narrower block for the rest of them, then one unit at a time, the units past <paramref name="fused"/> with their terms
    /// rounded apart and not activated yet.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChunkOfUnits<TP, TV, TR>(ref float aT, ref float bT, ref float bias, ref float sums, int depth, int n0, int units, int fused)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
    {
        int chunkRows = 4 * TV.Count;
        int u = 0;
        for (; u + LaneBlockUnits <= fused; u += LaneBlockUnits)
        {
            UnitBlock<TP, TV, TR, R6>(ref aT, ref At(ref bT, (n0 + u) * depth), ref bias, ref At(ref sums, u * chunkRows), depth, n0 + u);
        }

        // the fused units a block of 6 leaves, as one narrower block (a layer of 1,024 units leaves 4 of each 16 past the chunks of 48)
        ref float wu = ref At(ref bT, (n0 + u) * depth);
        ref float su = ref At(ref sums, u * chunkRows);
        switch (fused - u)
        {
            case 1: UnitBlock<TP, TV, TR, R1>(ref aT, ref wu, ref bias, ref su, depth, n0 + u); break;
            case 2: UnitBlock<TP, TV, TR, R2>(ref aT, ref wu, ref bias, ref su, depth, n0 + u); break;
            case 3: UnitBlock<TP, TV, TR, R3>(ref aT, ref wu, ref bias, ref su, depth, n0 + u); break;
            case 4: UnitBlock<TP, TV, TR, R4>(ref aT, ref wu, ref bias, ref su, depth, n0 + u); break;
            case 5: UnitBlock<TP, TV, TR, R5>(ref aT, ref wu, ref bias, ref su, depth, n0 + u); break;
        }

        for (u = fused; u < units; u++)
        {
            RoundedUnit<TV, TR>(ref aT, ref At(ref bT, (n0 + u) * depth), ref bias, ref At(ref sums, u * chunkRows), depth, TP.HasColumnBias, n0 + u);
        }
    }

    /// <summary>
    /// Units <paramref name="n"/> .. <paramref name="n"/> + <typeparamref name="TU"/> - 1 (at most 6, a count as a constant, as
    /// the row counts are) over the chunk's <typeparamref name="TR"/> row vectors: <c>s[u, v] += W[n + u, j] · aT[j, v]</c> for
    /// each term j in order, fused, then activated into <paramref name="sums"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnitBlock<TP, TV, TR, TU>(ref float aT, ref float w, ref float bias, ref float sums, int depth, int n)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
        where TU : struct, IRowCount
    {
        int vectors = TR.Count, units = TU.Count;
        nuint l1 = (nuint)TV.Count, l2 = 2 * l1, l3 = 3 * l1;
        TV z0 = UnitStart<TP, TV>(ref bias, n);
        TV z1 = units > 1 ? UnitStart<TP, TV>(ref bias, n + 1) : TV.Zero;
        TV z2 = units > 2 ? UnitStart<TP, TV>(ref bias, n + 2) : TV.Zero;
        TV z3 = units > 3 ? UnitStart<TP, TV>(ref bias, n + 3) : TV.Zero;
        TV z4 = units > 4 ? UnitStart<TP, TV>(ref bias, n + 4) : TV.Zero;
        TV z5 = units > 5 ? UnitStart<TP, TV>(ref bias, n + 5) : TV.Zero;
        TV s00 = z0, s01 = z0, s02 = z0, s03 = z0;
        TV s10 = z1, s11 = z1, s12 = z1, s13 = z1;
        TV s20 = z2, s21 = z2, s22 = z2, s23 = z2;
        TV s30 = z3, s31 = z3, s32 = z3, s33 = z3;
        TV s40 = z4, s41 = z4, s42 = z4, s43 = z4;
        TV s50 = z5, s51 = z5, s52 = z5, s53 = z5;

        // W's rows are read as one stream each, d floats apart (native width, read once, as in BlockOfPairs)
        nint d = depth, d2 = 2 * d, d3 = 3 * d, d4 = 4 * d, d5 = 5 * d, step = 4 * TV.Count;
        ref float aj = ref aT;
        ref float wj = ref w;
        for (int j = 0; j < depth; j++, aj = ref Unsafe.Add(ref aj, step), wj = ref Unsafe.Add(ref wj, 1))
        {
            TV a0 = TV.Load(ref aj, 0);
            TV a1 = vectors > 1 ? TV.Load(ref aj, l1) : TV.Zero;
            TV a2 = vectors > 2 ? TV.Load(ref aj, l2) : TV.Zero;
            TV a3 = vectors > 3 ? TV.Load(ref aj, l3) : TV.Zero;
            AddToRows<TV, TR>(ref s00, ref s01, ref s02, ref s03, TV.Create(wj), a0, a1, a2, a3);
            if (units > 1)
            {
                AddToRows<TV, TR>(ref s10, ref s11, ref s12, ref s13, TV.Create(Unsafe.Add(ref wj, d)), a0, a1, a2, a3);
            }

            if (units > 2)
            {
                AddToRows<TV, TR>(ref s20, ref s21, ref s22, ref s23, TV.Create(Unsafe.Add(ref wj, d2)), a0, a1, a2, a3);
            }

            if (units > 3)
            {
                AddToRows<TV, TR>(ref s30, ref s31, ref s32, ref s33, TV.Create(Unsafe.Add(ref wj, d3)), a0, a1, a2, a3);
            }

            if (units > 4)
            {
                AddToRows<TV, TR>(ref s40, ref s41, ref s42, ref s43, TV.Create(Unsafe.Add(ref wj, d4)), a0, a1, a2, a3);
            }

            if (units > 5)
            {
                AddToRows<TV, TR>(ref s50, ref s51, ref s52, ref s53, TV.Create(Unsafe.Add(ref wj, d5)), a0, a1, a2, a3);
            }
        }

        int rowsOfUnit = 4 * TV.Count;
        StoreUnit<TP, TV, TR>(ref sums, s00, s01, s02, s03);
        if (units > 1)
        {
            StoreUnit<TP, TV, TR>(ref At(ref sums, rowsOfUnit), s10, s11, s12, s13);
        }

        if (units > 2)
        {
            StoreUnit<TP, TV, TR>(ref At(ref sums, 2 * rowsOfUnit), s20, s21, s22, s23);
        }

        if (units > 3)
        {
            StoreUnit<TP, TV, TR>(ref At(ref sums, 3 * rowsOfUnit), s30, s31, s32, s33);
        }

        if (units > 4)
        {
            StoreUnit<TP, TV, TR>(ref At(ref sums, 4 * rowsOfUnit), s40, s41, s42, s43);
        }

        if (units > 5)
        {
            StoreUnit<TP, TV, TR>(ref At(ref sums, 5 * rowsOfUnit), s50, s51, s52, s53);
        }
    }

    /// <summary>
    /// Unit <paramref name="n"/>, one of the last <c>Columns % 4</c>, over the chunk's row vectors: each term's multiply and
    /// add rounded apart (<see cref="S1"/>'s), from its bias (<paramref name="hasBias"/>) or 0, and the sums stored as they
    /// are, for <see cref="StoreChunk{TP}"/> to activate one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RoundedUnit<TV, TR>(ref float aT, ref float w, ref float bias, ref float sums, int depth, bool hasBias, int n)
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
    {
        int vectors = TR.Count;
        nuint l1 = (nuint)TV.Count, l2 = 2 * l1, l3 = 3 * l1;
        TV s0 = hasBias ? TV.Create(At(ref bias, n)) : TV.Zero, s1 = s0, s2 = s0, s3 = s0;
        nint step = 4 * TV.Count;
        ref float aj = ref aT;
        for (int j = 0; j < depth; j++, aj = ref Unsafe.Add(ref aj, step))
        {
            TV wj = TV.Create(At(ref w, j));
            s0 = (wj * TV.Load(ref aj, 0)) + s0;
            if (vectors > 1)
            {
                s1 = (wj * TV.Load(ref aj, l1)) + s1;
            }

            if (vectors > 2)
            {
                s2 = (wj * TV.Load(ref aj, l2)) + s2;
            }

            if (vectors > 3)
            {
                s3 = (wj * TV.Load(ref aj, l3)) + s3;
            }
        }

        s0.Store(ref sums, 0);
        if (vectors > 1)
        {
            s1.Store(ref sums, l1);
        }

        if (vectors > 2)
        {
            s2.Store(ref sums, l2);
        }

        if (vectors > 3)
        {
            s3.Store(ref sums, l3);
        }
    }

    /// <summary>Unit <paramref name="n"/>'s start in every lane: its column's bias, or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV UnitStart<TP, TV>(ref float bias, int n)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        => TP.HasColumnBias ? TV.Create(At(ref bias, n)) : TV.Zero;

    /// <summary>One term for a unit's row vectors: <c>s[v] += w · a[v]</c>, a fused multiply-add each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddToRows<TV, TR>(ref TV s0, ref TV s1, ref TV s2, ref TV s3, TV w, TV a0, TV a1, TV a2, TV a3)
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
    {
        TV.MultiplyAddTo(ref s0, w, a0);
        if (TR.Count > 1)
        {
            TV.MultiplyAddTo(ref s1, w, a1);
        }

        if (TR.Count > 2)
        {
            TV.MultiplyAddTo(ref s2, w, a2);
        }

        if (TR.Count > 3)
        {
            TV.MultiplyAddTo(ref s3, w, a3);
        }
    }

    /// <summary>A unit's row vectors, activated (<see cref="Finish{TP, TV, TD}"/> of the whole depth), into its place in the chunk's sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreUnit<TP, TV, TR>(ref float sums, TV s0, TV s1, TV s2, TV s3)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
    {
        Finish<TP, TV, WholeDepth>(s0).Store(ref sums, 0);
        if (TR.Count > 1)
        {
            Finish<TP, TV, WholeDepth>(s1).Store(ref sums, (nuint)TV.Count);
        }

        if (TR.Count > 2)
        {
            Finish<TP, TV, WholeDepth>(s2).Store(ref sums, (nuint)(2 * TV.Count));
        }

        if (TR.Count > 3)
        {
            Finish<TP, TV, WholeDepth>(s3).Store(ref sums, (nuint)(3 * TV.Count));
        }
    }

    /// <summary>
    /// <c>aT[j · stride + q] = a[q · rowStride + j]</c> for the chunk's <paramref name="rows"/> rows q and every term j, in
    /// 8 × 8 tiles (<see cref="Transpose8x8"/>) where they fit, and 0 for the lanes from <paramref name="rows"/> to
    /// <paramref name="lanes"/>, so the last row vector reads no row past a's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeChunk(ref float a, int rowStride, int rows, int lanes, int depth, ref float aT, int stride)
    {
        int tiledRows = rows / 8 * 8, tiledDepth = depth / 8 * 8;
        for (int q = 0; q < tiledRows; q += 8)
        {
            for (int j = 0; j < tiledDepth; j += 8)
            {
                Transpose8x8(ref At(ref a, (q * rowStride) + j), rowStride, ref At(ref aT, (j * stride) + q), stride);
            }

            for (int j = tiledDepth; j < depth; j++)
            {
                for (int k = q; k < q + 8; k++)
                {
                    At(ref aT, (j * stride) + k) = At(ref a, (k * rowStride) + j);
                }
            }
        }

        for (int k = tiledRows; k < lanes; k++)
        {
            for (int j = 0; j < depth; j++)
            {
                At(ref aT, (j * stride) + k) = k < rows ? At(ref a, (k * rowStride) + j) : 0f;
            }
        }
    }

    /// <summary>
    /// The chunk's sums (unit u's rows at <c>u · stride</c>) into c from <paramref name="c"/> (row q of the chunk at
    /// <c>q · Columns</c>): 8 × 8 transposed tiles over the rows and fused units they fill, the rest one by one, the units
    /// past <paramref name="fused"/> activated here (they were stored as sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreChunk<TP>(ref float sums, int stride, ref float c, int rows, int units, int fused)
        where TP : struct, IProductShape
    {
        // 8 rows of c at a time across the chunk's units, so each row's few cache lines are written whole before the next
        // rows': c's rows are Columns floats apart (4 KB for 1,024 units), all in one L1 set, and 64 of them at once thrash it
        int cs = TP.Columns;
        int tiledUnits = fused / 8 * 8, tiledRows = rows / 8 * 8;
        for (int q = 0; q < tiledRows; q += 8)
        {
            for (int u = 0; u < tiledUnits; u += 8)
            {
                Transpose8x8(ref At(ref sums, (u * stride) + q), stride, ref At(ref c, (q * cs) + u), cs);
            }
        }

        for (int q = tiledRows; q < rows; q++)
        {
            for (int u = 0; u < tiledUnits; u++)
            {
                At(ref c, (q * cs) + u) = At(ref sums, (u * stride) + q);
            }
        }

        for (int u = tiledUnits; u < units; u++)
        {
            for (int q = 0; q < rows; q++)
            {
                float z = At(ref sums, (u * stride) + q);
                At(ref c, (q * cs) + u) = u < fused ? z : FusedActivations.Apply(TP.Activation, TP.Slope, z);
            }
        }
    }
}
