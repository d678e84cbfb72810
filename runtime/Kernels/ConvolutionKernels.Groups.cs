using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// dW and db by groups of samples, the path of every layer whose partial sums fit its slot: the batch is cut into groups of
/// <see cref="GroupSamples"/> samples (a constant, so the groups depend on the batch alone), each group's <c>dW</c> and
/// <c>db</c> are summed from zero in the slot (im2row's rows a chunk of positions at a time, or the direct path's shifted
/// images), and the groups' sums are added to dW and db in group order. A thread reads only its own samples and copies each
/// once; the bits are the same for every thread count.
/// </summary>
public static partial class ConvolutionKernels
{
    /// <summary>Samples per group of the grouped dW.</summary>
    private const int GroupSamples = 8;

    /// <summary>Floats of a group's partial sums at the start of the slot: dW, then db, rounded up to 64 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PartialLength<TL>()
        where TL : struct, IConvolutionLayer
        => (TL.OutChannels * ColumnRows<TL>() + TL.OutChannels + 15) / 16 * 16;

    /// <summary>Output positions of im2row one product of the grouped path takes: as many as fit the slot after the partial sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RowChunk<TL>()
        where TL : struct, IConvolutionLayer
        => Math.Min(OutPositions<TL>(), Math.Max(0, ScratchLength<TL>() - PaddedImageLength<TL>() - PartialLength<TL>()) / ColumnRows<TL>());

    /// <summary>
    /// Whether dW goes by groups of samples: the partial sums fit the slot beside the direct path's image and wide gradient,
    /// or beside at least 16 positions of im2row (all of them, if fewer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Grouped<TL>()
        where TL : struct, IConvolutionLayer
        => Direct<TL>()
            ? (long)PartialLength<TL>() + DirectImageLength<TL>() + (long)TL.OutChannels * WideLength<TL>() <= ScratchLength<TL>()
            : RowChunk<TL>() >= Math.Min(OutPositions<TL>(), 16);

    /// <summary>The call's constants for the grouped dW: the turn the groups' sums are added in, and db.</summary>
    private readonly unsafe struct GroupState(int* turn, float* biasGradient)
    {
        public int* Turn { get; } = turn;

        public float* BiasGradient { get; } = biasGradient;
    }

    /// <summary>
    /// <c>db += Σ_s Σ_n dy[s]</c> and <c>dW += Σ_s dy[s] · im2row(x[s])</c> by groups of <see cref="GroupSamples"/> samples,
    /// with <paramref name="threads"/> &gt; 1 split across threads by groups.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void GroupedWeightGradient<TL>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient, Span<float> scratch, int batch, int threads)
        where TL : struct, IConvolutionLayer
    {
        int groups = (batch + GroupSamples - 1) / GroupSamples;
        int turn = 0;
        fixed (float* db = biasGradient)
        {
            var state = new GroupState(&turn, db);
            if (threads > 1 && groups > 1)
            {
                KernelThreads.ForEach(threads, groups, new KernelSpans(dy, x, default, weightGradient, scratch), state,
                    static (in KernelSpans s, in GroupState st, int start, int end) =>
                        WeightGradientGroups<TL>(s.In0, s.In1, s.Out0, st, s.Out1.Slice(KernelThreads.Slot * ScratchLength<TL>(), ScratchLength<TL>()), start, end));
            }
            else
            {
                WeightGradientGroups<TL>(dy, x, weightGradient, state, scratch.Slice(0, ScratchLength<TL>()), 0, groups);
            }
        }
    }

    /// <summary>
    /// Groups <paramref name="first"/> .. <paramref name="end"/> - 1: each group's sums from zero in the slot, then, in its
    /// turn (every group before it added), added to dW and db.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WeightGradientGroups<TL>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, in GroupState state, Span<float> scratch, int first, int end)
        where TL : struct, IConvolutionLayer
    {
        int positions = OutPositions<TL>(), outLength = TL.OutChannels * positions, weights = TL.OutChannels * ColumnRows<TL>();
        int batch = dy.Length / outLength;
        Span<float> partial = scratch.Slice(0, PartialLength<TL>());
        Span<float> work = scratch.Slice(PartialLength<TL>());
        for (int group = first; group < end; group++)
        {
            int s0 = group * GroupSamples, s1 = Math.Min(batch, s0 + GroupSamples);
            partial.Clear();
            if (Direct<TL>())
            {
                DirectWeightGradient<TL>(dy, x, partial, work, s0, s1, 0, (ColumnRows<TL>() + 1) / 2);
            }
            else
            {
                RowsWeightGradientGroup<TL>(dy, x, partial, work, s0, s1);
            }

            if (TL.HasBias)
            {
                // db[o] of the group: Σ_s Σ_n dy[s, o, n], sample by sample
                for (int s = s0; s < s1; s++)
                {
                    ReadOnlySpan<float> dys = dy.Slice(s * outLength, outLength);
                    for (int o = 0; o < TL.OutChannels; o++)
                    {
                        partial[weights + o] += TensorPrimitives.Sum(dys.Slice(o * positions, positions));
                    }
                }
            }

            KernelThreads.TakeTurn(state.Turn, group);
            TensorPrimitives.Add(weightGradient, partial.Slice(0, weights), weightGradient);
            if (TL.HasBias)
            {
                var db = new Span<float>(state.BiasGradient, TL.OutChannels);
                TensorPrimitives.Add(db, partial.Slice(weights, TL.OutChannels), db);
            }

            KernelThreads.EndTurn(state.Turn, group);
        }
    }

    /// <summary>
    /// <c>partial += Σ_s dy[s] · im2row(x[s])</c> over samples <paramref name="s0"/> .. <paramref name="s1"/> - 1: each sample's
    /// rows <see cref="RowChunk{TL}"/> positions at a time, each chunk one product that continues the same sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsWeightGradientGroup<TL>(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> partial, Span<float> work, int s0, int s1)
        where TL : struct, IConvolutionLayer
    {
        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, positions = OutPositions<TL>(), outLength = TL.OutChannels * positions;
        int k = ColumnRows<TL>(), chunk = RowChunk<TL>();
        Span<float> rows = work.Slice(0, chunk * k);
        Span<float> image = work.Slice(chunk * k, PaddedImageLength<TL>());
        ref float sum = ref MemoryMarshal.GetReference(partial);
        for (int s = s0; s < s1; s++)
        {
            ref float src = ref Source<TL>(x.Slice(s * inLength, inLength), image);
            ref float dys = ref MemoryMarshal.GetReference(dy.Slice(s * outLength, outLength));
            for (int n = 0; n < positions; n += chunk)
            {
                // partial[o, j] += Σ_(n .. n + count) dy[s, o, n] · rows[n, j]
                int count = Math.Min(chunk, positions - n);
                RowsOf<TL>(ref src, rows, n, count);
                ProductKernels.MultiplyRows<WeightGradientProduct<TL>>(ref At(ref dys, n), ref MemoryMarshal.GetReference(rows), ref sum, ref Unsafe.NullRef<float>(), 0, TL.OutChannels, count);
            }
        }
    }
}
