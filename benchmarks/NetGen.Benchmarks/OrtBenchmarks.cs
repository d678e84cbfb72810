using System;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>
/// ONNX Runtime's C# API on the same network and weights as a NetGen benchmark (<c>Peers/{name}.onnx</c>, exported from
/// PyTorch by <c>export_peers.py</c>): one intra-op thread, sequential execution, every graph optimization, inputs and
/// outputs bound once over pinned arrays (IOBinding), so a call is the run alone. Its output is checked against
/// PyTorch's before anything is timed.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SamplesPerSecondColumn]
public abstract class OrtBenchmarks : IDisposable
{
    private readonly string _name;
    private readonly int[] _sampleShape;
    private readonly int _outputLength;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private Bound _one = null!;
    private Bound _batch = null!;

    protected OrtBenchmarks(string name, int[] sampleShape, int outputLength)
    {
        _name = name;
        _sampleShape = sampleShape;
        _outputLength = outputLength;
    }

    [GlobalSetup]
    public void Setup()
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(PeerCheck.PathOf(_name + ".onnx"), options);
        _runOptions = new RunOptions();
        int inputLength = 1;
        foreach (int d in _sampleShape)
        {
            inputLength *= d;
        }

        (float[] input, float[] expected) = PeerCheck.Check(_name, inputLength, _outputLength);
        using (Bound check = Bind(2, input))
        {
            _session.RunWithBinding(_runOptions, check.Binding);
            PeerCheck.Compare("ONNX Runtime", _name, check.Output, expected);
        }

        _one = Bind(1, BenchmarkData.Inputs(inputLength, seed: 1));
        _batch = Bind(BenchmarkData.Batch, BenchmarkData.Inputs(BenchmarkData.Batch * inputLength, seed: 2));
    }

    /// <summary>One sample.</summary>
    [Benchmark]
    public float Batch1()
    {
        _session.RunWithBinding(_runOptions, _one.Binding);
        return _one.Output[0];
    }

    /// <summary>64 samples; divide by 64 for the time per sample.</summary>
    [Benchmark]
    public float Batch64()
    {
        _session.RunWithBinding(_runOptions, _batch.Binding);
        return _batch.Output[0];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _one?.Dispose();
        _batch?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
        GC.SuppressFinalize(this);
    }

    private Bound Bind(int batch, float[] input)
    {
        long[] shape = new long[_sampleShape.Length + 1];
        shape[0] = batch;
        for (int i = 0; i < _sampleShape.Length; i++)
        {
            shape[i + 1] = _sampleShape[i];
        }

        var output = new float[batch * _outputLength];
        var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
        var outputValue = OrtValue.CreateTensorValueFromMemory(output, new long[] { batch, _outputLength });
        var binding = _session.CreateIoBinding();
        binding.BindInput("input", inputValue);
        binding.BindOutput("logits", outputValue);
        return new Bound(binding, inputValue, outputValue, output);
    }

    /// <summary>An IOBinding over pinned arrays, with the values it holds.</summary>
    private sealed class Bound(OrtIoBinding binding, OrtValue input, OrtValue output, float[] outputArray) : IDisposable
    {
        public OrtIoBinding Binding { get; } = binding;

        public float[] Output { get; } = outputArray;

        public void Dispose()
        {
            Binding.Dispose();
            input.Dispose();
            output.Dispose();
        }
    }
}

/// <summary>ONNX Runtime on the anchor "lstm" network. <c>--filter '*Lstm*'</c> runs it beside <see cref="LstmBenchmarks"/>.</summary>
public class OrtLstmBenchmarks() : OrtBenchmarks("lstm", new[] { 32, 16 }, 10);

/// <summary>ONNX Runtime on the anchor "transformer" network. <c>--filter '*Transformer*'</c> runs it beside <see cref="TransformerBenchmarks"/>.</summary>
public class OrtTransformerBenchmarks() : OrtBenchmarks("transformer", new[] { 64, 64 }, 10);

/// <summary>ONNX Runtime on the anchor "mlp" network, beside <see cref="MlpPeerBenchmarks"/>.</summary>
public class OrtMlpBenchmarks() : OrtBenchmarks("mlp", new[] { 784 }, 10);

/// <summary>ONNX Runtime on the anchor "lenet" network, beside <see cref="LeNetPeerBenchmarks"/>.</summary>
public class OrtLeNetBenchmarks() : OrtBenchmarks("lenet", new[] { 1, 28, 28 }, 10);

/// <summary>ONNX Runtime on the anchor "wide" network, beside <see cref="WidePeerBenchmarks"/>.</summary>
public class OrtWideBenchmarks() : OrtBenchmarks("wide", new[] { 1024 }, 10);
