using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using NetGen.Benchmarks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NetGen.Benchmarks.Torch;

/// <summary>
/// TorchSharp (libtorch 2.10) on one anchor network with the peers' weights (<c>Peers/{name}.safetensors</c>, copied
/// into the module by name), on one thread: batch 1 and batch 64 under <c>no_grad</c>, and a training step at batch 64
/// as NetGen's (<c>NetworkBenchmarks</c>): forward, mean softmax cross-entropy over 64 fixed labels, zeroed gradients,
/// backward, then SGD (lr 0.01, momentum 0.9) or Adam (lr 1e-3, PyTorch's defaults otherwise). The inputs and labels
/// are NetGen's (<see cref="BenchmarkData"/>). The module stays in eval mode throughout: none of these networks has
/// dropout or batch normalization, so train mode would compute the same. The module's output is checked against PyTorch's before anything is timed.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SamplesPerSecondColumn]
public abstract class TorchBenchmarks : IDisposable
{
    private static bool s_interopThreadsSet;
    private readonly string _name;
    private readonly long[] _sampleShape;
    private readonly int _outputLength;
    private Module<Tensor, Tensor> _model = null!;
    private Tensor _one = null!;
    private Tensor _batch = null!;
    private Tensor _labels = null!;
    private CrossEntropyLoss _loss = null!;
    private optim.Optimizer _sgd = null!;
    private optim.Optimizer _adam = null!;

    protected TorchBenchmarks(string name, long[] sampleShape, int outputLength)
    {
        _name = name;
        _sampleShape = sampleShape;
        _outputLength = outputLength;
    }

    /// <summary>The network's module, with its own (not yet the peers') weights.</summary>
    protected abstract Module<Tensor, Tensor> Create();

    /// <summary>The name in the safetensors file of the module's parameter <paramref name="parameter"/>.</summary>
    protected virtual string FileName(string parameter) => parameter;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        if (!s_interopThreadsSet)
        {
            // libtorch takes this once per process, before any parallel work (the benchmarks share one process).
            torch.set_num_interop_threads(1);
            s_interopThreadsSet = true;
        }

        _model = Create();
        SafeTensors.CopyInto(_model, PeerCheck.PathOf(_name + ".safetensors"), FileName);
        _model.eval();

        int inputLength = 1;
        foreach (long d in _sampleShape)
        {
            inputLength *= (int)d;
        }

        (float[] input, float[] expected) = PeerCheck.Check(_name, inputLength, _outputLength);
        using (torch.no_grad())
        using (Tensor check = torch.tensor(input, Shape(2)))
        using (Tensor output = _model.call(check))
        {
            PeerCheck.Compare("TorchSharp", _name, output.contiguous().data<float>().ToArray(), expected);
        }

        _one = torch.tensor(BenchmarkData.Inputs(inputLength, seed: 1), Shape(1));
        _batch = torch.tensor(BenchmarkData.Inputs(BenchmarkData.Batch * inputLength, seed: 2), Shape(BenchmarkData.Batch));
        float[] labels = BenchmarkData.Labels(BenchmarkData.Batch, _outputLength, seed: 3);
        var classes = new long[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            classes[i] = (long)labels[i];
        }

        _labels = torch.tensor(classes);
        _loss = CrossEntropyLoss();
        _sgd = optim.SGD(_model.parameters(), 0.01, momentum: 0.9);
        _adam = optim.Adam(_model.parameters(), 1e-3);
    }

    /// <summary>One sample under <c>no_grad</c>.</summary>
    [Benchmark]
    public float Batch1() => Infer(_one);

    /// <summary>64 samples under <c>no_grad</c>; divide by 64 for the time per sample.</summary>
    [Benchmark]
    public float Batch64() => Infer(_batch);

    /// <summary>One training step at batch 64 with SGD (lr 0.01, momentum 0.9).</summary>
    [Benchmark]
    public float TrainStep64Sgd() => TrainStep(_sgd);

    /// <summary>The same step with Adam (lr 1e-3).</summary>
    [Benchmark]
    public float TrainStep64Adam() => TrainStep(_adam);

    private float Infer(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return _model.call(input).data<float>()[0];
    }

    private float TrainStep(optim.Optimizer optimizer)
    {
        using var scope = torch.NewDisposeScope();
        Tensor loss = _loss.call(_model.call(_batch), _labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    private long[] Shape(long batch)
    {
        var shape = new long[_sampleShape.Length + 1];
        shape[0] = batch;
        Array.Copy(_sampleShape, 0, shape, 1, _sampleShape.Length);
        return shape;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sgd?.Dispose();
        _adam?.Dispose();
        _loss?.Dispose();
        _one?.Dispose();
        _batch?.Dispose();
        _labels?.Dispose();
        _model?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>TorchSharp on the anchor "mlp" network.</summary>
public class TorchMlpBenchmarks() : TorchBenchmarks("mlp", new long[] { 784 }, 10)
{
    protected override Module<Tensor, Tensor> Create() => Sequential(
        Linear(784, 128), ReLU(),
        Linear(128, 64), ReLU(),
        Linear(64, 10));
}

/// <summary>TorchSharp on the anchor "lenet" network.</summary>
public class TorchLeNetBenchmarks() : TorchBenchmarks("lenet", new long[] { 1, 28, 28 }, 10)
{
    protected override Module<Tensor, Tensor> Create() => Sequential(
        Conv2d(1, 6, 5, padding: 2), ReLU(), MaxPool2d(2),
        Conv2d(6, 16, 5), ReLU(), MaxPool2d(2),
        Flatten(),
        Linear(400, 120), ReLU(),
        Linear(120, 84), ReLU(),
        Linear(84, 10));
}

/// <summary>TorchSharp on the anchor "wide" network.</summary>
public class TorchWideBenchmarks() : TorchBenchmarks("wide", new long[] { 1024 }, 10)
{
    protected override Module<Tensor, Tensor> Create() => Sequential(
        Linear(1024, 1024), ReLU(),
        Linear(1024, 1024), ReLU(),
        Linear(1024, 10));
}

/// <summary>TorchSharp on the anchor "lstm" network (its names are the file's: <c>lstm.weight_ih_l0</c>, <c>fc.weight</c>).</summary>
public class TorchLstmBenchmarks() : TorchBenchmarks("lstm", new long[] { 32, 16 }, 10)
{
    protected override Module<Tensor, Tensor> Create() => new LstmNet();

    private sealed class LstmNet : Module<Tensor, Tensor>
    {
        private readonly LSTM lstm;
        private readonly Linear fc;

        public LstmNet()
            : base("LstmNet")
        {
            lstm = LSTM(16, 64, batchFirst: true);
            fc = Linear(64, 10);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            (Tensor _, Tensor h, Tensor _) = lstm.call(input, null);
            return fc.call(h[-1]);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                lstm.Dispose();
                fc.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// TorchSharp on the anchor "transformer" network. libtorch's encoder layer takes [tokens, batch, d] (it has no
/// batch_first), so the input is transposed in and the mean is taken over the token axis; the file names the encoder
/// <c>0.</c> and the dense layer <c>2.</c> (NetGen's indices), which <see cref="FileName"/> maps from <c>encoder.</c> and <c>fc.</c>.
/// </summary>
public class TorchTransformerBenchmarks() : TorchBenchmarks("transformer", new long[] { 64, 64 }, 10)
{
    protected override Module<Tensor, Tensor> Create() => new TransformerNet();

    protected override string FileName(string parameter) =>
        parameter.StartsWith("encoder.", StringComparison.Ordinal) ? "0." + parameter["encoder.".Length..]
        : parameter.StartsWith("fc.", StringComparison.Ordinal) ? "2." + parameter["fc.".Length..]
        : parameter;

    private sealed class TransformerNet : Module<Tensor, Tensor>
    {
        private readonly TransformerEncoderLayer encoder;
        private readonly Linear fc;

        public TransformerNet()
            : base("TransformerNet")
        {
            encoder = TransformerEncoderLayer(64, 4, 256, 0.0, Activations.ReLU);
            fc = Linear(64, 10);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            Tensor tokensFirst = input.transpose(0, 1);
            return fc.call(encoder.call(tokensFirst).mean(new long[] { 0 }));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                encoder.Dispose();
                fc.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
