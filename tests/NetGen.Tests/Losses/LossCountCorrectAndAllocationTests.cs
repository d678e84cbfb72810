using System;
using Xunit;

namespace NetGen.Tests.Losses;

/// <summary><see cref="Loss.CountCorrect"/> for each loss, and that the losses allocate nothing.</summary>
public sealed class LossCountCorrectAndAllocationTests
{
    [Fact]
    public void Softmax_cross_entropy_counts_argmax_equal_to_label_first_index_on_ties()
    {
        float[] logits =
        {
            0, 5, 1,     // argmax 1
            2, 2, 1,     // tie: argmax 0
            -3, -2, -1,  // argmax 2
            0, 0, 0,     // all tied: argmax 0
        };
        Assert.Equal(4, Loss.SoftmaxCrossEntropy.CountCorrect(logits, new float[] { 1, 0, 2, 0 }, 4));
        Assert.Equal(2, Loss.SoftmaxCrossEntropy.CountCorrect(logits, new float[] { 1, 1, 2, 2 }, 4));
        Assert.Equal(0, Loss.SoftmaxCrossEntropy.CountCorrect(logits, new float[] { 0, 1, 0, 1 }, 4));
    }

    [Fact]
    public void Mean_squared_error_counts_argmax_of_output_equal_to_argmax_of_target()
    {
        float[] outputs = { 0.1f, 0.9f, 0.0f, 0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f };
        float[] targets = { 0, 1, 0, 0, 1, 0, 0, 0, 1 };
        Assert.Equal(2, Loss.MeanSquaredError.CountCorrect(outputs, targets, 3));
        Assert.Equal(3, Loss.MeanSquaredError.CountCorrect(targets, targets, 3));
    }

    [Fact]
    public void Binary_cross_entropy_counts_samples_whose_every_sign_matches()
    {
        float[] logits = { 2, -1, 0.5f, -3, 1, 1, 0, 0, -0.1f, 4 };
        float[] targets = { 1, 0, 1, 0, 1, 0, 0, 1, 0.2f, 0.8f };
        // Samples of 2: (2,-1|1,0) right; (0.5,-3|1,0) right; (1,1|1,0) wrong; (0,0|0,1) wrong (0 predicts 0); (-0.1,4|0.2,0.8) right.
        Assert.Equal(3, Loss.BinaryCrossEntropy.CountCorrect(logits, targets, 5));
        // One output per sample: ten independent yes/no predictions.
        Assert.Equal(8, Loss.BinaryCrossEntropy.CountCorrect(logits, targets, 10));
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("mse")]
    [InlineData("bce")]
    public void Compute_and_CountCorrect_allocate_nothing_after_warm_up(string name)
    {
        Loss loss = LossArgumentTests.Get(name);
        const int Batch = 8;
        const int Outputs = 10;
        float[] outputs = LossTestData.Normal(Batch * Outputs, 3, seed: 7);
        float[] targets = name == "softmax" ? LossTestData.Labels(Batch, Outputs, seed: 8) : LossTestData.Uniform(Batch * Outputs, seed: 8);
        var grad = new float[outputs.Length];

        float sink = 0;
        for (int i = 0; i < 100; i++)
        {
            sink += loss.Compute(outputs, targets, grad, Batch) + loss.Compute(outputs, targets, default, Batch) + loss.CountCorrect(outputs, targets, Batch);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sink += loss.Compute(outputs, targets, grad, Batch) + loss.Compute(outputs, targets, default, Batch) + loss.CountCorrect(outputs, targets, Batch);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(float.IsFinite(sink));
    }
}
