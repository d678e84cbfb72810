using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// The core of multi-head self-attention (PyTorch's <c>nn.MultiheadAttention</c> with <c>batch_first=True</c>, dropout on
/// the attention weights), called by generated code between the layer's two dense products: the packed input projection
/// <c>qkv = x W_inᵀ + b_in</c> before and the output projection <c>out_proj</c> after. Per sample and head j (<c>dk = d / h</c>
/// features of each of q, k and v):
/// <c>S = Q_j K_jᵀ / √dk</c>, <c>P = softmax(S)</c> per row (causal: over keys l ≤ i only), <c>P' = P ⊙ mask</c>,
/// <c>O_j = P' V_j</c>; backward <c>dP' = dO Vᵀ</c>, <c>dV = P'ᵀ dO</c>, <c>dP = dP' ⊙ mask</c>,
/// <c>dS = P ⊙ (dP − rowsum(dP ⊙ P))</c>, <c>dQ = dS K / √dk</c>, <c>dK = dSᵀ Q / √dk</c>. The layer's shape comes in as a
/// struct type argument (<see cref="IAttentionLayer"/>), so every size is a constant in the compiled kernel.
/// </summary>
/// <remarks>
/// <para>
/// Vectors (<see cref="FloatLanes"/>' width, picked from <see cref="Simd"/> once per call): every product is a chain of
/// fused multiply-adds with a broadcast operand and no horizontal sums. The scores of a pair of queries against whole
/// vectors of keys come from a transposed copy of the head's keys (on the stack, in blocks of keys), broadcasting each
/// feature of q; <c>P' V</c> and <c>dS K</c> broadcast a weight and run down the value's (key's) features, four query
/// rows at a time, two chains a row (even and odd terms, added at the end); <c>P'ᵀ dO</c> and <c>dSᵀ Q</c> do the same
/// down the columns of P' and dS; <c>dO Vᵀ</c> is the scores' product over a transposed copy of V in the scratch. With
/// dropout, <c>P' = P ⊙ mask</c> is formed once per head in vectors (forward: on the stack for T ≤ 64, beyond that the
/// mask multiplies each weight as it is read; backward: in the scratch). Causal layers stop every product at the diagonal, at the
/// granularity of one vector: a pair of score rows runs to the vector that holds its second row's diagonal, so the few
/// entries of that vector past a row's diagonal are computed too (and left out of the softmax with a lane mask, then
/// overwritten with 0; in dP' never read); the products with P' and dS read no entry above the diagonal. The softmax is
/// stable: each row's maximum is subtracted, then <c>e^x</c> by <see cref="FloatLanes"/>' <c>Exp</c>, then the entries
/// times the reciprocal of the row's sum (as PyTorch's vectorized softmax does).
/// </para>
/// <para>
/// Without vectors (<c>NETGEN_MAX_VECTOR_BITS=0</c>) the textbook loops run (<c>ForwardTextbook</c>,
/// <c>BackwardTextbook</c>), which read as the formulas above.
/// </para>
/// <para>
/// Bits: every sample is computed on its own, each output as one sum in one fixed order, so a batch split across threads
/// (by samples, for a large enough batch) gives the bits of one thread, and a sample alone the bits it gets in a batch.
/// Nothing is allocated.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class AttentionKernels
{
    /// <summary>
    /// Floats per sample of the attention weights <see cref="Forward{TLayer}(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, bool)"/> writes and <see cref="Backward{TLayer}"/>
    /// reads: <c>h·T·T</c> (<c>[h, T, T]</c>, P before dropout).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WeightsLength<TLayer>()
        where TLayer : struct, IAttentionLayer
        => TLayer.Heads * TLayer.Steps * TLayer.Steps;

    /// <summary>
    /// Floats per sample of the scratch <see cref="Backward{TLayer}"/> needs (the caller reserves <c>batch ·
    /// BackwardScratchLength</c>; nothing in it outlives the call): <c>T·T</c> (one head's dP', then dS), <c>dk·T</c> (the
    /// head's Vᵀ), <c>T·T</c> (the head's <c>P ⊙ mask</c>, with dropout) and <c>T·d</c> (a copy of the sample's dOutput,
    /// used when a masked batch is split across threads), in that order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BackwardScratchLength<TLayer>()
        where TLayer : struct, IAttentionLayer
        => (2 * TLayer.Steps * TLayer.Steps) + (HeadWidth<TLayer>() * TLayer.Steps) + (TLayer.Steps * TLayer.Model);

    /// <summary>
    /// The attention of a batch: <paramref name="qkv"/> is <c>[batch, T, 3d]</c>, each row <c>q | k | v</c> as PyTorch's
    /// <c>in_proj</c> packs them (head j uses features <c>j·dk .. (j+1)·dk − 1</c> of each); writes
    /// <paramref name="output"/> <c>[batch, T, d]</c> (head j's <c>P' V_j</c> in columns <c>j·dk ..</c>) and
    /// <paramref name="weights"/> <c>[batch, h, T, T]</c>, the softmax P (causal: exactly 0 above the diagonal).
    /// <paramref name="mask"/> is empty (no dropout: inference, or p = 0) or <c>[batch, h, T, T]</c> of 0 or
    /// <c>1/(1−p)</c> (<see cref="Dropout.Mask"/>); then the output uses <c>P ⊙ mask</c>. With <paramref name="threads"/>
    /// &gt; 1 and enough work (<c>batch·T·T·d ≥ 2^17</c>, two samples or more) the samples are split across threads, giving
    /// the bits of one thread.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not the one the layer and <paramref name="batch"/> give.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<TLayer>(ReadOnlySpan<float> qkv, Span<float> output, Span<float> weights, ReadOnlySpan<float> mask, int batch, int threads)
        where TLayer : struct, IAttentionLayer
        => Forward<TLayer>(qkv, output, weights, mask, batch, threads, keepWeights: true);

    /// <summary>
    /// <see cref="Forward{TLayer}(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int)"/>, and with
    /// <paramref name="keepWeights"/> false (inference: no backward will read P) the weights need not be kept: without a
    /// mask, a head's P of at most 4,096 floats (T ≤ 64) is then computed in a plane on the stack, which stays in L1,
    /// rather than in <paramref name="weights"/> (4 MB at batch 64 for the anchor transformer, streamed out and read back;
    /// its batch-64 inference took 14 % less time without it, Zen 5). What <paramref name="weights"/> holds
    /// afterwards is then unspecified (the vector paths leave it as it was; the scalar path still writes P there). The output's
    /// bits are the same either way.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not the one the layer and <paramref name="batch"/> give.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TLayer>(ReadOnlySpan<float> qkv, Span<float> output, Span<float> weights, ReadOnlySpan<float> mask, int batch, int threads, bool keepWeights)
        where TLayer : struct, IAttentionLayer
    {
        CheckLayer<TLayer>();
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        int steps = TLayer.Steps, model = TLayer.Model;
        CheckLength(qkv.Length, (long)batch * steps * 3 * model, nameof(qkv), "[batch, T, 3d]");
        CheckLength(output.Length, (long)batch * steps * model, nameof(output), "[batch, T, d]");
        CheckLength(weights.Length, (long)batch * WeightsLength<TLayer>(), nameof(weights), "[batch, h, T, T]");
        if (!mask.IsEmpty)
        {
            CheckLength(mask.Length, (long)batch * WeightsLength<TLayer>(), nameof(mask), "[batch, h, T, T], or none");
        }

        if (threads > 1 && batch >= MinSamplesForThreads<TLayer>())
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(qkv, mask, default, output, weights), keepWeights,
                static (in KernelSpans s, in bool keep, int start, int end) => ForwardSamples<TLayer>(s.In0, s.In1, s.Out0, s.Out1, start, end, keep));
        }
        else
        {
            ForwardSamples<TLayer>(qkv, mask, output, weights, 0, batch, keepWeights);
        }
    }

    /// <summary>
    /// The gradient of the attention with respect to <paramref name="qkv"/>: <paramref name="dQkv"/> <c>[batch, T, 3d]</c>
    /// is WRITTEN (not added), <c>dQ | dK | dV</c> in <paramref name="qkv"/>'s layout, from <paramref name="dOutput"/>
    /// <c>[batch, T, d]</c>, the <paramref name="weights"/> P that <see cref="Forward{TLayer}(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, bool)"/> wrote and the same
    /// <paramref name="mask"/> (empty or <c>[batch, h, T, T]</c>). <paramref name="scratch"/> holds at least
    /// <c>batch · BackwardScratchLength</c> floats (see <see cref="BackwardScratchLength{TLayer}"/>). Threads as in
    /// <see cref="Forward{TLayer}(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, bool)"/>, with the bits of one thread.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not the one the layer and <paramref name="batch"/> give, or the scratch is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TLayer>(
        ReadOnlySpan<float> qkv, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, ReadOnlySpan<float> dOutput, Span<float> dQkv, Span<float> scratch, int batch, int threads)
        where TLayer : struct, IAttentionLayer
    {
        CheckLayer<TLayer>();
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        int steps = TLayer.Steps, model = TLayer.Model;
        CheckLength(qkv.Length, (long)batch * steps * 3 * model, nameof(qkv), "[batch, T, 3d]");
        CheckLength(weights.Length, (long)batch * WeightsLength<TLayer>(), nameof(weights), "[batch, h, T, T]");
        if (!mask.IsEmpty)
        {
            CheckLength(mask.Length, (long)batch * WeightsLength<TLayer>(), nameof(mask), "[batch, h, T, T], or none");
        }

        CheckLength(dOutput.Length, (long)batch * steps * model, nameof(dOutput), "[batch, T, d]");
        CheckLength(dQkv.Length, (long)batch * steps * 3 * model, nameof(dQkv), "[batch, T, 3d]");
        long needed = (long)batch * BackwardScratchLength<TLayer>();
        if (scratch.Length < needed)
        {
            throw new ArgumentException($"Expected at least {needed} floats of scratch (batch {batch} × {BackwardScratchLength<TLayer>()}), got {scratch.Length}.", nameof(scratch));
        }

        scratch = scratch.Slice(0, (int)needed);
        if (threads > 1 && batch >= MinSamplesForThreads<TLayer>())
        {
            if (mask.IsEmpty)
            {
                KernelThreads.For(threads, batch, 1, new KernelSpans(qkv, weights, dOutput, dQkv, scratch),
                    static (in KernelSpans s, int start, int end) => BackwardSamples<TLayer>(s.In0, s.In1, default, s.In2, s.Out0, s.Out1, start, end));
            }
            else
            {
                // four inputs, three places: dOutput travels in each sample's scratch (its last T·d floats)
                int length = BackwardScratchLength<TLayer>(), rows = steps * model;
                for (int b = 0; b < batch; b++)
                {
                    dOutput.Slice(b * rows, rows).CopyTo(scratch.Slice((b * length) + length - rows, rows));
                }

                KernelThreads.For(threads, batch, 1, new KernelSpans(qkv, weights, mask, dQkv, scratch),
                    static (in KernelSpans s, int start, int end) => BackwardSamples<TLayer>(s.In0, s.In1, s.In2, default, s.Out0, s.Out1, start, end));
            }
        }
        else
        {
            BackwardSamples<TLayer>(qkv, weights, mask, dOutput, dQkv, scratch, 0, batch);
        }
    }

    /// <summary>dk: one head's features of q, k and v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HeadWidth<TLayer>()
        where TLayer : struct, IAttentionLayer
        => TLayer.Model / TLayer.Heads;

    /// <summary>The batch worth splitting across threads: about 2^17 of <c>T·T·d</c> in all, and two samples at least.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MinSamplesForThreads<TLayer>()
        where TLayer : struct, IAttentionLayer
    {
        long perSample = (long)TLayer.Steps * TLayer.Steps * TLayer.Model;
        return (int)Math.Max(2, ((1L << 17) + perSample - 1) / perSample);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckLayer<TLayer>()
        where TLayer : struct, IAttentionLayer
    {
        if (TLayer.Steps < 1 || TLayer.Heads < 1 || TLayer.Model < TLayer.Heads || TLayer.Model % TLayer.Heads != 0)
        {
            throw new ArgumentException(
                $"An attention layer needs T ≥ 1, h ≥ 1 and d a multiple of h; {typeof(TLayer).Name} has T {TLayer.Steps}, d {TLayer.Model}, h {TLayer.Heads}.",
                nameof(TLayer));
        }
    }

    private static void CheckLength(int actual, long expected, string name, string shape)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} floats ({shape}), got {actual}.", name);
        }
    }

    /// <summary>Samples <paramref name="start"/> .. <paramref name="end"/> − 1 of <see cref="Forward{TLayer}(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, bool)"/>, at the width <see cref="Simd"/> allows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSamples<TLayer>(ReadOnlySpan<float> qkv, ReadOnlySpan<float> mask, Span<float> output, Span<float> weights, int start, int end, bool keepWeights)
        where TLayer : struct, IAttentionLayer
    {
        if (Simd.Use512)
        {
            ForwardVectors<TLayer, V512>(qkv, mask, output, weights, start, end, keepWeights);
        }
        else if (Simd.Use256)
        {
            ForwardVectors<TLayer, V256>(qkv, mask, output, weights, start, end, keepWeights);
        }
        else if (Simd.Use128)
        {
            ForwardVectors<TLayer, V128>(qkv, mask, output, weights, start, end, keepWeights);
        }
        else
        {
            ForwardTextbook<TLayer>(qkv, mask, output, weights, start, end);
        }
    }

    /// <summary>
    /// Samples <paramref name="start"/> .. <paramref name="end"/> − 1 of <see cref="Backward{TLayer}"/>. An empty
    /// <paramref name="dOutput"/> means each sample's dOutput is in the last T·d floats of its scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardSamples<TLayer>(
        ReadOnlySpan<float> qkv, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, ReadOnlySpan<float> dOutput, Span<float> dQkv, Span<float> scratch, int start, int end)
        where TLayer : struct, IAttentionLayer
    {
        if (Simd.Use512)
        {
            BackwardVectors<TLayer, V512>(qkv, weights, mask, dOutput, dQkv, scratch, start, end);
        }
        else if (Simd.Use256)
        {
            BackwardVectors<TLayer, V256>(qkv, weights, mask, dOutput, dQkv, scratch, start, end);
        }
        else if (Simd.Use128)
        {
            BackwardVectors<TLayer, V128>(qkv, weights, mask, dOutput, dQkv, scratch, start, end);
        }
        else
        {
            BackwardTextbook<TLayer>(qkv, weights, mask, dOutput, dQkv, scratch, start, end);
        }
    }

    /// <summary>Sample <paramref name="b"/>'s dOutput: its rows of <paramref name="dOutput"/>, or (empty) the copy in its scratch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<float> SampleOutputGradient<TLayer>(ReadOnlySpan<float> dOutput, Span<float> scratch, int b)
        where TLayer : struct, IAttentionLayer
    {
        int rows = TLayer.Steps * TLayer.Model, length = BackwardScratchLength<TLayer>();
        return dOutput.IsEmpty ? scratch.Slice((b * length) + length - rows, rows) : dOutput.Slice(b * rows, rows);
    }

    /// <summary>
    /// The forward pass as the formulas read, one float at a time: per sample, head and query i, the scores
    /// <c>s_l = (q_i · k_l) / √dk</c> for the keys l it sees, <c>P_il = e^(s_l − max s) / Σ e^(s − max s)</c>, and
    /// <c>O_i = Σ_l P_il m_il v_l</c>. What runs without vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTextbook<TLayer>(ReadOnlySpan<float> qkv, ReadOnlySpan<float> mask, Span<float> output, Span<float> weights, int start, int end)
        where TLayer : struct, IAttentionLayer
    {
        int steps = TLayer.Steps, model = TLayer.Model, dk = HeadWidth<TLayer>(), stride = 3 * model;
        float scale = 1f / MathF.Sqrt(dk);
        for (int b = start; b < end; b++)
        {
            ReadOnlySpan<float> x = qkv.Slice(b * steps * stride, steps * stride);
            Span<float> o = output.Slice(b * steps * model, steps * model);
            for (int head = 0; head < TLayer.Heads; head++)
            {
                int plane = ((b * TLayer.Heads) + head) * steps * steps;
                int q = head * dk, k = model + (head * dk), v = (2 * model) + (head * dk);
                for (int i = 0; i < steps; i++)
                {
                    int keys = TLayer.Causal ? i + 1 : steps;
                    Span<float> p = weights.Slice(plane + (i * steps), steps);
                    for (int l = 0; l < keys; l++)
                    {
                        float s = 0f;
                        for (int c = 0; c < dk; c++)
                        {
                            s += x[(i * stride) + q + c] * x[(l * stride) + k + c];
                        }

                        p[l] = s * scale;
                    }

                    float max = float.NegativeInfinity;
                    for (int l = 0; l < keys; l++)
                    {
                        max = MathF.Max(max, p[l]);
                    }

                    float sum = 0f;
                    for (int l = 0; l < keys; l++)
                    {
                        p[l] = MathF.Exp(p[l] - max);
                        sum += p[l];
                    }

                    for (int l = 0; l < keys; l++)
                    {
                        p[l] /= sum;
                    }

                    p.Slice(keys).Clear();
                    for (int c = 0; c < dk; c++)
                    {
                        float sumV = 0f;
                        for (int l = 0; l < keys; l++)
                        {
                            float kept = mask.IsEmpty ? p[l] : p[l] * mask[plane + (i * steps) + l];
                            sumV += kept * x[(l * stride) + v + c];
                        }

                        o[(i * model) + q + c] = sumV;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The backward pass as the formulas read: per sample and head, each row of <c>dS = P ⊙ (dP − Σ_l dP_l P_l)</c> with
    /// <c>dP_il = m_il (dO_i · v_l)</c> (kept in the scratch), then <c>dV_l = Σ_i P_il m_il dO_i</c>,
    /// <c>dQ_i = Σ_l dS_il k_l / √dk</c> and <c>dK_l = Σ_i dS_il q_i / √dk</c>, over the pairs a causal layer allows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardTextbook<TLayer>(
        ReadOnlySpan<float> qkv, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, ReadOnlySpan<float> dOutput, Span<float> dQkv, Span<float> scratch, int start, int end)
        where TLayer : struct, IAttentionLayer
    {
        int steps = TLayer.Steps, model = TLayer.Model, dk = HeadWidth<TLayer>(), stride = 3 * model;
        float scale = 1f / MathF.Sqrt(dk);
        for (int b = start; b < end; b++)
        {
            ReadOnlySpan<float> x = qkv.Slice(b * steps * stride, steps * stride);
            ReadOnlySpan<float> dO = SampleOutputGradient<TLayer>(dOutput, scratch, b);
            Span<float> dx = dQkv.Slice(b * steps * stride, steps * stride);
            Span<float> ds = scratch.Slice(b * BackwardScratchLength<TLayer>(), steps * steps);
            for (int head = 0; head < TLayer.Heads; head++)
            {
                int plane = ((b * TLayer.Heads) + head) * steps * steps;
                int q = head * dk, k = model + (head * dk), v = (2 * model) + (head * dk);
                ReadOnlySpan<float> p = weights.Slice(plane, steps * steps);
                for (int i = 0; i < steps; i++)
                {
                    int keys = TLayer.Causal ? i + 1 : steps;
                    float r = 0f;
                    for (int l = 0; l < keys; l++)
                    {
                        float dp = 0f;
                        for (int c = 0; c < dk; c++)
                        {
                            dp += dO[(i * model) + q + c] * x[(l * stride) + v + c];
                        }

                        if (!mask.IsEmpty)
                        {
                            dp *= mask[plane + (i * steps) + l];
                        }

                        ds[(i * steps) + l] = dp;
                        r += dp * p[(i * steps) + l];
                    }

                    for (int l = 0; l < keys; l++)
                    {
                        ds[(i * steps) + l] = p[(i * steps) + l] * (ds[(i * steps) + l] - r);
                    }
                }

                for (int l = 0; l < steps; l++)
                {
                    int first = TLayer.Causal ? l : 0;
                    for (int c = 0; c < dk; c++)
                    {
                        float sumV = 0f, sumK = 0f;
                        for (int i = first; i < steps; i++)
                        {
                            float kept = mask.IsEmpty ? p[(i * steps) + l] : p[(i * steps) + l] * mask[plane + (i * steps) + l];
                            sumV += kept * dO[(i * model) + q + c];
                            sumK += ds[(i * steps) + l] * x[(i * stride) + q + c];
                        }

                        dx[(l * stride) + v + c] = sumV;
                        dx[(l * stride) + k + c] = sumK * scale;
                    }
                }

                for (int i = 0; i < steps; i++)
                {
                    int keys = TLayer.Causal ? i + 1 : steps;
                    for (int c = 0; c < dk; c++)
                    {
                        float sumQ = 0f;
                        for (int l = 0; l < keys; l++)
                        {
                            sumQ += ds[(i * steps) + l] * x[(l * stride) + k + c];
                        }

                        dx[(i * stride) + q + c] = sumQ * scale;
                    }
                }
            }
        }
    }
}
