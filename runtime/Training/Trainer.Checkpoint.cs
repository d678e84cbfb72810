using System;
using System.IO;

namespace NetGen;

/// <summary>Checkpoints: saving and restoring everything a run needs to continue bit for bit.</summary>
public sealed partial class Trainer<TNetwork>
{
    /// <summary>
    /// Writes a checkpoint to <paramref name="path"/>: the network's parameters, the optimizer's state, step
    /// count and learning rate, the trainer's position (<see cref="CompletedEpochs"/>,
    /// <see cref="BatchesIntoEpoch"/>, <see cref="StepCount"/>, the running loss of an epoch in progress) and
    /// both random streams, as one safetensors file. The write is atomic: a temporary file beside the target is
    /// written, flushed to disk and renamed over it, so a crash or a kill at any moment leaves the previous
    /// checkpoint or the new one, never a damaged file. A symbolic link at <paramref name="path"/> is followed and
    /// its target replaced; the replaced file's mode (and, where permitted, owner and group) carry over; stale
    /// temporary files of killed saves of the same target are deleted (see docs/weights.md).
    /// </summary>
    /// <remarks>
    /// Call it between steps: after <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> or <see cref="TrainStep"/> return, or from Fit's
    /// progress callback (a checkpoint taken there resumes in the middle of the epoch). The file lists the
    /// parameters under their <c>state_dict</c> names, so <c>net.Load(path, strict: false)</c> and Python's
    /// <c>safetensors.torch.load_file</c> read it too.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">
    /// The file cannot be written, or the path is a directory, FIFO, device or socket; what is at
    /// <paramref name="path"/> is unchanged.
    /// </exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckpointState state = CaptureState();
        SafeTensors.WriteAtomically(path, stream => CheckpointFile.Write(stream, Network, Optimizer, state));
    }

    /// <summary>Writes a checkpoint to <paramref name="stream"/>, which is left open. See <see cref="SaveCheckpoint(string)"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written.</exception>
    public void SaveCheckpoint(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(stream));
        }

        CheckpointFile.Write(stream, Network, Optimizer, CaptureState());
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint(string)"/> into this trainer, its network and
    /// its optimizer, which must be of the same shapes, kind and hyperparameters (the learning rate is taken
    /// from the checkpoint), and its <see cref="Schedule"/> (none if the run had none; else one made with the same arguments,
    /// whose position, rates and counters are taken from the checkpoint). <see cref="History"/> is emptied. The next
    /// <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> continues where the saved run stood.
    /// </summary>
    /// <exception cref="WeightFormatException">
    /// The file is damaged, is not a checkpoint, or does not fit this network or optimizer. The message says what
    /// is wrong; the network, the optimizer and the trainer are exactly as they were.
    /// </exception>
    /// <exception cref="IOException">
    /// The file cannot be read (for example <see cref="FileNotFoundException"/>), or the path is not a regular
    /// file (a directory, FIFO, device or socket; checked before opening, so a FIFO does not block).
    /// </exception>
    /// <exception cref="InvalidOperationException">Called from inside <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>.</exception>
    public void LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckNotFitting();
        using FileStream file = WeightFiles.OpenRead(path);
        LoadCheckpoint(file);
    }

    /// <summary>Restores a checkpoint from <paramref name="stream"/>, read to its end. See <see cref="LoadCheckpoint(string)"/>.</summary>
    /// <exception cref="WeightFormatException">The bytes are not a valid checkpoint for this trainer; nothing is changed.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="InvalidOperationException">Called from inside <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>.</exception>
    public void LoadCheckpoint(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        CheckNotFitting();
        byte[] bytes = ReadBounded(stream, MaxCheckpointLength());
        CheckpointFile.Contents contents = CheckpointFile.Read(bytes, Network, Optimizer, _schedule);

        // Everything is checked; commit. SetState cannot fail: the state's length was checked against the optimizer.
        CheckpointState s = contents.State;
        Optimizer.SetState(contents.OptimizerState, s.OptimizerSteps);
        Optimizer.LearningRate = s.LearningRate;
        SafeTensors.Commit(Network, contents.Parameters);
        _completedEpochs = s.CompletedEpochs;
        _batchesIntoEpoch = s.BatchesIntoEpoch;
        _stepCount = s.StepCount;
        _epochBatchSize = s.EpochBatchSize;
        _epochSamples = s.EpochSamples;
        _epochLossSum = s.EpochLossSum;
        _epochCorrect = s.EpochCorrect;
        _epochSeen = s.EpochSeen;
        _epochPredictions = s.EpochPredictions;
        _epochSkipped = s.EpochSkippedSteps;
        _epochSkippedSamples = s.EpochSkippedSamples;
        _skippedSteps = s.SkippedSteps;
        _epochAbsoluteErrorSum = s.EpochAbsoluteErrorSum;
        _epochSquaredErrorSum = s.EpochSquaredErrorSum;
        _epochLearningRate = s.EpochLearningRate;
        _schedule?.RestoreState(s.ScheduleState);
        History.Clear();
        _shuffle = s.Shuffle;
        _epochShuffle = s.Shuffle;
        _orderIsCurrent = false;
        _dropout = s.Dropout;
        if (_workspace is not null)
        {
            _workspace.Random = s.Dropout;
        }
    }

    private CheckpointState CaptureState() => new()
    {
        CompletedEpochs = _completedEpochs,
        BatchesIntoEpoch = _batchesIntoEpoch,
        StepCount = _stepCount,
        EpochBatchSize = _batchesIntoEpoch > 0 ? _epochBatchSize : 0,
        EpochSamples = _batchesIntoEpoch > 0 ? _epochSamples : 0,
        EpochLossSum = _batchesIntoEpoch > 0 ? _epochLossSum : 0,
        EpochCorrect = _batchesIntoEpoch > 0 ? _epochCorrect : 0,
        EpochSeen = _batchesIntoEpoch > 0 ? _epochSeen : 0,
        EpochPredictions = _batchesIntoEpoch > 0 ? _epochPredictions : 0,
        EpochSkippedSteps = _batchesIntoEpoch > 0 ? _epochSkipped : 0,
        EpochSkippedSamples = _batchesIntoEpoch > 0 ? _epochSkippedSamples : 0,
        SkippedSteps = _skippedSteps,
        EpochAbsoluteErrorSum = _batchesIntoEpoch > 0 ? _epochAbsoluteErrorSum : 0,
        EpochSquaredErrorSum = _batchesIntoEpoch > 0 ? _epochSquaredErrorSum : 0,
        EpochLearningRate = _batchesIntoEpoch > 0 ? _epochLearningRate : Optimizer.LearningRate,
        ScheduleKind = _schedule?.Kind,
        ScheduleHyperparameters = Hyperparameters(_schedule),
        ScheduleState = _schedule?.CaptureState() ?? default,

        // Part-way through an epoch, the stream as it was before the epoch's shuffle, so loading can redraw it.
        Shuffle = _batchesIntoEpoch > 0 ? _epochShuffle : _shuffle,
        Dropout = _workspace is null ? _dropout : _workspace.Random,
        OptimizerSteps = Optimizer.StepCount,
        LearningRate = Optimizer.LearningRate,
    };

    private static System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, string>>? Hyperparameters(LearningRateSchedule? schedule)
    {
        if (schedule is null)
        {
            return null;
        }

        var list = new System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, string>>();
        schedule.AddHyperparameters(list);
        return list;
    }

    private void CheckNotFitting()
    {
        if (_fitting)
        {
            throw new InvalidOperationException("A checkpoint cannot be loaded while Fit is running; load it before calling Fit.");
        }
    }

    /// <summary>
    /// The longest file a checkpoint of this network and optimizer can be: the length prefix, the largest header
    /// the format allows, the parameters and every state vector. Anything longer is rejected before it is read.
    /// </summary>
    private long MaxCheckpointLength() =>
        8 + SafeTensors.MaxHeaderLength + (4L * ((Network.ParameterCount * (1L + Optimizer.StateVectorCount)) + Network.Buffers.Length));

    private static byte[] ReadBounded(Stream stream, long limit)
    {
        if (stream.CanSeek)
        {
            long length = stream.Length - stream.Position;
            if (length > limit)
            {
                throw new WeightFormatException(
                    $"The file is {length} bytes, more than the {limit} a checkpoint of this network and optimizer can be.");
            }

            byte[] exact = new byte[length];
            int got = SafeTensors.ReadFully(stream, exact);
            return got == exact.Length ? exact : exact[..got];
        }

        // Not seekable: read in chunks, so a short stream never costs a large allocation.
        var buffer = new MemoryStream();
        byte[] chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > limit)
            {
                throw new WeightFormatException(
                    $"The stream holds more than the {limit} bytes a checkpoint of this network and optimizer can be.");
            }
        }

        return buffer.ToArray();
    }
}
