using System;

namespace NetGen;

/// <summary>
/// <c>L = (1/N) Σ [max(z, 0) - z t + log(1 + e^-|z|)]</c>, binary cross-entropy of <c>sigmoid(z)</c> against
/// targets <c>t</c> in [0, 1], in the overflow-free form PyTorch uses; <c>dL/dz = (sigmoid(z) - t) / N</c>.
/// </summary>
public sealed class BinaryCrossEntropyLoss : Loss
{
    internal BinaryCrossEntropyLoss()
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
        float invN = 1f / n;
        for (int i = 0; i < n; i++)
        {
            double z = outputs[i];
            double t = targets[i];
            total += Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            if (!outputGradients.IsEmpty)
            {
                double sigmoid = z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
                outputGradients[i] = (float)((sigmoid - t) * invN);
            }
        }

        return (float)(total / n);
    }

    /// <inheritdoc />
    public override int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize)
    {
        int perSample = LossChecks.Check(outputs, targets, default, batchSize, perSampleTargets: -1);
        int correct = 0;
        for (int b = 0; b < batchSize; b++)
        {
            bool allRight = true;
            for (int i = b * perSample; i < (b + 1) * perSample; i++)
            {
                allRight &= outputs[i] > 0 == targets[i] > 0.5f;
            }

            correct += allRight ? 1 : 0;
        }

        return correct;
    }
}
