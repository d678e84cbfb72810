using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen;

/// <summary>
/// The elementwise and reducing passes of a training step outside the network's kernels (the optimizer's update, clearing
/// and scaling the gradients, their norm, the loss over samples, the batch gather), split across threads with
/// <see cref="KernelThreads"/>. Every split is at multiples of a fixed grain and every reduction adds fixed chunks in chunk
/// order, so the bits never depend on the thread count.
/// </summary>
internal static class TrainingKernels
{
    /// <summary>
    /// Where elementwise passes may cut their range: a multiple of every lane count, so each float goes through the same
    /// vector path whatever the split (only the range's own end has a scalar tail).
    /// </summary>
    public const int Grain = 1024;

    /// <summary>
    /// The smallest range an elementwise pass splits: about 16,000 floats (a few µs of memory traffic on one core), enough
    /// to pay for a hand-off to a worker.
    /// </summary>
    public const int MinFloatsForThreads = 1 << 14;

    /// <summary>
    /// The floats of one partial sum of a reduction (the gradients' squared norm): fixed, so the chunks, and the order in
    /// which their sums are added, do not depend on the thread count.
    /// </summary>
    public const int ReductionChunk = 4096;

    /// <summary>Runs <paramref name="body"/> over floats 0 .. <paramref name="count"/> - 1, split across threads when it pays.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForFloats<TState>(int threads, int count, in KernelSpans spans, in TState state, KernelThreads.Body<TState> body)
        where TState : unmanaged
    {
        if (threads > 1 && count >= MinFloatsForThreads)
        {
            KernelThreads.For(threads, count, Grain, spans, state, body);
        }
        else
        {
            body(spans, state, 0, count);
        }
    }

    /// <summary>Sets every float of <paramref name="values"/> to 0 (a network's gradients before backward).</summary>
    public static void Clear(Span<float> values, int threads)
    {
        if (threads > 1 && values.Length >= MinFloatsForThreads)
        {
            KernelThreads.For(threads, values.Length, Grain, new KernelSpans(default, default, default, values, default),
                static (in KernelSpans s, int start, int end) => s.Out0[start..end].Clear());
        }
        else
        {
            values.Clear();
        }
    }

    /// <summary>Multiplies every float of <paramref name="values"/> by <paramref name="factor"/>, in place.</summary>
    public static void Scale(Span<float> values, float factor, int threads) =>
        ForFloats(threads, values.Length, new KernelSpans(default, default, default, values, default), factor,
            static (in KernelSpans s, in float f, int start, int end) => ScaleRange(s.Out0, f, start, end));

    /// <summary>
    /// The sum of the squares of <paramref name="values"/>, in float: each chunk of <see cref="ReductionChunk"/> floats summed
    /// on its own (lane-wise, then across the lanes), the chunks' sums added in order. <paramref name="partials"/> holds one
    /// float per chunk when <paramref name="threads"/> &gt; 1 (it may be empty for one thread).
    /// </summary>
    public static float SumOfSquares(ReadOnlySpan<float> values, int threads, Span<float> partials)
    {
        int chunks = ChunkCount(values.Length);
        if (threads <= 1 || values.Length < MinFloatsForThreads || partials.Length < chunks)
        {
            float total = 0f;
            for (int c = 0; c < chunks; c++)
            {
                total += ChunkSumOfSquares(values, c);
            }

            return total;
        }

        KernelThreads.For(threads, chunks, 1, new KernelSpans(values, default, default, partials, default),
            static (in KernelSpans s, int start, int end) =>
            {
                for (int c = start; c < end; c++)
                {
                    s.Out0[c] = ChunkSumOfSquares(s.In0, c);
                }
            });
        float sum = 0f;
        for (int c = 0; c < chunks; c++)
        {
            sum += partials[c];
        }

        return sum;
    }

    /// <summary>The chunks <see cref="SumOfSquares"/> cuts <paramref name="length"/> floats into.</summary>
    public static int ChunkCount(int length) => (length + ReductionChunk - 1) / ReductionChunk;

    private static float ChunkSumOfSquares(ReadOnlySpan<float> values, int chunk)
    {
        int start = chunk * ReductionChunk;
        ReadOnlySpan<float> part = values.Slice(start, Math.Min(ReductionChunk, values.Length - start));
        if (!Simd.Use128)
        {
            float sum = 0f;
            for (int i = 0; i < part.Length; i++)
            {
                sum += part[i] * part[i];
            }

            return sum;
        }

        ref float v = ref MemoryMarshal.GetReference(part);
        return Simd.Use512 ? SumOfSquares<V512>(ref v, part.Length)
            : Simd.Use256 ? SumOfSquares<V256>(ref v, part.Length)
            : SumOfSquares<V128>(ref v, part.Length);
    }

    /// <summary>Four lane-wise accumulators over the chunk, added pairwise, summed across lanes, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SumOfSquares<T>(ref float v, int length)
        where T : struct, IMathLanes<T>
    {
        T a0 = T.Zero, a1 = T.Zero, a2 = T.Zero, a3 = T.Zero;
        int i = 0;
        for (; i <= length - 4 * T.Count; i += 4 * T.Count)
        {
            nuint k = (nuint)i;
            T x0 = T.Load(ref v, k), x1 = T.Load(ref v, k + (nuint)T.Count);
            T x2 = T.Load(ref v, k + (nuint)(2 * T.Count)), x3 = T.Load(ref v, k + (nuint)(3 * T.Count));
            a0 = T.MultiplyAdd(x0, x0, a0);
            a1 = T.MultiplyAdd(x1, x1, a1);
            a2 = T.MultiplyAdd(x2, x2, a2);
            a3 = T.MultiplyAdd(x3, x3, a3);
        }

        for (; i <= length - T.Count; i += T.Count)
        {
            T x = T.Load(ref v, (nuint)i);
            a0 = T.MultiplyAdd(x, x, a0);
        }

        float sum = T.Sum((a0 + a1) + (a2 + a3));
        for (; i < length; i++)
        {
            float x = System.Runtime.CompilerServices.Unsafe.Add(ref v, i);
            sum += x * x;
        }

        return sum;
    }

    private static void ScaleRange(Span<float> values, float factor, int start, int end)
    {
        Span<float> part = values[start..end];
        System.Numerics.Tensors.TensorPrimitives.Multiply(part, factor, part);
    }
}
