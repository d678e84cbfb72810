using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Gradients;
using Xunit;

namespace NetGen.Tests.Parity;

/// <summary>
/// Convolution and pooling networks, and LeNet-5 as a whole, give PyTorch's outputs and gradients with the same
/// weights. Reference/convolution_reference.py builds the nn.Sequential twins and writes Reference/convolution.json;
/// weights, inputs and the loss weights c are drawn on both sides from NetGen's Rng (see the script), so the file holds
/// only names, shapes and results. Outputs: <c>|a - b| ≤ 1e-5 · max|b| + 1e-6</c> per sample; gradients of
/// <c>L = Σ c·y</c>: <c>|a - b| ≤ 1e-4 · max|b| + 1e-8</c> per tensor.
/// </summary>
public sealed class ConvolutionParityTests
{
    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "convolution.json"))));

    public static IEnumerable<object[]> Networks()
        => Reference.Value.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).Select(p => new object[] { p.Name });

    [Theory]
    [MemberData(nameof(Networks))]
    public void Outputs_and_gradients_match_PyTorch(string network)
    {
        INetwork net = ConvolutionGradientTests.Networks[network].Create();
        JsonElement entry = Reference.Value.RootElement.GetProperty(network);
        int seed = entry.GetProperty("seed").GetInt32();
        int batch = entry.GetProperty("batch").GetInt32();

        string[] names = entry.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(names, net.ParameterTensors.Select(t => t.Name).ToArray());
        foreach (JsonElement t in entry.GetProperty("tensors").EnumerateArray())
        {
            ParameterTensor tensor = net.ParameterTensors.Single(p => p.Name == t.GetProperty("name").GetString());
            Assert.Equal(t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), tensor.Shape.ToArray());
        }

        Fill(net, (ulong)seed);
        float[] x = Uniform((ulong)seed + 1, batch * net.InputLength);
        float[] c = Uniform((ulong)seed + 2, batch * net.OutputLength);
        double[] expected = entry.GetProperty("outputs").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        var y = new float[batch * net.OutputLength];
        net.Forward(x, y, net.CreateWorkspace(batch));
        AssertSamples(expected, y, net.OutputLength, $"{network} forward");

        Workspace workspace = net.CreateWorkspace(batch);
        var dx = new float[x.Length];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        AssertSamples(expected, y, net.OutputLength, $"{network} training forward");
        net.Backward(x, c, dx, workspace);

        ReadOnlySpan<float> gradients = net.Gradients;
        foreach (JsonElement g in entry.GetProperty("grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            int stride = g.GetProperty("stride").GetInt32();
            ParameterTensor tensor = net.ParameterTensors.Single(t => t.Name == name);
            float[] actual = gradients.Slice(tensor.Offset, tensor.Length).ToArray().Where((_, i) => i % stride == 0).ToArray();
            AssertClose(Floats(g.GetProperty("values")), actual, $"{network}: gradient of {name}");
        }

        AssertClose(Floats(entry.GetProperty("input_grad")), dx, $"{network}: dL/dx");
    }

    /// <summary>Parameters tensor by tensor: <c>(2u - 1) · bound</c>, bound 1/√fan-in for a weight, 0.1 for a bias.</summary>
    private static void Fill(INetwork net, ulong seed)
    {
        var random = new Rng(seed);
        Span<float> parameters = net.Parameters;
        foreach (ParameterTensor tensor in net.ParameterTensors)
        {
            int[] shape = tensor.Shape.ToArray();
            float bound = shape.Length > 1 ? (float)(1.0 / Math.Sqrt(tensor.Length / shape[0])) : 0.1f;
            for (int i = 0; i < tensor.Length; i++)
            {
                parameters[tensor.Offset + i] = (2f * random.NextFloat() - 1f) * bound;
            }
        }
    }

    private static float[] Uniform(ulong seed, int length)
    {
        var random = new Rng(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = 2f * random.NextFloat() - 1f;
        }

        return values;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        double allowed = 1e-4 * scale + 1e-8;
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

            double allowed = 1e-5 * scale + 1e-6;
            for (int i = 0; i < perSample; i++)
            {
                int k = b * perSample + i;
                double error = Math.Abs(actual[k] - expected[k]);
                Assert.True(error <= allowed, $"{what}: sample {b} output {i} is {actual[k]:R}, PyTorch {expected[k]:R}, error {error:E2} > {allowed:E2}");
            }
        }
    }
}
