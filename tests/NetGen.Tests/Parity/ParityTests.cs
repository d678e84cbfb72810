using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Parity;

/// <summary>
/// A network with fixed weights gives the same logits and gradients as its PyTorch twin. Reference/parity_reference.py
/// builds nn.Sequential twins of Mlp and Zoo with torch.manual_seed weights and writes Reference/parity.json: the
/// state_dict by name, a batch of 4 inputs, the outputs and the gradients, evaluated in float64. The weights are
/// copied into <see cref="INetwork.Parameters"/> by name, which checks the naming convention and the shapes.
/// </summary>
public sealed class ParityTests
{
    /// <summary>Forward: per sample, <c>|a - b| ≤ 1e-5 · max|b| + 1e-6</c> for every element.</summary>
    private const double ForwardRelative = 1e-5;
    private const double ForwardFloor = 1e-6;

    /// <summary>Gradients: per tensor, <c>|a - b| ≤ 1e-4 · max|b| + 1e-8</c>.</summary>
    private const double GradientRelative = 1e-4;
    private const double GradientFloor = 1e-8;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "parity.json"))));

    public static IEnumerable<object[]> Networks() => new[] { new object[] { "Mlp" }, new object[] { "Zoo" } };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Parameter_names_and_shapes_match_the_PyTorch_state_dict(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        string[] expectedNames = entry.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(expectedNames, net.ParameterTensors.Select(t => t.Name).ToArray());
        Assert.Equal(net.ParameterCount, entry.GetProperty("tensors").EnumerateArray().Sum(t => t.GetProperty("values").GetArrayLength()));
        Load(net, entry);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Forward_matches_PyTorch_in_a_batch_of_four_and_one_by_one(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        Load(net, entry);
        int batch = entry.GetProperty("batch").GetInt32();
        float[] x = Floats(entry.GetProperty("inputs"));
        double[] expected = Doubles(entry.GetProperty("outputs"));
        int n = net.InputLength, m = net.OutputLength;
        Assert.Equal(batch * n, x.Length);

        var y = new float[batch * m];
        net.Forward(x, y, net.CreateWorkspace(batch));
        AssertSamples(expected, y, m, $"{network} batch {batch}");

        // The workspace-less overload, on the same batch.
        Array.Clear(y);
        ForwardOwnWorkspace(net, x, y);
        AssertSamples(expected, y, m, $"{network} batch {batch} (thread's workspace)");

        Workspace single = net.CreateWorkspace(1);
        var ySample = new float[m];
        for (int b = 0; b < batch; b++)
        {
            net.Forward(x.AsSpan(b * n, n), ySample, single);
            AssertSamples(expected.AsSpan(b * m, m).ToArray(), ySample, m, $"{network} sample {b} alone");
        }
    }

    [Fact]
    public void Mlp_cross_entropy_gradients_match_PyTorch()
    {
        var net = new Mlp(seed: 0);
        JsonElement entry = Entry("Mlp");
        Load(net, entry);
        int batch = entry.GetProperty("batch").GetInt32();
        float[] x = Floats(entry.GetProperty("inputs"));
        float[] labels = entry.GetProperty("labels").EnumerateArray().Select(e => (float)e.GetInt32()).ToArray();

        Workspace workspace = net.CreateWorkspace(batch);
        var y = new float[batch * Mlp.OutputLength];
        var dy = new float[y.Length];
        var dx = new float[x.Length];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        AssertSamples(Doubles(entry.GetProperty("train_outputs")), y, Mlp.OutputLength, "Mlp training forward");
        float loss = Loss.SoftmaxCrossEntropy.Compute(y, labels, dy, batch);
        double expectedLoss = double.Parse(entry.GetProperty("loss").GetRawText(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Abs(expectedLoss), $"loss {loss:R}, PyTorch {expectedLoss:R}");
        net.Backward(x, dy, dx, workspace);

        AssertGradients(net, entry, dx);
    }

    [Fact]
    public void Zoo_gradients_with_NetGen_dropout_mask_match_PyTorch()
    {
        var net = new Zoo(seed: 0);
        JsonElement entry = Entry("Zoo");
        Load(net, entry);
        int batch = entry.GetProperty("batch").GetInt32();
        float[] x = Floats(entry.GetProperty("inputs"));
        float[] c = Floats(entry.GetProperty("c"));

        Workspace workspace = net.CreateWorkspace(batch);
        workspace.Random = new Rng((ulong)entry.GetProperty("dropout_seed").GetInt32());
        var y = new float[batch * Zoo.OutputLength];
        var dx = new float[x.Length];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);

        // The twin applied the mask the script drew with its copy of Rng and Dropout.Forward; equal training
        // outputs show NetGen drew the same one.
        AssertSamples(Doubles(entry.GetProperty("train_outputs")), y, Zoo.OutputLength, "Zoo training forward with the dropout mask");
        net.Backward(x, c, dx, workspace);

        AssertGradients(net, entry, dx);
    }

    private static void AssertGradients(INetwork net, JsonElement entry, float[] dx)
    {
        ReadOnlySpan<float> gradients = net.Gradients;
        foreach (JsonElement g in entry.GetProperty("grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            ParameterTensor tensor = net.ParameterTensors.Single(t => t.Name == name);
            AssertClose(Floats(g.GetProperty("values")), gradients.Slice(tensor.Offset, tensor.Length).ToArray(), $"gradient of {name}");
        }

        AssertClose(Floats(entry.GetProperty("input_grad")), dx, "dL/dx");
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        double allowed = GradientRelative * scale + GradientFloor;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= allowed, $"{what} [{i}]: NetGen {actual[i]:R}, PyTorch {expected[i]:R}, error {error:E2} > {allowed:E2}");
        }
    }

    private static void AssertSamples(double[] expected, float[] actual, int perSample, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int b = 0; b < expected.Length / perSample; b++)
        {
            double scale = 0;
            for (int i = 0; i < perSample; i++)
            {
                scale = Math.Max(scale, Math.Abs(expected[b * perSample + i]));
            }

            double allowed = ForwardRelative * scale + ForwardFloor;
            for (int i = 0; i < perSample; i++)
            {
                int k = b * perSample + i;
                double error = Math.Abs(actual[k] - expected[k]);
                Assert.True(error <= allowed, $"{what}: sample {b} output {i} is {actual[k]:R}, PyTorch {expected[k]:R}, error {error:E2} > {allowed:E2}");
            }
        }
    }

    /// <summary>Copies each state_dict tensor into the parameter buffer at its tensor's offset, after checking name and shape.</summary>
    private static void Load(INetwork net, JsonElement entry)
    {
        Span<float> parameters = net.Parameters;
        parameters.Fill(float.NaN); // anything left unloaded shows in the outputs
        foreach (JsonElement t in entry.GetProperty("tensors").EnumerateArray())
        {
            string name = t.GetProperty("name").GetString()!;
            ParameterTensor? tensor = net.ParameterTensors.SingleOrDefault(p => p.Name == name);
            Assert.True(tensor is not null, $"{net.GetType().Name} has no parameter tensor named {name}; it has {string.Join(", ", net.ParameterTensors.Select(p => p.Name))}.");
            int[] shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(shape, tensor.Shape.ToArray());
            float[] values = Floats(t.GetProperty("values"));
            Assert.Equal(tensor.Length, values.Length);
            values.CopyTo(parameters.Slice(tensor.Offset, tensor.Length));
        }

        foreach (float v in net.Parameters)
        {
            Assert.False(float.IsNaN(v), "A parameter was not covered by any state_dict tensor.");
        }
    }

    private static void ForwardOwnWorkspace(INetwork net, float[] x, float[] y)
    {
        switch (net)
        {
            case Mlp mlp:
                mlp.Forward(x, y);
                break;
            case Zoo zoo:
                zoo.Forward(x, y);
                break;
            default:
                throw new ArgumentException(net.GetType().Name);
        }
    }

    private static INetwork Create(string network) => network switch
    {
        "Mlp" => new Mlp(seed: 0),
        "Zoo" => new Zoo(seed: 0),
        _ => throw new ArgumentException(network, nameof(network)),
    };

    private static JsonElement Entry(string network) => Reference.Value.RootElement.GetProperty(network);

    /// <summary>Each number is the shortest decimal of a float32, so parsing it as a float gives that float exactly.</summary>
    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
