using System;
using System.Collections.Generic;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Central differences against the generated Backward of the attention family and of composition
/// (<see cref="GradLayerNorm"/>'s file): layer norm with and without γ and β, attention causal and not with 1, 2 and 4
/// heads over T of 1 and 7, positions, residual and nested blocks, the encoder layer in both norm orders, and a causal
/// language model on token ids; batch 1 and 3. See <see cref="GradientCheck"/> for the tolerance.
/// </summary>
public sealed class AttentionGradientTests
{
    private readonly ITestOutputHelper _output;

    public AttentionGradientTests(ITestOutputHelper output) => _output = output;

    /// <summary>The float-input networks, whether they have ReLU kinks, and the step h.</summary>
    internal static readonly Dictionary<string, (Func<INetwork> Create, bool Kinks, double H)> Networks = new()
    {
        ["GradLayerNorm"] = (() => new GradLayerNorm(seed: 1), false, 3e-3),
        ["GradLayerNormPlain"] = (() => new GradLayerNormPlain(seed: 2), false, 3e-3),
        ["GradMhaOneHeadT1"] = (() => new GradMhaOneHeadT1(seed: 3), false, 3e-3),
        ["GradMhaTwoHeadsT7"] = (() => new GradMhaTwoHeadsT7(seed: 4), false, 3e-3),
        ["GradMhaCausalT7"] = (() => new GradMhaCausalT7(seed: 5), false, 3e-3),
        ["GradMhaCausalT1"] = (() => new GradMhaCausalT1(seed: 6), false, 3e-3),
        ["GradMhaNoBias"] = (() => new GradMhaNoBias(seed: 7), false, 3e-3),
        ["GradPositions"] = (() => new GradPositions(seed: 8), false, 3e-3),
        ["GradResidual"] = (() => new GradResidual(seed: 9), false, 3e-3),
        ["GradNested"] = (() => new GradNested(seed: 10), false, 3e-3),
        ["GradEncoderPost"] = (() => new GradEncoderPost(seed: 11), true, 3e-4),
        ["GradEncoderPreGelu"] = (() => new GradEncoderPreGelu(seed: 12), false, 3e-3),
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in Networks.Keys)
        {
            yield return new object[] { name, 1 };
            yield return new object[] { name, 3 };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parameter_and_input_gradients_match_central_differences(string network, int batch)
    {
        (Func<INetwork> create, bool kinks, double h) = Networks[network];
        INetwork net = create();
        Randomize(net, seed: (ulong)(900 + batch));
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: (ulong)(400 + batch));
        var check = new GradientCheck(net, x, batch, seed: (ulong)(500 + batch));
        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.All(net.ParameterCount), h, kinks);
        GradientCheck.Outcome i = check.CheckInputs(GradientCheck.All(x.Length), h, kinks);
        _output.WriteLine($"{network} batch {batch}: parameters {p.Checked} checked, {p.Skipped} at a kink, worst {p.WorstRatio:F3} of allowed ({p.WorstProbe}); inputs {i.Checked} checked, {i.Skipped} at a kink, worst {i.WorstRatio:F3} ({i.WorstProbe})");
        AssertFewSkipped(p, kinks, network);
        AssertFewSkipped(i, kinks, network);
        AssertTensorsMove(net, check.ParameterGradients, network);
        Assert.Contains(check.InputGradients, v => v != 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_causal_language_model_on_token_ids_matches_central_differences_under_the_per_token_loss(int batch)
    {
        var net = new GradTinyGpt(seed: 13);
        Randomize(net, seed: 940);
        float[] ids = RecurrentGradientTests.Tokens(batch * GradTinyGpt.InputLength, 7, seed: (ulong)(600 + batch));
        float[] targets = RecurrentGradientTests.Tokens(batch * GradTinyGpt.InputLength, 7, seed: (ulong)(610 + batch));
        targets[2] = -1;
        var loss = new LossObjective(Loss.SequenceCrossEntropy(7, ignoreIndex: -1), targets, batch);
        var check = new GradientCheck(net, ids, batch, _ => loss, inputGradients: false);
        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.All(GradTinyGpt.ParameterCount), 3e-3, hasKinks: false);
        _output.WriteLine($"GradTinyGpt batch {batch}, loss {check.BaseLoss:G6}: parameters {p.Checked} checked, {p.Skipped} at a kink, worst {p.WorstRatio:F3} ({p.WorstProbe})");
        AssertFewSkipped(p, kinks: false, "GradTinyGpt");
        AssertTensorsMove(net, check.ParameterGradients, "GradTinyGpt");
    }

    /// <summary>
    /// PyTorch's initialization leaves the attention biases at 0 and γ, β at 1 and 0, the positions at 0: the check runs
    /// from random values of every parameter instead, so no gradient is checked only at a special point.
    /// </summary>
    internal static void Randomize(INetwork net, ulong seed)
    {
        var random = new Rng(seed);
        Span<float> p = net.Parameters;
        foreach (ParameterTensor t in net.ParameterTensors)
        {
            Span<float> values = p.Slice(t.Offset, t.Length);
            bool zeros = values.IndexOfAnyExcept(0f) < 0, ones = values.IndexOfAnyExcept(1f) < 0;
            for (int k = 0; k < values.Length && (zeros || ones); k++)
            {
                values[k] = (ones ? 1f : 0f) + (0.4f * ((random.NextFloat() * 2f) - 1f));
            }
        }
    }

    /// <summary>
    /// Every parameter tensor gets some gradient, except what has none in PyTorch either: the key third of
    /// <c>in_proj_bias</c> (adding a constant to every key adds a constant to a row of scores, which softmax ignores), and
    /// over one token the query and key rows of <c>in_proj_weight</c> (the one weight is 1 whatever the score).
    /// </summary>
    internal static void AssertTensorsMove(INetwork net, float[] gradients, string network)
    {
        foreach (ParameterTensor t in net.ParameterTensors)
        {
            ReadOnlySpan<float> g = gradients.AsSpan(t.Offset, t.Length);
            if (t.Name.EndsWith("in_proj_bias", StringComparison.Ordinal))
            {
                int d = t.Length / 3;
                Assert.True(g.Slice(d, d).IndexOfAnyExcept(0f) < 0 || MaxAbs(g.Slice(d, d)) <= 1e-6f * MaxAbs(g), $"{network}: the key bias of {t.Name} has a gradient");
                Assert.True(g.Slice(2 * d, d).IndexOfAnyExcept(0f) >= 0, $"{network}: the value bias of {t.Name} has no gradient");
                continue;
            }

            if (t.Name.EndsWith("in_proj_weight", StringComparison.Ordinal) && net.InputShape[0] == 1)
            {
                int rows = t.Shape[0] / 3 * t.Shape[1];
                Assert.True(g.Slice(0, 2 * rows).IndexOfAnyExcept(0f) < 0, $"{network}: over one token the query and key weights of {t.Name} have a gradient");
                Assert.True(g.Slice(2 * rows).IndexOfAnyExcept(0f) >= 0, $"{network}: the value weights of {t.Name} have no gradient");
                continue;
            }

            Assert.True(g.IndexOfAnyExcept(0f) >= 0, $"{network}: every gradient of {t.Name} is 0");
        }
    }

    private static float MaxAbs(ReadOnlySpan<float> values)
    {
        float max = 0f;
        foreach (float v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    private static void AssertFewSkipped(GradientCheck.Outcome o, bool kinks, string network)
    {
        if (!kinks)
        {
            Assert.Equal(0, o.Skipped);
        }

        Assert.True(o.Skipped * 20 <= o.Checked + o.Skipped, $"{network}: {o.Skipped} of {o.Checked + o.Skipped} probes skipped at a kink: {o.SkippedProbes}");
    }
}
