using System;

namespace NetGen;

/// <summary>Where training stands after a batch: running means over the epoch so far.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches done in this epoch, from 1.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean training loss over this epoch's samples so far.</param>
/// <param name="Accuracy">Fraction of this epoch's samples so far predicted right (in training mode).</param>
/// <param name="Elapsed">Time since the epoch started.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, float Loss, float Accuracy, TimeSpan Elapsed);

/// <summary>The outcome of one epoch.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Loss">Mean training loss over the epoch.</param>
/// <param name="Accuracy">Training accuracy over the epoch (in training mode, with dropout).</param>
/// <param name="Validation">Loss and accuracy on the validation set, if one was given.</param>
/// <param name="Elapsed">Time the epoch's training took (validation excluded).</param>
public readonly record struct EpochResult(int Epoch, float Loss, float Accuracy, Evaluation? Validation, TimeSpan Elapsed);

/// <summary>Mean loss and accuracy of a network on a data set, in inference mode.</summary>
/// <param name="Loss">Mean loss per sample.</param>
/// <param name="Accuracy">Fraction of samples predicted right.</param>
/// <param name="Count">Samples evaluated.</param>
public readonly record struct Evaluation(float Loss, float Accuracy, int Count);
