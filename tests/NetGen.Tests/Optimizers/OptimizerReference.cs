using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.Optimizers;

/// <summary>
/// PyTorch's trajectories from Reference/optimizers.json (written by Reference/optimizers_reference.py),
/// the optimizers they describe, and the tolerance check the tests share.
/// </summary>
internal static class OptimizerReference
{
    private static readonly Lazy<Data> Loaded = new(Load);

    public static float[] Initial => Loaded.Value.Initial;

    public static float[][] Gradients => Loaded.Value.Gradients;

    public static IReadOnlyDictionary<string, Case> Cases => Loaded.Value.Cases;

    public static float[] ClipGradient => Loaded.Value.ClipGradient;

    public static IReadOnlyDictionary<string, ClipCase> Clips => Loaded.Value.Clips;

    /// <summary>The case names, as xunit member data.</summary>
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    /// <summary>
    /// Asserts <c>max |actual - expected| / max(max |expected|, 1e-6) &lt;= tolerance</c>: the error relative
    /// to the vector's scale, so elements near zero do not demand impossible precision.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxError = 0;
        double scale = 1e-6;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (!(error <= maxError))
            {
                maxError = error;
                worst = i;
            }

            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }

        double relative = maxError / scale;
        Assert.True(
            relative <= tolerance,
            $"{context}: relative error {relative:E3} > {tolerance:E0} (worst at [{worst}]: {(worst < 0 ? 0 : actual[worst]):R} vs {(worst < 0 ? 0 : expected[worst]):R}).");
    }

    private static Data Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "optimizers.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = document.RootElement;
        var cases = new Dictionary<string, Case>();
        foreach (JsonElement element in root.GetProperty("cases").EnumerateArray())
        {
            string name = element.GetProperty("name").GetString()!;
            cases.Add(name, new Case(
                name,
                element.GetProperty("optimizer").GetString()!,
                element.GetProperty("options").Clone(),
                element.GetProperty("steps").EnumerateArray().Select(Floats).ToArray()));
        }

        var clips = new Dictionary<string, ClipCase>();
        foreach (JsonElement element in root.GetProperty("clip").EnumerateArray())
        {
            string name = element.GetProperty("name").GetString()!;
            clips.Add(name, new ClipCase(
                element.GetProperty("max_norm").GetSingle(),
                element.GetProperty("total_norm").GetSingle(),
                Floats(element.GetProperty("clipped"))));
        }

        return new Data(
            Floats(root.GetProperty("initial")),
            root.GetProperty("gradients").EnumerateArray().Select(Floats).ToArray(),
            cases,
            Floats(root.GetProperty("clip_gradient")),
            clips);
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    /// <summary>One optimizer configuration and PyTorch's parameters after each step.</summary>
    internal sealed record Case(string Name, string Kind, JsonElement Options, float[][] Steps)
    {
        /// <summary>A new optimizer with this case's options; absent options take PyTorch's defaults.</summary>
        public Optimizer Create()
        {
            float lr = Number("lr", float.NaN);
            return Kind switch
            {
                "sgd" => new Sgd(lr, Number("momentum", 0f), Number("dampening", 0f), Number("weight_decay", 0f), Flag("nesterov")),
                "adam" => new Adam(lr, Number("beta1", 0.9f), Number("beta2", 0.999f), Number("eps", 1e-8f), Number("weight_decay", 0f)),
                "adamw" => new AdamW(lr, Number("beta1", 0.9f), Number("beta2", 0.999f), Number("eps", 1e-8f), Number("weight_decay", 0.01f)),
                "rmsprop" => new RmsProp(lr, Number("alpha", 0.99f), Number("eps", 1e-8f), Number("weight_decay", 0f), Number("momentum", 0f), Flag("centered")),
                "adagrad" => new AdaGrad(lr, Number("lr_decay", 0f), Number("weight_decay", 0f), Number("initial_accumulator_value", 0f), Number("eps", 1e-10f)),
                _ => throw new InvalidOperationException($"Unknown optimizer '{Kind}' in the reference data."),
            };
        }

        private float Number(string key, float fallback) => Options.TryGetProperty(key, out JsonElement value) ? value.GetSingle() : fallback;

        private bool Flag(string key) => Options.TryGetProperty(key, out JsonElement value) && value.GetBoolean();
    }

    /// <summary>One clip_grad_norm_ call: the limit, the norm PyTorch returned and the clipped gradients.</summary>
    internal sealed record ClipCase(float MaxNorm, float TotalNorm, float[] Clipped);

    private sealed record Data(
        float[] Initial, float[][] Gradients, Dictionary<string, Case> Cases, float[] ClipGradient, Dictionary<string, ClipCase> Clips);
}
