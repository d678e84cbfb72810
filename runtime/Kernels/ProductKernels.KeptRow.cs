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
                Pack(ref bT, depth, g, width, k, Math.Min(step, depth - k), ref At(ref packed, KeptPanel(g, k, width, depth)), byColumnTiles);
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
    /// eight loads: the row is bound by the loads of b from L2, not by the latency. The full panels left over (fewer than a
    /// block) and a last panel narrower than <see cref="PanelColumns"/> run in one more pass, every column at the lane
    /// width the product's blocks give it (the narrow panel's last <c>Columns % 4</c> columns as single floats whose
    /// multiply and add round apart), so that the narrow panel's few chains run beside the others' rather than alone.
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

    /// <summary>Blocks of eight accumulator vectors over the full panels, then the full panels left with the narrower last one.</summary>
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
            ref float block = ref At(ref packed, KeptPanel(group * PanelColumns, 0, PanelColumns, depth));
            PanelVectors<TP, TV, R8, WithoutNarrow>(ref a, ref block, ref block, ref c, ref bias, group * PanelColumns, depth);
        }

        // the full panels left, fewer than a block (2, 4 or 6 vectors at 512 bits, 4 at 256), with the narrower last panel
        // when there is one: in one pass, so its few chains run beside the others' rather than alone
        int left = (fullGroups - group) * perPanel;
        bool narrowPanel = TP.Columns % PanelColumns != 0;
        if (left == 0 && !narrowPanel)
        {
            return;
        }

        int column = group * PanelColumns;
        ref float rest = ref At(ref packed, KeptPanel(column, 0, PanelColumns, depth));
        ref float narrow = ref narrowPanel ? ref At(ref packed, KeptPanel(fullGroups * PanelColumns, 0, TP.Columns % PanelColumns, depth)) : ref rest;
        switch (left)
        {
            case 0: PanelVectors<TP, TV, R0, WithNarrow>(ref a, ref rest, ref narrow, ref c, ref bias, column, depth); break;
            case 2: PanelVectors<TP, TV, R2, WithNarrow>(ref a, ref rest, ref narrow, ref c, ref bias, column, depth); break;
            case 4: PanelVectors<TP, TV, R4, WithNarrow>(ref a, ref rest, ref narrow, ref c, ref bias, column, depth); break;
            case 6: PanelVectors<TP, TV, R6, WithNarrow>(ref a, ref rest, ref narrow, ref c, ref bias, column, depth); break;
        }
    }

    /// <summary>No full-panel vectors: a block of <see cref="PanelVectors{TP, TV, TR, TN}"/> with only the narrow panel.</summary>
    private readonly struct R0 : IRowCount
    {
        public static int Count
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 0;
        }
    }

    /// <summary>Whether a block of <see cref="PanelVectors{TP, TV, TR, TN}"/> takes the last panel, narrower than <see cref="PanelColumns"/>, too.</summary>
    private interface INarrowPanel
    {
        static abstract bool Included { get; }
    }

    private readonly struct WithNarrow : INarrowPanel
    {
        public static bool Included
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => true;
        }
    }

    private readonly struct WithoutNarrow : INarrowPanel
    {
        public static bool Included
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => false;
        }
    }

    /// <summary>
    /// <c>c[column .. column + TR.Count·lanes - 1]</c> of one row from the full panels at <paramref name="panels"/>
    /// (consecutive groups of <see cref="PanelColumns"/> columns, each <c>PanelColumns · depth</c> floats, term j's columns at
    /// <c>j · PanelColumns</c>): accumulator v (of <typeparamref name="TR"/>'s count, 0 to 8) holds the columns
    /// <c>v · lanes ..</c>, started as the product starts them, a multiply-add per term in order. With
    /// <typeparamref name="TN"/>, in the same loop, every column of the last panel when it is narrower than <see cref="PanelColumns"/>
    /// (at <paramref name="narrow"/>, term j's columns at <c>j · width</c>), each at the lane width the product's blocks give
    /// it: whole vectors of <typeparamref name="TV"/>, then one of 256 bits, one of 128, then up to three single floats
    /// whose multiply and add round apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelVectors<TP, TV, TR, TN>(ref float a, ref float panels, ref float narrow, ref float c, ref float bias, int column, int depth)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TR : struct, IRowCount
        where TN : struct, INarrowPanel
    {
        // the narrow panel cut as AllColumns cuts it: v1 vectors of TV, v2 of V256, v3 of V128, then singles floats
        int n = TV.Count, count = TR.Count, width = TN.Included ? TP.Columns % PanelColumns : 0;
        int v1 = width / n, v2 = n > V256.Count ? (width - (v1 * n)) / V256.Count : 0;
        int v3 = n > V128.Count ? (width - (v1 * n) - (v2 * V256.Count)) / V128.Count : 0;
        int at256 = v1 * n, at128 = at256 + (v2 * V256.Count), atSingles = at128 + (v3 * V128.Count), singles = width - atSingles;

        // a vector the block does not have points at the first, and without a narrow panel its outputs at the row's first
        // (a reference past the panels or the row could point outside the array)
        ref float b0 = ref panels;
        ref float b1 = ref count > 0 ? ref VectorOfPanels<TV>(ref panels, 1, depth) : ref panels;
        ref float b2 = ref count > 2 ? ref VectorOfPanels<TV>(ref panels, 2, depth) : ref panels;
        ref float b3 = ref count > 2 ? ref VectorOfPanels<TV>(ref panels, 3, depth) : ref panels;
        ref float b4 = ref count > 4 ? ref VectorOfPanels<TV>(ref panels, 4, depth) : ref panels;
        ref float b5 = ref count > 4 ? ref VectorOfPanels<TV>(ref panels, 5, depth) : ref panels;
        ref float b6 = ref count > 6 ? ref VectorOfPanels<TV>(ref panels, 6, depth) : ref panels;
        ref float b7 = ref count > 6 ? ref VectorOfPanels<TV>(ref panels, 7, depth) : ref panels;
        ref float cc = ref At(ref c, column), cb = ref At(ref bias, column);
        int last = TP.Columns - width;
        ref float cn = ref width > 0 ? ref At(ref c, last) : ref c;
        ref float bn = ref width > 0 ? ref At(ref bias, last) : ref bias;

        TV f0 = TV.Zero, f1 = TV.Zero, f2 = TV.Zero, f3 = TV.Zero, f4 = TV.Zero, f5 = TV.Zero, f6 = TV.Zero, f7 = TV.Zero;
        if (count > 0)
        {
            f0 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 0);
            f1 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, n);
        }

        if (count > 2)
        {
            f2 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 2 * n);
            f3 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 3 * n);
        }

        if (count > 4)
        {
            f4 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 4 * n);
            f5 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 5 * n);
        }

        if (count > 6)
        {
            f6 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 6 * n);
            f7 = StartOfColumns<TP, TV>(ref cc, ref bias, ref cb, 7 * n);
        }

        // up to 7 vectors of TV (at 128 bits), one of 256 bits, one of 128, 3 single floats
        TV t0 = v1 > 0 ? StartOfColumns<TP, TV>(ref cn, ref bias, ref bn, 0) : TV.Zero;
        TV t1 = v1 > 1 ? StartOfColumns<TP, TV>(ref cn, ref bias, ref bn, n) : TV.Zero;
        TV t2 = v1 > 2 ? StartOfColumns<TP, TV>(ref cn, ref bias, ref bn, 2 * n) : TV.Zero;
        TV t3 = v1 > 3 ? StartOfColumns<TP, TV>(ref cn, ref bias, ref bn, 3 * n) : TV.Zero;
        TV t4 = v1 > 4 ? StartOfColumns<TP, TV>(ref cn, ref bias, ref bn, 4 * n) : TV.Zero;
        TV t5 = v1 > 5 ? StartOfColumns<TP, TV>(ref cn, ref bias, ref bn, 5 * n) : TV.Zero;
        TV t6 = v1 > 6 ? StartOfColumns<TP, TV>(ref cn, ref bias, ref bn, 6 * n) : TV.Zero;
        V256 u = v2 > 0 ? StartOfColumns<TP, V256>(ref cn, ref bias, ref bn, at256) : V256.Zero;
        V128 q = v3 > 0 ? StartOfColumns<TP, V128>(ref cn, ref bias, ref bn, at128) : V128.Zero;
        S1 s0 = singles > 0 ? StartOfColumns<TP, S1>(ref cn, ref bias, ref bn, atSingles) : S1.Zero;
        S1 s1 = singles > 1 ? StartOfColumns<TP, S1>(ref cn, ref bias, ref bn, atSingles + 1) : S1.Zero;
        S1 s2 = singles > 2 ? StartOfColumns<TP, S1>(ref cn, ref bias, ref bn, atSingles + 2) : S1.Zero;

        nuint step = PanelColumns, narrowStep = (nuint)width;
        nuint end = (nuint)depth * step;
        ref float aj = ref a;
        for (nuint o = 0, p = 0; o < end; o += step, p += narrowStep, aj = ref Unsafe.Add(ref aj, 1))
        {
            // every column's multiply-add of the product's blocks at its lane width, in its order
            TV x = TV.Create(aj);
            if (count > 0)
            {
                TV.MultiplyAddTo(ref f0, TV.Load(ref b0, o), x); TV.MultiplyAddTo(ref f1, TV.Load(ref b1, o), x);
            }

            if (count > 2)
            {
                TV.MultiplyAddTo(ref f2, TV.Load(ref b2, o), x); TV.MultiplyAddTo(ref f3, TV.Load(ref b3, o), x);
            }

            if (count > 4)
            {
                TV.MultiplyAddTo(ref f4, TV.Load(ref b4, o), x); TV.MultiplyAddTo(ref f5, TV.Load(ref b5, o), x);
            }

            if (count > 6)
            {
                TV.MultiplyAddTo(ref f6, TV.Load(ref b6, o), x); TV.MultiplyAddTo(ref f7, TV.Load(ref b7, o), x);
            }

            ref float row = ref Unsafe.Add(ref narrow, p);
            if (v1 > 0) { TV.MultiplyAddTo(ref t0, TV.Load(ref row, 0), x); }
            if (v1 > 1) { TV.MultiplyAddTo(ref t1, TV.Load(ref row, (nuint)n), x); }
            if (v1 > 2) { TV.MultiplyAddTo(ref t2, TV.Load(ref row, (nuint)(2 * n)), x); }
            if (v1 > 3) { TV.MultiplyAddTo(ref t3, TV.Load(ref row, (nuint)(3 * n)), x); }
            if (v1 > 4) { TV.MultiplyAddTo(ref t4, TV.Load(ref row, (nuint)(4 * n)), x); }
            if (v1 > 5) { TV.MultiplyAddTo(ref t5, TV.Load(ref row, (nuint)(5 * n)), x); }
            if (v1 > 6) { TV.MultiplyAddTo(ref t6, TV.Load(ref row, (nuint)(6 * n)), x); }
            if (v2 > 0) { AddTo(ref u, V256.Load(ref row, (nuint)at256), V256.Create(aj)); }
            if (v3 > 0) { AddTo(ref q, V128.Load(ref row, (nuint)at128), V128.Create(aj)); }
            if (singles > 0) { AddTo(ref s0, S1.Load(ref row, (nuint)atSingles), S1.Create(aj)); }
            if (singles > 1) { AddTo(ref s1, S1.Load(ref row, (nuint)(atSingles + 1)), S1.Create(aj)); }
            if (singles > 2) { AddTo(ref s2, S1.Load(ref row, (nuint)(atSingles + 2)), S1.Create(aj)); }
        }

        if (count > 0)
        {
            FinishColumns<TP, TV>(f0, ref cc, 0); FinishColumns<TP, TV>(f1, ref cc, n);
        }

        if (count > 2)
        {
            FinishColumns<TP, TV>(f2, ref cc, 2 * n); FinishColumns<TP, TV>(f3, ref cc, 3 * n);
        }

        if (count > 4)
        {
            FinishColumns<TP, TV>(f4, ref cc, 4 * n); FinishColumns<TP, TV>(f5, ref cc, 5 * n);
        }

        if (count > 6)
        {
            FinishColumns<TP, TV>(f6, ref cc, 6 * n); FinishColumns<TP, TV>(f7, ref cc, 7 * n);
        }

        if (v1 > 0) { FinishColumns<TP, TV>(t0, ref cn, 0); }
        if (v1 > 1) { FinishColumns<TP, TV>(t1, ref cn, n); }
        if (v1 > 2) { FinishColumns<TP, TV>(t2, ref cn, 2 * n); }
        if (v1 > 3) { FinishColumns<TP, TV>(t3, ref cn, 3 * n); }
        if (v1 > 4) { FinishColumns<TP, TV>(t4, ref cn, 4 * n); }
        if (v1 > 5) { FinishColumns<TP, TV>(t5, ref cn, 5 * n); }
        if (v1 > 6) { FinishColumns<TP, TV>(t6, ref cn, 6 * n); }
        if (v2 > 0) { FinishColumns<TP, V256>(u, ref cn, at256); }
        if (v3 > 0) { FinishColumns<TP, V128>(q, ref cn, at128); }
        if (singles > 0) { FinishColumns<TP, S1>(s0, ref cn, atSingles); }
        if (singles > 1) { FinishColumns<TP, S1>(s1, ref cn, atSingles + 1); }
        if (singles > 2) { FinishColumns<TP, S1>(s2, ref cn, atSingles + 2); }
    }

    /// <summary><c>accumulator = a * b + accumulator</c> at a lane width other than the block's own: the product's multiply-add of that width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo<TL>(ref TL accumulator, TL a, TL b)
        where TL : struct, ILanes<TL>
        => TL.MultiplyAddTo(ref accumulator, a, b);

    /// <summary>Full panels one block of eight accumulator vectors spans: 4 at 512 bits, 2 at 256, 1 at 128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EightVectorGroups<TV>()
        where TV : struct, ILanes<TV>
        => 8 * TV.Count / PanelColumns;

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
