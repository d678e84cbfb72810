using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Softmax cross-entropy at every step of a sequence: outputs <c>[B, T, C]</c> (logits of C classes at each of T
/// steps), targets <c>[B, T]</c> (one class index per step, as floats), and
/// <c>L = -(1/N) Σ_{(b,t) counted} log softmax(z_{b,t})[y_{b,t}]</c>, where the positions whose target is
/// <see cref="IgnoreIndex"/> do not count and N is the number of those that do, over the whole batch;
/// <c>dL/dz_{b,t} = (softmax(z_{b,t}) - onehot(y_{b,t})) / N</c> at a counted position, 0 at an ignored one.
/// Create it with <see cref="Loss.SequenceCrossEntropy"/>.
/// </summary>
/// <remarks>
/// <para>
/// This is PyTorch's <c>F.cross_entropy(logits.reshape(-1, C), targets.reshape(-1), ignore_index=ignoreIndex)</c>
/// (reduction mean): the loss of a language model predicting the next token at each step, with padding marked by
/// the ignore index. Each position is computed as <see cref="SoftmaxCrossEntropyLoss"/> computes a sample (the same
/// code: the log-sum-exp shift, confident positions keep their small values), and the mean is over positions, not
/// sequences, so a batch's short sequences weigh less than its long ones, as in PyTorch.
/// </para>
/// <para>
/// <b>Differs from PyTorch</b> in one case: when every position of a batch is ignored, PyTorch's mean is 0/0 = NaN;
/// here the loss is 0 and every gradient is 0, so such a batch (all padding) trains nothing instead of making the
/// trainer skip a non-finite step. <see cref="Loss.CountPredictions"/> is then 0.
/// </para>
/// <para>
/// Like PyTorch, the ignore index may be a class (0 to C - 1): targets of that class then do not count. Accuracy
/// (<see cref="CountCorrect"/> over <see cref="CountPredictions"/>) is per position: the counted positions whose
/// argmax (the first, on ties) is the target.
/// </para>
/// </remarks>
public sealed class SequenceCrossEntropyLoss : Loss
{
    /// <summary>The largest number of classes (and of |ignore index|): 2^24, so that every class index is exact in a float.</summary>
    public const int MaxClasses = 1 << 24;

    internal SequenceCrossEntropyLoss(int classes, int ignoreIndex)
    {
        if (classes < 1 || classes > MaxClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"A sequence loss needs 1 to {MaxClasses} classes (2^24, so that every class index is exact in a float).");
        }

        if (ignoreIndex < -MaxClasses || ignoreIndex > MaxClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(ignoreIndex), ignoreIndex, $"The ignore index must be from {-MaxClasses} to {MaxClasses}, so that it is exact in a float target.");
        }

        Classes = classes;
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>C: classes at each step, the last axis of the network's output.</summary>
    public int Classes { get; }

    /// <summary>The target that marks a position that does not count (padding); PyTorch's default is -100.</summary>
    public int IgnoreIndex { get; }

    /// <inheritdoc />
    public override bool AppliesSoftmax => true;

    /// <summary>T, the steps of a sample: <paramref name="outputLength"/> / <see cref="Classes"/>, one target per step.</summary>
    /// <exception cref="ArgumentException"><paramref name="outputLength"/> is not a positive multiple of <see cref="Classes"/>.</exception>
    public override int TargetLength(int outputLength) => Steps(outputLength, nameof(outputLength));

    /// <summary>
    /// Returns the mean over the counted positions of the batch (0 when none counts) and, when
    /// <paramref name="outputGradients"/> is not empty, writes dL/d(outputs) there (0 at ignored positions).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The spans do not fit the batch, the outputs per sample are not a multiple of <see cref="Classes"/>, or a target
    /// is neither a class index nor the ignore index (the message names the sample and the step; nothing is written).
    /// </exception>
    public override float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients, int batchSize)
    {
        int steps = CheckBatch(outputs, targets, outputGradients, batchSize);
        int classes = Classes;
        int counted = CheckTargets(targets, steps);
        if (counted == 0)
        {
            outputGradients.Clear();
            return 0f;
        }

        double total = 0;
        double weight = 1.0 / counted;
        for (int p = 0; p < targets.Length; p++)
        {
            Span<float> g = outputGradients.IsEmpty ? default : outputGradients.Slice(p * classes, classes);
            float target = targets[p];
            if (target == IgnoreIndex)
            {
                g.Clear();
                continue;
            }

            total += LossChecks.SoftmaxCrossEntropyRow(outputs.Slice(p * classes, classes), (int)target, g, weight);
        }

        return (float)(total / counted);
    }

    /// <summary>
    /// The index of the first target that is neither a whole number from 0 to <see cref="Classes"/> - 1 nor
    /// <see cref="IgnoreIndex"/>, or -1.
    /// </summary>
    public override int FindInvalidTarget(ReadOnlySpan<float> targets, int outputLength)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            if (!IsValid(targets[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override string DescribeValidTargets(int outputLength)
    {
        string steps = outputLength > 0 && outputLength % Classes == 0
            ? $"at each of its {outputLength / Classes} steps"
            : "at each step";
        return $"sequence cross-entropy needs a class index at each step: a whole number from 0 to {Classes - 1} " +
            $"(the network has {Classes} classes {steps}), or {IgnoreIndex} (the ignore index) for a step that does not count";
    }

    /// <inheritdoc />
    public override LossTask Task => LossTask.Classification;

    /// <inheritdoc />
    public override int ClassCount(int outputLength) => Classes;

    /// <summary>Adds each counted position (target not <see cref="IgnoreIndex"/>): its target against its argmax.</summary>
    /// <exception cref="ArgumentException">The spans do not fit the batch, or a target is neither a class nor the ignore index.</exception>
    public override void AddToConfusion(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize, ConfusionMatrix confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int steps = CheckBatch(outputs, targets, default, batchSize);
        CheckTargets(targets, steps);
        int classes = Classes;
        for (int p = 0; p < targets.Length; p++)
        {
            float target = targets[p];
            if (target != IgnoreIndex)
            {
                confusion.Add((int)target, LossChecks.ArgMax(outputs.Slice(p * classes, classes)));
            }
        }
    }

    /// <summary>The counted positions (target not <see cref="IgnoreIndex"/>) whose argmax, the first on ties, is the target.</summary>
    public override int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize)
    {
        int steps = CheckBatch(outputs, targets, default, batchSize);
        CheckTargets(targets, steps);
        int classes = Classes;
        int correct = 0;
        for (int p = 0; p < targets.Length; p++)
        {
            float target = targets[p];
            if (target != IgnoreIndex && LossChecks.ArgMax(outputs.Slice(p * classes, classes)) == (int)target)
            {
                correct++;
            }
        }

        return correct;
    }

    /// <summary>The positions of the batch that count: those whose target is not <see cref="IgnoreIndex"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="targets"/> is not a whole number of samples of <paramref name="batchSize"/>.</exception>
    public override int CountPredictions(ReadOnlySpan<float> targets, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (targets.Length % batchSize != 0)
        {
            throw new ArgumentException($"{targets.Length} targets are not a whole number of samples for a batch of {batchSize}.", nameof(targets));
        }

        int counted = 0;
        for (int p = 0; p < targets.Length; p++)
        {
            counted += targets[p] == IgnoreIndex ? 0 : 1;
        }

        return counted;
    }

    private bool IsValid(float t) => t == IgnoreIndex || (t >= 0f && t < Classes && t == MathF.Floor(t));

    private int Steps(int outputLength, string paramName)
    {
        if (outputLength < 1 || outputLength % Classes != 0)
        {
            throw new ArgumentException(
                $"A sequence loss of {Classes} classes needs outputs of {Classes} per step, [T, {Classes}]; {outputLength} outputs per sample are not a whole number of steps.",
                paramName);
        }

        return outputLength / Classes;
    }

    /// <summary>Checks the spans against the batch and returns the steps per sample.</summary>
    private int CheckBatch(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> gradients, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (outputs.Length == 0 || outputs.Length % batchSize != 0)
        {
            throw new ArgumentException($"{outputs.Length} outputs are not a whole number of samples for a batch of {batchSize}.", nameof(outputs));
        }

        int steps = Steps(outputs.Length / batchSize, nameof(outputs));
        LossChecks.Check(outputs, targets, gradients, batchSize, perSampleTargets: steps);
        return steps;
    }

    /// <summary>Throws on the first target that is neither a class nor the ignore index; returns the counted positions.</summary>
    private int CheckTargets(ReadOnlySpan<float> targets, int steps)
    {
        int counted = 0;
        for (int p = 0; p < targets.Length; p++)
        {
            float t = targets[p];
            if (!IsValid(t))
            {
                throw new ArgumentException(
                    $"Sample {p / steps} has target {t.ToString(CultureInfo.InvariantCulture)} at step {p % steps}; targets must be whole numbers from 0 to {Classes - 1}, or {IgnoreIndex} (the ignore index).",
                    nameof(targets));
            }

            counted += t == IgnoreIndex ? 0 : 1;
        }

        return counted;
    }
}
