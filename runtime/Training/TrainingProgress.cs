using System;

namespace NetGen;

/// <summary>Where training stands after a batch: running means over the epoch so far.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches done in this epoch (applied or skipped), from 1.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">
/// Mean training loss over this epoch's samples so far (its counted positions, for a sequence loss), those of skipped steps left out; NaN while every step of
/// the epoch has been skipped.
/// </param>
/// <param name="Accuracy">
/// Fraction of this epoch's predictions so far that were right (in training mode), those of skipped steps left out:
/// one per sample, or one per counted position for a sequence loss (<see cref="NetGen.Loss.CountPredictions"/>).
/// </param>
/// <param name="Elapsed">Time since the epoch started.</param>
/// <param name="SkippedSteps">
/// Steps of this epoch so far that were not applied because their loss or gradient norm was not finite
/// (<see cref="NonFiniteStepPolicy.Skip"/>).
/// </param>
public readonly record struct TrainingProgress(
    int Epoch, int Epochs, int Batch, int Batches, float Loss, float Accuracy, TimeSpan Elapsed, int SkippedSteps = 0);

/// <summary>The outcome of one epoch: what <see cref="TrainingHistory"/> holds, one per epoch.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Loss">
/// Mean training loss over the epoch's samples (its counted positions, for a sequence loss), those of skipped steps left out (so one NaN batch does not make it
/// NaN); NaN when every step of the epoch was skipped.
/// </param>
/// <param name="Accuracy">
/// Training accuracy over the epoch (in training mode, with dropout), skipped steps left out: right predictions over
/// <see cref="NetGen.Loss.CountPredictions"/> (samples, or counted positions for a sequence loss). NaN for a regression loss
/// (<see cref="LossTask.Regression"/>), which has no accuracy: see <see cref="MeanAbsoluteError"/> and <see cref="RootMeanSquaredError"/>.
/// </param>
/// <param name="Validation">Loss and metrics on the validation set, if one was given.</param>
/// <param name="Elapsed">Time the epoch's training took (validation excluded).</param>
/// <param name="SkippedSteps">
/// Steps of the epoch that were not applied because their loss or gradient norm was not finite
/// (<see cref="NonFiniteStepPolicy.Skip"/>); 0 in a healthy run.
/// </param>
public readonly record struct EpochResult(
    int Epoch, float Loss, float Accuracy, Evaluation? Validation, TimeSpan Elapsed, int SkippedSteps = 0)
{
    /// <summary>The optimizer's learning rate at the epoch's first batch (a <see cref="LearningRateSchedule"/> may have changed it since).</summary>
    public float LearningRate { get; init; }

    /// <summary>
    /// For a regression loss (<see cref="LossTask.Regression"/>), the mean over every output of the epoch's applied steps of
    /// <c>|output - target|</c>, in training mode; NaN for other losses.
    /// </summary>
    public float MeanAbsoluteError { get; init; } = float.NaN;

    /// <summary>For a regression loss, <c>sqrt(mean((output - target)²))</c> over the same outputs; NaN for other losses.</summary>
    public float RootMeanSquaredError { get; init; } = float.NaN;

    /// <summary>
    /// The number <paramref name="metric"/> names: a training figure of this result, or one of <see cref="Validation"/> (NaN
    /// when there is no validation, or the loss has no such figure).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a member of the enum.</exception>
    public float Metric(TrainingMetric metric) => metric switch
    {
        TrainingMetric.Loss => Loss,
        TrainingMetric.Accuracy => Accuracy,
        TrainingMetric.MeanAbsoluteError => MeanAbsoluteError,
        TrainingMetric.RootMeanSquaredError => RootMeanSquaredError,
        TrainingMetric.ValidationLoss => Validation?.Loss ?? float.NaN,
        TrainingMetric.ValidationAccuracy => Validation?.Accuracy ?? float.NaN,
        TrainingMetric.ValidationMeanAbsoluteError => Validation?.MeanAbsoluteError ?? float.NaN,
        TrainingMetric.ValidationRootMeanSquaredError => Validation?.RootMeanSquaredError ?? float.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a TrainingMetric."),
    };
}

/// <summary>Mean loss and the loss's metrics of a network on a data set, in inference mode.</summary>
/// <param name="Loss">
/// Mean loss per prediction: per sample, or per counted position for a sequence loss (each batch's mean weighed by its
/// <see cref="NetGen.Loss.CountPredictions"/>); NaN when no position counts.
/// </param>
/// <param name="Accuracy">
/// Fraction of predictions that were right (samples, or counted positions); NaN when none counts, and NaN for a regression
/// loss (<see cref="LossTask.Regression"/>), which has no accuracy.
/// </param>
/// <param name="Count">Samples evaluated.</param>
public readonly record struct Evaluation(float Loss, float Accuracy, int Count)
{
    /// <summary>
    /// For a classification loss (<see cref="LossTask.Classification"/>), every prediction's actual class against its predicted
    /// class, with per-class precision and recall; <see langword="null"/> for other losses.
    /// </summary>
    public ConfusionMatrix? Confusion { get; init; }

    /// <summary>For a regression loss, the mean over every output of <c>|output - target|</c>; NaN for other losses.</summary>
    public float MeanAbsoluteError { get; init; } = float.NaN;

    /// <summary>For a regression loss, <c>sqrt(mean((output - target)²))</c> over every output; NaN for other losses.</summary>
    public float RootMeanSquaredError { get; init; } = float.NaN;
}
