using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="AttentionKernels"/>: scaled dot-product multi-head self-attention between <c>nn.MultiheadAttention</c>'s
/// projections, against PyTorch 1.13 (Reference/attention_reference.py writes Reference/attention.json: explicit torch
/// ops in float64 on float32 inputs, one case cross-checked there against <c>nn.MultiheadAttention</c> itself), against
/// double-precision finite differences, and for causality, thread and batch invariance (exact bits), no allocation and
/// the dropout mask's draws. Outputs and weights: <c>|a − b| ≤ 1e-5 · max|b|</c> per tensor; dQ and dV:
/// <c>1e-4 · max|b|</c> of each; dK, whose true value is tiny in some cases (softmax's gradient is nearly orthogonal to
/// a shift of the scores), absolutely against <c>1e-4</c> of the largest of dQ, dK and dV.
/// </summary>
public sealed class AttentionKernelsTests
{
    private const double OutputTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "attention.json"))));

    public static IEnumerable<object[]> Cases()
        => Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Fact]
    public void Reference_file_covers_heads_lengths_widths_causal_and_dropout()
    {
        JsonElement[] cases = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        foreach (int h in new[] { 1, 2, 4 })
        {
            Assert.Contains(cases, c => c.GetProperty("heads").GetInt32() == h);
        }

        foreach (int t in new[] { 1, 7, 16 })
        {
            Assert.Contains(cases, c => c.GetProperty("steps").GetInt32() == t);
        }

        foreach (int d in new[] { 4, 8, 12 })
        {
            Assert.Contains(cases, c => c.GetProperty("model").GetInt32() == d);
        }

        Assert.Contains(cases, c => c.GetProperty("model").GetInt32() / c.GetProperty("heads").GetInt32() == 3);
        foreach (bool causal in new[] { false, true })
        {
            Assert.Contains(cases, c => c.GetProperty("causal").GetBoolean() == causal && c.GetProperty("mask").GetArrayLength() > 0);
            Assert.Contains(cases, c => c.GetProperty("causal").GetBoolean() == causal && c.GetProperty("mask").GetArrayLength() == 0);
        }

        // the mask holds dropout's two values only
        float keep = 1f / (1f - (float)Reference.Value.RootElement.GetProperty("dropout").GetDouble());
        float[] mask = cases.SelectMany(c => Floats(c.GetProperty("mask"))).ToArray();
        Assert.All(mask, m => Assert.True(m == 0f || m == keep, $"mask value {m:R}"));
        Assert.Contains(0f, mask);
        Assert.Contains(keep, mask);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_weights_and_gradients_match_PyTorch(string name)
    {
        JsonElement c = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        string shape = $"{c.GetProperty("heads").GetInt32()}_{c.GetProperty("steps").GetInt32()}_{c.GetProperty("model").GetInt32()}{(c.GetProperty("causal").GetBoolean() ? "C" : "")}";
        switch (shape)
        {
            case "1_1_4": Check<A1_1_4>(c); break;
            case "1_1_4C": Check<A1_1_4C>(c); break;
            case "1_7_4C": Check<A1_7_4C>(c); break;
            case "2_7_8": Check<A2_7_8>(c); break;
            case "2_16_8C": Check<A2_16_8C>(c); break;
            case "4_16_12": Check<A4_16_12>(c); break;
            case "4_16_12C": Check<A4_16_12C>(c); break;
            case "4_7_12C": Check<A4_7_12C>(c); break;
            case "2_16_12": Check<A2_16_12>(c); break;
            case "1_16_8C": Check<A1_16_8C>(c); break;
            case "4_1_8C": Check<A4_1_8C>(c); break;
            case "4_16_8": Check<A4_16_8>(c); break;
            case "2_40_48C": Check<A2_40_48C>(c); break;
            case "2_40_48": Check<A2_40_48>(c); break;
            default: Assert.Fail($"{name}: no descriptor for shape {shape}"); break;
        }
    }

    private static void Check<TLayer>(JsonElement c)
        where TLayer : struct, IAttentionLayer
    {
        string name = c.GetProperty("name").GetString()!;
        int batch = c.GetProperty("batch").GetInt32();
        float[] qkv = Floats(c.GetProperty("qkv"));
        float[] mask = Floats(c.GetProperty("mask"));
        float[] dOutput = Floats(c.GetProperty("d_output"));
        foreach (int threads in new[] { 1, 2 })
        {
            var run = new Run<TLayer>(batch);
            run.Forward(qkv, mask, threads);
            AssertClose(Doubles(c.GetProperty("output")), run.Output, OutputTolerance, $"{name} output ({threads} threads)");
            AssertClose(Doubles(c.GetProperty("weights")), run.Weights, OutputTolerance, $"{name} weights ({threads} threads)");
            run.Backward(qkv, mask, dOutput, threads);
            AssertGradients<TLayer>(Doubles(c.GetProperty("d_qkv")), run.DQkv, batch, $"{name} ({threads} threads)");
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Backward_matches_double_precision_finite_differences(bool causal, bool masked)
    {
        if (causal)
        {
            FiniteDifferences<A2_9_12C>(masked);
        }
        else
        {
            FiniteDifferences<A2_9_12>(masked);
        }
    }

    private static void FiniteDifferences<TLayer>(bool masked)
        where TLayer : struct, IAttentionLayer
    {
        const int batch = 2;
        var random = new Rng(masked ? 21UL : 12UL);
        float[] qkv = Normal(batch * TLayer.Steps * 3 * TLayer.Model, 1.5f, ref random);
        float[] g = Normal(batch * TLayer.Steps * TLayer.Model, 1f, ref random);
        float[] mask = masked ? new float[batch * AttentionKernels.WeightsLength<TLayer>()] : [];
        Dropout.Mask(mask, 0.3f, ref random);

        var run = new Run<TLayer>(batch);
        run.Forward(qkv, mask, 1);
        double[] x = qkv.Select(v => (double)v).ToArray();
        double[] expected = DoubleAttention<TLayer>(x, mask, batch, out double[] weights);
        AssertClose(expected, run.Output, OutputTolerance, "output");
        AssertClose(weights, run.Weights, OutputTolerance, "weights");

        run.Backward(qkv, mask, g, 1);
        var numeric = new double[x.Length];
        const double step = 1e-6;
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + step;
            double up = Dot(DoubleAttention<TLayer>(x, mask, batch, out _), g);
            x[i] = saved - step;
            double down = Dot(DoubleAttention<TLayer>(x, mask, batch, out _), g);
            x[i] = saved;
            numeric[i] = (up - down) / (2 * step);
        }

        AssertGradients<TLayer>(numeric, run.DQkv, batch, $"finite differences (causal {TLayer.Causal}, mask {masked})");
    }

    /// <summary>T = 70 (past the forward's staged <c>P ⊙ mask</c>, so the mask is applied as the weights are read) against the double forward.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Long_sequences_match_the_double_precision_forward(bool masked)
    {
        const int batch = 2;
        var random = new Rng(masked ? 70UL : 71UL);
        float[] qkv = Normal(batch * A2_70_40C.Steps * 3 * A2_70_40C.Model, 1.5f, ref random);
        float[] mask = masked ? new float[batch * AttentionKernels.WeightsLength<A2_70_40C>()] : [];
        Dropout.Mask(mask, 0.3f, ref random);
        var run = new Run<A2_70_40C>(batch);
        run.Forward(qkv, mask, 1);
        double[] expected = DoubleAttention<A2_70_40C>(qkv.Select(v => (double)v).ToArray(), mask, batch, out double[] weights);
        AssertClose(expected, run.Output, OutputTolerance, "output");
        AssertClose(weights, run.Weights, OutputTolerance, "weights");
    }

    [Fact]
    public void Causal_rows_never_see_later_positions_and_the_upper_triangle_is_exactly_zero()
    {
        Causality<A2_9_12C>();
        Causality<A2_70_40C>();
    }

    private static void Causality<TLayer>()
        where TLayer : struct, IAttentionLayer
    {
        int t = TLayer.Steps, d = TLayer.Model, h = TLayer.Heads;
        var random = new Rng(7);
        float[] qkv = Normal(t * 3 * d, 1.5f, ref random);
        float[] mask = new float[AttentionKernels.WeightsLength<TLayer>()];
        Dropout.Mask(mask, 0.2f, ref random);
        var reference = new Run<TLayer>(1);
        reference.Forward(qkv, mask, 1);
        for (int head = 0; head < h; head++)
        {
            for (int i = 0; i < t; i++)
            {
                for (int j = i + 1; j < t; j++)
                {
                    Assert.Equal(0, BitConverter.SingleToInt32Bits(reference.Weights[((head * t) + i) * t + j]));
                }
            }
        }

        foreach (int i in new[] { 0, t / 2, t - 2 })
        {
            // every q, k and v feature of positions after i changes; rows 0 .. i of the output and the weights keep their bits
            float[] changed = (float[])qkv.Clone();
            for (int k = (i + 1) * 3 * d; k < changed.Length; k++)
            {
                changed[k] = (changed[k] * -3f) + 1f;
            }

            var run = new Run<TLayer>(1);
            run.Forward(changed, mask, 1);
            Assert.Equal(reference.Output.AsSpan(0, (i + 1) * d).ToArray(), run.Output.AsSpan(0, (i + 1) * d).ToArray());
            for (int head = 0; head < h; head++)
            {
                Assert.Equal(reference.Weights.AsSpan(head * t * t, (i + 1) * t).ToArray(), run.Weights.AsSpan(head * t * t, (i + 1) * t).ToArray());
            }

            Assert.NotEqual(reference.Output.AsSpan((i + 1) * d).ToArray(), run.Output.AsSpan((i + 1) * d).ToArray());
        }
    }

    [Fact]
    public void Threads_and_batch_position_never_change_a_bit()
    {
        Invariance<A4_64_64>(masked: false);
        Invariance<A4_64_64>(masked: true);
        Invariance<A4_64_64C>(masked: true);
        Invariance<A2_70_40C>(masked: false);
        Invariance<A2_70_40C>(masked: true);
    }

    private static void Invariance<TLayer>(bool masked)
        where TLayer : struct, IAttentionLayer
    {
        const int batch = 5;
        int perQkv = TLayer.Steps * 3 * TLayer.Model, perOut = TLayer.Steps * TLayer.Model, perWeights = AttentionKernels.WeightsLength<TLayer>();
        var random = new Rng(99);
        float[] qkv = Normal(batch * perQkv, 1.5f, ref random);
        float[] dOutput = Normal(batch * perOut, 1f, ref random);
        float[] mask = masked ? new float[batch * perWeights] : [];
        Dropout.Mask(mask, 0.1f, ref random);

        var one = new Run<TLayer>(batch);
        one.Forward(qkv, mask, 1);
        one.Backward(qkv, mask, dOutput, 1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = new Run<TLayer>(batch);
            many.Forward(qkv, mask, threads);
            many.Backward(qkv, mask, dOutput, threads);
            AssertBits(one.Output, many.Output, $"output, {threads} threads");
            AssertBits(one.Weights, many.Weights, $"weights, {threads} threads");
            AssertBits(one.DQkv, many.DQkv, $"dQkv, {threads} threads");
        }

        // sample 3 alone
        const int b = 3;
        var alone = new Run<TLayer>(1);
        float[] sampleMask = masked ? mask.AsSpan(b * perWeights, perWeights).ToArray() : [];
        alone.Forward(qkv.AsSpan(b * perQkv, perQkv).ToArray(), sampleMask, 1);
        alone.Backward(qkv.AsSpan(b * perQkv, perQkv).ToArray(), sampleMask, dOutput.AsSpan(b * perOut, perOut).ToArray(), 1);
        AssertBits(one.Output.AsSpan(b * perOut, perOut).ToArray(), alone.Output, "output alone");
        AssertBits(one.Weights.AsSpan(b * perWeights, perWeights).ToArray(), alone.Weights, "weights alone");
        AssertBits(one.DQkv.AsSpan(b * perQkv, perQkv).ToArray(), alone.DQkv, "dQkv alone");
    }

    [Fact]
    public void Inference_without_kept_weights_gives_the_same_output_bits_and_leaves_the_weights_alone()
    {
        // T = 64, no mask: each head's P in a plane on the stack; T = 70, or a mask: P in the weights as in training
        WithoutKeptWeights<A4_64_64>(masked: false, weightsLeftAlone: true);
        WithoutKeptWeights<A4_64_64C>(masked: false, weightsLeftAlone: true);
        WithoutKeptWeights<A2_9_12>(masked: false, weightsLeftAlone: true);
        WithoutKeptWeights<A4_64_64>(masked: true, weightsLeftAlone: false);
        WithoutKeptWeights<A2_70_40C>(masked: false, weightsLeftAlone: false);
    }

    private static void WithoutKeptWeights<TLayer>(bool masked, bool weightsLeftAlone)
        where TLayer : struct, IAttentionLayer
    {
        const int batch = 3;
        var random = new Rng(41);
        float[] qkv = Normal(batch * TLayer.Steps * 3 * TLayer.Model, 1.5f, ref random);
        float[] mask = masked ? new float[batch * AttentionKernels.WeightsLength<TLayer>()] : [];
        Dropout.Mask(mask, 0.1f, ref random);
        var kept = new Run<TLayer>(batch);
        kept.Forward(qkv, mask, 1);
        foreach (int threads in new[] { 1, 2 })
        {
            var output = new float[kept.Output.Length];
            var weights = new float[kept.Weights.Length];
            weights.AsSpan().Fill(float.NaN);
            AttentionKernels.Forward<TLayer>(qkv, output, weights, mask, batch, threads, keepWeights: false);
            AssertBits(kept.Output, output, $"output, {threads} threads");
            if (weightsLeftAlone && Simd.Use128)
            {
                // the vector paths' plane on the stack; the scalar path (NETGEN_MAX_VECTOR_BITS=0) writes P as in training
                Assert.All(weights, w => Assert.True(float.IsNaN(w)));
            }
            else if (!weightsLeftAlone)
            {
                AssertBits(kept.Weights, weights, $"weights, {threads} threads");
            }
        }
    }

    [Fact]
    public void Forward_and_backward_allocate_nothing()
    {
        const int batch = 3;
        var random = new Rng(5);
        float[] qkv = Normal(batch * 64 * 3 * 64, 1f, ref random);
        float[] dOutput = Normal(batch * 64 * 64, 1f, ref random);
        float[] mask = new float[batch * AttentionKernels.WeightsLength<A4_64_64C>()];
        Dropout.Mask(mask, 0.1f, ref random);
        var run = new Run<A4_64_64C>(batch);
        var small = new Run<A2_9_12>(1);
        float[] smallQkv = Normal(9 * 36, 1f, ref random);
        float[] smallDOutput = Normal(9 * 12, 1f, ref random);
        AllocationAssert.Zero(() =>
        {
            for (int threads = 1; threads <= 2; threads++)
            {
                run.Forward(qkv, mask, threads);
                run.Backward(qkv, mask, dOutput, threads);
                run.Forward(qkv, [], threads);
                run.Backward(qkv, [], dOutput, threads);
                AttentionKernels.Forward<A4_64_64C>(qkv, run.Output, run.Weights, [], batch, threads, keepWeights: false);
            }

            small.Forward(smallQkv, [], 1);
            small.Backward(smallQkv, [], smallDOutput, 1);
        });
    }

    [Fact]
    public void Dropout_mask_draws_what_dropout_forward_draws()
    {
        foreach (float p in new[] { 0f, 0.1f, 0.5f })
        {
            var a = new Rng(2024);
            var b = new Rng(2024);
            var x = new float[1000];
            var y = new float[1000];
            var expected = new float[1000];
            Dropout.Forward(x, y, expected, p, ref a);
            var mask = new float[1000];
            Dropout.Mask(mask, p, ref b);
            Assert.Equal(expected, mask);
            Assert.Equal(a.NextUInt64(), b.NextUInt64());  // the same number of draws
            if (p > 0f)
            {
                Assert.Contains(0f, mask);
                Assert.Contains(1f / (1f - p), mask);
            }
        }
    }

    [Fact]
    public void Wrong_lengths_are_refused_with_expected_and_actual()
    {
        int t = 9, d = 12;
        var qkv = new float[2 * t * 3 * d];
        var output = new float[2 * t * d];
        var weights = new float[2 * AttentionKernels.WeightsLength<A2_9_12>()];
        var scratch = new float[2 * AttentionKernels.BackwardScratchLength<A2_9_12>()];
        var error = Assert.Throws<ArgumentException>(() => AttentionKernels.Forward<A2_9_12>(qkv.AsSpan(1), output, weights, [], 2, 1));
        Assert.Contains($"{qkv.Length}", error.Message);
        Assert.Contains($"{qkv.Length - 1}", error.Message);
        Assert.Throws<ArgumentException>(() => AttentionKernels.Forward<A2_9_12>(qkv, output.AsSpan(1), weights, [], 2, 1));
        Assert.Throws<ArgumentException>(() => AttentionKernels.Forward<A2_9_12>(qkv, output, weights.AsSpan(1), [], 2, 1));
        Assert.Throws<ArgumentException>(() => AttentionKernels.Forward<A2_9_12>(qkv, output, weights, new float[3], 2, 1));
        Assert.Throws<ArgumentException>(() => AttentionKernels.Backward<A2_9_12>(qkv, weights, [], output, qkv.AsSpan(2), scratch, 2, 1));
        Assert.Throws<ArgumentException>(() => AttentionKernels.Backward<A2_9_12>(qkv, weights, [], output.AsSpan(1), new float[qkv.Length], scratch, 2, 1));
        Assert.Throws<ArgumentException>(() => AttentionKernels.Backward<A2_9_12>(qkv, weights, [], output, new float[qkv.Length], scratch.AsSpan(1), 2, 1));
    }

    /// <summary>One layer's buffers for a batch: output, weights, dQkv and backward scratch.</summary>
    private sealed class Run<TLayer>
        where TLayer : struct, IAttentionLayer
    {
        private readonly int _batch;
        private readonly float[] _scratch;

        public Run(int batch)
        {
            _batch = batch;
            Output = new float[batch * TLayer.Steps * TLayer.Model];
            Weights = new float[batch * AttentionKernels.WeightsLength<TLayer>()];
            DQkv = new float[batch * TLayer.Steps * 3 * TLayer.Model];
            _scratch = new float[batch * AttentionKernels.BackwardScratchLength<TLayer>()];
        }

        public float[] Output { get; }

        public float[] Weights { get; }

        public float[] DQkv { get; }

        public void Forward(float[] qkv, float[] mask, int threads)
            => AttentionKernels.Forward<TLayer>(qkv, Output, Weights, mask, _batch, threads);

        public void Backward(float[] qkv, float[] mask, float[] dOutput, int threads)
        {
            DQkv.AsSpan().Fill(float.NaN);  // written, not added
            _scratch.AsSpan().Fill(float.NaN);
            AttentionKernels.Backward<TLayer>(qkv, Weights, mask, dOutput, DQkv, _scratch, _batch, threads);
        }
    }

    /// <summary>The math, in double: per sample and head, <c>softmax(Q Kᵀ / √dk) ⊙ mask · V</c>.</summary>
    private static double[] DoubleAttention<TLayer>(double[] qkv, float[] mask, int batch, out double[] weights)
        where TLayer : struct, IAttentionLayer
    {
        int t = TLayer.Steps, d = TLayer.Model, h = TLayer.Heads, dk = d / h;
        var output = new double[batch * t * d];
        weights = new double[batch * h * t * t];
        double scale = 1 / Math.Sqrt(dk);
        for (int b = 0; b < batch; b++)
        {
            for (int head = 0; head < h; head++)
            {
                for (int i = 0; i < t; i++)
                {
                    int keys = TLayer.Causal ? i + 1 : t;
                    int row = ((b * h + head) * t + i) * t;
                    var s = new double[keys];
                    for (int j = 0; j < keys; j++)
                    {
                        for (int c = 0; c < dk; c++)
                        {
                            s[j] += qkv[((b * t + i) * 3 * d) + (head * dk) + c] * qkv[((b * t + j) * 3 * d) + d + (head * dk) + c];
                        }

                        s[j] *= scale;
                    }

                    double max = s.Max();
                    double sum = s.Sum(v => Math.Exp(v - max));
                    for (int j = 0; j < keys; j++)
                    {
                        double p = Math.Exp(s[j] - max) / sum;
                        weights[row + j] = p;
                        double kept = mask.Length == 0 ? p : p * mask[row + j];
                        for (int c = 0; c < dk; c++)
                        {
                            output[((b * t + i) * d) + (head * dk) + c] += kept * qkv[((b * t + j) * 3 * d) + (2 * d) + (head * dk) + c];
                        }
                    }
                }
            }
        }

        return output;
    }

    /// <summary>dQ and dV to <see cref="GradientTolerance"/> of their own largest value; dK against the largest of all three.</summary>
    private static void AssertGradients<TLayer>(double[] expected, float[] actual, int batch, string what)
        where TLayer : struct, IAttentionLayer
    {
        Assert.Equal(expected.Length, actual.Length);
        int d = TLayer.Model;
        double[] largest = new double[3];
        for (int i = 0; i < expected.Length; i++)
        {
            int part = i % (3 * d) / d;
            largest[part] = Math.Max(largest[part], Math.Abs(expected[i]));
        }

        double[] allowed =
        [
            (GradientTolerance * largest[0]) + 1e-12,
            (GradientTolerance * largest.Max()) + 1e-12,
            (GradientTolerance * largest[2]) + 1e-12,
        ];
        string[] names = ["dQ", "dK", "dV"];
        for (int i = 0; i < expected.Length; i++)
        {
            int part = i % (3 * d) / d;
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= allowed[part], $"{what} {names[part]} at {i} (sample {i / (TLayer.Steps * 3 * d)} of {batch}): {actual[i]:R}, expected {expected[i]:R}, error {error:E2} > {allowed[part]:E2}");
        }
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double allowed = (tolerance * expected.Max(Math.Abs)) + 1e-12;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= allowed, $"{what}[{i}]: {actual[i]:R}, expected {expected[i]:R}, error {error:E2} > {allowed:E2}");
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}[{i}]: {expected[i]:R} vs {actual[i]:R}");
        }
    }

    private static double Dot(double[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static float[] Normal(int length, float std, ref Rng random)
    {
        var values = new float[length];
        Initializers.Normal(values, 0f, std, ref random);
        return values;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
