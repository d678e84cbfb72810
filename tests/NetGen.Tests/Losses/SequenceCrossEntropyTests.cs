using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.Losses;

/// <summary>
/// <see cref="SequenceCrossEntropyLoss"/> against PyTorch 1.13's
/// <c>F.cross_entropy(logits.reshape(-1, C), targets.reshape(-1), ignore_index=ii)</c>
/// (Reference/sequence_losses_reference.py writes Reference/sequence_losses.json, float64 answers on float32 inputs).
/// </summary>
public sealed class SequenceCrossEntropyReferenceTests
{
    private const double Relative = 1e-5;
    private const double AbsoluteFloor = 1e-12;

    internal static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "sequence_losses.json"))));

    public static IEnumerable<object[]> Cases() =>
        Reference.Value.RootElement.GetProperty("sequence_cross_entropy").EnumerateArray()
            .Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Fact]
    public void Reference_file_covers_ignored_positions_several_shapes_and_large_logits()
    {
        JsonElement[] cases = Reference.Value.RootElement.GetProperty("sequence_cross_entropy").EnumerateArray().ToArray();
        Assert.Equal(7, cases.Length);
        Assert.Contains(cases, c => c.GetProperty("counted").GetInt32() < c.GetProperty("batch").GetInt32() * c.GetProperty("steps").GetInt32());
        Assert.Contains(cases, c => c.GetProperty("counted").GetInt32() == c.GetProperty("batch").GetInt32() * c.GetProperty("steps").GetInt32());
        Assert.Equal(6, cases.Select(c => (c.GetProperty("batch").GetInt32(), c.GetProperty("steps").GetInt32())).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_gradient_match_PyTorch(string name)
    {
        JsonElement c = Reference.Value.RootElement.GetProperty("sequence_cross_entropy").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == name);
        int batch = c.GetProperty("batch").GetInt32();
        int steps = c.GetProperty("steps").GetInt32();
        int classes = c.GetProperty("classes").GetInt32();
        int ignore = c.GetProperty("ignore_index").GetInt32();
        float[] outputs = Floats(c.GetProperty("outputs"));
        float[] targets = Floats(c.GetProperty("targets"));
        double[] expectedGrad = c.GetProperty("grad").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(classes, ignore);

        Assert.Equal(steps, loss.TargetLength(steps * classes));
        var grad = new float[outputs.Length];
        grad.AsSpan().Fill(float.NaN);                    // every gradient is written, the ignored ones as 0
        float value = loss.Compute(outputs, targets, grad, batch);
        AssertClose(c.GetProperty("loss").GetDouble(), value, $"{name} loss");
        for (int i = 0; i < grad.Length; i++)
        {
            AssertClose(expectedGrad[i], grad[i], $"{name} gradient [{i}]");
            if (targets[i / classes] == ignore)
            {
                Assert.Equal(0, BitConverter.SingleToInt32Bits(grad[i]));   // +0 exactly
            }
        }

        Assert.Equal(value, loss.Compute(outputs, targets, default, batch));
        Assert.Equal(c.GetProperty("counted").GetInt32(), loss.CountPredictions(targets, batch));
    }

    [Fact]
    public void Each_position_is_what_softmax_cross_entropy_gives_it_as_a_sample()
    {
        // One shared row kernel: a batch of B·T one-step samples under SoftmaxCrossEntropy is the sequence loss of
        // B samples of T steps, bit for bit, when nothing is ignored.
        const int B = 3, T = 5, C = 6;
        float[] logits = LossTestData.Normal(B * T * C, 3, seed: 5);
        float[] targets = LossTestData.Labels(B * T, C, seed: 6);
        var g1 = new float[logits.Length];
        var g2 = new float[logits.Length];
        float flat = Loss.SoftmaxCrossEntropy.Compute(logits, targets, g1, B * T);
        float sequence = Loss.SequenceCrossEntropy(C).Compute(logits, targets, g2, B);
        Assert.Equal(flat, sequence);
        Assert.Equal(g1, g2);
    }

    internal static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static void AssertClose(double expected, float actual, string what)
    {
        double error = Math.Abs(actual - expected);
        Assert.True(
            error <= Relative * Math.Abs(expected) + AbsoluteFloor,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {error / Math.Abs(expected):E2}).");
    }
}

/// <summary>The sequence loss's semantics beyond PyTorch's values: arguments, targets, accuracy, gradients, allocation.</summary>
public sealed class SequenceCrossEntropyTests
{
    private const int C = 5;

    [Fact]
    public void Every_position_ignored_gives_zero_loss_and_zero_gradients_where_PyTorch_gives_NaN()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C);
        float[] logits = LossTestData.Normal(2 * 3 * C, 2, seed: 1);
        float[] targets = Enumerable.Repeat(-100f, 6).ToArray();
        var grad = Enumerable.Repeat(7f, logits.Length).ToArray();
        Assert.Equal(0f, loss.Compute(logits, targets, grad, 2));
        Assert.All(grad, g => Assert.Equal(0, BitConverter.SingleToInt32Bits(g)));
        Assert.Equal(0, loss.CountPredictions(targets, 2));
        Assert.Equal(0, loss.CountCorrect(logits, targets, 2));
    }

    [Fact]
    public void Target_length_is_the_steps_and_a_length_that_is_not_whole_steps_is_refused()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C, ignoreIndex: -1);
        Assert.Equal(C, loss.Classes);
        Assert.Equal(-1, loss.IgnoreIndex);
        Assert.True(loss.AppliesSoftmax);
        Assert.Equal(4, loss.TargetLength(4 * C));
        Assert.Equal(1, loss.TargetLength(C));
        ArgumentException e = Assert.Throws<ArgumentException>(() => loss.TargetLength(12));
        Assert.Equal("outputLength", e.ParamName);
        Assert.Contains("5 classes", e.Message);
        Assert.Contains("12 outputs per sample are not a whole number of steps", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.Compute(new float[2 * 12], new float[2], default, 2));
        Assert.Equal("outputs", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => loss.Compute(new float[2 * 3 * C], new float[5], default, 2));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("Expected 6 targets", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.SequenceCrossEntropy(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.SequenceCrossEntropy((1 << 24) + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.SequenceCrossEntropy(C, -(1 << 24) - 1));
    }

    [Fact]
    public void A_bad_target_names_its_sample_and_step_and_writes_nothing()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C);
        float[] logits = LossTestData.Normal(2 * 3 * C, 2, seed: 2);
        float[] targets = { 0, -100, 4, 1, 2.5f, 3 };
        var grad = Enumerable.Repeat(7f, logits.Length).ToArray();
        ArgumentException e = Assert.Throws<ArgumentException>(() => loss.Compute(logits, targets, grad, 2));
        Assert.Equal("targets", e.ParamName);
        Assert.Equal("Sample 1 has target 2.5 at step 1; targets must be whole numbers from 0 to 4, or -100 (the ignore index). (Parameter 'targets')", e.Message);
        Assert.All(grad, g => Assert.Equal(7f, g));
        targets[4] = 5;
        Assert.Contains("Sample 1 has target 5 at step 1", Assert.Throws<ArgumentException>(() => loss.CountCorrect(logits, targets, 2)).Message);
        targets[4] = -1;
        Assert.Throws<ArgumentException>(() => loss.Compute(logits, targets, default, 2));
    }

    [Fact]
    public void FindInvalidTarget_accepts_the_ignore_index_and_classes_and_DescribeValidTargets_says_so()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C);
        Assert.Equal(-1, loss.FindInvalidTarget(new float[] { 0, 4, -100, 2, -100 }, 5 * C));
        Assert.Equal(2, loss.FindInvalidTarget(new float[] { 0, 4, 5, 2 }, 4 * C));
        Assert.Equal(1, loss.FindInvalidTarget(new float[] { 0, -1 }, 2 * C));
        Assert.Equal(0, loss.FindInvalidTarget(new float[] { 0.5f }, C));
        Assert.Equal(0, loss.FindInvalidTarget(new float[] { float.NaN }, C));
        Assert.Equal(-1, Loss.SequenceCrossEntropy(C, ignoreIndex: 7).FindInvalidTarget(new float[] { 7, 3 }, 2 * C));
        Assert.Equal(
            "sequence cross-entropy needs a class index at each step: a whole number from 0 to 4 (the network has 5 classes at each of its 3 steps), " +
            "or -100 (the ignore index) for a step that does not count",
            loss.DescribeValidTargets(3 * C));
    }

    [Fact]
    public void An_ignore_index_that_is_a_class_leaves_that_class_out_as_in_PyTorch()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C, ignoreIndex: 2);
        float[] logits = LossTestData.Normal(4 * C, 2, seed: 3);
        float[] targets = { 2, 0, 2, 4 };
        var grad = new float[logits.Length];
        float value = loss.Compute(logits, targets, grad, 1);
        Assert.Equal(2, loss.CountPredictions(targets, 1));

        // The same as the loss of the two counted positions alone.
        float[] kept = logits.Skip(C).Take(C).Concat(logits.Skip(3 * C).Take(C)).ToArray();
        var keptGrad = new float[kept.Length];
        Assert.Equal(Loss.SoftmaxCrossEntropy.Compute(kept, new float[] { 0, 4 }, keptGrad, 2), value);
        Assert.Equal(keptGrad, grad.Skip(C).Take(C).Concat(grad.Skip(3 * C).Take(C)).ToArray());
        Assert.All(grad.Take(C).Concat(grad.Skip(2 * C).Take(C)), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void CountCorrect_counts_right_positions_among_those_that_count()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(3);
        float[] logits =
        {
            0, 5, 1,     1, 1, 0,      // sample 0: argmax 1, argmax 0 (tie: first)
            -3, -2, -1,  9, 0, 0,      // sample 1: argmax 2, argmax 0
        };
        Assert.Equal(4, loss.CountCorrect(logits, new float[] { 1, 0, 2, 0 }, 2));
        Assert.Equal(2, loss.CountCorrect(logits, new float[] { 1, -100, -100, 0 }, 2));   // 2 of the 2 counted
        Assert.Equal(2, loss.CountPredictions(new float[] { 1, -100, -100, 0 }, 2));
        Assert.Equal(1, loss.CountCorrect(logits, new float[] { 2, 0, -100, 1 }, 2));
        Assert.Equal(3, loss.CountPredictions(new float[] { 2, 0, -100, 1 }, 2));
        Assert.Throws<ArgumentException>(() => loss.CountPredictions(new float[3], 2));

        // The other losses count one prediction per sample.
        Assert.Equal(4, Loss.SoftmaxCrossEntropy.CountPredictions(new float[4], 4));
        Assert.Equal(2, Loss.MeanSquaredError.CountPredictions(new float[6], 2));
    }

    [Theory]
    [InlineData(1, 4, 0.0, 1e-2)]
    [InlineData(3, 2, 0.0, 1e-2)]
    [InlineData(2, 5, 0.4, 3e-3)]
    public void Gradient_matches_central_differences(int batch, int steps, double ignored, double h)
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C);
        float[] logits = LossTestData.Normal(batch * steps * C, 2, seed: 100 + batch);
        float[] targets = LossTestData.Labels(batch * steps, C, seed: 200 + steps);
        float[] coin = LossTestData.Uniform(targets.Length, seed: 300);
        for (int i = 1; i < targets.Length; i++)
        {
            if (coin[i] < ignored)
            {
                targets[i] = -100;
            }
        }

        var grad = new float[logits.Length];
        float value = loss.Compute(logits, targets, grad, batch);
        double noise = (MathF.BitIncrement(MathF.Abs(value)) - MathF.Abs(value)) / h;
        for (int i = 0; i < logits.Length; i++)
        {
            float original = logits[i];
            float plus = (float)(original + h), minus = (float)(original - h);
            logits[i] = plus;
            double lossPlus = loss.Compute(logits, targets, default, batch);
            logits[i] = minus;
            double lossMinus = loss.Compute(logits, targets, default, batch);
            logits[i] = original;
            double fd = (lossPlus - lossMinus) / ((double)plus - minus);
            double allowed = (1e-3 * Math.Max(Math.Abs(fd), Math.Abs(grad[i]))) + noise;
            Assert.True(Math.Abs(fd - grad[i]) <= allowed, $"output [{i}]: analytic {grad[i]:R}, central difference {fd:R}.");
        }
    }

    [Fact]
    public void Compute_CountCorrect_and_CountPredictions_allocate_nothing_after_warm_up()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(C);
        const int B = 4, T = 6;
        float[] logits = LossTestData.Normal(B * T * C, 2, seed: 9);
        float[] targets = LossTestData.Labels(B * T, C, seed: 10);
        targets[3] = -100;
        var grad = new float[logits.Length];
        float sink = 0;
        AllocationAssert.Zero(() =>
        {
            sink += loss.Compute(logits, targets, grad, B) + loss.Compute(logits, targets, default, B)
                + loss.CountCorrect(logits, targets, B) + loss.CountPredictions(targets, B) + loss.FindInvalidTarget(targets, T * C);
        });
        Assert.True(float.IsFinite(sink));
    }
}
