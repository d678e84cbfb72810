using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Losses;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="EmbeddingKernels"/>: PyTorch's <c>nn.Embedding</c> forward and weight gradient (Reference/sequence_losses.json),
/// the int and float paths agreeing, exact zeros for absent tokens, errors that name the sample, position and value
/// and leave everything unwritten, a gradient check through the sequence loss, and no allocation.
/// </summary>
public sealed class EmbeddingKernelsTests
{
    public static IEnumerable<object[]> Cases() =>
        SequenceCrossEntropyReferenceTests.Reference.Value.RootElement.GetProperty("embedding").EnumerateArray()
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_weight_gradient_match_PyTorch(string name)
    {
        JsonElement c = SequenceCrossEntropyReferenceTests.Reference.Value.RootElement.GetProperty("embedding").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == name);
        int v = c.GetProperty("vocabulary").GetInt32(), d = c.GetProperty("dimensions").GetInt32(), t = c.GetProperty("steps").GetInt32();
        int[] ids = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        float[] floatIds = ids.Select(i => (float)i).ToArray();
        float[] weight = SequenceCrossEntropyReferenceTests.Floats(c.GetProperty("weight"));
        float[] expected = SequenceCrossEntropyReferenceTests.Floats(c.GetProperty("output"));
        float[] dy = SequenceCrossEntropyReferenceTests.Floats(c.GetProperty("output_gradient"));
        double[] expectedGrad = c.GetProperty("weight_gradient").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        var y = new float[ids.Length * d];
        EmbeddingKernels.Forward(weight, ids, y, v, d, t);
        Assert.Equal(expected, y);                                   // a gather: exact
        var y2 = new float[y.Length];
        EmbeddingKernels.Forward(weight, floatIds, y2, v, d, t);
        Assert.Equal(expected, y2);

        var dw = new float[v * d];
        EmbeddingKernels.Backward(ids, dy, dw, v, d, t);
        for (int i = 0; i < dw.Length; i++)
        {
            double error = Math.Abs(dw[i] - expectedGrad[i]);
            Assert.True(error <= (1e-6 * Math.Abs(expectedGrad[i])) + 1e-6, $"{name} dW[{i}]: expected {expectedGrad[i]:R}, got {dw[i]:R}.");
            if (!ids.Contains(i / d))
            {
                Assert.Equal(0, BitConverter.SingleToInt32Bits(dw[i]));
            }
        }

        var dw2 = new float[dw.Length];
        EmbeddingKernels.Backward(floatIds, dy, dw2, v, d, t);
        Assert.Equal(dw, dw2);
    }

    [Fact]
    public void Backward_adds_repeats_in_token_order_and_leaves_absent_rows_bit_for_bit()
    {
        const int V = 6, D = 19, T = 4;
        int[] ids = { 3, 1, 3, 3, 1, 0, 3, 5 };                        // 2 and 4 never appear
        float[] dy = LossTestData.Normal(ids.Length * D, 1, seed: 4);
        float[] start = LossTestData.Normal(V * D, 1, seed: 5);
        start[(2 * D) + 3] = -0f;                                     // even the sign of a zero survives
        float[] dw = (float[])start.Clone();
        EmbeddingKernels.Backward(ids, dy, dw, V, D, T);

        for (int row = 0; row < V; row++)
        {
            for (int j = 0; j < D; j++)
            {
                float expected = start[(row * D) + j];
                for (int i = 0; i < ids.Length; i++)
                {
                    if (ids[i] == row)
                    {
                        expected += dy[(i * D) + j];                   // the same order: token after token
                    }
                }

                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(dw[(row * D) + j]));
            }
        }
    }

    [Fact]
    public void Gradient_through_the_sequence_loss_matches_central_differences()
    {
        // L(W) = SequenceCrossEntropy(Embedding(W)[ids]) with D = C: the embedding rows are the logits.
        const int V = 7, C = 5, B = 2, T = 4;
        int[] ids = { 2, 6, 2, 0, 6, 6, 1, 2 };                        // 3, 4 and 5 absent
        float[] targets = { 1, 4, -100, 0, 3, 3, 2, 4 };
        float[] w = LossTestData.Normal(V * C, 1.5, seed: 11);
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C);
        var y = new float[B * T * C];
        var dy = new float[y.Length];
        EmbeddingKernels.Forward(w, ids, y, V, C, T);
        float value = loss.Compute(y, targets, dy, B);
        var dw = new float[w.Length];
        EmbeddingKernels.Backward(ids, dy, dw, V, C, T);

        const double h = 1e-2;
        double noise = (MathF.BitIncrement(value) - value) / h;
        for (int i = 0; i < w.Length; i++)
        {
            float original = w[i];
            float plus = (float)(original + h), minus = (float)(original - h);
            w[i] = plus;
            EmbeddingKernels.Forward(w, ids, y, V, C, T);
            double lossPlus = loss.Compute(y, targets, default, B);
            w[i] = minus;
            EmbeddingKernels.Forward(w, ids, y, V, C, T);
            double lossMinus = loss.Compute(y, targets, default, B);
            w[i] = original;
            double fd = (lossPlus - lossMinus) / ((double)plus - minus);
            Assert.True(
                Math.Abs(fd - dw[i]) <= (1e-3 * Math.Max(Math.Abs(fd), Math.Abs(dw[i]))) + noise,
                $"dW[{i}]: analytic {dw[i]:R}, central difference {fd:R}.");
            if (i / C is 3 or 4 or 5)
            {
                Assert.Equal(0f, dw[i]);
                Assert.Equal(0.0, fd);
            }
        }
    }

    [Fact]
    public void An_int_id_out_of_range_names_sample_position_and_value_and_nothing_is_written()
    {
        const int V = 28, D = 3, T = 5;
        float[] weight = LossTestData.Normal(V * D, 1, seed: 1);
        var ids = new int[3 * T];
        ids[(2 * T) + 4] = 31;                                        // token 4 of sample 2
        ids[(2 * T) + 3] = 27;                                        // the last row is fine
        var y = Enumerable.Repeat(9f, ids.Length * D).ToArray();
        ArgumentException e = Assert.Throws<ArgumentException>(() => EmbeddingKernels.Forward(weight, ids, y, V, D, T));
        Assert.Equal("tokens", e.ParamName);
        Assert.StartsWith("Token 4 of sample 2 is 31, outside [0, 28): the embedding has 28 rows", e.Message);
        Assert.All(y, value => Assert.Equal(9f, value));

        ids[(2 * T) + 4] = 0;
        ids[T + 1] = -1;
        var dw = Enumerable.Repeat(5f, V * D).ToArray();
        e = Assert.Throws<ArgumentException>(() => EmbeddingKernels.Backward(ids, y, dw, V, D, T));
        Assert.Equal("tokens", e.ParamName);
        Assert.StartsWith("Token 1 of sample 1 is -1, outside [0, 28)", e.Message);
        Assert.All(dw, value => Assert.Equal(5f, value));
        e = Assert.Throws<ArgumentException>(() => EmbeddingKernels.Validate(ids, V, T));
        Assert.StartsWith("Token 1 of sample 1 is -1", e.Message);
    }

    [Theory]
    [InlineData(28f, "is 28, outside [0, 28)")]
    [InlineData(-1f, "is -1, outside [0, 28)")]
    [InlineData(2.5f, "is 2.5, not a whole number")]
    [InlineData(float.NaN, "is NaN, not a whole number")]
    [InlineData(float.PositiveInfinity, "outside [0, 28)")]
    public void A_float_id_that_is_not_a_row_names_sample_position_and_value_and_nothing_is_written(float bad, string says)
    {
        const int V = 28, D = 2, T = 3;
        float[] weight = LossTestData.Normal(V * D, 1, seed: 1);
        float[] ids = { 1, 2, 3, 27, 0, bad };
        var y = Enumerable.Repeat(9f, ids.Length * D).ToArray();
        ArgumentException e = Assert.Throws<ArgumentException>(() => EmbeddingKernels.Forward(weight, ids, y, V, D, T));
        Assert.Equal("inputs", e.ParamName);
        Assert.StartsWith("Token 2 of sample 1 ", e.Message);
        Assert.Contains(says, e.Message);
        Assert.All(y, value => Assert.Equal(9f, value));

        var dw = Enumerable.Repeat(5f, V * D).ToArray();
        e = Assert.Throws<ArgumentException>(() => EmbeddingKernels.Backward(ids, y, dw, V, D, T));
        Assert.Equal("inputs", e.ParamName);
        Assert.All(dw, value => Assert.Equal(5f, value));
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_refused()
    {
        float[] weight = new float[4 * 3];
        Assert.Throws<ArgumentException>(() => EmbeddingKernels.Forward(weight, new int[5], new float[15], 4, 3, 2));   // 5 ids, T = 2
        Assert.Throws<ArgumentException>(() => EmbeddingKernels.Forward(weight, new int[4], new float[11], 4, 3, 2));
        Assert.Throws<ArgumentException>(() => EmbeddingKernels.Forward(new float[11], new int[4], new float[12], 4, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingKernels.Validate(new int[2], 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingKernels.Validate(new int[2], EmbeddingKernels.MaxVocabulary + 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingKernels.Validate(new float[2], 4, 0));
        Assert.Throws<ArgumentException>(() => EmbeddingKernels.Backward(new int[4], new float[12], new float[13], 4, 3, 2));
    }

    [Fact]
    public void The_largest_vocabulary_takes_its_last_id_as_a_float()
    {
        const int V = EmbeddingKernels.MaxVocabulary;
        float last = V - 1;
        Assert.Equal(V - 1, (int)last);                               // exact in a float
        EmbeddingKernels.Validate(new[] { last, 0f }, V, 2);
        Assert.Throws<ArgumentException>(() => EmbeddingKernels.Validate(new[] { (float)V }, V, 1));
    }

    [Fact]
    public void Forward_and_Backward_allocate_nothing()
    {
        const int V = 50, D = 16, T = 8, B = 4;
        float[] weight = LossTestData.Normal(V * D, 1, seed: 2);
        int[] ids = LossTestData.Labels(B * T, V, seed: 3).Select(f => (int)f).ToArray();
        float[] floatIds = ids.Select(i => (float)i).ToArray();
        var y = new float[B * T * D];
        var dw = new float[V * D];
        AllocationAssert.Zero(() =>
        {
            EmbeddingKernels.Forward(weight, ids, y, V, D, T);
            EmbeddingKernels.Forward(weight, floatIds, y, V, D, T);
            EmbeddingKernels.Backward(ids, y, dw, V, D, T);
            EmbeddingKernels.Backward(floatIds, y, dw, V, D, T);
            EmbeddingKernels.Validate(ids, V, T);
            EmbeddingKernels.Validate(floatIds, V, T);
        });
    }
}

/// <summary><see cref="Initializers.Normal"/>: PyTorch's <c>nn.Embedding</c> default, N(0, 1), deterministic.</summary>
public sealed class NormalInitializerTests
{
    [Fact]
    public void Same_stream_same_values_with_the_requested_mean_and_spread()
    {
        var a = new float[20_000];
        var b = new float[20_000];
        var r1 = new Rng(42);
        var r2 = new Rng(42);
        Initializers.Normal(a, 0f, 1f, ref r1);
        Initializers.Normal(b, 0f, 1f, ref r2);
        Assert.Equal(a, b);
        Assert.Equal(r1.NextUInt64(), r2.NextUInt64());               // both streams advanced alike
        double mean = a.Average(x => (double)x);
        double std = Math.Sqrt(a.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -0.03, 0.03);                            // 4 standard errors
        Assert.InRange(std, 0.97, 1.03);

        var shifted = new float[20_000];
        var r3 = new Rng(42);
        Initializers.Normal(shifted, 3f, 0.5f, ref r3);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(3f + (0.5f * a[i]), shifted[i]);
        }
    }

    [Fact]
    public void Refuses_a_spread_or_mean_that_is_not_a_finite_number()
    {
        var r = new Rng(1);
        var values = new float[3];
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializers.Normal(values, 0f, -1f, ref r));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializers.Normal(values, 0f, float.NaN, ref r));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializers.Normal(values, float.PositiveInfinity, 1f, ref r));
        Assert.Equal(new float[3], values);
        Initializers.Normal(values, 2f, 0f, ref r);
        Assert.Equal(new float[] { 2, 2, 2 }, values);
    }
}
