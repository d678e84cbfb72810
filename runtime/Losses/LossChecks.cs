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

    // Classes whose exponentials SoftmaxCrossEntropyRow keeps on the stack (2 KB) rather than computing twice.
    private const int MaxKeptExponentials = 256;

    /// <summary>
    /// One row's softmax cross-entropy, <c>-log softmax(z)[label]</c> in double, computed stably with the log-sum-exp
    /// shift; when <paramref name="gradient"/> is not empty writes <c>weight · (softmax(z) - onehot(label))</c> there.
    /// </summary>
    /// <remarks>
    /// Confident rows keep their small values instead of rounding to zero: the label's gradient is
    /// <c>-weight · Σ_{i≠y} p_i</c> rather than <c>weight · (p_y - 1)</c>, and when <c>p_y ≥ 1/2</c> the loss is
    /// <c>log1p(Σ_{i≠y} e^{z_i - z_y})</c>. Shared by <see cref="SoftmaxCrossEntropyLoss"/> (weight 1/B) and
    /// <see cref="SequenceCrossEntropyLoss"/> (weight 1/counted positions).
    /// </remarks>
    public static double SoftmaxCrossEntropyRow(ReadOnlySpan<float> z, int label, Span<float> gradient, double weight)
    {
        int classes = z.Length;
        float max = z[0];
        for (int i = 1; i < classes; i++)
        {
            max = MathF.Max(max, z[i]);
        }

        // e^(z_i - max) summed apart for the label and for the rest: p_y = labelTerm / sum, 1 - p_y = rest / sum. The
        // exponentials are kept for the gradient when they fit on the stack (the same doubles as computing them again).
        Span<double> exps = classes <= MaxKeptExponentials && !gradient.IsEmpty ? stackalloc double[classes] : default;
        double labelTerm = Math.Exp((double)z[label] - max);
        double rest = 0;
        for (int i = 0; i < classes; i++)
        {
            double e = i == label ? labelTerm : Math.Exp((double)z[i] - max);
            if (!exps.IsEmpty)
            {
                exps[i] = e;
            }

            if (i != label)
            {
                rest += e;
            }
        }

        double sum = labelTerm + rest;
        double loss = rest <= labelTerm
            ? Log1P(rest / labelTerm)          // -log(labelTerm / sum), accurate when p_y → 1
            : Math.Log(sum) - ((double)z[label] - max);
        if (!gradient.IsEmpty)
        {
            double scale = weight / sum;
            for (int i = 0; i < classes; i++)
            {
                gradient[i] = (float)((exps.IsEmpty ? Math.Exp((double)z[i] - max) : exps[i]) * scale);
            }

            gradient[label] = (float)(-rest * scale);
        }

        return loss;
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
