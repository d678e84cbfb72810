using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace NetGen;

/// <summary>
/// Trains a network with mini-batch gradient descent: seeded shuffling each epoch, forward in training mode,
/// the loss and its gradient, backward, optional clipping by global norm, an optimizer step. Buffers are
/// sized on the first batch, so a step allocates nothing after warm-up. The same seed gives the same run,
/// bit for bit.
/// </summary>
/// <remarks>
/// The trainer knows where it stands: <see cref="CompletedEpochs"/>, <see cref="BatchesIntoEpoch"/> and
/// <see cref="StepCount"/>. <see cref="SaveCheckpoint(string)"/> writes that position with the parameters,
/// the optimizer's state and both random streams (shuffling and dropout);
/// <see cref="LoadCheckpoint(string)"/> restores it, and the next <see cref="Fit"/> continues from there as
/// if training had never stopped, bit for bit (single-threaded).
/// </remarks>
/// <typeparam name="TNetwork">The generated network type.</typeparam>
public sealed partial class Trainer<TNetwork>
    where TNetwork : INetwork
{
    private Rng _shuffle;

    // Dropout's stream while no workspace exists; a workspace created later starts from it, and a larger
    // workspace replacing a smaller one carries the stream on.
    private Rng _dropout;
    private Workspace? _workspace;
    private float[] _inputs = Array.Empty<float>();
    private float[] _targets = Array.Empty<float>();
    private float[] _outputs = Array.Empty<float>();
    private float[] _outputGradients = Array.Empty<float>();
    private int[] _order = Array.Empty<int>();

    // Where training stands. An epoch in progress (_batchesIntoEpoch > 0) has its shuffle (drawn from
    // _epochShuffle, the stream as it was before the epoch), batch size, data set size and running sums here,
    // so Fit can finish it after a cancellation or from a checkpoint.
    private int _completedEpochs;
    private int _batchesIntoEpoch;
    private long _stepCount;
    private Rng _epochShuffle;
    private int _epochBatchSize;
    private int _epochSamples;
    private double _epochLossSum;
    private int _epochCorrect;
    private int _epochSeen;
    private bool _orderIsCurrent;
    private bool _fitting;

    /// <summary>Creates a trainer; <paramref name="seed"/> drives shuffling and dropout.</summary>
    public Trainer(TNetwork network, Optimizer optimizer, Loss loss, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        Network = network;
        Optimizer = optimizer;
        Loss = loss;
        _shuffle = new Rng(seed);
        _dropout = new Rng(seed ^ 0xD809_0A7D_5EEDUL);
    }

    /// <summary>The network being trained.</summary>
    public TNetwork Network { get; }

    /// <summary>The optimizer that applies each step.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The loss minimized.</summary>
    public Loss Loss { get; }

    /// <summary>When set, gradients are scaled down so their global L2 norm is at most this value before each step.</summary>
    public float? ClipGradientNorm { get; set; }

    /// <summary>Epochs <see cref="Fit"/> has finished, over all calls (and restored by <see cref="LoadCheckpoint(string)"/>).</summary>
    public int CompletedEpochs => _completedEpochs;

    /// <summary>
    /// Batches done of an epoch not yet finished (after a cancellation, or in a checkpoint saved from the
    /// progress callback); 0 between epochs. The next <see cref="Fit"/> finishes that epoch first.
    /// </summary>
    public int BatchesIntoEpoch => _batchesIntoEpoch;

    /// <summary>Optimization steps taken: batches of <see cref="Fit"/> and calls of <see cref="TrainStep"/>.</summary>
    public long StepCount => _stepCount;

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs over <paramref name="train"/>, calling
    /// <paramref name="progress"/> after every batch and evaluating on <paramref name="validation"/> after every epoch.
    /// </summary>
    /// <remarks>
    /// Epochs are numbered over the trainer's life: after <see cref="CompletedEpochs"/> epochs, this call runs
    /// epochs <c>CompletedEpochs + 1</c> to <c>CompletedEpochs + epochs</c>. An epoch left part-way (a
    /// cancellation, or a checkpoint saved from <paramref name="progress"/>) is finished first, with its own
    /// shuffle and running loss, and counts as one of the <paramref name="epochs"/>; it needs the same batch size
    /// and number of samples it began with. To resume a run of <c>N</c> epochs from a checkpoint, call
    /// <c>Fit(train, N - trainer.CompletedEpochs, ...)</c>: the result is the run that never stopped.
    /// <paramref name="progress"/> may call <see cref="SaveCheckpoint(string)"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The data does not fit the network or the loss, or an epoch part-way through was begun with another batch
    /// size or number of samples.
    /// </exception>
    public IReadOnlyList<EpochResult> Fit(
        Dataset train,
        int epochs,
        int batchSize,
        Dataset? validation = null,
        Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckDataset(train, nameof(train));
        if (validation is not null)
        {
            CheckDataset(validation, nameof(validation));
        }

        if (_batchesIntoEpoch > 0 && (batchSize != _epochBatchSize || train.Count != _epochSamples))
        {
            throw new ArgumentException(
                $"Epoch {_completedEpochs + 1} stopped after {_batchesIntoEpoch} batches of {_epochBatchSize} from {_epochSamples} samples; " +
                $"finishing it needs the same batch size and number of samples, got {batchSize} and {train.Count}.",
                batchSize != _epochBatchSize ? nameof(batchSize) : nameof(train));
        }

        if (_order.Length != train.Count)
        {
            _order = new int[train.Count];
            _orderIsCurrent = false;
        }

        var results = new List<EpochResult>(epochs);
        int batches = (train.Count + batchSize - 1) / batchSize;
        int lastEpoch = _completedEpochs + epochs;
        _fitting = true;
        try
        {
            while (_completedEpochs < lastEpoch)
            {
                int epoch = _completedEpochs + 1;
                var clock = Stopwatch.StartNew();
                BeginOrContinueEpoch(batchSize, train.Count);
                for (int b = _batchesIntoEpoch; b < batches; b++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int start = b * batchSize;
                    int count = Math.Min(batchSize, train.Count - start);
                    Gather(train, _order.AsSpan(start, count));
                    float loss = Step(_inputs.AsSpan(0, count * train.InputLength), _targets.AsSpan(0, count * train.TargetLength), count, out int batchCorrect);
                    _epochLossSum += (double)loss * count;
                    _epochCorrect += batchCorrect;
                    _epochSeen += count;
                    _batchesIntoEpoch = b + 1;
                    progress?.Invoke(new TrainingProgress(
                        epoch, lastEpoch, b + 1, batches, (float)(_epochLossSum / _epochSeen), (float)_epochCorrect / _epochSeen, clock.Elapsed));
                }

                TimeSpan elapsed = clock.Elapsed;
                float epochLoss = (float)(_epochLossSum / _epochSeen);
                float epochAccuracy = (float)_epochCorrect / _epochSeen;
                _completedEpochs = epoch;
                _batchesIntoEpoch = 0;
                Evaluation? check = validation is null ? null : Evaluate(validation);
                results.Add(new EpochResult(epoch, epochLoss, epochAccuracy, check, elapsed));
            }
        }
        finally
        {
            _fitting = false;
        }

        return results;
    }

    /// <summary>
    /// At an epoch boundary, draws the epoch's shuffle and clears its sums; part-way through an epoch, makes
    /// sure <see cref="_order"/> holds that epoch's shuffle (redrawn after a checkpoint was loaded).
    /// </summary>
    private void BeginOrContinueEpoch(int batchSize, int samples)
    {
        if (_batchesIntoEpoch == 0)
        {
            _epochShuffle = _shuffle;
            ShuffleOrder();
            _epochBatchSize = batchSize;
            _epochSamples = samples;
            _epochLossSum = 0;
            _epochCorrect = 0;
            _epochSeen = 0;
        }
        else if (!_orderIsCurrent)
        {
            _shuffle = _epochShuffle;
            ShuffleOrder();
        }
    }

    private void ShuffleOrder()
    {
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        _shuffle.Shuffle(_order.AsSpan());
        _orderIsCurrent = true;
    }

    /// <summary>
    /// One optimization step on a batch given as spans (<c>n * InputLength</c> inputs, <c>n * TargetLength</c>
    /// targets); returns the batch's mean loss. Allocates nothing once a batch this large has been seen.
    /// </summary>
    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        INetwork net = Network;
        if (inputs.IsEmpty || inputs.Length % net.InputLength != 0)
        {
            throw new ArgumentException($"Expected a whole number of samples of {net.InputLength} floats, got {inputs.Length}.", nameof(inputs));
        }

        int count = inputs.Length / net.InputLength;
        int targetLength = Loss.TargetLength(net.OutputLength);
        if (targets.Length != count * targetLength)
        {
            throw new ArgumentException($"Expected {count * targetLength} targets for {count} samples, got {targets.Length}.", nameof(targets));
        }

        EnsureBuffers(count);
        return Step(inputs, targets, count, out _);
    }

    /// <summary>Mean loss and accuracy on <paramref name="data"/> in inference mode (dropout off).</summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckDataset(data, nameof(data));
        INetwork net = Network;
        EnsureBuffers(batchSize);
        double lossSum = 0;
        int correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            ReadOnlySpan<float> inputs = data.Inputs.Slice(start * data.InputLength, count * data.InputLength);
            ReadOnlySpan<float> targets = data.Targets.Slice(start * data.TargetLength, count * data.TargetLength);
            Span<float> outputs = _outputs.AsSpan(0, count * net.OutputLength);
            net.Forward(inputs, outputs, _workspace!);
            lossSum += (double)Loss.Compute(outputs, targets, default, count) * count;
            correct += Loss.CountCorrect(outputs, targets, count);
        }

        return new Evaluation((float)(lossSum / data.Count), (float)correct / data.Count, data.Count);
    }

    /// <summary>One step on a batch of <paramref name="count"/> samples, read where they are (no copy).</summary>
    private float Step(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int count, out int correct)
    {
        INetwork net = Network;
        Span<float> outputs = _outputs.AsSpan(0, count * net.OutputLength);
        Span<float> outputGradients = _outputGradients.AsSpan(0, count * net.OutputLength);

        net.ForwardTraining(inputs, outputs, _workspace!);
        float loss = Loss.Compute(outputs, targets, outputGradients, count);
        correct = Loss.CountCorrect(outputs, targets, count);
        net.ZeroGradients();
        net.Backward(inputs, outputGradients, default, _workspace!);
        if (ClipGradientNorm is float maxNorm)
        {
            GradientClipping.ClipByGlobalNorm(net.Gradients, maxNorm);
        }

        Optimizer.Step(net.Parameters, net.Gradients);
        _stepCount++;
        return loss;
    }

    private void Gather(Dataset data, ReadOnlySpan<int> indices)
    {
        EnsureBuffers(indices.Length);
        int inLength = data.InputLength, targetLength = data.TargetLength;
        for (int i = 0; i < indices.Length; i++)
        {
            data.Input(indices[i]).CopyTo(_inputs.AsSpan(i * inLength, inLength));
            data.Target(indices[i]).CopyTo(_targets.AsSpan(i * targetLength, targetLength));
        }
    }

    private void EnsureBuffers(int count)
    {
        if (_workspace is not null && _workspace.BatchCapacity >= count)
        {
            return;
        }

        INetwork net = Network;
        Rng dropout = _workspace is null ? _dropout : _workspace.Random;
        _workspace = net.CreateWorkspace(count);
        _workspace.Random = dropout;
        _inputs = new float[count * net.InputLength];
        _targets = new float[count * Loss.TargetLength(net.OutputLength)];
        _outputs = new float[count * net.OutputLength];
        _outputGradients = new float[count * net.OutputLength];
    }

    private void CheckDataset(Dataset data, string name)
    {
        INetwork net = Network;
        if (data.InputLength != net.InputLength)
        {
            throw new ArgumentException($"The network takes {net.InputLength} floats per sample; the data set has {data.InputLength}.", name);
        }

        int targetLength = Loss.TargetLength(net.OutputLength);
        if (data.TargetLength != targetLength)
        {
            throw new ArgumentException($"The loss expects {targetLength} target floats per sample; the data set has {data.TargetLength}.", name);
        }

        if (data.Count == 0)
        {
            throw new ArgumentException("The data set is empty.", name);
        }
    }
}
