using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

public static partial class DenseKernels
{
    /// <summary>
    /// Backward from <c>dz = dL/d(W x + b)</c> (<c>[rows, Units]</c>): <c>dW += dzᵀ x</c>, <c>db += Σ_r dz[r]</c> (when the
    /// layer has a bias) and, when <paramref name="dx"/> is not empty, <c>dx = dz W</c>. With <paramref name="threads"/> &gt; 1
    /// a large enough batch is split across threads: units for <c>dW</c>, rows for <c>dx</c>, at multiples of the product's
    /// row block (the same bits as one thread); with dx, both in one hand-off.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<TLayer>(
        ReadOnlySpan<float> weight, Span<float> weightGradient, Span<float> biasGradient,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dx, int rows, int threads)
        where TLayer : struct, IDenseLayer
        => Backward<TLayer>(weight, weightGradient, biasGradient, x, dz, dx, rows, threads, overwrite: false);

    /// <summary>
    /// <see cref="Backward{TLayer}(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/>,
    /// and with <paramref name="overwrite"/> <c>dW = dzᵀ x</c> and <c>db = Σ_r dz[r]</c>, written rather than added, so
    /// the gradients need no clearing before (a trainer's step). The bits are those of adding into zeros: each sum starts
    /// from +0 either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TLayer>(
        ReadOnlySpan<float> weight, Span<float> weightGradient, Span<float> biasGradient,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dx, int rows, int threads, bool overwrite)
        where TLayer : struct, IDenseLayer
    {
        bool split = threads > 1 && rows >= MinRowsForThreads<TLayer>();
        if (split && !dx.IsEmpty)
        {
            // One hand-off for both products: the row blocks of units of dW, then the row blocks of dx, split as one range;
            // each item one whole block of the widest width (12 rows at 512 bits: 6-row items had mlp's second layer
            // run in half blocks on two threads)
            int block = ProductKernels.WidestPairRows;
            int unitBlocks = (TLayer.Units + block - 1) / block;
            int rowBlocks = (rows + block - 1) / block;
            unsafe
            {
                fixed (float* pinned = dx)
                {
                    KernelThreads.For(threads, unitBlocks + rowBlocks, 1, new KernelSpans(x, dz, weight, weightGradient, biasGradient), new BackwardState(pinned, dx.Length, unitBlocks, rows, overwrite),
                        static (in KernelSpans s, in BackwardState st, int start, int end) => BackwardBlocks<TLayer>(s, st, start, end));
                }
            }

            return;
        }

        // dW += dzᵀ x, db += Σ_r dz[r]: each unit summed over the batch by one thread
        if (split)
        {
            KernelThreads.For(threads, TLayer.Units, ProductKernels.WidestPairRows, new KernelSpans(x, dz, default, weightGradient, biasGradient), overwrite,
                static (in KernelSpans s, in bool overwrite, int start, int end) => WeightGradient<TLayer>(s.In0, s.In1, s.Out0, s.Out1, start, end, overwrite));
        }
        else
        {
            WeightGradient<TLayer>(x, dz, weightGradient, biasGradient, 0, TLayer.Units, overwrite);
        }

        if (dx.IsEmpty)
        {
            return;
        }

        // dx = dz W
        if (split)
        {
            KernelThreads.For(threads, rows, ProductKernels.RowBlock, new KernelSpans(weight, dz, default, dx, default),
                static (in KernelSpans s, int start, int end) => InputGradient<TLayer>(s.In0, s.In1, s.Out0, start, end));
        }
        else
        {
            InputGradient<TLayer>(weight, dz, dx, 0, rows);
        }
    }

    /// <summary>The call's dx (pinned by the caller for the call) and how its blocks are numbered after dW's.</summary>
    private readonly unsafe struct BackwardState
    {
        public BackwardState(float* dx, int length, int unitBlocks, int rows, bool overwrite)
        {
            Dx = dx;
            Length = length;
            UnitBlocks = unitBlocks;
            Rows = rows;
            Overwrite = overwrite;
        }

        public float* Dx { get; }

        public int Length { get; }

        public int UnitBlocks { get; }

        public int Rows { get; }

        /// <summary>Whether dW and db are written rather than added into.</summary>
        public bool Overwrite { get; }
    }

    /// <summary>Blocks <paramref name="start"/> .. <paramref name="end"/> - 1 of one backward: units of dW first, then rows of dx.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackwardBlocks<TLayer>(in KernelSpans s, in BackwardState st, int start, int end)
        where TLayer : struct, IDenseLayer
    {
        int block = ProductKernels.WidestPairRows;
        for (int item = start; item < end; item++)
        {
            if (item < st.UnitBlocks)
            {
                WeightGradient<TLayer>(s.In0, s.In1, s.Out0, s.Out1, item * block, Math.Min(TLayer.Units, (item + 1) * block), st.Overwrite);
            }
            else
            {
                int r = (item - st.UnitBlocks) * block;
                InputGradient<TLayer>(s.In2, s.In1, new Span<float>(st.Dx, st.Length), r, Math.Min(st.Rows, r + block));
            }
        }
    }

    /// <summary>
    /// Units <paramref name="start"/> .. <paramref name="end"/> - 1 of <c>db += Σ_r dz[r]</c> and <c>dW += dzᵀ x</c>, over every
    /// row: the product's a is dz read down its columns, its b the batch x. With <paramref name="overwrite"/> both sums start
    /// from zero rather than from what the gradients hold.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradient<TLayer>(ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> weightGradient, Span<float> biasGradient, int start, int end, bool overwrite)
        where TLayer : struct, IDenseLayer
    {
        int units = TLayer.Units;
        int rows = dz.Length / units;

        // A deep product (a recurrent layer's B·T rows) runs a block of rows at a time over every unit, so that block of x
        // and of dz stays in cache while each unit's accumulators pass over it rather than streaming all of both per row
        // block of units. Each accumulator still adds its terms in row order, stored and reloaded between blocks: the
        // same bits as one pass.
        ref float dz0 = ref MemoryMarshal.GetReference(dz);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float dw = ref MemoryMarshal.GetReference(weightGradient);
        int block = WeightGradientRows<TLayer>();
        for (int r = 0; r < rows; r += block)
        {
            int blockRows = Math.Min(block, rows - r);
            if (TLayer.HasBias)
            {
                // db[o] += Σ_r dz[r, o] over the block's rows, from +0 on the first block when overwriting (cleared rather
                // than copied from the first row, so a unit whose every dz is -0 gets the +0 that adding into a cleared
                // gradient gives). The sums run on in db from block to block, the bits of one pass over every row, and
                // the block's dz comes into cache for the product below rather than in a pass of its own over all of
                // dz (an lstm's 2 MB of gate gradients: 5.5 % of its training step)
                BiasGradient(ref Unsafe.Add(ref dz0, r * units), units, blockRows, ref MemoryMarshal.GetReference(biasGradient), start, end, overwrite && r == 0);
            }

            if (overwrite && r == 0)
            {
                // the first pass stores its sums, which start from +0 in the registers as they would from a cleared dW
                ProductKernels.MultiplyRows<WeightGradientFirstShape<TLayer>>(
                    ref dz0, ref x0, ref dw, ref Unsafe.NullRef<float>(), start, end, blockRows);
                continue;
            }

            ProductKernels.MultiplyRows<WeightGradientShape<TLayer>>(
                ref Unsafe.Add(ref dz0, r * units), ref Unsafe.Add(ref x0, r * TLayer.Inputs), ref dw,
                ref Unsafe.NullRef<float>(), start, end, blockRows);
        }
    }

    /// <summary>
    /// <c>db[o] += Σ_r dz[r, o]</c> over <paramref name="rows"/> rows for units <paramref name="start"/> .. <paramref name="end"/> - 1,
    /// from +0 with <paramref name="overwrite"/>: each unit's sum in a register across the rows, added in row order (the bits of
    /// adding row after row into db), four vectors of units at a time, then the widest vectors, then floats. A call per row for a unit block's few floats (mlp's 128 → 64
    /// layer: 64 calls of 12 floats per block) cost more than the sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BiasGradient(ref float dz, int units, int rows, ref float db, int start, int end, bool overwrite)
    {
        int o = start;
        if (Simd.Use512)
        {
            o = BiasGradient<V512>(ref dz, units, rows, ref db, o, end, overwrite);
        }

        if (Simd.Use256)
        {
            o = BiasGradient<V256>(ref dz, units, rows, ref db, o, end, overwrite);
        }

        if (Simd.Use128)
        {
            o = BiasGradient<V128>(ref dz, units, rows, ref db, o, end, overwrite);
        }

        BiasGradient<V1>(ref dz, units, rows, ref db, o, end, overwrite);
    }

    /// <summary>Units <paramref name="start"/> onward of <see cref="BiasGradient"/> in whole vectors of <typeparamref name="TV"/>; returns the first unit left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BiasGradient<TV>(ref float dz, int units, int rows, ref float db, int start, int end, bool overwrite)
        where TV : struct, ILanes<TV>
    {
        int o = start;

        // four vectors of units at a time: four chains of additions, where one waited on each addition's latency
        for (; o + (4 * TV.Count) <= end; o += 4 * TV.Count)
        {
            nuint n = (nuint)TV.Count;
            TV s0 = overwrite ? TV.Zero : TV.Load(ref db, (nuint)o), s1 = overwrite ? TV.Zero : TV.Load(ref db, (nuint)o + n);
            TV s2 = overwrite ? TV.Zero : TV.Load(ref db, (nuint)o + (2 * n)), s3 = overwrite ? TV.Zero : TV.Load(ref db, (nuint)o + (3 * n));
            ref float dzo = ref Unsafe.Add(ref dz, o);
            for (int r = 0; r < rows; r++, dzo = ref Unsafe.Add(ref dzo, units))
            {
                s0 += TV.Load(ref dzo, 0);
                s1 += TV.Load(ref dzo, n);
                s2 += TV.Load(ref dzo, 2 * n);
                s3 += TV.Load(ref dzo, 3 * n);
            }

            s0.Store(ref db, (nuint)o);
            s1.Store(ref db, (nuint)o + n);
            s2.Store(ref db, (nuint)o + (2 * n));
            s3.Store(ref db, (nuint)o + (3 * n));
        }

        for (; o + TV.Count <= end; o += TV.Count)
        {
            TV sum = overwrite ? TV.Zero : TV.Load(ref db, (nuint)o);
            for (int r = 0; r < rows; r++)
            {
                sum += TV.Load(ref dz, (nuint)(r * units + o));
            }

            sum.Store(ref db, (nuint)o);
        }

        return o;
    }

    /// <summary>
    /// The rows of x and dz one pass of <see cref="WeightGradient{TLayer}"/>'s product covers: at most 32 KB of x and 128 KB
    /// of dz, and at least 64 (a dense layer's usual batch runs in one pass). Every block of units reads all of the pass's
    /// dz rows (a few floats of each), so dz's part must stay in L2 across the unit blocks too: an lstm's input product
    /// (16 inputs, 256 gates) would otherwise take 512 rows, 512 KB of dz, per pass. Measured on an lstm's B·T = 2,048 rows:
    /// 32 KB blocks of x took its training step from 6.9-7.9 ms to 5.5-6.7 ms on one thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WeightGradientRows<TLayer>()
        where TLayer : struct, IDenseLayer
        => Math.Max(64, Math.Min((32 * 1024 / sizeof(float)) / TLayer.Inputs, (128 * 1024 / sizeof(float)) / TLayer.Units));

    /// <summary>
    /// Rows <paramref name="start"/> .. <paramref name="end"/> - 1 of <c>dx = dz W</c> (overwritten), on the calling thread. Internal
    /// rather than private for <see cref="RecurrentKernels"/>, whose backward needs <c>dh = dgates W_hh</c> at every step without
    /// a weight gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InputGradient<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> dz, Span<float> dx, int start, int end)
        where TLayer : struct, IDenseLayer
        => ProductKernels.MultiplyRows<InputGradientShape<TLayer>>(
            ref MemoryMarshal.GetReference(dz), ref MemoryMarshal.GetReference(weight), ref MemoryMarshal.GetReference(dx),
            ref Unsafe.NullRef<float>(), start, end, TLayer.Units);

    /// <summary><c>dW[Units, Inputs] += dzᵀ · x</c>: a[o, r] = dz[r, o], so a is read down the columns of dz; the depth is the batch.</summary>
    private readonly struct WeightGradientShape<TLayer> : IProductShape
        where TLayer : struct, IDenseLayer
    {
        public static int Columns => TLayer.Inputs;
        public static int RowStride => 1;
        public static int DepthStride => TLayer.Units;
        public static bool HasBias => false;
        public static bool Accumulates => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    /// <summary><see cref="WeightGradientShape{TLayer}"/> storing rather than adding: <c>dW = dzᵀ · x</c> over the first pass's rows.</summary>
    private readonly struct WeightGradientFirstShape<TLayer> : IProductShape
        where TLayer : struct, IDenseLayer
    {
        public static int Columns => TLayer.Inputs;
        public static int RowStride => 1;
        public static int DepthStride => TLayer.Units;
        public static bool HasBias => false;
        public static bool Accumulates => false;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    /// <summary><c>dx[rows, Inputs] = dz[rows, Units] · W[Units, Inputs]</c>: the depth is the units.</summary>
    private readonly struct InputGradientShape<TLayer> : IProductShape
        where TLayer : struct, IDenseLayer
    {
        public static int Columns => TLayer.Inputs;
        public static int RowStride => TLayer.Units;
        public static int DepthStride => 1;
        public static bool HasBias => false;
        public static bool Accumulates => false;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }
}
