using System;

namespace NetGen;

/// <summary>
/// <c>L = -(1/B) Σ_b log softmax(z_b)[y_b]</c> from logits <c>z</c> and class labels <c>y</c>, computed
/// stably with the log-sum-exp shift; <c>dL/dz_b = (softmax(z_b) - onehot(y_b)) / B</c>.
/// </summary>
public sealed class SoftmaxCrossEntropyLoss : Loss
{
    internal SoftmaxCrossEntropyLoss()
    {
    }

    /// <inheritdoc />
    public override bool AppliesSoftmax => true;

    /// <inheritdoc />
    public override int TargetLength(int outputLength) => 1;

    /// <inheritdoc />
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients, int batchSize)
    {
        int classes = LossChecks.Check(outputs, targets, outputGradients, batchSize, perSampleTargets: 1);
        double total = 0;
        float invBatch = 1f / batchSize;
        for (int b = 0; b < batchSize; b++)
        {
            ReadOnlySpan<float> z = outputs.Slice(b * classes, classes);
            int label = LossChecks.Label(targets[b], classes, b);
            float max = z[0];
            for (int i = 1; i < classes; i++)
            {
                max = MathF.Max(max, z[i]);
            }

            double sum = 0;
            for (int i = 0; i < classes; i++)
            {
                sum += Math.Exp(z[i] - max);
            }

            double logSumExp = max + Math.Log(sum);
            total += logSumExp - z[label];
            if (!outputGradients.IsEmpty)
            {
                Span<float> g = outputGradients.Slice(b * classes, classes);
                for (int i = 0; i < classes; i++)
                {
                    g[i] = (float)Math.Exp(z[i] - logSumExp) * invBatch;
                }

                g[label] -= invBatch;
            }
        }

        return (float)(total / batchSize);
    }

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
