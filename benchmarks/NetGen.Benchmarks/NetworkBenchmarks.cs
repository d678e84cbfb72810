using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>
/// Batch-1 latency, batch-64 inference and one training step at batch 64 (SGD with momentum 0.9, and Adam,
/// as the anchors' PyTorch steps) for one network, on 1 thread and on every core (<see cref="Threads"/>);
/// each anchor network is a two-line subclass.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SamplesPerSecondColumn]
public abstract class NetworkBenchmarks<TNetwork>
    where TNetwork : INetwork
{
    private readonly TNetwork _net;
    private readonly Sgd _sgd = new(BenchmarkData.LearningRate, momentum: 0.9f);
    private readonly Adam _adam = new(learningRate: 1e-3f);
    private readonly float[] _sample;
    private readonly float[] _output;
    private readonly float[] _batch;
    private readonly float[] _batchOutput;
    private readonly float[] _labels;
    private readonly float[] _outputGradients;
    private Workspace _workspace1 = null!;
    private Workspace _workspace1Packed = null!;
    private Workspace _workspace64 = null!;
    private Workspace _workspace64Packed = null!;
    private Trainer<TNetwork> _sgdTrainer = null!;
    private Trainer<TNetwork> _adamTrainer = null!;

    protected NetworkBenchmarks(TNetwork net)
    {
        _net = net;
        _sample = BenchmarkData.Inputs(net.InputLength, seed: 1);
        _output = new float[net.OutputLength];
        _batch = BenchmarkData.Inputs(BenchmarkData.Batch * net.InputLength, seed: 2);
        _batchOutput = new float[BenchmarkData.Batch * net.OutputLength];
        _labels = BenchmarkData.Labels(BenchmarkData.Batch, net.OutputLength, seed: 3);
        _outputGradients = new float[BenchmarkData.Batch * net.OutputLength];
    }

    /// <summary>
    /// Threads a batch may use (<see cref="Workspace.Threads"/>): 1, and every core; or the comma-separated counts of the
    /// environment variable <c>NETGEN_BENCH_THREADS</c> (<c>1</c> for the peers' one-thread table). Batch-1 calls stay
    /// on one thread either way (a single row is below every kernel's threshold for splitting).
    /// </summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; } = 1;

    public static IEnumerable<int> ThreadCounts()
    {
        string? chosen = Environment.GetEnvironmentVariable("NETGEN_BENCH_THREADS");
        if (!string.IsNullOrWhiteSpace(chosen))
        {
            var counts = new List<int>();
            foreach (string part in chosen.Split(','))
            {
                if (!int.TryParse(part.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count) || count < 1)
                {
                    throw new ArgumentException($"NETGEN_BENCH_THREADS is \"{chosen}\"; expected thread counts of 1 or more separated by commas, such as 1 or 1,2.");
                }

                counts.Add(count);
            }

            return counts;
        }

        return Environment.ProcessorCount > 1 ? new[] { 1, Environment.ProcessorCount } : new[] { 1 };
    }

    [GlobalSetup]
    public void Setup()
    {
        _workspace1 = _net.CreateWorkspace(1);
        _workspace64 = _net.CreateWorkspace(BenchmarkData.Batch);
        _workspace64.Threads = Threads;
        _workspace1Packed = _net.CreateWorkspace(1);
        _workspace1Packed.ReusePackedWeights = true;
        _workspace64Packed = _net.CreateWorkspace(BenchmarkData.Batch);
        _workspace64Packed.Threads = Threads;
        _workspace64Packed.ReusePackedWeights = true;
        _sgdTrainer = new Trainer<TNetwork>(_net, new Sgd(BenchmarkData.LearningRate, momentum: 0.9f), Loss.SoftmaxCrossEntropy) { Threads = Threads };
        _adamTrainer = new Trainer<TNetwork>(_net, new Adam(learningRate: 1e-3f), Loss.SoftmaxCrossEntropy) { Threads = Threads };
    }

    /// <summary>One sample through the generated <c>Forward(input, output)</c>: the thread's own workspace, argument checks included.</summary>
    [Benchmark]
    public float Batch1()
    {
        Forward(_net, _sample, _output);
        return _output[0];
    }

    /// <summary>One sample with the caller's workspace.</summary>
    [Benchmark]
    public float Batch1Workspace()
    {
        _net.Forward(_sample, _output, _workspace1);
        return _output[0];
    }

    /// <summary>
    /// One sample on a workspace that keeps the dense weights packed (<see cref="Workspace.ReusePackedWeights"/>): the same as
    /// <see cref="Batch1Workspace"/> for a network whose dense layers see one row per sample (they read W row by row), and the
    /// packing saved for one whose dense layers run on every position of a sequence (the transformer's 64 tokens).
    /// </summary>
    [Benchmark]
    public float Batch1Packed()
    {
        _net.Forward(_sample, _output, _workspace1Packed);
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
    /// 64 samples on a workspace that keeps the dense weights packed between calls (<see cref="Workspace.ReusePackedWeights"/>):
    /// the weights do not change between calls, so after the first each call reads them as packed, as ONNX Runtime's
    /// session reads the weights it packed at load.
    /// </summary>
    [Benchmark]
    public float Batch64Packed()
    {
        _net.Forward(_batch, _batchOutput, _workspace64Packed);
        return _batchOutput[0];
    }

    /// <summary>
    /// One step at batch 64: training forward, softmax cross-entropy and its gradient, zeroed gradients,
    /// backward (parameter gradients only), then an SGD-with-momentum update over the flat parameter span
    /// (split across <see cref="Threads"/>, as the kernels are; the loss and the zeroing stay on this thread).
    /// </summary>
    [Benchmark]
    public float TrainStep64Sgd() => TrainStep(_sgd);

    /// <summary>The same step with an Adam update (lr 1e-3, PyTorch's defaults otherwise).</summary>
    [Benchmark]
    public float TrainStep64Adam() => TrainStep(_adam);

    private float TrainStep(Optimizer optimizer)
    {
        _net.ForwardTraining(_batch, _batchOutput, _workspace64);
        float loss = Loss.SoftmaxCrossEntropy.Compute(_batchOutput, _labels, _outputGradients, BenchmarkData.Batch);
        _net.ZeroGradients();
        _net.Backward(_batch, _outputGradients, Span<float>.Empty, _workspace64);
        optimizer.Step(_net.Parameters, _net.Gradients, Threads);
        return loss;
    }

    /// <summary>
    /// One <see cref="Trainer{TNetwork}.TrainStep"/> at batch 64 with SGD + momentum on <see cref="Trainer{TNetwork}.Threads"/>:
    /// the step above plus the target check and the gradient norm (the non-finite check), every pass split across the threads.
    /// </summary>
    [Benchmark]
    public float TrainerStep64Sgd() => _sgdTrainer.TrainStep(_batch, _labels);

    /// <summary>The same trainer step with Adam.</summary>
    [Benchmark]
    public float TrainerStep64Adam() => _adamTrainer.TrainStep(_batch, _labels);

    /// <summary>The generated class's own batch-1 overload (not on <see cref="INetwork"/>).</summary>
    protected abstract void Forward(TNetwork net, ReadOnlySpan<float> input, Span<float> output);
}

/// <summary>The anchor "mlp" network (784-128-64-10).</summary>
public class MlpBenchmarks() : NetworkBenchmarks<Mlp>(new Mlp(seed: 42))
{
    protected override void Forward(Mlp net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}

/// <summary>The anchor "wide" network (1024-1024-1024-10).</summary>
public class WideBenchmarks() : NetworkBenchmarks<Wide>(new Wide(seed: 42))
{
    protected override void Forward(Wide net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}
