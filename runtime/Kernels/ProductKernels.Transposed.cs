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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyByTransposed<TP>(ref float a, ref float bT, ref float c, ref float bias, int rows, int depth, int firstGroup, int endGroup)
        where TP : struct, IProductShape
    {
        if (Simd.Use512)
        {
            ByTransposed<TP, V512>(ref a, ref bT, ref c, ref bias, rows, depth, firstGroup, endGroup);
        }
        else if (Simd.Use256)
        {
            ByTransposed<TP, V256>(ref a, ref bT, ref c, ref bias, rows, depth, firstGroup, endGroup);
        }
        else if (Simd.Use128)
        {
            ByTransposed<TP, V128>(ref a, ref bT, ref c, ref bias, rows, depth, firstGroup, endGroup);
        }
        else
        {
            int to = Math.Min(endGroup * PanelColumns, TP.Columns);
            MultiplyTextbook<TP>(ref a, ref bT, 1, depth, ref c, ref bias, 0, rows, depth, firstGroup * PanelColumns, to);
        }
    }

    /// <summary>Panel by panel: each group's depth in blocks of <see cref="PanelDepth"/> terms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ByTransposed<TP, TV>(ref float a, ref float bT, ref float c, ref float bias, int rows, int depth, int firstGroup, int endGroup)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
    {
        ref float panel = ref MemoryMarshal.GetReference((t_panel ??= new AlignedFloats(PanelColumns * PanelDepth)).Span);
        for (int group = firstGroup; group < endGroup; group++)
        {
            int g = group * PanelColumns;
            int width = Math.Min(PanelColumns, TP.Columns - g);
            int step = PanelStep(depth);
            for (int k = 0; k < depth; k += step)
            {
                int terms = Math.Min(step, depth - k);
                Pack(ref bT, depth, g, width, k, terms, ref panel);
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
    /// panel is a sliver whose accumulators are loaded and stored for a few terms (784 inputs: 3 × 256 + 16 before, now 4 × 200 with the last 184).
    /// </summary>
    private static int PanelStep(int depth)
    {
        int panels = (depth + PanelDepth - 1) / PanelDepth;
        int terms = (depth + panels - 1) / panels;
        return Math.Min(PanelDepth, (terms + 7) / 8 * 8);
    }

    /// <summary>
    /// <c>panel[j·width + m] = bT[(column + m)·depth + from + j]</c> for m below <paramref name="width"/> and j below
    /// <paramref name="terms"/>: a block of bT transposed, 8 × 8 floats at a time in AVX registers where it can.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack(ref float bT, int depth, int column, int width, int from, int terms, ref float panel)
    {
        int m = 0;
        if (Avx.IsSupported)
        {
            // 8 terms at a time, across the panel's width: each 8 × 8 tile writes 32 bytes of 8 panel rows, so the 8 rows
            // fill in order while the rows of bT they read (8 × 32 bytes each) stay in L1 for the next 8 terms
            int tiledTerms = terms / 8 * 8, tiledWidth = width / 8 * 8;
            for (int j = 0; j < tiledTerms; j += 8)
            {
                for (int q = 0; q < tiledWidth; q += 8)
                {
                    Transpose8x8(ref At(ref bT, (column + q) * depth + from + j), depth, ref At(ref panel, j * width + q), width);
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

    /// <summary>An 8 × 8 block, rows <paramref name="sourceStride"/> apart, written transposed with rows <paramref name="targetStride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float source, int sourceStride, ref float target, int targetStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref source), r1 = Vector256.LoadUnsafe(ref At(ref source, sourceStride));
        Vector256<float> r2 = Vector256.LoadUnsafe(ref At(ref source, 2 * sourceStride)), r3 = Vector256.LoadUnsafe(ref At(ref source, 3 * sourceStride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref At(ref source, 4 * sourceStride)), r5 = Vector256.LoadUnsafe(ref At(ref source, 5 * sourceStride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref At(ref source, 6 * sourceStride)), r7 = Vector256.LoadUnsafe(ref At(ref source, 7 * sourceStride));

        // pairs of rows interleaved, then pairs of pairs: u{k} holds element k (low half) and k + 4 (high half) of rows 0-3 or 4-7
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref At(ref target, targetStride));
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref At(ref target, 2 * targetStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref At(ref target, 3 * targetStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref At(ref target, 4 * targetStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref At(ref target, 5 * targetStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref At(ref target, 6 * targetStride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref At(ref target, 7 * targetStride));
    }
}
