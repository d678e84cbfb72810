namespace NetGen;

/// <summary>
/// The part of a checkpoint that is neither parameters nor optimizer vectors: where training stands, the
/// running sums of an epoch in progress, both random streams and the optimizer's scalars.
/// </summary>
internal sealed class CheckpointState
{
    /// <summary>Epochs finished.</summary>
    public int CompletedEpochs { get; init; }

    /// <summary>Batches done of the next epoch; 0 at an epoch boundary.</summary>
    public int BatchesIntoEpoch { get; init; }

    /// <summary>Trainer steps taken (Fit batches and TrainStep calls).</summary>
    public long StepCount { get; init; }

    /// <summary>The batch size of the epoch in progress (meaningful when <see cref="BatchesIntoEpoch"/> &gt; 0).</summary>
    public int EpochBatchSize { get; init; }

    /// <summary>The number of samples of the epoch in progress.</summary>
    public int EpochSamples { get; init; }

    /// <summary>Sum over the epoch's batches so far of mean loss times the batch's predictions (its size, for a loss with one per sample).</summary>
    public double EpochLossSum { get; init; }

    /// <summary>Predictions of the epoch so far that were right (samples, or positions for a sequence loss).</summary>
    public long EpochCorrect { get; init; }

    /// <summary>
    /// Predictions of the epoch's applied steps so far (<see cref="Loss.CountPredictions"/>): the denominator of its
    /// accuracy and mean loss.
    /// </summary>
    public long EpochPredictions { get; init; }

    /// <summary>Samples of the epoch so far.</summary>
    public int EpochSeen { get; init; }

    /// <summary>Steps of the epoch so far that were skipped as not finite.</summary>
    public int EpochSkippedSteps { get; init; }

    /// <summary>Samples of those skipped steps (left out of the epoch's mean loss and accuracy).</summary>
    public int EpochSkippedSamples { get; init; }

    /// <summary>A regression loss's sum of |output - target| over the epoch so far (0 when absent).</summary>
    public double EpochAbsoluteErrorSum { get; init; }

    /// <summary>A regression loss's sum of (output - target)² over the epoch so far.</summary>
    public double EpochSquaredErrorSum { get; init; }

    /// <summary>The learning rate at the epoch's first batch (when absent: the optimizer's rate).</summary>
    public float EpochLearningRate { get; init; }

    /// <summary>The schedule's kind (<c>StepLR</c>, ...), or null when the trainer has none.</summary>
    public string? ScheduleKind { get; init; }

    /// <summary>The schedule's hyperparameters as text, in its order.</summary>
    public System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, string>>? ScheduleHyperparameters { get; init; }

    /// <summary>The schedule's position, rates and counters.</summary>
    public ScheduleState ScheduleState { get; init; }

    /// <summary>Steps skipped as not finite over the trainer's life.</summary>
    public long SkippedSteps { get; init; }

    /// <summary>
    /// The shuffling stream: at an epoch boundary its current state; part-way through an epoch its state before
    /// that epoch's shuffle, so the epoch's order can be drawn again.
    /// </summary>
    public Rng Shuffle { get; init; }

    /// <summary>The dropout stream.</summary>
    public Rng Dropout { get; init; }

    /// <summary>The optimizer's step count (Adam's bias correction counts from it).</summary>
    public long OptimizerSteps { get; init; }

    /// <summary>The optimizer's learning rate (a scheduler may have changed it).</summary>
    public float LearningRate { get; init; }
}
