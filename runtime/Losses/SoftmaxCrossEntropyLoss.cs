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

    /// <inheritdoc/>
    internal override int TrainingScratchLength(int batchSize) => 2 * batchSize;

    /// <summary>
    /// <see cref="Compute"/> and <see cref="CountCorrect"/> in one pass over the samples, split across threads by sample: each
    /// writes its loss and whether it was right into <paramref name="scratch"/>, which is then added up in sample order (the
    /// bits of <see cref="Compute"/>).
    /// </summary>
    internal override float ComputeForTraining(
        ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients, int batchSize, int threads, Span<double> scratch, out int correct)
    {
        int classes = LossChecks.Check(outputs, targets, outputGradients, batchSize, perSampleTargets: 1);
        LossChecks.CheckLabels(targets, classes);
        Span<double> rows = scratch.Slice(0, 2 * batchSize);
        var rowsAsFloats = System.Runtime.InteropServices.MemoryMarshal.Cast<double, float>(rows);
        var spans = new NetGen.CompilerServices.KernelSpans(outputs, targets, default, outputGradients, rowsAsFloats);
        var settings = new Rows(classes, batchSize, 1.0 / batchSize);
        if (threads > 1 && batchSize >= 2 * RowGrain && outputs.Length >= MinOutputsForThreads)
        {
            NetGen.CompilerServices.KernelThreads.For(threads, batchSize, RowGrain, spans, settings,
                static (in NetGen.CompilerServices.KernelSpans s, in Rows r, int start, int end) => ComputeRows(s, r, start, end));
        }
        else
        {
            ComputeRows(spans, settings, 0, batchSize);
        }

        double total = 0;
        int right = 0;
        for (int b = 0; b < batchSize; b++)
        {
            total += rows[b];
            right += rows[batchSize + b] != 0 ? 1 : 0;
        }

        correct = right;
        return (float)(total / batchSize);
    }

    // Samples per piece of a split, and the outputs a batch needs before it is split (a few µs of exponentials).
    private const int RowGrain = 8;
    private const int MinOutputsForThreads = 512;

    private readonly record struct Rows(int Classes, int BatchSize, double InvBatch);

    private static void ComputeRows(in NetGen.CompilerServices.KernelSpans s, in Rows r, int start, int end)
    {
        int classes = r.Classes;
        Span<double> rows = System.Runtime.InteropServices.MemoryMarshal.Cast<float, double>(s.Out1);
        for (int b = start; b < end; b++)
        {
            ReadOnlySpan<float> z = s.In0.Slice(b * classes, classes);
            int label = (int)s.In1[b];
            Span<float> g = s.Out0.IsEmpty ? default : s.Out0.Slice(b * classes, classes);
            rows[b] = LossChecks.SoftmaxCrossEntropyRow(z, label, g, r.InvBatch);
            rows[r.BatchSize + b] = LossChecks.ArgMax(z) == label ? 1 : 0;
        }
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
