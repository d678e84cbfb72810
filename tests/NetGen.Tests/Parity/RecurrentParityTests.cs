using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Parity.ParityJson;
using Xunit.Abstractions;

namespace NetGen.Tests.Parity;

/// <summary>
/// Generated sequence networks against their PyTorch twins, from Reference/recurrent_networks.json, which
/// Reference/recurrent_networks_reference.py wrote (PyTorch 1.13, float64 on float32 weights and inputs): the state_dict
/// loads by name into <see cref="INetwork.Parameters"/>; the outputs, the loss, the gradients of every parameter and of
/// the input (float inputs), and the weights after 10 steps of SGD with momentum and of Adam, each step clipping the
/// gradients by global norm, through <see cref="Trainer{TNetwork}.TrainStep"/>.
/// </summary>
public sealed class RecurrentParityTests
{
    /// <summary>Outputs: per sample, <c>|a − b| ≤ 1e-5 · max|b| + 1e-6</c>.</summary>
    private const double ForwardRelative = 1e-5;
    private const double ForwardFloor = 1e-6;

    /// <summary>Gradients: per tensor, <c>|a − b| ≤ 1e-4 · max|b| + 1e-8</c>.</summary>
    private const double GradientRelative = 1e-4;
    private const double GradientFloor = 1e-8;

    /// <summary>
    /// Weights after 10 clipped steps: per tensor, <c>|a − b| ≤ 1e-5 · max|b| + 1e-6</c>. Float32 training against the
    /// float64 reference: each step's update is lr × (clipped gradient, or Adam's m/√v of it), whose float32 error is
    /// about 1e-6 relative to the step (the gradients agree to ~1e-6 of their largest value, see the gradient test's
    /// worst errors); over 10 steps of at most lr·clip (SGD, momentum 0.9: ≤ ~5·lr·clip in all) or lr (Adam) each, that
    /// is below 1e-6 absolute, against weights of order 0.3 to 1, which themselves carry a float32 rounding of 6e-8
    /// each step. Adam divides by √v + ε: a gradient component near 0 would make m/√v sensitive to its noise, but no
    /// component here is within 1e-6 of 0 except the embedding row no token uses, which stays exactly 0 on both sides.
    /// </summary>
    private const double WeightRelative = 1e-5;
    private const double WeightFloor = 1e-6;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "recurrent_networks.json"))));

    private readonly ITestOutputHelper _output;

    public RecurrentParityTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Networks() => new() { "RecEmbedLstm", "RecGruStackedBiLast", "RecRnnReluStacked", "RecNoBias", "RecLstmStackedBi", "RecEmbedGruLast" };

    public static TheoryData<string, string> Training()
    {
        var data = new TheoryData<string, string>();
        foreach (string network in new[] { "RecEmbedLstm", "RecGruStackedBiLast", "RecRnnReluStacked", "RecNoBias", "RecLstmStackedBi", "RecEmbedGruLast" })
        {
            data.Add(network, "sgd");
            data.Add(network, "adam");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_state_dict_loads_by_name_in_PyTorch_order(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        Assert.Equal(
            entry.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray(),
            net.ParameterTensors.Select(t => t.Name).ToArray());
        Load(net, entry);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Outputs_match_PyTorch_in_a_batch_and_one_sample_at_a_time(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        Load(net, entry);
        int batch = entry.GetProperty("batch").GetInt32();
        float[] x = Floats(entry.GetProperty("inputs"));
        double[] expected = Doubles(entry.GetProperty("outputs"));
        int n = net.InputLength, m = net.OutputLength;
        var y = new float[batch * m];
        net.Forward(x, y, net.CreateWorkspace(batch));
        AssertSamples(expected, y, m, $"{network} batch {batch}", ForwardRelative, ForwardFloor);

        Array.Clear(y);
        net.ForwardTraining(x, y, net.CreateWorkspace(batch));
        AssertSamples(expected, y, m, $"{network} training forward", ForwardRelative, ForwardFloor);

        int[] tokens = Array.ConvertAll(x, v => (int)v);
        if (net is RecEmbedLstm lstm)
        {
            Array.Clear(y);
            lstm.Forward(tokens, y, net.CreateWorkspace(batch));
            AssertSamples(expected, y, m, $"{network} int token ids", ForwardRelative, ForwardFloor);
        }
        else if (net is RecEmbedGruLast gru)
        {
            Array.Clear(y);
            gru.Forward(tokens, y, net.CreateWorkspace(batch));
            AssertSamples(expected, y, m, $"{network} int token ids", ForwardRelative, ForwardFloor);
        }

        Workspace one = net.CreateWorkspace(1);
        var row = new float[m];
        for (int b = 0; b < batch; b++)
        {
            net.Forward(x.AsSpan(b * n, n), row, one);
            AssertSamples(expected.AsSpan(b * m, m).ToArray(), row, m, $"{network} sample {b} alone", ForwardRelative, ForwardFloor);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_loss_and_the_gradients_of_every_parameter_and_the_input_match_PyTorch(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        Load(net, entry);
        int batch = entry.GetProperty("batch").GetInt32();
        float[] x = Floats(entry.GetProperty("inputs"));
        float[] targets = Floats(entry.GetProperty("targets"));
        Loss loss = LossOf(network);
        Workspace workspace = net.CreateWorkspace(batch);
        var y = new float[batch * net.OutputLength];
        var dy = new float[y.Length];
        bool tokens = net is RecEmbedLstm or RecEmbedGruLast;
        var dx = new float[tokens ? 0 : x.Length];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        float value = loss.Compute(y, targets, dy, batch);
        double expectedLoss = entry.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(value - expectedLoss) <= 1e-5 * Math.Abs(expectedLoss), $"loss {value:R}, PyTorch {expectedLoss:R}");
        net.Backward(x, dy, dx, workspace);

        ReadOnlySpan<float> gradients = net.Gradients;
        double worst = 0;
        foreach (JsonElement g in entry.GetProperty("grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            ParameterTensor tensor = net.ParameterTensors.Single(t => t.Name == name);
            worst = Math.Max(worst, AssertClose(Floats(g.GetProperty("values")), gradients.Slice(tensor.Offset, tensor.Length).ToArray(), GradientRelative, GradientFloor, $"{network}: gradient of {name}"));
        }

        if (!tokens)
        {
            worst = Math.Max(worst, AssertClose(Floats(entry.GetProperty("input_grad")), dx, GradientRelative, GradientFloor, $"{network}: dL/dx"));
        }
        else
        {
            // The embedding's last row, which no token uses, gets exactly nothing, in PyTorch and here.
            ParameterTensor table = net.ParameterTensors[0];
            Assert.True(gradients.Slice(table.Offset + table.Length - 3, 3).IndexOfAnyExcept(0f) < 0);
        }

        _output.WriteLine($"{network}: worst gradient error {worst:E2} of each tensor's largest value");
    }

    [Theory]
    [MemberData(nameof(Training))]
    public void Weights_after_ten_clipped_optimizer_steps_match_PyTorch(string network, string optimizer)
    {
        JsonElement entry = Entry(network);
        INetwork net = Create(network);
        Load(net, entry);
        float[] x = Floats(entry.GetProperty("inputs"));
        float[] targets = Floats(entry.GetProperty("targets"));
        JsonElement settings = entry.GetProperty(optimizer);
        Optimizer opt = optimizer == "sgd"
            ? new Sgd(settings.GetProperty("lr").GetSingle(), momentum: settings.GetProperty("momentum").GetSingle())
            : new Adam(settings.GetProperty("lr").GetSingle());
        float clip = entry.GetProperty("clip").GetSingle();
        double[] norms = Doubles(entry.GetProperty($"{optimizer}_norms"));
        int steps = entry.GetProperty("steps").GetInt32();
        Assert.Equal(steps, norms.Length);
        Action<float[], float[]> step = TrainStep(net, opt, LossOf(network), clip);
        for (int s = 0; s < steps; s++)
        {
            step(x, targets);
        }

        double worst = 0;
        ReadOnlySpan<float> parameters = net.Parameters;
        foreach (JsonElement w in entry.GetProperty($"{optimizer}_weights").EnumerateArray())
        {
            string name = w.GetProperty("name").GetString()!;
            ParameterTensor tensor = net.ParameterTensors.Single(t => t.Name == name);
            worst = Math.Max(worst, AssertClose(Floats(w.GetProperty("values")), parameters.Slice(tensor.Offset, tensor.Length).ToArray(), WeightRelative, WeightFloor, $"{network} after {steps} {optimizer} steps: {name}"));
        }

        _output.WriteLine($"{network} {optimizer}: worst weight error {worst:E2} of each tensor's largest value; PyTorch's norms before clipping {string.Join(", ", norms.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} (clip {clip})");
    }

    /// <summary>A trainer step through the network's own type, so Trainer&lt;T&gt; is the generated class.</summary>
    private static Action<float[], float[]> TrainStep(INetwork net, Optimizer optimizer, Loss loss, float clip)
    {
        switch (net)
        {
            case RecEmbedLstm a:
                var ta = new Trainer<RecEmbedLstm>(a, optimizer, loss) { ClipGradientNorm = clip };
                return (x, t) => ta.TrainStep(x, t);
            case RecGruStackedBiLast b:
                var tb = new Trainer<RecGruStackedBiLast>(b, optimizer, loss) { ClipGradientNorm = clip };
                return (x, t) => tb.TrainStep(x, t);
            case RecRnnReluStacked c:
                var tc = new Trainer<RecRnnReluStacked>(c, optimizer, loss) { ClipGradientNorm = clip };
                return (x, t) => tc.TrainStep(x, t);
            case RecNoBias d:
                var td = new Trainer<RecNoBias>(d, optimizer, loss) { ClipGradientNorm = clip };
                return (x, t) => td.TrainStep(x, t);
            case RecLstmStackedBi e:
                var te = new Trainer<RecLstmStackedBi>(e, optimizer, loss) { ClipGradientNorm = clip };
                return (x, t) => te.TrainStep(x, t);
            case RecEmbedGruLast f:
                var tf = new Trainer<RecEmbedGruLast>(f, optimizer, loss) { ClipGradientNorm = clip };
                return (x, t) => tf.TrainStep(x, t);
            default:
                throw new ArgumentException(net.GetType().Name);
        }
    }

    private static Loss LossOf(string network) => network switch
    {
        "RecEmbedLstm" => Loss.SequenceCrossEntropy(7, ignoreIndex: -1),
        "RecGruStackedBiLast" => Loss.SoftmaxCrossEntropy,
        "RecRnnReluStacked" or "RecNoBias" or "RecLstmStackedBi" => Loss.MeanSquaredError,
        "RecEmbedGruLast" => Loss.SoftmaxCrossEntropy,
        _ => throw new ArgumentException(network, nameof(network)),
    };

    private static INetwork Create(string network) => network switch
    {
        "RecEmbedLstm" => new RecEmbedLstm(seed: 0),
        "RecGruStackedBiLast" => new RecGruStackedBiLast(seed: 0),
        "RecRnnReluStacked" => new RecRnnReluStacked(seed: 0),
        "RecNoBias" => new RecNoBias(seed: 0),
        "RecLstmStackedBi" => new RecLstmStackedBi(seed: 0),
        "RecEmbedGruLast" => new RecEmbedGruLast(seed: 0),
        _ => throw new ArgumentException(network, nameof(network)),
    };

    private static JsonElement Entry(string network) => Reference.Value.RootElement.GetProperty(network);
}
