using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The recurrent kernels against PyTorch 1.13's <c>nn.RNN</c> (tanh, relu), <c>nn.LSTM</c> and <c>nn.GRU</c> with
/// <c>batch_first=True</c>: Reference/recurrent_reference.py draws the weights, x and dy, and writes PyTorch's y and the
/// gradients of <c>L = Σ dy·y</c> (autograd in float64) to Reference/recurrent.json. Outputs:
/// <c>|a − b| ≤ 1e-5 · max|b|</c>, gradients <c>|a − b| ≤ 1e-4 · max|b|</c>, per tensor. Cases cover T = 1, 2, 7, batch
/// 1, 2, 3, no bias, F ≠ H, and bidirectional layers (the reverse direction writing columns H .. 2H − 1 and adding its dx).
/// Two stacked layers (<c>num_layers=2</c>, one of them bidirectional) check how a caller composes them. Each case runs with
/// one thread and with two.
/// </summary>
public sealed class RecurrentReferenceTests
{
    private const double OutputTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "recurrent.json"))));

    private readonly struct F3H4T1 : IRecurrentShape
    {
        public static int Inputs => 3;
        public static int Hidden => 4;
        public static int Steps => 1;
        public static bool HasBias => true;
    }

    private readonly struct F3H5T7 : IRecurrentShape
    {
        public static int Inputs => 3;
        public static int Hidden => 5;
        public static int Steps => 7;
        public static bool HasBias => true;
    }

    private readonly struct F3H4T2NoBias : IRecurrentShape
    {
        public static int Inputs => 3;
        public static int Hidden => 4;
        public static int Steps => 2;
        public static bool HasBias => false;
    }

    private readonly struct F3H4T7 : IRecurrentShape
    {
        public static int Inputs => 3;
        public static int Hidden => 4;
        public static int Steps => 7;
        public static bool HasBias => true;
    }

    private readonly struct F3H4T4 : IRecurrentShape
    {
        public static int Inputs => 3;
        public static int Hidden => 4;
        public static int Steps => 4;
        public static bool HasBias => true;
    }

    /// <summary>The second of two stacked layers: its input is the first's output, H features.</summary>
    private readonly struct F4H4T4 : IRecurrentShape
    {
        public static int Inputs => 4;
        public static int Hidden => 4;
        public static int Steps => 4;
        public static bool HasBias => true;
    }

    /// <summary>The second of two stacked bidirectional layers: its input is the first's <c>[B, T, 2H]</c>.</summary>
    private readonly struct F8H4T4 : IRecurrentShape
    {
        public static int Inputs => 8;
        public static int Hidden => 4;
        public static int Steps => 4;
        public static bool HasBias => true;
    }

    public static IEnumerable<object[]> StackedCases()
        => Reference.Value.RootElement.GetProperty("stacked").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static IEnumerable<object[]> Cases()
        => Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Fact]
    public void Reference_file_covers_every_cell_and_configuration()
    {
        JsonElement[] cases = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(16, cases.Length);
        foreach (string cell in new[] { "tanh", "relu", "lstm", "gru" })
        {
            JsonElement[] mine = cases.Where(c => c.GetProperty("cell").GetString() == cell).ToArray();
            Assert.Contains(mine, c => c.GetProperty("steps").GetInt32() == 1 && c.GetProperty("batch").GetInt32() == 1);
            Assert.Contains(mine, c => c.GetProperty("steps").GetInt32() == 7 && c.GetProperty("batch").GetInt32() == 3);
            Assert.Contains(mine, c => !c.GetProperty("bias").GetBoolean());
            Assert.Contains(mine, c => c.GetProperty("bidirectional").GetBoolean());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_and_gradients_match_PyTorch(string name)
    {
        JsonElement c = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        string shape = $"{c.GetProperty("inputs").GetInt32()}/{c.GetProperty("hidden").GetInt32()}/{c.GetProperty("steps").GetInt32()}/{c.GetProperty("bias").GetBoolean()}";
        switch (shape)
        {
            case "3/4/1/True": ForCell<F3H4T1>(c); break;
            case "3/5/7/True": ForCell<F3H5T7>(c); break;
            case "3/4/2/False": ForCell<F3H4T2NoBias>(c); break;
            case "3/4/7/True": ForCell<F3H4T7>(c); break;
            default: Assert.Fail($"{name}: no descriptor for shape {shape}"); break;
        }
    }

    /// <summary>
    /// <c>num_layers=2</c>, composed as the generator will: layer 1 reads layer 0's y (<c>[B, T, 2H]</c> when bidirectional,
    /// so its F is 2H), and layer 1's dx is layer 0's dy; within a layer the forward direction's backward overwrites dx and
    /// the reverse one's adds into it.
    /// </summary>
    [Theory]
    [MemberData(nameof(StackedCases))]
    public void Stacked_layers_match_PyTorch(string name)
    {
        JsonElement c = Reference.Value.RootElement.GetProperty("stacked").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        Assert.Equal(2, c.GetProperty("layers").GetInt32());
        Assert.Equal("3/4/4/True", $"{c.GetProperty("inputs").GetInt32()}/{c.GetProperty("hidden").GetInt32()}/{c.GetProperty("steps").GetInt32()}/{c.GetProperty("bias").GetBoolean()}");
        bool bidirectional = c.GetProperty("bidirectional").GetBoolean();
        foreach (int threads in new[] { 1, 2 })
        {
            switch (c.GetProperty("cell").GetString(), bidirectional)
            {
                case ("lstm", true):
                    CheckStacked<Layer<F3H4T4, LstmCell, BiOnward>, Layer<F3H4T4, LstmCell, BiBackward>, Layer<F8H4T4, LstmCell, BiOnward>, Layer<F8H4T4, LstmCell, BiBackward>>(c, threads, bidirectional);
                    break;
                case ("gru", false):
                    CheckStacked<Layer<F3H4T4, GruCell, Onward>, Layer<F3H4T4, GruCell, Onward>, Layer<F4H4T4, GruCell, Onward>, Layer<F4H4T4, GruCell, Onward>>(c, threads, bidirectional);
                    break;
                default:
                    Assert.Fail($"{name}: no descriptors for this stack");
                    break;
            }
        }
    }

    private static void CheckStacked<T0, T0R, T1, T1R>(JsonElement c, int threads, bool bidirectional)
        where T0 : struct, IRecurrentLayer
        where T0R : struct, IRecurrentLayer
        where T1 : struct, IRecurrentLayer
        where T1R : struct, IRecurrentLayer
    {
        string name = $"{c.GetProperty("name").GetString()} ({threads} threads)";
        int batch = c.GetProperty("batch").GetInt32();
        float[] x = Floats(c.GetProperty("x"));
        float[] dy = Floats(c.GetProperty("dy"));
        JsonElement parameters = c.GetProperty("parameters");
        JsonElement gradients = c.GetProperty("gradients");

        var first = new RecurrentOperands<T0>(batch);
        var second = new RecurrentOperands<T1>(batch);
        Copy(Load(first.Tensors, parameters, "", layer: 0), first.Tensors);
        Copy(Load(second.Tensors, parameters, "", layer: 1), second.Tensors);
        RecurrentOperands<T0R>? firstReverse = bidirectional ? new RecurrentOperands<T0R>(batch) : null;
        RecurrentOperands<T1R>? secondReverse = bidirectional ? new RecurrentOperands<T1R>(batch) : null;
        if (firstReverse is not null && secondReverse is not null)
        {
            Copy(Load(firstReverse.Tensors, parameters, "_reverse", layer: 0), firstReverse.Tensors);
            Copy(Load(secondReverse.Tensors, parameters, "_reverse", layer: 1), secondReverse.Tensors);
        }

        // y0 = layer 0 (x), y = layer 1 (y0)
        var y0 = new float[batch * T0.Steps * T0.OutputStride];
        Assert.Equal(T1.Inputs, T0.OutputStride);
        first.Forward(x, y0, threads);
        firstReverse?.Forward(x, y0, threads);
        var y = new float[dy.Length];
        second.Forward(y0, y, threads);
        secondReverse?.Forward(y0, y, threads);
        AssertClose(Doubles(c.GetProperty("y")), y, OutputTolerance, $"{name} y");

        // dL/dy0 from layer 1, then dL/dx from layer 0
        var dy0 = new float[y0.Length];
        second.Backward(y0, dy, dy0, threads);
        secondReverse?.Backward(y0, dy, dy0, threads);
        var dx = new float[x.Length];
        first.Backward(x, dy0, dx, threads);
        firstReverse?.Backward(x, dy0, dx, threads);
        AssertClose(Doubles(c.GetProperty("dx")), dx, GradientTolerance, $"{name} dx");
        AssertGradients(first.Tensors, gradients, "", name, layer: 0);
        AssertGradients(second.Tensors, gradients, "", name, layer: 1);
        if (firstReverse is not null && secondReverse is not null)
        {
            AssertGradients(firstReverse.Tensors, gradients, "_reverse", name, layer: 0);
            AssertGradients(secondReverse.Tensors, gradients, "_reverse", name, layer: 1);
        }
    }

    private static void ForCell<TShape>(JsonElement c)
        where TShape : struct, IRecurrentShape
    {
        switch (c.GetProperty("cell").GetString())
        {
            case "tanh": ForDirections<TShape, TanhCell>(c); break;
            case "relu": ForDirections<TShape, ReluCell>(c); break;
            case "lstm": ForDirections<TShape, LstmCell>(c); break;
            default: ForDirections<TShape, GruCell>(c); break;
        }
    }

    private static void ForDirections<TShape, TCell>(JsonElement c)
        where TShape : struct, IRecurrentShape
        where TCell : struct, ICellKind
    {
        foreach (int threads in new[] { 1, 2 })
        {
            if (c.GetProperty("bidirectional").GetBoolean())
            {
                Check<Layer<TShape, TCell, BiOnward>, Layer<TShape, TCell, BiBackward>>(c, threads, bidirectional: true);
            }
            else
            {
                Check<Layer<TShape, TCell, Onward>, Layer<TShape, TCell, Onward>>(c, threads, bidirectional: false);
            }
        }
    }

    /// <summary>
    /// Forward (both directions into one y when bidirectional), then backward of the forward direction (dx overwritten) and
    /// of the reverse one (dx added), against PyTorch's y, parameter gradients and dx.
    /// </summary>
    private static void Check<TOnward, TBackward>(JsonElement c, int threads, bool bidirectional)
        where TOnward : struct, IRecurrentLayer
        where TBackward : struct, IRecurrentLayer
    {
        string name = $"{c.GetProperty("name").GetString()} ({threads} threads)";
        int batch = c.GetProperty("batch").GetInt32();
        float[] x = Floats(c.GetProperty("x"));
        float[] dy = Floats(c.GetProperty("dy"));
        JsonElement parameters = c.GetProperty("parameters");
        JsonElement gradients = c.GetProperty("gradients");

        var forwardOps = new RecurrentOperands<TOnward>(batch);
        Copy(Load(forwardOps.Tensors, parameters, ""), forwardOps.Tensors);
        var backward = bidirectional ? new RecurrentOperands<TBackward>(batch) : null;
        if (backward is not null)
        {
            Copy(Load(backward.Tensors, parameters, "_reverse"), backward.Tensors);
        }

        var y = new float[dy.Length];
        y.AsSpan().Fill(float.NaN); // every column must be written by one direction
        forwardOps.Forward(x, y, threads);
        backward?.Forward(x, y, threads);
        AssertClose(Doubles(c.GetProperty("y")), y, OutputTolerance, $"{name} y");

        var dx = new float[x.Length];
        dx.AsSpan().Fill(float.NaN); // overwritten by the first direction
        forwardOps.Backward(x, dy, dx, threads);
        backward?.Backward(x, dy, dx, threads);
        AssertClose(Doubles(c.GetProperty("dx")), dx, GradientTolerance, $"{name} dx");
        AssertGradients(forwardOps.Tensors, gradients, "", name);
        if (backward is not null)
        {
            AssertGradients(backward.Tensors, gradients, "_reverse", name);
        }
    }

    private static readonly string[] Names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];

    /// <summary>PyTorch's name of tensor <paramref name="i"/> of layer <paramref name="layer"/>, <paramref name="suffix"/> "_reverse" for the reverse direction.</summary>
    private static string Name(int i, int layer, string suffix) => $"{Names[i]}_l{layer}{suffix}";

    private static float[][] Load((float[] Value, float[] Gradient)[] tensors, JsonElement parameters, string suffix, int layer = 0)
    {
        Assert.Equal(tensors.Length, parameters.EnumerateObject().Count(p => p.Name.EndsWith($"_l{layer}{suffix}", StringComparison.Ordinal)));
        var values = new float[tensors.Length][];
        for (int i = 0; i < tensors.Length; i++)
        {
            values[i] = Floats(parameters.GetProperty(Name(i, layer, suffix)));
            Assert.Equal(tensors[i].Value.Length, values[i].Length);
        }

        return values;
    }

    private static void Copy(float[][] values, (float[] Value, float[] Gradient)[] tensors)
    {
        for (int i = 0; i < tensors.Length; i++)
        {
            values[i].CopyTo(tensors[i].Value, 0);
        }
    }

    private static void AssertGradients((float[] Value, float[] Gradient)[] tensors, JsonElement gradients, string suffix, string name, int layer = 0)
    {
        for (int i = 0; i < tensors.Length; i++)
        {
            AssertClose(Doubles(gradients.GetProperty(Name(i, layer, suffix))), tensors[i].Gradient, GradientTolerance, $"{name} d{Name(i, layer, suffix)}");
        }
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary><c>|a − b| ≤ tolerance · max|b|</c> over the tensor (plus 1e-12 for an all-zero one).</summary>
    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        double allowed = tolerance * scale + 1e-12;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= allowed, $"{what}[{i}]: {actual[i]:R}, PyTorch {expected[i]:R}, error {error:E2} > {allowed:E2}");
        }
    }
}
