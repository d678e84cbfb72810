using System;
using Xunit;

namespace NetGen.Tests.Losses;

/// <summary>Wrong sizes and bad labels throw <see cref="ArgumentException"/>s that name the argument and the sizes.</summary>
public sealed class LossArgumentTests
{
    private const int Classes = LossTestData.Classes;

    public static TheoryData<string> AllLosses() => new() { "softmax", "mse", "bce" };

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Wrong_target_count_names_expected_and_actual(string name)
    {
        Loss loss = Get(name);
        int expected = loss.TargetLength(Classes) * 2;
        var outputs = new float[2 * Classes];
        var targets = new float[expected + 1];
        ArgumentException e = Assert.Throws<ArgumentException>(() => loss.Compute(outputs, targets, default, 2));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains($"Expected {expected} targets for a batch of 2, got {expected + 1}", e.Message);

        e = Assert.Throws<ArgumentException>(() => loss.CountCorrect(outputs, new float[expected - 1], 2));
        Assert.Contains($"got {expected - 1}", e.Message);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Wrong_gradient_length_names_expected_and_actual(string name)
    {
        Loss loss = Get(name);
        var outputs = new float[2 * Classes];
        var targets = new float[loss.TargetLength(Classes) * 2];
        ArgumentException e = Assert.Throws<ArgumentException>(() => loss.Compute(outputs, targets, new float[2 * Classes - 1], 2));
        Assert.Equal("outputGradients", e.ParamName);
        Assert.Contains($"Expected {2 * Classes} output gradients", e.Message);
        Assert.Contains($"got {2 * Classes - 1}", e.Message);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Outputs_that_are_not_whole_samples_are_rejected(string name)
    {
        Loss loss = Get(name);
        ArgumentException e = Assert.Throws<ArgumentException>(() => loss.Compute(new float[13], new float[2], default, 2));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("13 outputs", e.Message);
        Assert.Contains("batch of 2", e.Message);
        Assert.Throws<ArgumentException>(() => loss.Compute(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, default, 1));
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Batch_size_below_one_is_rejected(string name)
    {
        Loss loss = Get(name);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Compute(new float[Classes], new float[loss.TargetLength(Classes)], default, 0));
        Assert.Equal("batchSize", e.ParamName);
    }

    [Theory]
    [InlineData(7f)]
    [InlineData(-1f)]
    [InlineData(2.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(3e9f)]
    public void Bad_labels_are_rejected_before_any_gradient_is_written(float label)
    {
        var logits = LossTestData.Normal(3 * Classes, 1, seed: 1);
        var labels = new float[] { 1, 2, label };
        var grad = new float[3 * Classes];
        grad.AsSpan().Fill(42);

        ArgumentException e = Assert.Throws<ArgumentException>(() => Loss.SoftmaxCrossEntropy.Compute(logits, labels, grad, 3));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("Sample 2", e.Message);
        Assert.Contains("0 to 6", e.Message);
        Assert.All(grad, g => Assert.Equal(42f, g));

        e = Assert.Throws<ArgumentException>(() => Loss.SoftmaxCrossEntropy.CountCorrect(logits, labels, 3));
        Assert.Contains("Sample 2", e.Message);
    }

    [Fact]
    public void Target_lengths_and_softmax_flags()
    {
        Assert.Equal(1, Loss.SoftmaxCrossEntropy.TargetLength(10));
        Assert.Equal(10, Loss.MeanSquaredError.TargetLength(10));
        Assert.Equal(10, Loss.BinaryCrossEntropy.TargetLength(10));
        Assert.True(Loss.SoftmaxCrossEntropy.AppliesSoftmax);
        Assert.False(Loss.MeanSquaredError.AppliesSoftmax);
        Assert.False(Loss.BinaryCrossEntropy.AppliesSoftmax);
    }

    internal static Loss Get(string name) => name switch
    {
        "softmax" => Loss.SoftmaxCrossEntropy,
        "mse" => Loss.MeanSquaredError,
        _ => Loss.BinaryCrossEntropy,
    };
}
