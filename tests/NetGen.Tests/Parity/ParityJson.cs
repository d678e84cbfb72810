using System;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.Parity;

/// <summary>
/// What the parity tests of generated networks share: a PyTorch state_dict from the reference JSON loaded by name, the
/// JSON's arrays, and the comparisons with their tolerances (per tensor, relative to its largest value, plus a floor).
/// </summary>
internal static class ParityJson
{
    /// <summary>Checks every element against <c>relative · max|expected| + floor</c>; returns the worst error over max|expected|.</summary>
    internal static double AssertClose(float[] expected, float[] actual, double relative, double floor, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        double allowed = relative * scale + floor;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            worst = Math.Max(worst, scale > 0 ? error / scale : error);
            Assert.True(error <= allowed, $"{what} [{i}]: NetGen {actual[i]:R}, PyTorch {expected[i]:R}, error {error:E2} > {allowed:E2}");
        }

        return worst;
    }

    internal static void AssertSamples(double[] expected, float[] actual, int perSample, string what, double relative, double floor)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int b = 0; b < expected.Length / perSample; b++)
        {
            double scale = 0;
            for (int i = 0; i < perSample; i++)
            {
                scale = Math.Max(scale, Math.Abs(expected[(b * perSample) + i]));
            }

            double allowed = (relative * scale) + floor;
            for (int i = 0; i < perSample; i++)
            {
                int k = (b * perSample) + i;
                double error = Math.Abs(actual[k] - expected[k]);
                Assert.True(error <= allowed, $"{what}: sample {b} output {i} is {actual[k]:R}, PyTorch {expected[k]:R}, error {error:E2} > {allowed:E2}");
            }
        }
    }

    /// <summary>Copies each state_dict tensor into the parameters at its tensor's offset, after checking its name and shape.</summary>
    internal static void Load(INetwork net, JsonElement entry)
    {
        Span<float> parameters = net.Parameters;
        parameters.Fill(float.NaN);
        foreach (JsonElement t in entry.GetProperty("tensors").EnumerateArray())
        {
            string name = t.GetProperty("name").GetString()!;
            ParameterTensor? tensor = net.ParameterTensors.SingleOrDefault(p => p.Name == name);
            Assert.True(tensor is not null, $"{net.GetType().Name} has no parameter tensor named {name}; it has {string.Join(", ", net.ParameterTensors.Select(p => p.Name))}.");
            Assert.Equal(t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), tensor.Shape.ToArray());
            float[] values = Floats(t.GetProperty("values"));
            Assert.Equal(tensor.Length, values.Length);
            values.CopyTo(parameters.Slice(tensor.Offset, tensor.Length));
        }

        foreach (float v in net.Parameters)
        {
            Assert.False(float.IsNaN(v), "A parameter was not covered by any state_dict tensor.");
        }
    }

    internal static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    internal static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
