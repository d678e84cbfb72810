using System;
using System.Runtime.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

internal static partial class ProductKernels
{
    /// <summary>
    /// Packs all of <paramref name="bT"/> (<c>[Columns, depth]</c>) into <paramref name="packed"/> as
    /// <see cref="MultiplyByTransposed{TP}"/> keeps it (see its remarks), without a product: for a caller that then reads
    /// it one row at a time (<see cref="RowByKept{TP}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackKept<TP>(ref float bT, int depth, ref float packed)
        where TP : struct, IProductShape
    {
        int step = PanelStep(depth);
        bool byColumnTiles = PacksByColumnTiles(TP.Columns, depth);
        for (int g = 0; g < TP.Columns; g += PanelColumns)
        {
            int width = Math.Min(PanelColumns, TP.Columns - g);
            for (int k = 0; k < depth; k += step)
            {
                Pack(ref bT, depth, g, width, k, Math.Min(step, depth - k), ref At(ref packed, (g * depth) + (k * width)), byColumnTiles);
            }
        }
    }

    /// <summary>
    /// One row of <c>c = start + a · b</c> (then the activation) over b kept packed in <paramref name="packed"/> (the layout
    /// of <see cref="MultiplyByTransposed{TP}"/>'s remarks, <c>Columns · depth</c> floats, packed already): every output is
    /// the sum <see cref="MultiplyByTransposed{TP}"/> takes, in its order and with its roundings, so a row alone gets the
    /// bits it gets in a batch. <paramref name="a"/> is the row (<paramref name="depth"/> floats), <paramref name="c"/> its
    /// <c>Columns</c> outputs.
    /// </summary>
    /// <remarks>
    /// The product's own blocks on one row keep two accumulators, each a chain of dependent multiply-adds, and so wait on
    /// the multiply-add's latency at every term. Here eight vectors of accumulators run side by side, the full panels of
    /// 128 columns at 512 bits (64 at 256, 32 at 128) read as one stream each, every term a broadcast of <c>a[j]</c> and
    /// eight loads: the row is bound by the loads of b from L2, not by the latency. The columns left over (fewer than that,
    /// and a last panel narrower than <see cref="PanelColumns"/>, whose last columns the product rounds apart) go through
    /// the product's blocks as they are.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowByKept<TP>(ref float a, ref float bT, ref float packed, ref float c, ref float bias, int depth)
        where TP : struct, IProductShape
    {
        if (Simd.Use512)
        {
            RowByKept<TP, V512>(ref a, ref bT, ref packed, ref c, ref bias, depth);
        }
        else if (Simd.Use256)
        {
            RowByKept<TP, V256>(ref a, ref bT, ref packed, ref c, ref bias, depth);
        }
        else if (Simd.Use128)
        {
            RowByKept<TP, V128>(ref a, ref bT, ref packed, ref c, ref bias, depth);
        }
        else
        {
            MultiplyTextbook<TP>(ref a, ref bT, 1, depth, ref c, ref bias, 0, 1, depth, 0, TP.Columns);
        }
    }

    /// <summary>Blocks of eight accumulator vectors over the full panels, then one of fewer, then the product's blocks for a narrower last panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowByKept<TP, TV>(ref float a, ref float bT, ref float packed, ref float c, ref float bias, int depth)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
    {
        int groupsPerBlock = EightVectorGroups<TV>(), perPanel = PanelColumns / TV.Count;
        int fullGroups = TP.Columns / PanelColumns;
        int group = 0;
        for (; group + groupsPerBlock <= fullGroups; group += groupsPerBlock)
        {
            Vectors<TP, TV, R8>(ref a, ref At(ref packed, group * PanelColumns * depth), ref c, ref bias, group * PanelColumns, depth);
        }

        // the full panels left, fewer than a block: 2, 4 or 6 vectors at 512 bits, 4 at 256
        switch ((fullGroups - group) * perPanel)
        {
            case 2: Vectors<TP, TV, R2>(ref a, ref At(ref packed, group * PanelColumns * depth), ref c, ref bias, group * PanelColumns, depth); break;
            case 4: Vectors<TP, TV, R4>(ref a, ref At(ref packed, group * PanelColumns * depth), ref c, ref bias, group * PanelColumns, depth); break;
            case 6: Vectors<TP, TV, R6>(ref a, ref At(ref packed, group * PanelColumns * depth), ref c, ref bias, group * PanelColumns, depth); break;
        }

        group = fullGroups;
        if (group < ColumnGroups<TP>())
        {
            ByTransposed<TP, TV>(ref a, ref bT, ref c, ref bias, 1, depth, group, ColumnGroups<TP>(), ref packed, repack: false);
        }
    }

    /// <summary>Full panels one block of eight accumulator vectors spans: 4 at 512 bits, 2 at 256, 1 at 128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EightVectorGroups<TV>()
        where TV : struct, ILanes<TV>
        => 8 * TV.Count / PanelColumns;

    /// <summary>
    /// <c>c[column .. column + TR.Count·lanes - 1]</c> of one row from the full panels at <paramref name="panels"/>
    /// (consecutive groups of <see cref="PanelColumns"/> columns, each <c>PanelColumns · depth</c> floats, term j's columns at
    /// <c>j · PanelColumns</c>): accumulator v (of <typeparamref name="TR"/>'s count, at most 8) holds the columns
    /// <c>v · lanes ..</c>, started as the product starts them, a multiply-add per term in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vectors<TP, TV, TR>(ref float a, ref float panels, ref float c, ref float bias, int column, int depth)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
    {
        int n = TV.Count, count = TR.Count;
        // a vector the block does not have points at the first (a reference past the panels could point outside the array)
        ref float b0 = ref panels, b1 = ref VectorOfPanels<TV>(ref panels, 1, depth);
        ref float b2 = ref count > 2 ? ref VectorOfPanels<TV>(ref panels, 2, depth) : ref panels;
        ref float b3 = ref count > 2 ? ref VectorOfPanels<TV>(ref panels, 3, depth) : ref panels;
        ref float b4 = ref count > 4 ? ref VectorOfPanels<TV>(ref panels, 4, depth) : ref panels;
        ref float b5 = ref count > 4 ? ref VectorOfPanels<TV>(ref panels, 5, depth) : ref panels;
        ref float b6 = ref count > 6 ? ref VectorOfPanels<TV>(ref panels, 6, depth) : ref panels;
        ref float b7 = ref count > 6 ? ref VectorOfPanels<TV>(ref panels, 7, depth) : ref panels;
        ref float cc = ref At(ref c, column), cb = ref At(ref bias, column);
        TV s0 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 0), s1 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, n);
        TV s2 = TV.Zero, s3 = TV.Zero, s4 = TV.Zero, s5 = TV.Zero, s6 = TV.Zero, s7 = TV.Zero;
        if (count > 2)
        {
            s2 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 2 * n);
            s3 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 3 * n);
        }

        if (count > 4)
        {
            s4 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 4 * n);
            s5 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 5 * n);
        }

        if (count > 6)
        {
            s6 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 6 * n);
            s7 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 7 * n);
        }

        nuint step = PanelColumns;
        nuint end = (nuint)depth * step;
        ref float aj = ref a;
        for (nuint o = 0; o < end; o += step, aj = ref Unsafe.Add(ref aj, 1))
        {
            // s[v] += a[j] · b[j, v·lanes ..]: the multiply-add of the product's block, in its order
            TV x = TV.Create(aj);
            TV.MultiplyAddTo(ref s0, TV.Load(ref b0, o), x); TV.MultiplyAddTo(ref s1, TV.Load(ref b1, o), x);
            if (count > 2)
            {
                TV.MultiplyAddTo(ref s2, TV.Load(ref b2, o), x); TV.MultiplyAddTo(ref s3, TV.Load(ref b3, o), x);
            }

            if (count > 4)
            {
                TV.MultiplyAddTo(ref s4, TV.Load(ref b4, o), x); TV.MultiplyAddTo(ref s5, TV.Load(ref b5, o), x);
            }

            if (count > 6)
            {
                TV.MultiplyAddTo(ref s6, TV.Load(ref b6, o), x); TV.MultiplyAddTo(ref s7, TV.Load(ref b7, o), x);
            }
        }

        FinishColumns<TP, TV>(s0, ref cc, 0); FinishColumns<TP, TV>(s1, ref cc, n);
        if (count > 2)
        {
            FinishColumns<TP, TV>(s2, ref cc, 2 * n); FinishColumns<TP, TV>(s3, ref cc, 3 * n);
        }

        if (count > 4)
        {
            FinishColumns<TP, TV>(s4, ref cc, 4 * n); FinishColumns<TP, TV>(s5, ref cc, 5 * n);
        }

        if (count > 6)
        {
            FinishColumns<TP, TV>(s6, ref cc, 6 * n); FinishColumns<TP, TV>(s7, ref cc, 7 * n);
        }
    }

    /// <summary>Where term 0 of vector <paramref name="v"/> of a block of eight lies: panel <c>v / perPanel</c>, its columns <c>(v % perPanel) · lanes ..</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref float VectorOfPanels<TV>(ref float panels, int v, int depth)
        where TV : struct, ILanes<TV>
    {
        int perPanel = PanelColumns / TV.Count;
        return ref Unsafe.Add(ref panels, ((nint)(v / perPanel) * PanelColumns * depth) + (v % perPanel * TV.Count));
    }

    /// <summary>
    /// The start of the row's columns from <paramref name="columns"/> + <paramref name="offset"/>, as the product's first block
    /// takes it (the running output, the column's bias, the row's bias, or zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV StartOfColumns<TP, TV>(ref float columns, ref float rowBias, ref float columnBias, int offset)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        => Start<TP, TV, WholeDepth>(ref At(ref columns, offset), ref rowBias, ref At(ref columnBias, offset));

    /// <summary>The activated sums stored, as the product's last block stores them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishColumns<TP, TV>(TV sums, ref float c, int offset)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        => Finish<TP, TV, WholeDepth>(sums).Store(ref c, (nuint)offset);
}
