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
/// <typeparam name="TNetwork">The generated network type.</typeparam>
public sealed class Trainer<TNetwork>
    where TNetwork : INetwork
{
    private readonly ulong _seed;
    private Rng _shuffle;
    private Workspace? _workspace;
    private float[] _inputs = Array.Empty<float>();
    private float[] _targets = Array.Empty<float>();
    private float[] _outputs = Array.Empty<float>();
    private float[] _outputGradients = Array.Empty<float>();
    private int[] _order = Array.Empty<int>();

    /// <summary>Creates a trainer; <paramref name="seed"/> drives shuffling and dropout.</summary>
    public Trainer(TNetwork network, Optimizer optimizer, Loss loss, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        Network = network;
        Optimizer = optimizer;
        Loss = loss;
        _seed = seed;
        _shuffle = new Rng(seed);
    }

    /// <summary>The network being trained.</summary>
    public TNetwork Network { get; }

    /// <summary>The optimizer that applies each step.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The loss minimized.</summary>
    public Loss Loss { get; }

    /// <summary>When set, gradients are scaled down so their global L2 norm is at most this value before each step.</summary>
    public float? ClipGradientNorm { get; set; }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs over <paramref name="train"/>, calling
    /// <paramref name="progress"/> after every batch and evaluating on <paramref name="validation"/> after every epoch.
    /// </summary>
    public IReadOnlyList<EpochResult> Fit(
        Dataset train,
        int epochs,
        int batchSize,
        Dataset? validation = null,
        Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckDataset(train, nameof(train));
        if (validation is not null)
        {
            CheckDataset(validation, nameof(validation));
        }

        if (_order.Length != train.Count)
        {
            _order = new int[train.Count];
        }

        var results = new List<EpochResult>(epochs);
        int batches = (train.Count + batchSize - 1) / batchSize;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < _order.Length; i++)
            {
                _order[i] = i;
            }

            _shuffle.Shuffle(_order.AsSpan());
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = b * batchSize;
                int count = Math.Min(batchSize, train.Count - start);
                Gather(train, _order.AsSpan(start, count));
                float loss = Step(count, out int batchCorrect);
                lossSum += (double)loss * count;
                correct += batchCorrect;
                seen += count;
                progress?.Invoke(new TrainingProgress(epoch, epochs, b + 1, batches, (float)(lossSum / seen), (float)correct / seen, clock.Elapsed));
            }

            TimeSpan elapsed = clock.Elapsed;
            Evaluation? check = validation is null ? null : Evaluate(validation);
            results.Add(new EpochResult(epoch, (float)(lossSum / seen), (float)correct / seen, check, elapsed));
        }

        return results;
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
        inputs.CopyTo(_inputs);
        targets.CopyTo(_targets);
        return Step(count, out _);
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

    private float Step(int count, out int correct)
    {
        INetwork net = Network;
        int targetLength = Loss.TargetLength(net.OutputLength);
        ReadOnlySpan<float> inputs = _inputs.AsSpan(0, count * net.InputLength);
        ReadOnlySpan<float> targets = _targets.AsSpan(0, count * targetLength);
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
        _workspace = net.CreateWorkspace(count);
        _workspace.Random = new Rng(_seed ^ 0xD809_0A7D_5EEDUL);
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
