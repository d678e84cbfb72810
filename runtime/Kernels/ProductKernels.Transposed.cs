using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

internal static partial class ProductKernels
{
    /// <summary>
    /// Columns of b one packed panel holds: one chunk of two Vector512s (two chunks of Vector256s, four of Vector128s), so
    /// a column group is cut the same way at every width and a thread split at groups keeps every output's sum.
    /// </summary>
    public const int PanelColumns = 32;

    /// <summary>Rows of b (terms of the sum) one packed panel holds: 32 × 256 floats, 32 KB, stay in L1 while every row block of a reads them.</summary>
    private const int PanelDepth = 256;

    /// <summary>Each thread's packed panel, allocated at its first call: nothing is allocated after that.</summary>
    [ThreadStatic]
    private static AlignedFloats? t_panel;

    /// <summary>The column groups of <see cref="MultiplyByTransposed{TP}"/>: <see cref="PanelColumns"/> columns each, the last narrower.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ColumnGroups<TP>()
        where TP : struct, IProductShape
        => (TP.Columns + PanelColumns - 1) / PanelColumns;

    /// <summary>
    /// Column groups <paramref name="firstGroup"/> .. <paramref name="endGroup"/> - 1 (of <see cref="ColumnGroups{TP}"/>)
    /// of <c>c = start + a · b</c> over all <paramref name="rows"/> rows, where b is given transposed:
    /// <c>b[j, n] = bT[n·depth + j]</c>, bT row-major <c>[Columns, depth]</c> (a dense layer's W, for <c>y = x · Wᵀ</c>). The
    /// product packs b a panel at a time (<see cref="PanelColumns"/> columns by <see cref="PanelDepth"/> terms) into this
    /// thread's buffer, row-major as the blocks read it, and runs every row block of a over the panel, so each weight is
    /// read from memory once per call and each packed float feeds every row from L1. The sums are those of
    /// <see cref="MultiplyRows{TP}"/>: a later panel of the depth continues from the running sums the one before it stored,
    /// and threads split the columns by groups, so each packs only its own.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="packed"/> buffer of <c>Columns · depth</c> floats (not a null reference) every panel has its
    /// own place there: column group <c>q</c> (of <see cref="PanelColumns"/> columns, the last narrower) starts at
    /// <c>q · PanelColumns · depth</c>, and its panel of the terms from <c>k</c> at <c>k · width</c> after that, each laid
    /// out as the thread's own panel is, so the panels lie in the order the product reads them. The panels are packed into it when <paramref name="repack"/> is true and
    /// read from it as they are otherwise, so a W packed once serves every call until it changes. The floats each row block
    /// reads, and so the sums, are the same either way.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyByTransposed<TP>(ref float a, ref float bT, ref float c, ref float bias, int rows, int depth, int firstGroup, int endGroup, ref float packed, bool repack)
        where TP : struct, IProductShape
    {
        if (Simd.Use512)
        {
            ByTransposed<TP, V512>(ref a, ref bT, ref c, ref bias, rows, depth, firstGroup, endGroup, ref packed, repack);
        }
        else if (Simd.Use256)
        {
            ByTransposed<TP, V256>(ref a, ref bT, ref c, ref bias, rows, depth, firstGroup, endGroup, ref packed, repack);
        }
        else if (Simd.Use128)
        {
            ByTransposed<TP, V128>(ref a, ref bT, ref c, ref bias, rows, depth, firstGroup, endGroup, ref packed, repack);
        }
        else
        {
            int to = Math.Min(endGroup * PanelColumns, TP.Columns);
            MultiplyTextbook<TP>(ref a, ref bT, 1, depth, ref c, ref bias, 0, rows, depth, firstGroup * PanelColumns, to);
        }
    }

    /// <summary>
    /// Where the kept panel of the columns from <paramref name="column"/> (a multiple of <see cref="PanelColumns"/>,
    /// <paramref name="width"/> of them) and the terms from <paramref name="k"/> starts in a kept copy: each column group's
    /// panels in a run of <c>width · depth</c> floats, term j's columns at <c>j · width</c> (the remarks of
    /// <see cref="MultiplyByTransposed{TP}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int KeptPanel(int column, int k, int width, int depth) => (column * depth) + (k * width);

    /// <summary>
    /// Panel by panel: each group's depth in blocks of <see cref="PanelDepth"/> terms; or, for a W from L3 not kept packed
    /// at 512 bits, with the rows in the lanes and W read in place (<see cref="TakesRowsInLanes{TP, TV}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ByTransposed<TP, TV>(ref float a, ref float bT, ref float c, ref float bias, int rows, int depth, int firstGroup, int endGroup, ref float packed, bool repack)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
    {
        bool keeps = !Unsafe.IsNullRef(ref packed);
        if (TakesRowsInLanes<TP, TV>(depth, keeps, allColumns: firstGroup == 0 && endGroup == ColumnGroups<TP>()))
        {
            RowsInLanes<TP, TV>(ref a, ref bT, ref c, ref bias, rows, depth, firstGroup * PanelColumns, Math.Min(endGroup * PanelColumns, TP.Columns));
            return;
        }

        ref float threadPanel = ref keeps ? ref Unsafe.NullRef<float>() : ref MemoryMarshal.GetReference((t_panel ??= new AlignedFloats(PanelColumns * PanelDepth)).Span);
        int step = PanelStep(depth);
        bool byColumnTiles = PacksByColumnTiles(TP.Columns, depth);
        for (int group = firstGroup; group < endGroup; group++)
        {
            int g = group * PanelColumns;
            int width = Math.Min(PanelColumns, TP.Columns - g);
            for (int k = 0; k < depth; k += step)
            {
                int terms = Math.Min(step, depth - k);

                // a kept panel has its own place in packed (see the remarks); the thread's panel is reused for every one
                ref float panel = ref keeps ? ref At(ref packed, KeptPanel(g, k, width, depth)) : ref threadPanel;
                if (!keeps || repack)
                {
                    Pack(ref bT, depth, g, width, k, terms, ref panel, byColumnTiles);
                }

                var part = new Part(0, rows, terms, width, g);
                ref float ak = ref At(ref a, k * TP.DepthStride);
                bool first = k == 0, last = k + terms == depth;
                if (first && last)
                {
                    AllColumns<TP, TV, WholeDepth>(ref ak, ref panel, ref c, ref bias, part, g, g + width);
                }
                else if (first)
                {
                    AllColumns<TP, TV, FirstDepth>(ref ak, ref panel, ref c, ref bias, part, g, g + width);
                }
                else if (last)
                {
                    AllColumns<TP, TV, LastDepth>(ref ak, ref panel, ref c, ref bias, part, g, g + width);
                }
                else
                {
                    AllColumns<TP, TV, MiddleDepth>(ref ak, ref panel, ref c, ref bias, part, g, g + width);
                }
            }
        }
    }

    /// <summary>
    /// The terms of each panel for a depth of <paramref name="depth"/>: the depth cut into as few panels as
    /// <see cref="PanelDepth"/> allows, of nearly equal depth (a multiple of 8, for <see cref="Pack"/>'s tiles), so that no
    /// panel is a sliver whose accumulators are loaded and stored for a few terms (784 inputs: 4 × 200, the last 184, rather
    /// than 3 × 256 + 16).
    /// </summary>
    private static int PanelStep(int depth)
    {
        int panels = (depth + PanelDepth - 1) / PanelDepth;
        int terms = (depth + panels - 1) / panels;
        return Math.Min(PanelDepth, (terms + 7) / 8 * 8);
    }

    /// <summary>
    /// A b (a layer's W) of more floats than this, 512 KB, is not expected in L2 when it is packed (wide's 4 MB layers
    /// come from L3), so <see cref="Pack"/> reads it a column tile at a time.
    /// </summary>
    private const long FarWeightFloats = 128 * 1024;

    /// <summary>Whether a bT of <paramref name="columns"/> rows of <paramref name="depth"/> is packed by column tiles (<see cref="FarWeightFloats"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool PacksByColumnTiles(int columns, int depth) => (long)columns * depth > FarWeightFloats;

    /// <summary>
    /// <c>panel[j·width + m] = bT[(column + m)·depth + from + j]</c> for m below <paramref name="width"/> and j below
    /// <paramref name="terms"/>: a block of bT transposed, 8 × 8 floats at a time in AVX registers where it can. The tiles
    /// go across the panel's width first, or, <paramref name="byColumnTiles"/>, down its depth first (the same floats to
    /// the same places either way).
    /// </summary>
    /// <remarks>
    /// Across the width, the 8 terms of every column of the panel (32 rows of bT, 4 KB apart for 1,024 inputs) are read
    /// together: fastest when bT is in L2 (mlp's first W: 10.6 µs against 12.2 µs down the depth). From L3 those 32
    /// streams are more than the prefetchers follow, and 8 rows of bT read to the end of the panel's depth, then the next
    /// 8, pack a 4 MB W in about a quarter of the time (125–148 µs against 489–515 µs, Zen 4, 1 thread).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack(ref float bT, int depth, int column, int width, int from, int terms, ref float panel, bool byColumnTiles)
    {
        int m = 0;
        if (Avx.IsSupported)
        {
            // each 8 × 8 tile reads 32 bytes of 8 rows of bT and writes 32 bytes of 8 panel rows
            int tiledTerms = terms / 8 * 8, tiledWidth = width / 8 * 8;
            if (byColumnTiles)
            {
                for (int q = 0; q < tiledWidth; q += 8)
                {
                    for (int j = 0; j < tiledTerms; j += 8)
                    {
                        Transpose8x8(ref At(ref bT, (column + q) * depth + from + j), depth, ref At(ref panel, j * width + q), width);
                    }
                }
            }
            else
            {
                for (int j = 0; j < tiledTerms; j += 8)
                {
                    for (int q = 0; q < tiledWidth; q += 8)
                    {
                        Transpose8x8(ref At(ref bT, (column + q) * depth + from + j), depth, ref At(ref panel, j * width + q), width);
                    }
                }
            }

            for (int j = tiledTerms; j < terms; j++)
            {
                for (int q = 0; q < tiledWidth; q++)
                {
                    At(ref panel, j * width + q) = At(ref bT, (column + q) * depth + from + j);
                }
            }

            m = tiledWidth;
        }

        for (; m < width; m++)
        {
            ref float source = ref At(ref bT, (column + m) * depth + from);
            for (int j = 0; j < terms; j++)
            {
                At(ref panel, j * width + m) = At(ref source, j);
            }
        }
    }

    /// <summary>
    /// An 8 × 8 block, rows <paramref name="sourceStride"/> apart, written transposed with rows <paramref name="targetStride"/>
    /// apart. Packing is bound by the shuffle port (one per cycle): rows 4-7 come into the high lanes as they load
    /// (an insert from memory, on the other ports), and half of each 4 × 4 lane transpose's last stage is blends, also on
    /// the other ports, so 64 floats take 12 shuffles where a transpose of whole rows takes 24.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float source, int sourceStride, ref float target, int targetStride)
    {
        // a{k}, k < 4: columns 0-3 of row k (low lane) and of row k + 4 (high lane); a{k + 4}: columns 4-7 of the same rows
        ref float low = ref source, high = ref At(ref source, 4 * sourceStride);
        Vector256<float> a0 = Vector256.Create(Vector128.LoadUnsafe(ref low), Vector128.LoadUnsafe(ref high));
        Vector256<float> a1 = Vector256.Create(Vector128.LoadUnsafe(ref At(ref low, sourceStride)), Vector128.LoadUnsafe(ref At(ref high, sourceStride)));
        Vector256<float> a2 = Vector256.Create(Vector128.LoadUnsafe(ref At(ref low, 2 * sourceStride)), Vector128.LoadUnsafe(ref At(ref high, 2 * sourceStride)));
        Vector256<float> a3 = Vector256.Create(Vector128.LoadUnsafe(ref At(ref low, 3 * sourceStride)), Vector128.LoadUnsafe(ref At(ref high, 3 * sourceStride)));
        Vector256<float> a4 = Vector256.Create(Vector128.LoadUnsafe(ref At(ref low, 4)), Vector128.LoadUnsafe(ref At(ref high, 4)));
        Vector256<float> a5 = Vector256.Create(Vector128.LoadUnsafe(ref At(ref low, sourceStride + 4)), Vector128.LoadUnsafe(ref At(ref high, sourceStride + 4)));
        Vector256<float> a6 = Vector256.Create(Vector128.LoadUnsafe(ref At(ref low, 2 * sourceStride + 4)), Vector128.LoadUnsafe(ref At(ref high, 2 * sourceStride + 4)));
        Vector256<float> a7 = Vector256.Create(Vector128.LoadUnsafe(ref At(ref low, 3 * sourceStride + 4)), Vector128.LoadUnsafe(ref At(ref high, 3 * sourceStride + 4)));
        TransposeLanes4x4(a0, a1, a2, a3, ref target, targetStride);
        TransposeLanes4x4(a4, a5, a6, a7, ref At(ref target, 4 * targetStride), targetStride);
    }

    /// <summary>
    /// Each 128-bit lane of <paramref name="r0"/> .. <paramref name="r3"/> transposed as a 4 × 4 block, the four results
    /// stored as rows <paramref name="targetStride"/> apart: row m holds element m of r0 .. r3, lane by lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeLanes4x4(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3, ref float target, int targetStride)
    {
        // u0 = (r0[0], r1[0], r0[1], r1[1]), u1 = (r0[2], r1[2], r0[3], r1[3]), u2 and u3 the same of r2 and r3
        Vector256<float> u0 = Avx.UnpackLow(r0, r1), u1 = Avx.UnpackHigh(r0, r1), u2 = Avx.UnpackLow(r2, r3), u3 = Avx.UnpackHigh(r2, r3);

        // v0 = (u0[2], u0[3], u2[0], u2[1]): the pairs each output row needs from the other input, then blends take them
        Vector256<float> v0 = Avx.Shuffle(u0, u2, 0x4E), v1 = Avx.Shuffle(u1, u3, 0x4E);
        Avx.Blend(u0, v0, 0xCC).StoreUnsafe(ref target);                          // r0[0], r1[0], r2[0], r3[0]
        Avx.Blend(v0, u2, 0xCC).StoreUnsafe(ref At(ref target, targetStride));     // r0[1], r1[1], r2[1], r3[1]
        Avx.Blend(u1, v1, 0xCC).StoreUnsafe(ref At(ref target, 2 * targetStride)); // r0[2], r1[2], r2[2], r3[2]
        Avx.Blend(v1, u3, 0xCC).StoreUnsafe(ref At(ref target, 3 * targetStride)); // r0[3], r1[3], r2[3], r3[3]
    }
}
