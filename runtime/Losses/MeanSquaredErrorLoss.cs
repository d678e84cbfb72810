using System;

namespace NetGen;

/// <summary><c>L = (1/N) Σ (y - t)²</c> over all N = B × outputs elements; <c>dL/dy = 2 (y - t) / N</c>.</summary>
public sealed class MeanSquaredErrorLoss : Loss
{
    internal MeanSquaredErrorLoss()
    {
    }

    /// <inheritdoc />
    public override int TargetLength(int outputLength) => outputLength;

    /// <inheritdoc />
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients, int batchSize)
    {
        int perSample = LossChecks.Check(outputs, targets, outputGradients, batchSize, perSampleTargets: -1);
        int n = perSample * batchSize;
        double total = 0;
        float scale = 2f / n;
        for (int i = 0; i < n; i++)
        {
            float d = outputs[i] - targets[i];
            total += (double)d * d;
            if (!outputGradients.IsEmpty)
            {
                outputGradients[i] = scale * d;
            }
        }

        return (float)(total / n);
    }

    /// <inheritdoc />
    public override LossTask Task => LossTask.Regression;

    /// <inheritdoc />
    public override int FindInvalidTarget(ReadOnlySpan<float> targets, int outputLength)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            if (!float.IsFinite(targets[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override string DescribeValidTargets(int outputLength) => "mean squared error needs a finite number";

    /// <inheritdoc />
    public override int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize)
    {
        int perSample = LossChecks.Check(outputs, targets, default, batchSize, perSampleTargets: -1);
        int correct = 0;
        for (int b = 0; b < batchSize; b++)
        {
            if (LossChecks.ArgMax(outputs.Slice(b * perSample, perSample)) == LossChecks.ArgMax(targets.Slice(b * perSample, perSample)))
            {
                correct++;
            }
        }

        return correct;
    }
}
