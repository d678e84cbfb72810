using System;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>LeNet-5 as samples/LeNet declares it: two 5×5 convolutions with max pooling, then 400-120-84-10.</summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class BenchLeNet5;

/// <summary>
/// LeNet-5: batch-1 latency (the thread's workspace, argument checks included), batch-64 inference, and one
/// training step at batch 64 (forward, softmax cross-entropy, backward without dL/dx, SGD with momentum 0.9, as
/// the other networks' step). Self-contained, so it does not depend on the shared benchmark base class.
/// <c>dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*LeNet*'</c>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LeNetBenchmarks
{
    private readonly BenchLeNet5 _net = new(seed: 0);
    private readonly Sgd _optimizer = new(BenchmarkData.LearningRate, momentum: 0.9f);
    private readonly float[] _sample = BenchmarkData.Inputs(BenchLeNet5.InputLength, seed: 1);
    private readonly float[] _output = new float[BenchLeNet5.OutputLength];
    private readonly float[] _batch = BenchmarkData.Inputs(BenchmarkData.Batch * BenchLeNet5.InputLength, seed: 2);
    private readonly float[] _batchOutput = new float[BenchmarkData.Batch * BenchLeNet5.OutputLength];
    private readonly float[] _labels = BenchmarkData.Labels(BenchmarkData.Batch, BenchLeNet5.OutputLength, seed: 3);
    private readonly float[] _outputGradients = new float[BenchmarkData.Batch * BenchLeNet5.OutputLength];
    private Workspace _workspace64 = null!;

    [GlobalSetup]
    public void Setup() => _workspace64 = _net.CreateWorkspace(BenchmarkData.Batch);

    /// <summary>One digit through <c>Forward(input, output)</c>.</summary>
    [Benchmark]
    public float Batch1()
    {
        _net.Forward(_sample, _output);
        return _output[0];
    }

    /// <summary>64 digits; divide by 64 for the time per sample.</summary>
    [Benchmark]
    public float Batch64()
    {
        _net.Forward(_batch, _batchOutput, _workspace64);
        return _batchOutput[0];
    }

    /// <summary>One training step at batch 64.</summary>
    [Benchmark]
    public float TrainStep64()
    {
        _net.ForwardTraining(_batch, _batchOutput, _workspace64);
        float loss = Loss.SoftmaxCrossEntropy.Compute(_batchOutput, _labels, _outputGradients, BenchmarkData.Batch);
        _net.ZeroGradients();
        _net.Backward(_batch, _outputGradients, Span<float>.Empty, _workspace64);
        _optimizer.Step(_net.Parameters, _net.Gradients);
        return loss;
    }
}
