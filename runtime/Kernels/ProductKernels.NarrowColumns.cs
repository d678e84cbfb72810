using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

internal static partial class ProductKernels
{
    /// <summary>
    /// The most terms <see cref="NarrowColumnsByRows{TP, TV, TD}"/> transposes a block of a over: a panel's depth.
    /// </summary>
    private const int MaxNarrowDepth = PanelDepth;

    /// <summary>
    /// Each thread's scratch for <see cref="NarrowColumnsByRows{TP, TV, TD}"/>: a block of a transposed (<see cref="MaxNarrowDepth"/>
    /// terms of 16 rows), then the block's outputs column by column (16 columns of 16 rows); allocated at its first call.
    /// </summary>
    [ThreadStatic]
    private static AlignedFloats? t_narrow;

    /// <summary>
    /// Whether <see cref="NarrowColumnsByRows{TP, TV, TD}"/> takes columns <paramref name="from"/> .. <paramref name="to"/> - 1
    /// of <paramref name="part"/>: the <c>w</c> columns the whole <typeparamref name="TV"/> vectors leave at the end of a
    /// product whose column count is not a multiple of them, when the narrower widths would take them as single floats
    /// (<c>w % 4 ≠ 0</c>: a head of 10 classes leaves 8 + 2 at 512 bits, 2 at 256) or as two vectors (12 = 8 + 4 at 512
    /// bits); one whole narrower vector (4 or 8) is as fast as it is. And a block of rows or more, and an a whose rows or
    /// terms are contiguous.
    /// </summary>
    /// <remarks>
    /// Measured at 64 rows over 64 terms, 1 thread, Zen 5 (µs, across the columns → with the rows in the lanes): at 512 bits
    /// 3 columns 1.88 → 0.63, 10 columns 1.85 → 1.03, 12 columns 1.41 → 1.19, 20 (16 + 4) 1.42 → 1.37, 8 columns 0.68 →
    /// 0.80; at 256 bits 10 columns 1.85 → 1.22, 12 (8 + 4) 1.39 → 1.53. The block of a transposed and the outputs written
    /// back one by one cost about what one narrower vector saves.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TakesNarrowColumnsByRows<TP, TV>(Part part, int from, int to)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        => TV.Count >= 8 && ((TP.Columns % TV.Count) % 4 != 0 || TP.Columns % TV.Count > 8)
            && to == TP.Columns && to - from == TP.Columns % TV.Count
            && part.End - part.Start >= TV.Count
            && (TP.RowStride == 1 || (TP.DepthStride == 1 && part.Depth <= MaxNarrowDepth));

    /// <summary>
    /// The last <c>Columns % lanes</c> columns (<see cref="TakesNarrowColumnsByRows{TP, TV}"/>) for rows
    /// <c>part.Start</c> onward in blocks of <c>lanes</c> rows, with the rows in the lanes: one accumulator per column, each
    /// step of the depth one load of a's column (from a block of a transposed once, unless a's rows are contiguous already)
    /// and one broadcast of b per column. Across the columns (<see cref="Columns{TP, TV, TD}"/> at 256 and 128 bits, then
    /// single floats) each step fed 8, 4 or 1 lanes from a broadcast per row: a head of 10 classes over 64 rows took 1.8 µs
    /// where 16 columns took 0.7. Returns the first row left for the narrower widths (fewer than a block).
    /// </summary>
    /// <remarks>
    /// The bits are those of the narrower widths: each output sums its terms in order from the same start, with fused
    /// multiply-adds in the columns they take in vectors (the first <c>w / 4 · 4</c> of the <c>w</c> here) and a multiply and
    /// an add rounded apart in the last <c>w % 4</c> (<see cref="S1"/>'s), whose activation is the scalar one.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int NarrowColumnsByRows<TP, TV, TD>(ref float a, ref float b, ref float c, ref float bias, Part part, int from)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TD : struct, IDepthPart
    {
        int w = TP.Columns % TV.Count, fused = w / 4 * 4, lanes = TV.Count;
        int cs = TP.Columns, depth = part.Depth;
        bool contiguousRows = TP.RowStride == 1;
        Span<float> scratch = t_narrow ??= new AlignedFloats((MaxNarrowDepth * 16) + (16 * 16));
        ref float aT = ref MemoryMarshal.GetReference(scratch);
        ref float sums = ref At(ref aT, MaxNarrowDepth * 16);
        ref float b0 = ref At(ref b, from - part.BColumn);
        nint bStride = part.BStride; // native width, read once (as in BlockOfPairs)
        int r = part.Start;
        for (; r + lanes <= part.End; r += lanes)
        {
            // a[r + l, j] for the block's rows l as one vector per term j: a's own memory when its rows are contiguous, else
            // the block transposed into aT, term j's rows at j · lanes
            ref float aj = ref contiguousRows ? ref At(ref a, r) : ref aT;
            nint aStride = contiguousRows ? TP.DepthStride : lanes;
            if (!contiguousRows)
            {
                TransposeChunk(ref At(ref a, r * TP.RowStride), TP.RowStride, lanes, lanes, depth, ref aT, lanes);
            }

            // the running sums of a later depth block (or the outputs added into) come out of c column by column
            if (TP.Accumulates || TD.Continues)
            {
                for (int q = 0; q < lanes; q++)
                {
                    for (int n = 0; n < w; n++)
                    {
                        At(ref sums, n * lanes + q) = At(ref c, (r + q) * cs + from + n);
                    }
                }
            }

            TV s0 = NarrowStart<TP, TV, TD>(ref sums, 0, ref bias, r, from);
            TV s1 = w > 1 ? NarrowStart<TP, TV, TD>(ref sums, 1, ref bias, r, from) : TV.Zero;
            TV s2 = w > 2 ? NarrowStart<TP, TV, TD>(ref sums, 2, ref bias, r, from) : TV.Zero;
            TV s3 = w > 3 ? NarrowStart<TP, TV, TD>(ref sums, 3, ref bias, r, from) : TV.Zero;
            TV s4 = w > 4 ? NarrowStart<TP, TV, TD>(ref sums, 4, ref bias, r, from) : TV.Zero;
            TV s5 = w > 5 ? NarrowStart<TP, TV, TD>(ref sums, 5, ref bias, r, from) : TV.Zero;
            TV s6 = w > 6 ? NarrowStart<TP, TV, TD>(ref sums, 6, ref bias, r, from) : TV.Zero;
            TV s7 = w > 7 ? NarrowStart<TP, TV, TD>(ref sums, 7, ref bias, r, from) : TV.Zero;
            TV s8 = w > 8 ? NarrowStart<TP, TV, TD>(ref sums, 8, ref bias, r, from) : TV.Zero;
            TV s9 = w > 9 ? NarrowStart<TP, TV, TD>(ref sums, 9, ref bias, r, from) : TV.Zero;
            TV s10 = w > 10 ? NarrowStart<TP, TV, TD>(ref sums, 10, ref bias, r, from) : TV.Zero;
            TV s11 = w > 11 ? NarrowStart<TP, TV, TD>(ref sums, 11, ref bias, r, from) : TV.Zero;
            TV s12 = w > 12 ? NarrowStart<TP, TV, TD>(ref sums, 12, ref bias, r, from) : TV.Zero;
            TV s13 = w > 13 ? NarrowStart<TP, TV, TD>(ref sums, 13, ref bias, r, from) : TV.Zero;
            TV s14 = w > 14 ? NarrowStart<TP, TV, TD>(ref sums, 14, ref bias, r, from) : TV.Zero;

            // s[n] += a[r .., j] · b[j, from + n], fused where the columns' vectors would fuse it
            ref float bj = ref b0;
            for (int j = 0; j < depth; j++, aj = ref Unsafe.Add(ref aj, aStride), bj = ref Unsafe.Add(ref bj, bStride))
            {
                TV av = TV.Load(ref aj, 0);
                AddTerm(ref s0, av, ref bj, 0 < fused);
                if (w > 1)
                {
                    AddTerm(ref s1, av, ref At(ref bj, 1), 1 < fused);
                }

                if (w > 2)
                {
                    AddTerm(ref s2, av, ref At(ref bj, 2), 2 < fused);
                }

                if (w > 3)
                {
                    AddTerm(ref s3, av, ref At(ref bj, 3), 3 < fused);
                }

                if (w > 4)
                {
                    AddTerm(ref s4, av, ref At(ref bj, 4), 4 < fused);
                }

                if (w > 5)
                {
                    AddTerm(ref s5, av, ref At(ref bj, 5), 5 < fused);
                }

                if (w > 6)
                {
                    AddTerm(ref s6, av, ref At(ref bj, 6), 6 < fused);
                }

                if (w > 7)
                {
                    AddTerm(ref s7, av, ref At(ref bj, 7), 7 < fused);
                }

                if (w > 8)
                {
                    AddTerm(ref s8, av, ref At(ref bj, 8), 8 < fused);
                }

                if (w > 9)
                {
                    AddTerm(ref s9, av, ref At(ref bj, 9), 9 < fused);
                }

                if (w > 10)
                {
                    AddTerm(ref s10, av, ref At(ref bj, 10), 10 < fused);
                }

                if (w > 11)
                {
                    AddTerm(ref s11, av, ref At(ref bj, 11), 11 < fused);
                }

                if (w > 12)
                {
                    AddTerm(ref s12, av, ref At(ref bj, 12), 12 < fused);
                }

                if (w > 13)
                {
                    AddTerm(ref s13, av, ref At(ref bj, 13), 13 < fused);
                }

                if (w > 14)
                {
                    AddTerm(ref s14, av, ref At(ref bj, 14), 14 < fused);
                }
            }

            // column by column into sums (the vector columns activated as vectors), then row by row into c
            NarrowFinish<TP, TV, TD>(s0, ref sums, 0, 0 < fused);
            if (w > 1)
            {
                NarrowFinish<TP, TV, TD>(s1, ref sums, 1, 1 < fused);
            }

            if (w > 2)
            {
                NarrowFinish<TP, TV, TD>(s2, ref sums, 2, 2 < fused);
            }

            if (w > 3)
            {
                NarrowFinish<TP, TV, TD>(s3, ref sums, 3, 3 < fused);
            }

            if (w > 4)
            {
                NarrowFinish<TP, TV, TD>(s4, ref sums, 4, 4 < fused);
            }

            if (w > 5)
            {
                NarrowFinish<TP, TV, TD>(s5, ref sums, 5, 5 < fused);
            }

            if (w > 6)
            {
                NarrowFinish<TP, TV, TD>(s6, ref sums, 6, 6 < fused);
            }

            if (w > 7)
            {
                NarrowFinish<TP, TV, TD>(s7, ref sums, 7, 7 < fused);
            }

            if (w > 8)
            {
                NarrowFinish<TP, TV, TD>(s8, ref sums, 8, 8 < fused);
            }

            if (w > 9)
            {
                NarrowFinish<TP, TV, TD>(s9, ref sums, 9, 9 < fused);
            }

            if (w > 10)
            {
                NarrowFinish<TP, TV, TD>(s10, ref sums, 10, 10 < fused);
            }

            if (w > 11)
            {
                NarrowFinish<TP, TV, TD>(s11, ref sums, 11, 11 < fused);
            }

            if (w > 12)
            {
                NarrowFinish<TP, TV, TD>(s12, ref sums, 12, 12 < fused);
            }

            if (w > 13)
            {
                NarrowFinish<TP, TV, TD>(s13, ref sums, 13, 13 < fused);
            }

            if (w > 14)
            {
                NarrowFinish<TP, TV, TD>(s14, ref sums, 14, 14 < fused);
            }

            for (int q = 0; q < lanes; q++)
            {
                ref float cq = ref At(ref c, (r + q) * cs + from);
                for (int n = 0; n < fused; n++)
                {
                    At(ref cq, n) = At(ref sums, n * lanes + q);
                }

                for (int n = fused; n < w; n++)
                {
                    float z = At(ref sums, n * lanes + q);
                    At(ref cq, n) = TD.Finishes ? FusedActivations.Apply(TP.Activation, TP.Slope, z) : z;
                }
            }
        }

        return r;
    }

    /// <summary>Column <paramref name="n"/>'s start for the block of rows from <paramref name="r"/>, as <see cref="Start{TP, TV, TD}"/> has it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV NarrowStart<TP, TV, TD>(ref float sums, int n, ref float bias, int r, int from)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TD : struct, IDepthPart
        => TP.Accumulates || TD.Continues ? TV.Load(ref sums, (nuint)(n * TV.Count))
            : TP.HasColumnBias ? TV.Create(At(ref bias, from + n))
            : TP.HasBias ? TV.Load(ref bias, (nuint)r)
            : TV.Zero;

    /// <summary>One term of a column's sum: a fused multiply-add, or (<paramref name="fused"/> false) <see cref="S1"/>'s multiply and add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTerm<TV>(ref TV sum, TV a, ref float b, bool fused)
        where TV : struct, ILanes<TV>
    {
        if (fused)
        {
            TV.MultiplyAddTo(ref sum, TV.Create(b), a);
        }
        else
        {
            sum = (TV.Create(b) * a) + sum;
        }
    }

    /// <summary>Column <paramref name="n"/>'s sums into <paramref name="sums"/>: a vector column activated (after the depth's last block), a single one as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NarrowFinish<TP, TV, TD>(TV sum, ref float sums, int n, bool fused)
        where TP : struct, IProductShape
        where TV : struct, ILanes<TV>
        where TD : struct, IDepthPart
        => (fused ? Finish<TP, TV, TD>(sum) : sum).Store(ref sums, (nuint)(n * TV.Count));
}
