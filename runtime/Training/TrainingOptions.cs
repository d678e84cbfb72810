using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// How <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> trains: epochs, batch
/// size, validation data, the callbacks after each batch and each epoch, and early stopping. A plain settings object: set
/// what you need, reuse it across calls.
/// </summary>
/// <example>
/// <code>
/// var (train, validation) = data.Split(validationFraction: 0.1, seed: 1);
/// FitResult result = trainer.Fit(train, new TrainingOptions
/// {
///     Epochs = 50,
///     BatchSize = 64,
///     Validation = validation,
///     EarlyStopping = new EarlyStopping { Patience = 3 },
///     EpochEnded = new SynchronousProgress&lt;EpochResult&gt;(e => Console.WriteLine($"{e.Epoch}: {e.Loss:F4} {e.Validation?.Loss:F4}")),
/// }, cancellationToken);
/// </code>
/// </example>
public sealed class TrainingOptions
{
    private int _epochs = 1;
    private int _batchSize = 32;
    private int _validationBatchSize = 256;

    /// <summary>Epochs to run in this call (Keras' default, 1); see <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative number.</exception>
    public int Epochs
    {
        get => _epochs;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Epochs));
            _epochs = value;
        }
    }

    /// <summary>Samples per batch (Keras' default, 32); the last batch of an epoch holds what is left.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int BatchSize
    {
        get => _batchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(BatchSize));
            _batchSize = value;
        }
    }

    /// <summary>Evaluated in inference mode after every epoch (see <see cref="DatasetSplitExtensions.Split"/> to hold some of the training data out).</summary>
    public Dataset? Validation { get; set; }

    /// <summary>Samples per batch when evaluating <see cref="Validation"/> (256 by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int ValidationBatchSize
    {
        get => _validationBatchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(ValidationBatchSize));
            _validationBatchSize = value;
        }
    }

    /// <summary>
    /// Told after every batch, applied or skipped, with the running figures of the epoch. <c>Report</c> is called on the training
    /// thread between batches; note that <see cref="Progress{T}"/> posts each report to the thread pool (or the captured
    /// synchronization context) and returns at once, so its handler may run later and out of order: for a console line, pass a
    /// <see cref="SynchronousProgress{T}"/>, which runs its handler inside <c>Report</c>.
    /// </summary>
    public IProgress<TrainingProgress>? BatchEnded { get; set; }

    /// <summary>
    /// Told after every epoch, once its validation, schedule and early stopping are done, with the epoch's
    /// <see cref="EpochResult"/> (the one <see cref="Trainer{TNetwork}.History"/> has just gained). Called on the training thread;
    /// see <see cref="BatchEnded"/> on <see cref="Progress{T}"/>.
    /// </summary>
    public IProgress<EpochResult>? EpochEnded { get; set; }

    /// <summary>Stops the run when a validation (or training) figure stops improving; <see langword="null"/>, the default, never stops early.</summary>
    public EarlyStopping? EarlyStopping { get; set; }
}

/// <summary>Why <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> returned.</summary>
public enum StopReason
{
    /// <summary>Every epoch asked for ran.</summary>
    Completed,

    /// <summary><see cref="TrainingOptions.EarlyStopping"/> stopped the run (see <see cref="FitResult.BestEpoch"/>).</summary>
    EarlyStopped,

    /// <summary>
    /// A step's loss or gradient norm was not finite under <see cref="NonFiniteStepPolicy.Stop"/>: it was not applied and the
    /// trainer stands before that batch (see <see cref="FitResult.NonFiniteStep"/>).
    /// </summary>
    NonFiniteStep,
}

/// <summary>What <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> did.</summary>
public sealed class FitResult
{
    internal FitResult(IReadOnlyList<EpochResult> epochs, StopReason reason, int bestEpoch, float bestValue, NonFiniteStepException? nonFinite)
    {
        Epochs = epochs;
        StopReason = reason;
        BestEpoch = bestEpoch;
        BestValue = bestValue;
        NonFiniteStep = nonFinite;
    }

    /// <summary>The epochs this call finished, in order (<see cref="Trainer{TNetwork}.History"/> holds every epoch of the trainer).</summary>
    public IReadOnlyList<EpochResult> Epochs { get; }

    /// <summary>Why the call returned.</summary>
    public StopReason StopReason { get; }

    /// <summary>
    /// With <see cref="TrainingOptions.EarlyStopping"/>, the epoch (from 1, over the trainer's life) whose monitored value was the
    /// best so far, whose weights the network has after an early stop with <see cref="EarlyStopping.RestoreBestWeights"/>; 0 without
    /// early stopping or before any epoch improved.
    /// </summary>
    public int BestEpoch { get; }

    /// <summary>The best monitored value (NaN when <see cref="BestEpoch"/> is 0).</summary>
    public float BestValue { get; }

    /// <summary>
    /// For <see cref="StopReason.NonFiniteStep"/>, what <see cref="NonFiniteStepPolicy.Throw"/> would have thrown: the epoch, the
    /// batch, the loss, the norm, the offending sample and a message that says so. Not thrown; <see langword="null"/> otherwise.
    /// </summary>
    public NonFiniteStepException? NonFiniteStep { get; }
}

/// <summary>
/// Every epoch a trainer has finished, in order: <see cref="Trainer{TNetwork}.History"/>. Per epoch the training loss and
/// metrics, the validation loss and metrics (with the confusion matrix of a classification loss), the learning rate and the time.
/// </summary>
/// <remarks>
/// It lives in the trainer object and is not saved in checkpoints: a trainer that loads a checkpoint starts with an empty
/// history (<see cref="EpochResult.Epoch"/> still counts from the checkpoint's epochs).
/// </remarks>
public sealed class TrainingHistory
{
    private readonly List<EpochResult> _epochs = new();

    /// <summary>The epochs, oldest first.</summary>
    public IReadOnlyList<EpochResult> Epochs => _epochs;

    /// <summary>Epochs held.</summary>
    public int Count => _epochs.Count;

    /// <summary>The epoch numbers (<see cref="EpochResult.Epoch"/>), one per entry: the x axis of a curve.</summary>
    public int[] EpochNumbers()
    {
        var numbers = new int[_epochs.Count];
        for (int i = 0; i < numbers.Length; i++)
        {
            numbers[i] = _epochs[i].Epoch;
        }

        return numbers;
    }

    /// <summary>One value of <paramref name="metric"/> per epoch (<see cref="EpochResult.Metric"/>; NaN where an epoch has none).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a member of the enum.</exception>
    public float[] Series(TrainingMetric metric)
    {
        var values = new float[_epochs.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = _epochs[i].Metric(metric);
        }

        return values;
    }

    /// <summary>The learning rate of each epoch (<see cref="EpochResult.LearningRate"/>).</summary>
    public float[] LearningRates()
    {
        var values = new float[_epochs.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = _epochs[i].LearningRate;
        }

        return values;
    }

    internal void Add(EpochResult epoch) => _epochs.Add(epoch);

    internal void Clear() => _epochs.Clear();
}
