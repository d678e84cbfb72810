using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

public static partial class AttentionKernels
{
    /// <summary>The most floats of the transposed key block <see cref="ForwardVectors{TLayer, TV}"/> keeps on the stack (32 KB).</summary>
    private const int MaxKeyBlockFloats = 8192;

    /// <summary>The most floats of one head's <c>P ⊙ mask</c> <see cref="ForwardVectors{TLayer, TV}"/> stages on the stack (16 KB: T ≤ 64).</summary>
    private const int MaxStagedWeights = 4096;

    /// <summary>Floats of the forward's staged <c>P ⊙ mask</c>: T·T when it fits <see cref="MaxStagedWeights"/>, else none (the mask is applied as the weights are read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StagedWeights<TLayer>()
        where TLayer : struct, IAttentionLayer
        => TLayer.Steps * TLayer.Steps <= MaxStagedWeights ? TLayer.Steps * TLayer.Steps : 0;

    /// <summary><c>target = a ⊙ b</c> over <paramref name="length"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Multiply<TV>(ref float a, ref float b, ref float target, int length)
        where TV : struct, IMathLanes<TV>
    {
        int n = TV.Count, i = 0;
        for (; i + n <= length; i += n)
        {
            (Load<TV>(ref a, i) * Load<TV>(ref b, i)).Store(ref target, (nuint)i);
        }

        for (; i < length; i++)
        {
            At(ref target, i) = At(ref a, i) * At(ref b, i);
        }
    }

    /// <summary>0, 1, 2, ... 15: the lanes' indices, to tell a causal row's last vector which lanes lie past the diagonal.</summary>
    private static ReadOnlySpan<float> LaneIndices => [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f];

    /// <summary>Whether a product's weights are multiplied by the dropout mask as they are read.</summary>
    private interface IMasking
    {
        static abstract bool Masked { get; }
    }

    private readonly struct WithMask : IMasking
    {
        public static bool Masked => true;
    }

    private readonly struct WithoutMask : IMasking
    {
        public static bool Masked => false;
    }

    /// <summary>
    /// Keys per block of the forward scores: all T when the head's transposed keys fit <see cref="MaxKeyBlockFloats"/>,
    /// else the largest multiple of 16 that does (16 at least).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int KeyBlock<TLayer>()
        where TLayer : struct, IAttentionLayer
        => HeadWidth<TLayer>() * TLayer.Steps <= MaxKeyBlockFloats ? TLayer.Steps : Math.Max(16, MaxKeyBlockFloats / HeadWidth<TLayer>() / 16 * 16);

    /// <summary>
    /// Samples <paramref name="start"/> .. <paramref name="end"/> − 1 of the forward pass in vectors of <typeparamref name="TV"/>:
    /// per head, the scores block by block of keys from a transposed copy of the block's keys, each row's softmax in place,
    /// then <c>P' V</c>. Without <paramref name="keepWeights"/> and a mask, each head's P goes to a plane on the stack when
    /// one fits there, not to <paramref name="weights"/>.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardVectors<TLayer, TV>(ReadOnlySpan<float> qkv, ReadOnlySpan<float> mask, Span<float> output, Span<float> weights, int start, int end, bool keepWeights)
        where TLayer : struct, IAttentionLayer
        where TV : struct, IMathLanes<TV>
    {
        int steps = TLayer.Steps, model = TLayer.Model, dk = HeadWidth<TLayer>(), stride = 3 * model, block = KeyBlock<TLayer>();
        bool causal = TLayer.Causal, masked = !mask.IsEmpty;
        float scale = 1f / MathF.Sqrt(dk);
        Span<float> keysT = stackalloc float[dk * block];
        ref float kt = ref MemoryMarshal.GetReference(keysT);
        Span<float> stage = stackalloc float[StagedWeights<TLayer>()];
        ref float staged = ref MemoryMarshal.GetReference(stage);

        // the plane that only the mask's product would use otherwise holds P itself when nobody reads P later
        bool onStack = !keepWeights && !masked && !stage.IsEmpty;
        for (int b = start; b < end; b++)
        {
            ref float x = ref MemoryMarshal.GetReference(qkv.Slice(b * steps * stride, steps * stride));
            ref float o = ref MemoryMarshal.GetReference(output.Slice(b * steps * model, steps * model));
            for (int head = 0; head < TLayer.Heads; head++)
            {
                int plane = ((b * TLayer.Heads) + head) * steps * steps;
                ref float p = ref onStack ? ref staged : ref MemoryMarshal.GetReference(weights.Slice(plane, steps * steps));
                ref float q = ref At(ref x, head * dk);
                ref float k = ref At(ref x, model + (head * dk));
                ref float v = ref At(ref x, (2 * model) + (head * dk));
                for (int k0 = 0; k0 < steps; k0 += block)
                {
                    int keys = Math.Min(block, steps - k0);
                    Transpose(ref At(ref k, k0 * stride), stride, keys, dk, ref kt, block);
                    RowsByColumns<TV>(ref q, stride, ref kt, block, dk, ref p, steps, causal ? k0 : 0, steps, k0, k0 + keys, causal, scale);
                }

                for (int i = 0; i < steps; i++)
                {
                    Softmax<TV>(ref At(ref p, i * steps), causal ? i + 1 : steps, steps);
                }

                ref float oh = ref At(ref o, head * dk);
                if (masked && !stage.IsEmpty)
                {
                    // P' = P ⊙ mask once, in vectors, then the plain product (each P'[i, l] is the same product either way)
                    Multiply<TV>(ref p, ref MemoryMarshal.GetReference(mask.Slice(plane, steps * steps)), ref staged, steps * steps);
                    WeightsByRows<TV, WithoutMask>(ref staged, ref staged, steps, ref v, stride, dk, ref oh, model, causal, 1f);
                }
                else if (masked)
                {
                    ref float m = ref MemoryMarshal.GetReference(mask.Slice(plane, steps * steps));
                    WeightsByRows<TV, WithMask>(ref p, ref m, steps, ref v, stride, dk, ref oh, model, causal, 1f);
                }
                else
                {
                    WeightsByRows<TV, WithoutMask>(ref p, ref p, steps, ref v, stride, dk, ref oh, model, causal, 1f);
                }
            }
        }
    }

    /// <summary>
    /// Samples <paramref name="start"/> .. <paramref name="end"/> − 1 of the backward pass in vectors of <typeparamref name="TV"/>:
    /// per head, <c>dP' = dO Vᵀ</c> (V transposed into the scratch), each row turned into dS in place, then
    /// <c>dV = P'ᵀ dO</c>, <c>dQ = dS K / √dk</c> and <c>dK = dSᵀ Q / √dk</c> written into the head's columns of dQkv.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardVectors<TLayer, TV>(
        ReadOnlySpan<float> qkv, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, ReadOnlySpan<float> dOutput, Span<float> dQkv, Span<float> scratch, int start, int end)
        where TLayer : struct, IAttentionLayer
        where TV : struct, IMathLanes<TV>
    {
        int steps = TLayer.Steps, model = TLayer.Model, dk = HeadWidth<TLayer>(), stride = 3 * model;
        bool causal = TLayer.Causal, masked = !mask.IsEmpty;
        float scale = 1f / MathF.Sqrt(dk);
        for (int b = start; b < end; b++)
        {
            ref float x = ref MemoryMarshal.GetReference(qkv.Slice(b * steps * stride, steps * stride));
            ref float dx = ref MemoryMarshal.GetReference(dQkv.Slice(b * steps * stride, steps * stride));
            ref float dO = ref MemoryMarshal.GetReference(SampleOutputGradient<TLayer>(dOutput, scratch, b));
            Span<float> region = scratch.Slice(b * BackwardScratchLength<TLayer>(), (2 * steps * steps) + (dk * steps));
            ref float ds = ref MemoryMarshal.GetReference(region);
            ref float vt = ref At(ref ds, steps * steps);
            ref float dropped = ref At(ref vt, dk * steps);
            for (int head = 0; head < TLayer.Heads; head++)
            {
                int plane = ((b * TLayer.Heads) + head) * steps * steps;
                ref float p = ref MemoryMarshal.GetReference(weights.Slice(plane, steps * steps));
                ref float m = ref masked ? ref MemoryMarshal.GetReference(mask.Slice(plane, steps * steps)) : ref p;
                int q = head * dk, k = model + (head * dk), v = (2 * model) + (head * dk);
                ref float dOh = ref At(ref dO, q);

                // dP' = dO Vᵀ, then dS row by row
                Transpose(ref At(ref x, v), stride, steps, dk, ref vt, steps);
                RowsByColumns<TV>(ref dOh, model, ref vt, steps, dk, ref ds, steps, 0, steps, 0, steps, causal, 1f);
                for (int i = 0; i < steps; i++)
                {
                    int keys = causal ? i + 1 : steps;
                    if (masked)
                    {
                        SoftmaxGradient<TV, WithMask>(ref At(ref ds, i * steps), ref At(ref p, i * steps), ref At(ref m, i * steps), keys);
                    }
                    else
                    {
                        SoftmaxGradient<TV, WithoutMask>(ref At(ref ds, i * steps), ref At(ref p, i * steps), ref At(ref p, i * steps), keys);
                    }
                }

                if (masked)
                {
                    // P' = P ⊙ mask once, in vectors, then the plain product
                    Multiply<TV>(ref p, ref m, ref dropped, steps * steps);
                    ColumnsByRows<TV, WithoutMask>(ref dropped, ref dropped, steps, ref dOh, model, dk, ref At(ref dx, v), stride, causal, 1f);
                }
                else
                {
                    ColumnsByRows<TV, WithoutMask>(ref p, ref p, steps, ref dOh, model, dk, ref At(ref dx, v), stride, causal, 1f);
                }

                WeightsByRows<TV, WithoutMask>(ref ds, ref ds, steps, ref At(ref x, k), stride, dk, ref At(ref dx, q), stride, causal, scale);
                ColumnsByRows<TV, WithoutMask>(ref ds, ref ds, steps, ref At(ref x, q), stride, dk, ref At(ref dx, k), stride, causal, scale);
            }
        }
    }

    /// <summary>Rows ahead of the one it reads that <see cref="Transpose"/> asks the cache for: an L3 latency over the ~16 cycles a row takes.</summary>
    private const int TransposeLookahead = 8;

    /// <summary><c>target[c·targetStride + l] = source[l·sourceStride + c]</c> for <paramref name="rows"/> rows l of <paramref name="width"/> features c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref float source, int sourceStride, int rows, int width, ref float target, int targetStride)
    {
        for (int l = 0; l < rows; l++)
        {
            // the rows are a stride apart in a batch's projections, past L2 at batch 64: ask for one 8 rows ahead
            if (l + TransposeLookahead < rows)
            {
                Prefetch(ref At(ref source, (l + TransposeLookahead) * sourceStride));
            }

            ref float row = ref At(ref source, l * sourceStride);
            for (int c = 0; c < width; c++)
            {
                At(ref target, (c * targetStride) + l) = At(ref row, c);
            }
        }
    }

    /// <summary>
    /// <c>o[i, l] = scale · Σ_c a[i, c] · bt[c, l − from]</c> for rows i of <paramref name="rowFrom"/> .. <paramref name="rows"/> − 1
    /// and columns l of <paramref name="from"/> .. <paramref name="to"/> − 1 (causal: to the vector of the pair's second diagonal):
    /// the scores <c>Q Kᵀ / √dk</c> and <c>dO Vᵀ</c>. Two rows at a time (the last one alone is paired with itself), whole
    /// vectors of columns, each a chain of multiply-adds over c in order (the same chain whichever width takes the column).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowsByColumns<TV>(
        ref float a, int aStride, ref float bt, int btStride, int depth, ref float o, int oStride, int rowFrom, int rows, int from, int to, bool causal, float scale)
        where TV : struct, IMathLanes<TV>
    {
        for (int i = rowFrom; i < rows; i += 2)
        {
            int second = Math.Min(i + 1, rows - 1);
            if (i + 3 < rows)
            {
                Prefetch(ref At(ref a, (i + 2) * aStride));
                Prefetch(ref At(ref a, (i + 3) * aStride));
            }

            // causal: up to the pair's diagonal, rounded up to whole vectors (the few entries past it are overwritten or never read)
            int end = causal ? Math.Min(to, from + ((second + 1 - from + TV.Count - 1) / TV.Count * TV.Count)) : to;
            ref float a0 = ref At(ref a, i * aStride);
            ref float a1 = ref At(ref a, second * aStride);
            ref float o0 = ref At(ref o, i * oStride);
            ref float o1 = ref At(ref o, second * oStride);
            int l = ColumnBlocks<TV>(ref a0, ref a1, ref bt, btStride, depth, ref o0, ref o1, from, from, end, scale);
            l = ColumnPairs<TV>(ref a0, ref a1, ref bt, btStride, depth, ref o0, ref o1, from, l, end, scale);
            l = Columns<TV>(ref a0, ref a1, ref bt, btStride, depth, ref o0, ref o1, from, l, end, scale);
            if (TV.Count > V128.Count)
            {
                l = Columns<V128>(ref a0, ref a1, ref bt, btStride, depth, ref o0, ref o1, from, l, end, scale);
            }

            Columns<V1>(ref a0, ref a1, ref bt, btStride, depth, ref o0, ref o1, from, l, end, scale);
        }
    }

    /// <summary>Columns <paramref name="l"/> onward of two rows, four vectors at a time (eight chains); returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ColumnBlocks<TV>(ref float a0, ref float a1, ref float bt, int btStride, int depth, ref float o0, ref float o1, int from, int l, int end, float scale)
        where TV : struct, IMathLanes<TV>
    {
        int n = TV.Count;
        TV s = TV.Create(scale);
        for (; l + (4 * n) <= end; l += 4 * n)
        {
            TV x0 = TV.Zero, x1 = TV.Zero, x2 = TV.Zero, x3 = TV.Zero, y0 = TV.Zero, y1 = TV.Zero, y2 = TV.Zero, y3 = TV.Zero;
            ref float column = ref At(ref bt, l - from);
            nint offset = 0;
            for (int c = 0; c < depth; c++)
            {
                // (an offset, not a moving reference: a reference never points past the operand)
                ref float br = ref Unsafe.Add(ref column, offset);
                TV b0 = Load<TV>(ref br, 0), b1 = Load<TV>(ref br, n), b2 = Load<TV>(ref br, 2 * n), b3 = Load<TV>(ref br, 3 * n);
                offset += btStride;
                TV u = TV.Create(At(ref a0, c)), w = TV.Create(At(ref a1, c));
                TV.MultiplyAddTo(ref x0, b0, u);
                TV.MultiplyAddTo(ref x1, b1, u);
                TV.MultiplyAddTo(ref x2, b2, u);
                TV.MultiplyAddTo(ref x3, b3, u);
                TV.MultiplyAddTo(ref y0, b0, w);
                TV.MultiplyAddTo(ref y1, b1, w);
                TV.MultiplyAddTo(ref y2, b2, w);
                TV.MultiplyAddTo(ref y3, b3, w);
            }

            (x0 * s).Store(ref o0, (nuint)l);
            (x1 * s).Store(ref o0, (nuint)(l + n));
            (x2 * s).Store(ref o0, (nuint)(l + (2 * n)));
            (x3 * s).Store(ref o0, (nuint)(l + (3 * n)));
            (y0 * s).Store(ref o1, (nuint)l);
            (y1 * s).Store(ref o1, (nuint)(l + n));
            (y2 * s).Store(ref o1, (nuint)(l + (2 * n)));
            (y3 * s).Store(ref o1, (nuint)(l + (3 * n)));
        }

        return l;
    }

    /// <summary>Columns <paramref name="l"/> onward of two rows, two vectors at a time (four chains); returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ColumnPairs<TV>(ref float a0, ref float a1, ref float bt, int btStride, int depth, ref float o0, ref float o1, int from, int l, int end, float scale)
        where TV : struct, IMathLanes<TV>
    {
        int n = TV.Count;
        TV s = TV.Create(scale);
        for (; l + (2 * n) <= end; l += 2 * n)
        {
            TV x0 = TV.Zero, x1 = TV.Zero, y0 = TV.Zero, y1 = TV.Zero;
            ref float column = ref At(ref bt, l - from);
            nint offset = 0;
            for (int c = 0; c < depth; c++)
            {
                ref float br = ref Unsafe.Add(ref column, offset);
                TV b0 = Load<TV>(ref br, 0), b1 = Load<TV>(ref br, n);
                offset += btStride;
                TV u = TV.Create(At(ref a0, c)), w = TV.Create(At(ref a1, c));
                TV.MultiplyAddTo(ref x0, b0, u);
                TV.MultiplyAddTo(ref x1, b1, u);
                TV.MultiplyAddTo(ref y0, b0, w);
                TV.MultiplyAddTo(ref y1, b1, w);
            }

            (x0 * s).Store(ref o0, (nuint)l);
            (x1 * s).Store(ref o0, (nuint)(l + n));
            (y0 * s).Store(ref o1, (nuint)l);
            (y1 * s).Store(ref o1, (nuint)(l + n));
        }

        return l;
    }

    /// <summary>Columns <paramref name="l"/> onward of two rows, one vector at a time; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Columns<TU>(ref float a0, ref float a1, ref float bt, int btStride, int depth, ref float o0, ref float o1, int from, int l, int end, float scale)
        where TU : struct, IMathLanes<TU>
    {
        int n = TU.Count;
        TU s = TU.Create(scale);
        for (; l + n <= end; l += n)
        {
            TU x = TU.Zero, y = TU.Zero;
            ref float column = ref At(ref bt, l - from);
            nint offset = 0;
            for (int c = 0; c < depth; c++)
            {
                TU bc = TU.Load(ref Unsafe.Add(ref column, offset), 0);
                offset += btStride;
                x = TU.MultiplyAdd(TU.Create(At(ref a0, c)), bc, x);
                y = TU.MultiplyAdd(TU.Create(At(ref a1, c)), bc, y);
            }

            (x * s).Store(ref o0, (nuint)l);
            (y * s).Store(ref o1, (nuint)l);
        }

        return l;
    }

    /// <summary>
    /// One row of scores into its softmax, in place: over the first <paramref name="keys"/> entries, <c>e^(s − max s)</c>
    /// times the reciprocal of its sum (the vector lanes' sums, then the tail's); the rest of the row's <paramref name="steps"/>
    /// entries (a causal row's future) set to 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Softmax<TV>(ref float row, int keys, int steps)
        where TV : struct, IMathLanes<TV>
    {
        int n = TV.Count;
        bool partial = keys % n != 0 && (keys / n * n) + n <= steps;
        TV index = Load<TV>(ref Unsafe.AsRef(in MemoryMarshal.GetReference(LaneIndices)), 0) + TV.Create(keys / n * n);
        TV limit = TV.Create(keys);
        float max = RowMax<TV>(ref row, keys, partial, index, limit);
        TV top = TV.Create(max), sum = TV.Zero;
        int l = 0;
        for (; l + n <= keys; l += n)
        {
            TV e = Exp(Load<TV>(ref row, l) - top);
            e.Store(ref row, (nuint)l);
            sum += e;
        }

        if (partial)
        {
            // a causal row's last vector: the lanes past the diagonal (scores of the pair's second row) count as 0
            TV e = Exp(Load<TV>(ref row, l) - top);
            e = TV.SelectLess(index, limit, e, TV.Zero);
            e.Store(ref row, (nuint)l);
            sum += e;
            l += n;
        }

        float total = TV.Sum(sum);
        for (; l < keys; l++)
        {
            float e = V1.Sum(Exp(V1.Create(At(ref row, l) - max)));
            At(ref row, l) = e;
            total += e;
        }

        // times 1 / Σ, as PyTorch's vectorized softmax does (one division a row)
        float inverse = 1f / total;
        TV factor = TV.Create(inverse);
        l = 0;
        for (; l + n <= keys; l += n)
        {
            (Load<TV>(ref row, l) * factor).Store(ref row, (nuint)l);
        }

        if (partial)
        {
            (Load<TV>(ref row, l) * factor).Store(ref row, (nuint)l);
            l += n;
        }

        for (; l < keys; l++)
        {
            At(ref row, l) *= inverse;
        }

        MemoryMarshal.CreateSpan(ref At(ref row, keys), steps - keys).Clear();
    }

    /// <summary>
    /// The largest of a row's first <paramref name="keys"/> scores: a lane-wise maximum over whole vectors (and the
    /// causal row's last one, its lanes from <paramref name="limit"/> on left out), then over the lanes and the tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowMax<TV>(ref float row, int keys, bool partial, TV index, TV limit)
        where TV : struct, IMathLanes<TV>
    {
        int n = TV.Count;
        TV top = TV.Create(float.NegativeInfinity);
        int l = 0;
        for (; l + n <= keys; l += n)
        {
            TV x = Load<TV>(ref row, l);
            top = TV.SelectLess(top, x, x, top);
        }

        if (partial)
        {
            TV x = TV.SelectLess(index, limit, Load<TV>(ref row, l), TV.Create(float.NegativeInfinity));
            top = TV.SelectLess(top, x, x, top);
            l += n;
        }

        float max = LaneMax(top);
        for (; l < keys; l++)
        {
            max = MathF.Max(max, At(ref row, l));
        }

        return max;
    }

    /// <summary>The largest lane, by halving (a fixed order per width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LaneMax<TV>(TV value)
        where TV : struct, IMathLanes<TV>
    {
        if (typeof(TV) == typeof(V512))
        {
            Vector512<float> x = Unsafe.As<TV, V512>(ref value).Value;
            return LaneMax(Larger(x.GetLower(), x.GetUpper()));
        }

        if (typeof(TV) == typeof(V256))
        {
            return LaneMax(Unsafe.As<TV, V256>(ref value).Value);
        }

        if (typeof(TV) == typeof(V128))
        {
            return LaneMax(Unsafe.As<TV, V128>(ref value).Value);
        }

        return TV.Sum(value); // V1: its one lane
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LaneMax(Vector256<float> x) => LaneMax(Larger(x.GetLower(), x.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LaneMax(Vector128<float> x)
    {
        x = Larger(x, Vector128.Shuffle(x, Vector128.Create(2, 3, 0, 1)));
        x = Larger(x, Vector128.Shuffle(x, Vector128.Create(1, 0, 3, 2)));
        return x.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Larger(Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(Vector256.LessThan(a, b), b, a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Larger(Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(Vector128.LessThan(a, b), b, a);

    /// <summary>
    /// One row of <c>dP'</c> into dS, in place: <c>dP = dP' ⊙ m</c>, <c>r = Σ dP ⊙ P</c>, <c>dS = P ⊙ (dP − r)</c>, over the
    /// first <paramref name="keys"/> entries (the rest are never read).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxGradient<TV, TM>(ref float row, ref float p, ref float m, int keys)
        where TV : struct, IMathLanes<TV>
        where TM : struct, IMasking
    {
        int n = TV.Count;
        TV sum = TV.Zero;
        int l = 0;
        for (; l + n <= keys; l += n)
        {
            TV g = Load<TV>(ref row, l);
            if (TM.Masked)
            {
                g *= Load<TV>(ref m, l);
                g.Store(ref row, (nuint)l);
            }

            TV.MultiplyAddTo(ref sum, Load<TV>(ref p, l), g);
        }

        float r = TV.Sum(sum);
        for (; l < keys; l++)
        {
            float g = At(ref row, l);
            if (TM.Masked)
            {
                g *= At(ref m, l);
                At(ref row, l) = g;
            }

            r = V1.Sum(V1.MultiplyAdd(V1.Create(g), V1.Create(At(ref p, l)), V1.Create(r)));
        }

        TV rv = TV.Create(r);
        l = 0;
        for (; l + n <= keys; l += n)
        {
            (Load<TV>(ref p, l) * (Load<TV>(ref row, l) - rv)).Store(ref row, (nuint)l);
        }

        for (; l < keys; l++)
        {
            At(ref row, l) = At(ref p, l) * (At(ref row, l) - r);
        }
    }

    /// <summary>A weight <c>w[index]</c>, times the dropout mask's <c>m[index]</c> when <typeparamref name="TM"/> says so.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Weight<TM>(ref float w, ref float m, int index)
        where TM : struct, IMasking
        => TM.Masked ? At(ref w, index) * At(ref m, index) : At(ref w, index);

    /// <summary>
    /// <c>o[i, c] = scale · Σ_l w[i, l] · b[l, c]</c> over the keys l a row sees (causal: l ≤ i), l in order: <c>P' V</c>
    /// (the weights times the mask) and <c>dS K / √dk</c>. Four rows at a time (their shared keys, then each one's few
    /// more), whole vectors of the <paramref name="depth"/> features; w is <c>[steps, steps]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void WeightsByRows<TV, TM>(ref float w, ref float m, int steps, ref float b, int bStride, int depth, ref float o, int oStride, bool causal, float scale)
        where TV : struct, IMathLanes<TV>
        where TM : struct, IMasking
    {
        int i = 0;
        for (; i + 4 <= steps; i += 4)
        {
            int c = WeightRows4<TV, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, i, 0);
            if (TV.Count > V128.Count)
            {
                c = WeightRows4<V128, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, i, c);
            }

            WeightRows4<V1, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, i, c);
        }

        for (; i < steps; i++)
        {
            int c = WeightRow<TV, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, i, 0);
            if (TV.Count > V128.Count)
            {
                c = WeightRow<V128, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, i, c);
            }

            WeightRow<V1, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, i, c);
        }
    }

    /// <summary>Features <paramref name="c"/> onward of rows i .. i + 3 of <see cref="WeightsByRows{TV, TM}"/>; returns the first feature left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WeightRows4<TU, TM>(ref float w, ref float m, int steps, ref float b, int bStride, int depth, ref float o, int oStride, bool causal, float scale, int i, int c)
        where TU : struct, IMathLanes<TU>
        where TM : struct, IMasking
    {
        int n = TU.Count;
        TU s = TU.Create(scale);
        int shared = causal ? i + 1 : steps;
        int r0 = i * steps, r1 = r0 + steps, r2 = r1 + steps, r3 = r2 + steps;
        for (; c + n <= depth; c += n)
        {
            // two chains a row, the even keys and the odd ones (8 in all, so the multiply-adds' latency hides), added at the end
            TU y0 = TU.Zero, y1 = TU.Zero, y2 = TU.Zero, y3 = TU.Zero, z0 = TU.Zero, z1 = TU.Zero, z2 = TU.Zero, z3 = TU.Zero;
            ref float bc = ref At(ref b, c);
            nint offset = 0;
            ref float w0 = ref At(ref w, r0), w1 = ref At(ref w, r1), w2 = ref At(ref w, r2), w3 = ref At(ref w, r3);
            ref float m0 = ref At(ref m, r0), m1 = ref At(ref m, r1), m2 = ref At(ref m, r2), m3 = ref At(ref m, r3);
            int l = 0;
            for (; l + 2 <= shared; l += 2)
            {
                ref float bl = ref Unsafe.Add(ref bc, offset);
                TU x = TU.Load(ref bl, 0), u = TU.Load(ref bl, (nuint)bStride);
                y0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w0, ref m0, l)), x, y0);
                y1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w1, ref m1, l)), x, y1);
                y2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w2, ref m2, l)), x, y2);
                y3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w3, ref m3, l)), x, y3);
                z0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w0, ref m0, l + 1)), u, z0);
                z1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w1, ref m1, l + 1)), u, z1);
                z2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w2, ref m2, l + 1)), u, z2);
                z3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w3, ref m3, l + 1)), u, z3);
                offset += 2 * bStride;
            }

            if (l < shared)
            {
                TU x = TU.Load(ref Unsafe.Add(ref bc, offset), 0);
                y0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w0, ref m0, l)), x, y0);
                y1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w1, ref m1, l)), x, y1);
                y2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w2, ref m2, l)), x, y2);
                y3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w3, ref m3, l)), x, y3);
            }

            if (causal)
            {
                // keys i + 1 .. i + 3: rows 1 .. 3 see them, each up to its own diagonal
                TU x1 = Load<TU>(ref bc, (i + 1) * bStride);
                y1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, r1 + i + 1)), x1, y1);
                y2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, r2 + i + 1)), x1, y2);
                y3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, r3 + i + 1)), x1, y3);
                TU x2 = Load<TU>(ref bc, (i + 2) * bStride);
                y2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, r2 + i + 2)), x2, y2);
                y3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, r3 + i + 2)), x2, y3);
                TU x3 = Load<TU>(ref bc, (i + 3) * bStride);
                y3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, r3 + i + 3)), x3, y3);
            }

            ref float oc = ref At(ref o, c);
            ((y0 + z0) * s).Store(ref oc, (nuint)(i * oStride));
            ((y1 + z1) * s).Store(ref oc, (nuint)((i + 1) * oStride));
            ((y2 + z2) * s).Store(ref oc, (nuint)((i + 2) * oStride));
            ((y3 + z3) * s).Store(ref oc, (nuint)((i + 3) * oStride));
        }

        return c;
    }

    /// <summary>Features <paramref name="c"/> onward of row i alone of <see cref="WeightsByRows{TV, TM}"/>; returns the first feature left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WeightRow<TU, TM>(ref float w, ref float m, int steps, ref float b, int bStride, int depth, ref float o, int oStride, bool causal, float scale, int i, int c)
        where TU : struct, IMathLanes<TU>
        where TM : struct, IMasking
    {
        int n = TU.Count;
        int keys = causal ? i + 1 : steps, r = i * steps;
        for (; c + n <= depth; c += n)
        {
            TU y = TU.Zero;
            ref float bc = ref At(ref b, c);
            for (int l = 0; l < keys; l++)
            {
                y = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, r + l)), Load<TU>(ref bc, l * bStride), y);
            }

            (y * TU.Create(scale)).Store(ref o, (nuint)((i * oStride) + c));
        }

        return c;
    }

    /// <summary>
    /// <c>o[l, c] = scale · Σ_i w[i, l] · b[i, c]</c> over the queries i that see key l (causal: i ≥ l), i in order:
    /// <c>P'ᵀ dO</c> and <c>dSᵀ Q / √dk</c>. Four output rows (columns of w) at a time (each one's few first queries, then
    /// the shared ones), whole vectors of the <paramref name="depth"/> features.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsByRows<TV, TM>(ref float w, ref float m, int steps, ref float b, int bStride, int depth, ref float o, int oStride, bool causal, float scale)
        where TV : struct, IMathLanes<TV>
        where TM : struct, IMasking
    {
        int l = 0;
        for (; l + 4 <= steps; l += 4)
        {
            int c = WeightColumns4<TV, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, l, 0);
            if (TV.Count > V128.Count)
            {
                c = WeightColumns4<V128, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, l, c);
            }

            WeightColumns4<V1, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, l, c);
        }

        for (; l < steps; l++)
        {
            int c = WeightColumn<TV, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, l, 0);
            if (TV.Count > V128.Count)
            {
                c = WeightColumn<V128, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, l, c);
            }

            WeightColumn<V1, TM>(ref w, ref m, steps, ref b, bStride, depth, ref o, oStride, causal, scale, l, c);
        }
    }

    /// <summary>Features <paramref name="c"/> onward of output rows l .. l + 3 of <see cref="ColumnsByRows{TV, TM}"/>; returns the first feature left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WeightColumns4<TU, TM>(ref float w, ref float m, int steps, ref float b, int bStride, int depth, ref float o, int oStride, bool causal, float scale, int l, int c)
        where TU : struct, IMathLanes<TU>
        where TM : struct, IMasking
    {
        int n = TU.Count;
        TU s = TU.Create(scale);
        for (; c + n <= depth; c += n)
        {
            TU y0 = TU.Zero, y1 = TU.Zero, y2 = TU.Zero, y3 = TU.Zero;
            ref float bc = ref At(ref b, c);
            int first = 0;
            if (causal)
            {
                // queries l .. l + 2: each sees the keys up to itself
                TU x0 = Load<TU>(ref bc, l * bStride);
                int q0 = (l * steps) + l;
                y0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, q0)), x0, y0);
                TU x1 = Load<TU>(ref bc, (l + 1) * bStride);
                int q1 = q0 + steps;
                y0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, q1)), x1, y0);
                y1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, q1 + 1)), x1, y1);
                TU x2 = Load<TU>(ref bc, (l + 2) * bStride);
                int q2 = q1 + steps;
                y0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, q2)), x2, y0);
                y1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, q2 + 1)), x2, y1);
                y2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, q2 + 2)), x2, y2);
                first = l + 3;
            }

            // the shared queries in two chains a row, even and odd offsets from the first (8 in all), added at the end
            TU z0 = TU.Zero, z1 = TU.Zero, z2 = TU.Zero, z3 = TU.Zero;
            nint bOffset = (nint)first * bStride, wOffset = ((nint)first * steps) + l;
            int i = first;
            for (; i + 2 <= steps; i += 2)
            {
                ref float bi = ref Unsafe.Add(ref bc, bOffset);
                ref float wi = ref Unsafe.Add(ref w, wOffset);
                ref float mi = ref Unsafe.Add(ref m, wOffset);
                TU x = TU.Load(ref bi, 0), u = TU.Load(ref bi, (nuint)bStride);
                y0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 0)), x, y0);
                y1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 1)), x, y1);
                y2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 2)), x, y2);
                y3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 3)), x, y3);
                z0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, steps)), u, z0);
                z1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, steps + 1)), u, z1);
                z2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, steps + 2)), u, z2);
                z3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, steps + 3)), u, z3);
                bOffset += 2 * bStride;
                wOffset += 2 * steps;
            }

            if (i < steps)
            {
                ref float wi = ref Unsafe.Add(ref w, wOffset);
                ref float mi = ref Unsafe.Add(ref m, wOffset);
                TU x = TU.Load(ref Unsafe.Add(ref bc, bOffset), 0);
                y0 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 0)), x, y0);
                y1 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 1)), x, y1);
                y2 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 2)), x, y2);
                y3 = TU.MultiplyAdd(TU.Create(Weight<TM>(ref wi, ref mi, 3)), x, y3);
            }

            ref float oc = ref At(ref o, c);
            ((y0 + z0) * s).Store(ref oc, (nuint)(l * oStride));
            ((y1 + z1) * s).Store(ref oc, (nuint)((l + 1) * oStride));
            ((y2 + z2) * s).Store(ref oc, (nuint)((l + 2) * oStride));
            ((y3 + z3) * s).Store(ref oc, (nuint)((l + 3) * oStride));
        }

        return c;
    }

    /// <summary>Features <paramref name="c"/> onward of output row l alone of <see cref="ColumnsByRows{TV, TM}"/>; returns the first feature left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WeightColumn<TU, TM>(ref float w, ref float m, int steps, ref float b, int bStride, int depth, ref float o, int oStride, bool causal, float scale, int l, int c)
        where TU : struct, IMathLanes<TU>
        where TM : struct, IMasking
    {
        int n = TU.Count;
        for (; c + n <= depth; c += n)
        {
            TU y = TU.Zero;
            ref float bc = ref At(ref b, c);
            for (int i = causal ? l : 0; i < steps; i++)
            {
                y = TU.MultiplyAdd(TU.Create(Weight<TM>(ref w, ref m, (i * steps) + l)), Load<TU>(ref bc, i * bStride), y);
            }

            (y * TU.Create(scale)).Store(ref o, (nuint)((l * oStride) + c));
        }

        return c;
    }
}
