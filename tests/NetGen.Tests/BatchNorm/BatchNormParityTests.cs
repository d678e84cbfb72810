using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.BatchNorm;

/// <summary>
/// Batch norm against PyTorch twins (Reference/batchnorm_reference.py, values in Reference/batchnorm.json): eval and
/// training outputs, gradients through the batch statistics, the running statistics after one training forward and
/// after several SGD steps, and the eval outputs of the trained network. The state_dict, parameters and buffers, is
/// copied in by name, which checks NetGen's names and shapes.
/// </summary>
public sealed class BatchNormParityTests
{
    /// <summary>Outputs, running statistics and trained parameters: per tensor or sample, <c>|a - b| ≤ 1e-5 · max|b| + 1e-7</c>.</summary>
    private const double Relative = 1e-5;
    private const double Floor = 1e-7;

    /// <summary>
    /// Gradients are stored rounded to float32 and compared as the other parity tests do, <c>1e-4 · max|b|</c>, plus
    /// 1e-7: a dense bias right before a batch norm has a gradient of exactly 0 (the batch mean takes it out again),
    /// which float arithmetic gives as about 1e-8.
    /// </summary>
    private const double GradientRelative = 1e-4;
    private const double GradientFloor = 1e-7;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "batchnorm.json"))));

    public static IEnumerable<object[]> Networks() => new[] { new object[] { "ParityBnVector" }, new object[] { "ParityBnSequence" }, new object[] { "ParityBnImage" } };

    [Theory]
    [MemberData(nameof(Networks))]
    public void State_names_and_shapes_match_the_PyTorch_state_dict_in_order(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        string[] expected = entry.GetProperty("initial").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();

        // A saved file lists parameters and buffers in state_dict order.
        using var stream = new MemoryStream();
        SafeTensors.Save(net, stream);
        Assert.Equal(expected, HeaderNames(stream.ToArray()));
        Assert.Equal(net.ParameterCount + net.Buffers.Length, entry.GetProperty("initial").EnumerateArray().Sum(t => t.GetProperty("values").GetArrayLength()));

        // Initialize gives PyTorch's initial buffers: running mean 0, running variance 1, no batches.
        foreach (ParameterTensor b in net.BufferTensors)
        {
            float[] values = net.Buffers.Slice(b.Offset, b.Length).ToArray();
            float want = b.Name.EndsWith(".running_var", StringComparison.Ordinal) ? 1f : 0f;
            Assert.All(values, v => Assert.Equal(want, v));
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Forward_gradients_and_running_statistics_match_PyTorch(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        LoadState(net, entry.GetProperty("initial"));
        int batch = entry.GetProperty("batch").GetInt32();
        int m = net.OutputLength;
        Workspace workspace = net.CreateWorkspace(batch);
        var y = new float[batch * m];

        // Inference uses the running statistics.
        net.Forward(Floats(entry.GetProperty("eval_inputs")), y, workspace);
        AssertSamples(Doubles(entry.GetProperty("outputs")), y, m, $"{network} eval forward");

        // Training: batch statistics, gradients through them, and the running statistics moved once.
        float[] x = Floats(entry.GetProperty("inputs")[0]);
        float[] c = Floats(entry.GetProperty("c")[0]);
        var dx = new float[x.Length];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        AssertSamples(Doubles(entry.GetProperty("train_outputs")), y, m, $"{network} training forward");
        net.Backward(x, c, dx, workspace);
        foreach (JsonElement g in entry.GetProperty("grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            ParameterTensor t = net.ParameterTensors.Single(p => p.Name == name);
            AssertClose(Doubles(g.GetProperty("values")), net.Gradients.Slice(t.Offset, t.Length).ToArray(), GradientRelative, $"{network} gradient of {name}");
        }

        AssertClose(Doubles(entry.GetProperty("input_grad")), dx, GradientRelative, $"{network} dL/dx");
        AssertState(net, entry.GetProperty("first_state"), buffersOnly: true, $"{network} after one training forward");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Running_statistics_and_parameters_after_SGD_steps_match_PyTorch(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        LoadState(net, entry.GetProperty("initial"));
        int batch = entry.GetProperty("batch").GetInt32();
        var sgd = new Sgd(entry.GetProperty("learning_rate").GetSingle());
        Workspace workspace = net.CreateWorkspace(batch);
        var y = new float[batch * net.OutputLength];
        for (int k = 0; k < entry.GetProperty("steps").GetInt32(); k++)
        {
            float[] x = Floats(entry.GetProperty("inputs")[k]);
            net.ZeroGradients();
            net.ForwardTraining(x, y, workspace);
            net.Backward(x, Floats(entry.GetProperty("c")[k]), default, workspace);
            sgd.Step(net.Parameters, net.Gradients);
        }

        AssertState(net, entry.GetProperty("trained"), buffersOnly: false, $"{network} after SGD steps");
        net.Forward(Floats(entry.GetProperty("eval_inputs")), y, workspace);
        AssertSamples(Doubles(entry.GetProperty("trained_outputs")), y, net.OutputLength, $"{network} eval forward after training");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_PyTorch_safetensors_file_with_num_batches_tracked_loads_strictly(string network)
    {
        INetwork net = Create(network);
        JsonElement entry = Entry(network);
        byte[] file = Convert.FromBase64String(entry.GetProperty("safetensors").GetString()!);
        SafeTensors.Load(net, file, strict: true);
        AssertState(net, entry.GetProperty("trained"), buffersOnly: false, $"{network} loaded from PyTorch's file");

        // By order too: the network lists its tensors in state_dict order, buffers after their layer's parameters.
        INetwork byOrder = Create(network);
        SafeTensors.Load(byOrder, file, new SafeTensorsLoadOptions { ByOrder = true });
        Assert.Equal(net.Parameters.ToArray(), byOrder.Parameters.ToArray());
        Assert.Equal(net.Buffers.ToArray(), byOrder.Buffers.ToArray());

        // And back: saved here, the file has PyTorch's names, dtypes (I64 for the count) and values.
        using var stream = new MemoryStream();
        SafeTensors.Save(net, stream);
        INetwork copy = Create(network);
        SafeTensors.Load(copy, stream.ToArray(), strict: true);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        Assert.Equal(net.Buffers.ToArray(), copy.Buffers.ToArray());
        Assert.Contains("\"dtype\":\"I64\"", System.Text.Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }

    private static void LoadState(INetwork net, JsonElement state)
    {
        net.Parameters.Fill(float.NaN);
        net.Buffers.Fill(float.NaN);
        foreach (JsonElement t in state.EnumerateArray())
        {
            (ParameterTensor tensor, bool isBuffer) = Find(net, t.GetProperty("name").GetString()!);
            Span<float> store = isBuffer ? net.Buffers : net.Parameters;
            Assert.Equal(t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), tensor.Shape.ToArray());
            Assert.Equal(tensor.IsCount ? "I64" : "F32", t.GetProperty("dtype").GetString());
            float[] values = Floats(t.GetProperty("values"));
            Assert.Equal(tensor.Length, values.Length);
            values.CopyTo(store.Slice(tensor.Offset, tensor.Length));
        }

        Assert.DoesNotContain(net.Parameters.ToArray(), float.IsNaN);
        Assert.DoesNotContain(net.Buffers.ToArray(), float.IsNaN);
    }

    private static void AssertState(INetwork net, JsonElement state, bool buffersOnly, string what)
    {
        foreach (JsonElement t in state.EnumerateArray())
        {
            (ParameterTensor tensor, bool isBuffer) = Find(net, t.GetProperty("name").GetString()!);
            Span<float> store = isBuffer ? net.Buffers : net.Parameters;
            if (buffersOnly && !isBuffer)
            {
                continue;
            }

            AssertClose(Doubles(t.GetProperty("values")), store.Slice(tensor.Offset, tensor.Length).ToArray(), Relative, $"{what}: {tensor.Name}");
        }
    }

    /// <summary>The parameter or buffer tensor named <paramref name="name"/>, and whether it is a buffer.</summary>
    private static (ParameterTensor Tensor, bool IsBuffer) Find(INetwork net, string name)
    {
        ParameterTensor? p = net.ParameterTensors.SingleOrDefault(t => t.Name == name);
        if (p is not null)
        {
            return (p, false);
        }

        ParameterTensor? b = net.BufferTensors.SingleOrDefault(t => t.Name == name);
        Assert.True(b is not null, $"{net.GetType().Name} has no tensor named {name}.");
        return (b, true);
    }

    private static void AssertClose(double[] expected, float[] actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double allowed = (relative * expected.Max(Math.Abs)) + (relative == Relative ? Floor : GradientFloor);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= allowed, $"{what} [{i}]: NetGen {actual[i]:R}, PyTorch {expected[i]:R}, error {error:E2} > {allowed:E2}");
        }
    }

    private static void AssertSamples(double[] expected, float[] actual, int perSample, string what)
    {
        for (int b = 0; b < expected.Length / perSample; b++)
        {
            AssertClose(expected.AsSpan(b * perSample, perSample).ToArray(), actual.AsSpan(b * perSample, perSample).ToArray(), Relative, $"{what}, sample {b}");
        }
    }

    internal static string[] HeaderNames(byte[] file)
    {
        int length = (int)BitConverter.ToUInt64(file, 0);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, length));
        return header.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToArray();
    }

    private static INetwork Create(string network) => network switch
    {
        "ParityBnVector" => new ParityBnVector(seed: 0),
        "ParityBnSequence" => new ParityBnSequence(seed: 0),
        "ParityBnImage" => new ParityBnImage(seed: 0),
        _ => throw new ArgumentException(network, nameof(network)),
    };

    private static JsonElement Entry(string network) => Reference.Value.RootElement.GetProperty(network);

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
