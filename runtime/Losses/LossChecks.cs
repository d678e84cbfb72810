using System;

namespace NetGen;

/// <summary>Argument checks and small helpers the losses share.</summary>
internal static class LossChecks
{
    /// <summary>
    /// Checks the spans against the batch size and returns the outputs per sample. <paramref name="perSampleTargets"/>
    /// is the targets per sample, or -1 for "as many as outputs".
    /// </summary>
    public static int Check(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> gradients, int batchSize, int perSampleTargets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (outputs.Length == 0 || outputs.Length % batchSize != 0)
        {
            throw new ArgumentException($"{outputs.Length} outputs are not a whole number of samples for a batch of {batchSize}.", nameof(outputs));
        }

        int perSample = outputs.Length / batchSize;
        int expectedTargets = batchSize * (perSampleTargets < 0 ? perSample : perSampleTargets);
        if (targets.Length != expectedTargets)
        {
            throw new ArgumentException($"Expected {expectedTargets} targets for a batch of {batchSize}, got {targets.Length}.", nameof(targets));
        }

        if (!gradients.IsEmpty && gradients.Length != outputs.Length)
        {
            throw new ArgumentException($"Expected {outputs.Length} output gradients (one per output), got {gradients.Length}.", "outputGradients");
        }

        return perSample;
    }

    /// <summary>The class index stored in a float target, checked against the number of classes.</summary>
    public static int Label(float target, int classes, int sample)
    {
        int label = (int)target;
        if (label != target || label < 0 || label >= classes)
        {
            throw new ArgumentException($"Sample {sample} has label {target}; labels must be whole numbers from 0 to {classes - 1}.", "targets");
        }

        return label;
    }

    /// <summary>Checks every label of the batch (before anything is written), so a bad label leaves the gradients untouched.</summary>
    public static void CheckLabels(ReadOnlySpan<float> targets, int classes)
    {
        for (int b = 0; b < targets.Length; b++)
        {
            Label(targets[b], classes, b);
        }
    }

    /// <summary>
    /// <c>log(1 + x)</c> for x ≥ 0, accurate when x is tiny (where <c>Math.Log(1 + x)</c> returns 0): the
    /// correction <c>log(u) · x / (u - 1)</c> with <c>u = 1 + x</c> cancels the rounding of u (Goldberg, 1991).
    /// </summary>
    public static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>The index of the largest value (the first, on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
