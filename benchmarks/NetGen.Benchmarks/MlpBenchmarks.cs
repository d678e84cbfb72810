using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>
/// The anchor "mlp" network (784-128-64-10): batch-1 latency, batch-64 inference and one training step at batch 64.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MlpBenchmarks
{
    private readonly Mlp _net = new(seed: 42);
    private readonly float[] _sample = BenchmarkData.Inputs(Mlp.InputLength, seed: 1);
    private readonly float[] _output = new float[Mlp.OutputLength];
    private readonly float[] _batch = BenchmarkData.Inputs(BenchmarkData.Batch * Mlp.InputLength, seed: 2);
    private readonly float[] _batchOutput = new float[BenchmarkData.Batch * Mlp.OutputLength];
    private readonly float[] _labels = BenchmarkData.Labels(BenchmarkData.Batch, Mlp.OutputLength, seed: 3);
    private readonly float[] _outputGradients = new float[BenchmarkData.Batch * Mlp.OutputLength];
    private Workspace _workspace1 = null!;
    private Workspace _workspace64 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workspace1 = _net.CreateWorkspace(1);
        _workspace64 = _net.CreateWorkspace(BenchmarkData.Batch);
    }

    /// <summary>One sample through <c>Forward(input, output)</c>: the thread's own workspace, argument checks included.</summary>
    [Benchmark]
    public float Batch1()
    {
        _net.Forward(_sample, _output);
        return _output[0];
    }

    /// <summary>One sample with the caller's workspace.</summary>
    [Benchmark]
    public float Batch1Workspace()
    {
        _net.Forward(_sample, _output, _workspace1);
        return _output[0];
    }

    /// <summary>64 samples with the caller's workspace; divide by 64 for the time per sample.</summary>
    [Benchmark]
    public float Batch64()
    {
        _net.Forward(_batch, _batchOutput, _workspace64);
        return _batchOutput[0];
    }

    /// <summary>
    /// One SGD step at batch 64: training forward, softmax cross-entropy and its gradient, zeroed gradients,
    /// backward (parameter gradients only), then <c>θ -= lr · g</c> over the flat parameter span.
    /// </summary>
    [Benchmark]
    public float TrainStep64()
    {
        _net.ForwardTraining(_batch, _batchOutput, _workspace64);
        float loss = Loss.SoftmaxCrossEntropy.Compute(_batchOutput, _labels, _outputGradients, BenchmarkData.Batch);
        _net.ZeroGradients();
        _net.Backward(_batch, _outputGradients, Span<float>.Empty, _workspace64);

        // Plain SGD written out, as the runtime has no optimizer yet: θ = θ + (-lr) g.
        Span<float> parameters = _net.Parameters;
        TensorPrimitives.MultiplyAdd(_net.Gradients, -BenchmarkData.LearningRate, parameters, parameters);
        return loss;
    }
}
