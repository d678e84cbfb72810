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

/// <summary>The outcome of one epoch.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Loss">
/// Mean training loss over the epoch's samples (its counted positions, for a sequence loss), those of skipped steps left out (so one NaN batch does not make it
/// NaN); NaN when every step of the epoch was skipped.
/// </param>
/// <param name="Accuracy">
/// Training accuracy over the epoch (in training mode, with dropout), skipped steps left out: right predictions over
/// <see cref="NetGen.Loss.CountPredictions"/> (samples, or counted positions for a sequence loss).
/// </param>
/// <param name="Validation">Loss and accuracy on the validation set, if one was given.</param>
/// <param name="Elapsed">Time the epoch's training took (validation excluded).</param>
/// <param name="SkippedSteps">
/// Steps of the epoch that were not applied because their loss or gradient norm was not finite
/// (<see cref="NonFiniteStepPolicy.Skip"/>); 0 in a healthy run.
/// </param>
public readonly record struct EpochResult(
    int Epoch, float Loss, float Accuracy, Evaluation? Validation, TimeSpan Elapsed, int SkippedSteps = 0);

/// <summary>Mean loss and accuracy of a network on a data set, in inference mode.</summary>
/// <param name="Loss">
/// Mean loss per prediction: per sample, or per counted position for a sequence loss (each batch's mean weighed by its
/// <see cref="NetGen.Loss.CountPredictions"/>); NaN when no position counts.
/// </param>
/// <param name="Accuracy">Fraction of predictions that were right (samples, or counted positions); NaN when none counts.</param>
/// <param name="Count">Samples evaluated.</param>
public readonly record struct Evaluation(float Loss, float Accuracy, int Count);
