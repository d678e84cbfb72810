using System;

namespace NetGen;

/// <summary>
/// A loss over a batch of network outputs: its mean value and its gradient with respect to the outputs.
/// Targets are floats: class indices for <see cref="SoftmaxCrossEntropy"/> (one per sample), values of the
/// output's shape for the others.
/// </summary>
public abstract class Loss
{
    /// <summary>Softmax then negative log-likelihood of integer class labels, from logits, as PyTorch's <c>cross_entropy</c>.</summary>
    public static SoftmaxCrossEntropyLoss SoftmaxCrossEntropy { get; } = new();

    /// <summary>Mean squared error over every element, as PyTorch's <c>mse_loss</c> (reduction mean).</summary>
    public static MeanSquaredErrorLoss MeanSquaredError { get; } = new();

    /// <summary>Sigmoid then binary cross-entropy, from logits, as PyTorch's <c>binary_cross_entropy_with_logits</c>.</summary>
    public static BinaryCrossEntropyLoss BinaryCrossEntropy { get; } = new();

    /// <summary>
    /// Softmax cross-entropy at every step of a sequence, as PyTorch's
    /// <c>F.cross_entropy(logits.reshape(-1, classes), targets.reshape(-1), ignore_index=ignoreIndex)</c>: outputs
    /// <c>[T, classes]</c> per sample (a language model's next-token logits), one class index per step as the target,
    /// positions whose target is <paramref name="ignoreIndex"/> (padding) left out of the mean, which is over the
    /// batch's counted positions. Accuracy is per position. See <see cref="SequenceCrossEntropyLoss"/>.
    /// </summary>
    /// <param name="classes">C, the classes at each step (the vocabulary, for a language model): the last axis of the output.</param>
    /// <param name="ignoreIndex">The target that marks a position that does not count; PyTorch's default, -100.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="classes"/> is not from 1 to 2^24, or <paramref name="ignoreIndex"/> is not from -2^24 to 2^24
    /// (the range in which a float target holds every integer exactly).
    /// </exception>
    public static SequenceCrossEntropyLoss SequenceCrossEntropy(int classes, int ignoreIndex = -100) => new(classes, ignoreIndex);

    /// <summary>
    /// What the loss trains a network to do, which decides the metrics <see cref="Trainer{TNetwork}"/> reports:
    /// <see cref="LossTask.Classification"/> (softmax, binary and sequence cross-entropy) gets accuracy and a
    /// <see cref="ConfusionMatrix"/> with per-class precision and recall; <see cref="LossTask.Regression"/> (mean squared
    /// error) gets the mean absolute error and root mean squared error, and no accuracy (NaN); <see cref="LossTask.Other"/>,
    /// the default for a loss of your own, gets accuracy from <see cref="CountCorrect"/> alone.
    /// </summary>
    public virtual LossTask Task => LossTask.Other;

    /// <summary>
    /// The classes of the <see cref="ConfusionMatrix"/> for a network with <paramref name="outputLength"/> outputs: the outputs
    /// for softmax cross-entropy, 2 for binary cross-entropy, the classes at each step for sequence cross-entropy; 0 (no
    /// matrix) for a loss that is not <see cref="LossTask.Classification"/>.
    /// </summary>
    public virtual int ClassCount(int outputLength) => 0;

    /// <summary>
    /// Adds the batch's predictions to <paramref name="confusion"/> (of <see cref="ClassCount"/> classes), one per prediction
    /// <see cref="CountPredictions"/> counts: the argmax of each sample's logits against its label (softmax), the argmax at each
    /// counted step against its target (sequence), and for binary cross-entropy every output on its own, predicted 1 when its
    /// logit is above 0 and actually 1 when its target is above 0.5. Does nothing for a loss without classes. Allocates nothing.
    /// </summary>
    public virtual void AddToConfusion(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize, ConfusionMatrix confusion)
    {
    }

    /// <summary>Whether the loss applies softmax to the outputs itself (so the network should end in logits).</summary>
    public virtual bool AppliesSoftmax => false;

    /// <summary>Floats of target per sample for a network with <paramref name="outputLength"/> outputs.</summary>
    public abstract int TargetLength(int outputLength);

    /// <summary>
    /// Returns the loss averaged as PyTorch's default reduction does, and when <paramref name="outputGradients"/>
    /// is not empty writes dL/d(outputs) of that mean there (same length as <paramref name="outputs"/>).
    /// </summary>
    public abstract float Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients, int batchSize);

    /// <summary>
    /// What the trainer's step asks of a loss: <see cref="Compute"/> with gradients, then <see cref="CountCorrect"/>. A loss
    /// whose samples are independent splits the batch across up to <paramref name="threads"/> threads, each sample written by
    /// the same code whatever the split and the samples' losses added in sample order, so the result is that of one thread
    /// bit for bit. <paramref name="scratch"/> holds <see cref="TrainingScratchLength"/> doubles.
    /// </summary>
    internal virtual float ComputeForTraining(
        ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> outputGradients, int batchSize, int threads, Span<double> scratch, out int correct)
    {
        float loss = Compute(outputs, targets, outputGradients, batchSize);
        correct = CountCorrect(outputs, targets, batchSize);
        return loss;
    }

    /// <summary>The doubles of scratch <see cref="ComputeForTraining"/> needs for a batch of <paramref name="batchSize"/>.</summary>
    internal virtual int TrainingScratchLength(int batchSize) => 0;

    /// <summary>
    /// How many predictions in the batch are right: argmax equals the label for classification, the sign of
    /// each logit matches its 0/1 target for binary, argmax of output equals argmax of target for MSE.
    /// </summary>
    public abstract int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int batchSize);

    /// <summary>
    /// How many predictions of the batch <see cref="CountCorrect"/> chooses among: the denominator of accuracy. By
    /// default one per sample (<paramref name="batchSize"/>); <see cref="SequenceCrossEntropyLoss"/> counts the
    /// positions whose target is not its ignore index, so a language model's accuracy is per position.
    /// </summary>
    /// <remarks>
    /// <see cref="Trainer{TNetwork}"/> divides the sum of <see cref="CountCorrect"/> by the sum of this over an epoch
    /// (<see cref="EpochResult.Accuracy"/>, <see cref="TrainingProgress.Accuracy"/>) and over a data set
    /// (<see cref="Evaluation.Accuracy"/>), and weighs each batch's mean loss by it. Allocates nothing.
    /// </remarks>
    public virtual int CountPredictions(ReadOnlySpan<float> targets, int batchSize) => batchSize;

    /// <summary>
    /// The index in <paramref name="targets"/> of the first target this loss cannot learn from, or -1 when every
    /// one is valid, for a network with <paramref name="outputLength"/> outputs: a class index that is not a whole
    /// number in <c>[0, outputLength)</c> for <see cref="SoftmaxCrossEntropy"/>, a value outside <c>[0, 1]</c> (or
    /// NaN) for <see cref="BinaryCrossEntropy"/>, a value that is not finite for <see cref="MeanSquaredError"/>.
    /// <see cref="DescribeValidTargets"/> says what is valid.
    /// </summary>
    /// <remarks>
    /// <see cref="Trainer{TNetwork}"/> calls it on a whole data set when <c>Fit</c> or <c>Evaluate</c> starts and on
    /// each <c>TrainStep</c> batch, before anything moves, and names the sample in its error. The default accepts
    /// every target; a loss of your own overrides both methods. Allocates nothing.
    /// </remarks>
    public virtual int FindInvalidTarget(ReadOnlySpan<float> targets, int outputLength) => -1;

    /// <summary>
    /// What a valid target is, for a network with <paramref name="outputLength"/> outputs, as the end of a sentence
    /// ("softmax cross-entropy needs a class index: a whole number from 0 to 9 (the network has 10 outputs)").
    /// </summary>
    public virtual string DescribeValidTargets(int outputLength) => "this loss accepts every target";
}

/// <summary>What a <see cref="Loss"/> trains a network to do: it decides the metrics the trainer reports (<see cref="Loss.Task"/>).</summary>
public enum LossTask
{
    /// <summary>Neither, as far as the trainer knows (a loss of your own): loss and accuracy (<see cref="Loss.CountCorrect"/>).</summary>
    Other,

    /// <summary>Classes: accuracy, and a confusion matrix with per-class precision and recall on evaluation.</summary>
    Classification,

    /// <summary>Values: mean absolute error and root mean squared error; no accuracy.</summary>
    Regression,
}
