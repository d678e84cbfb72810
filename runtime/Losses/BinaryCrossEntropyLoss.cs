using System;

namespace NetGen;

/// <summary>
/// <c>L = (1/N) Σ [max(z, 0) - z t + log(1 + e^-|z|)]</c>, binary cross-entropy of <c>sigmoid(z)</c> against
/// targets <c>t</c> in [0, 1], in the overflow-free form PyTorch uses; <c>dL/dz = (sigmoid(z) - t) / N</c>.
/// </summary>
/// <remarks>
/// Fractional targets are allowed (as in PyTorch). <see cref="Compute"/> does not check them; outside [0, 1] the
/// loss has no minimum and training diverges, so <see cref="FindInvalidTarget"/> refuses them and the trainer
/// checks with it before it trains. For <see cref="CountCorrect"/> a
/// sample is right when every output's sign agrees with its target rounded at 1/2 (a logit of exactly 0 predicts 0).
/// </remarks>
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
        double invN = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            double z = outputs[i];
            double t = targets[i];
            double e = Math.Exp(-Math.Abs(z));               // in (0, 1]: never overflows
            total += Math.Max(z, 0) - z * t + LossChecks.Log1P(e);
            if (!outputGradients.IsEmpty)
            {
                // sigmoid(z) - t, written so that neither branch subtracts two numbers close to 1:
                // z ≥ 0: (1 - t) - e/(1+e); z < 0: e/(1+e) - t.
                double d = z >= 0 ? (1 - t) - e / (1 + e) : e / (1 + e) - t;
                outputGradients[i] = (float)(d * invN);
            }
        }

        return (float)(total / n);
    }

    /// <inheritdoc />
    public override LossTask Task => LossTask.Classification;

    /// <inheritdoc />
    public override int ClassCount(int outputLength) => 2;

    /// <inheritdoc />
    public override void AddToConfusion(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize, ConfusionMatrix confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int perSample = LossChecks.Check(outputs, targets, default, batchSize, perSampleTargets: -1);
        for (int i = 0; i < perSample * batchSize; i++)
        {
            confusion.Add(targets[i] > 0.5f ? 1 : 0, outputs[i] > 0 ? 1 : 0);
        }
    }

    /// <inheritdoc />
    public override int FindInvalidTarget(ReadOnlySpan<float> targets, int outputLength)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            float t = targets[i];
            if (!(t >= 0f && t <= 1f))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override string DescribeValidTargets(int outputLength) =>
        "binary cross-entropy needs a probability: a number from 0 to 1";

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
