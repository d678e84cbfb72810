using System;

namespace NetGen;

/// <summary>
/// <c>L = -(1/B) Σ_b log softmax(z_b)[y_b]</c> from logits <c>z</c> and class labels <c>y</c>, computed
/// stably with the log-sum-exp shift; <c>dL/dz_b = (softmax(z_b) - onehot(y_b)) / B</c>.
/// </summary>
/// <remarks>
/// Confident samples keep their small values instead of rounding to zero: the label's gradient is
/// <c>-(Σ_{i≠y} p_i) / B</c> rather than <c>(p_y - 1) / B</c>, and when <c>p_y ≥ 1/2</c> the loss is
/// <c>log1p(Σ_{i≠y} e^{z_i - z_y})</c>.
/// </remarks>
public sealed class SoftmaxCrossEntropyLoss : Loss
{
    internal SoftmaxCrossEntropyLoss()
    {
    }

    /// <inheritdoc />
    public override bool AppliesSoftmax => true;

    /// <inheritdoc />
    public override LossTask Task => LossTask.Classification;

    /// <inheritdoc />
    public override int ClassCount(int outputLength) => outputLength;

    /// <inheritdoc />
    public override void AddToConfusion(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize, ConfusionMatrix confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int classes = LossChecks.Check(outputs, targets, default, batchSize, perSampleTargets: 1);
        for (int b = 0; b < batchSize; b++)
        {
            confusion.Add(LossChecks.Label(targets[b], classes, b), LossChecks.ArgMax(outputs.Slice(b * classes, classes)));
        }
    }

    /// <inheritdoc />
    public override int TargetLength(int outputLength) => 1;

    /// <inheritdoc />
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients, int batchSize)
    {
        int classes = LossChecks.Check(outputs, targets, outputGradients, batchSize, perSampleTargets: 1);
        LossChecks.CheckLabels(targets, classes);
        double total = 0;
        double invBatch = 1.0 / batchSize;
        for (int b = 0; b < batchSize; b++)
        {
            Span<float> g = outputGradients.IsEmpty ? default : outputGradients.Slice(b * classes, classes);
            total += LossChecks.SoftmaxCrossEntropyRow(outputs.Slice(b * classes, classes), (int)targets[b], g, invBatch);
        }

        return (float)(total / batchSize);
    }

    /// <inheritdoc />
    public override int FindInvalidTarget(ReadOnlySpan<float> targets, int outputLength)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            float t = targets[i];
            if (!(t >= 0f && t < outputLength && t == MathF.Floor(t)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override string DescribeValidTargets(int outputLength) =>
        $"softmax cross-entropy needs a class index: a whole number from 0 to {outputLength - 1} (the network has {outputLength} outputs)";

    /// <inheritdoc />
    public override int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize)
    {
        int classes = LossChecks.Check(outputs, targets, default, batchSize, perSampleTargets: 1);
        int correct = 0;
        for (int b = 0; b < batchSize; b++)
        {
            if (LossChecks.ArgMax(outputs.Slice(b * classes, classes)) == LossChecks.Label(targets[b], classes, b))
            {
                correct++;
            }
        }

        return correct;
    }
}
