using System;
using System.Collections.Generic;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Central differences against the generated Backward of the sequence networks (<see cref="RecurrentNetworks"/>'s file):
/// every cell (RNN tanh and ReLU, LSTM, GRU), T of 1, 2 and 7, stacked, bidirectional, the last state, no biases, chains
/// of recurrent layers, and an embedding first with repeated tokens; batch 1 and 3. See <see cref="GradientCheck"/> for
/// the tolerance (1e-3 relative plus the float noise of the forward over the step).
/// </summary>
public sealed class RecurrentGradientTests
{
    private readonly ITestOutputHelper _output;

    public RecurrentGradientTests(ITestOutputHelper output) => _output = output;

    /// <summary>The float-input networks, whether they have ReLU kinks, and the step h.</summary>
    internal static readonly Dictionary<string, (Func<INetwork> Create, bool Kinks, double H)> Networks = new()
    {
        ["RecRnnT1"] = (() => new RecRnnT1(seed: 1), false, 3e-3),
        ["RecRnnT2"] = (() => new RecRnnT2(seed: 2), false, 3e-3),
        ["RecRnnT7"] = (() => new RecRnnT7(seed: 3), false, 3e-3),
        ["RecRnnReluT7"] = (() => new RecRnnReluT7(seed: 4), true, 1e-3),
        ["RecLstmT1"] = (() => new RecLstmT1(seed: 5), false, 3e-3),
        ["RecLstmT2"] = (() => new RecLstmT2(seed: 6), false, 3e-3),
        ["RecLstmT7"] = (() => new RecLstmT7(seed: 7), false, 3e-3),
        ["RecGruT1"] = (() => new RecGruT1(seed: 8), false, 3e-3),
        ["RecGruT2"] = (() => new RecGruT2(seed: 9), false, 3e-3),
        ["RecGruT7"] = (() => new RecGruT7(seed: 10), false, 3e-3),
        ["RecLstmStacked"] = (() => new RecLstmStacked(seed: 11), false, 3e-3),
        ["RecGruStacked"] = (() => new RecGruStacked(seed: 12), false, 3e-3),
        ["RecRnnStacked3"] = (() => new RecRnnStacked3(seed: 13), false, 3e-3),
        ["RecLstmBi"] = (() => new RecLstmBi(seed: 14), false, 3e-3),
        ["RecGruBi"] = (() => new RecGruBi(seed: 15), false, 3e-3),
        ["RecRnnBi"] = (() => new RecRnnBi(seed: 16), false, 3e-3),
        ["RecLstmLast"] = (() => new RecLstmLast(seed: 17), false, 3e-3),
        ["RecGruLast"] = (() => new RecGruLast(seed: 18), false, 3e-3),
        ["RecRnnLastT1"] = (() => new RecRnnLastT1(seed: 19), false, 3e-3),
        ["RecGruBiLast"] = (() => new RecGruBiLast(seed: 20), false, 3e-3),
        ["RecLstmStackedBi"] = (() => new RecLstmStackedBi(seed: 21), false, 3e-3),
        ["RecRnnStackedLast"] = (() => new RecRnnStackedLast(seed: 22), false, 3e-3),
        ["RecGruStackedBiLast"] = (() => new RecGruStackedBiLast(seed: 23), false, 3e-3),
        // Three recurrent layers deep, the forward's float noise is more than the check's 4 ulps of the outputs: at h 3e-3 a
        // probe of 0.weight_hh_l0 used 99% of its allowance, at h 1e-2 40%, at h 3e-2 17% (the difference then agrees
        // with the analytic gradient to 5e-4 relative), so this network takes the larger step.
        ["RecNoBias"] = (() => new RecNoBias(seed: 24), false, 1e-2),
        ["RecChain"] = (() => new RecChain(seed: 25), false, 3e-3),
        ["RecRnnReluStacked"] = (() => new RecRnnReluStacked(seed: 26), true, 1e-3),
        ["RecWide"] = (() => new RecWide(seed: 27), false, 3e-3),
        ["RecDropout"] = (() => new RecDropout(seed: 28), false, 3e-3),
        ["RecLstmBiLastT1"] = (() => new RecLstmBiLastT1(seed: 29), false, 3e-3),
    };

    /// <summary>The token networks: ids in, so only the parameters are checked.</summary>
    internal static readonly Dictionary<string, Func<INetwork>> TokenNetworks = new()
    {
        ["RecEmbedLstm"] = () => new RecEmbedLstm(seed: 31),
        ["RecEmbedGruLast"] = () => new RecEmbedGruLast(seed: 32),
        ["RecEmbedOnly"] = () => new RecEmbedOnly(seed: 33),
        ["RecEmbedDenseGru"] = () => new RecEmbedDenseGru(seed: 36),
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in Networks.Keys)
        {
            yield return new object[] { name, 1 };
            yield return new object[] { name, 3 };
        }
    }

    public static IEnumerable<object[]> TokenCases()
    {
        foreach (string name in TokenNetworks.Keys)
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
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: (ulong)(400 + batch));
        var check = new GradientCheck(net, x, batch, seed: (ulong)(500 + batch));
        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.All(net.ParameterCount), h, kinks);
        GradientCheck.Outcome i = check.CheckInputs(GradientCheck.All(x.Length), h, kinks);
        _output.WriteLine($"{network} batch {batch}: parameters {p.Checked} checked, {p.Skipped} at a kink, worst {p.WorstRatio:F3} of allowed ({p.WorstProbe}); inputs {i.Checked} checked, {i.Skipped} at a kink, worst {i.WorstRatio:F3} ({i.WorstProbe})");
        AssertFewSkipped(p, kinks, network);
        AssertFewSkipped(i, kinks, network);
        AssertEveryTensorMoves(net, check.ParameterGradients, network);
        Assert.Contains(check.InputGradients, v => v != 0);
    }

    [Theory]
    [MemberData(nameof(TokenCases))]
    public void Parameter_gradients_of_token_networks_match_central_differences(string network, int batch)
    {
        INetwork net = TokenNetworks[network]();
        int vocabulary = net.ParameterTensors[0].Shape[0];
        float[] ids = Tokens(batch * net.InputLength, vocabulary, seed: (ulong)(600 + batch));
        var check = new GradientCheck(net, ids, batch, seed: (ulong)(700 + batch), inputGradients: false);
        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.All(net.ParameterCount), 3e-3, hasKinks: false);
        _output.WriteLine($"{network} batch {batch}: parameters {p.Checked} checked, worst {p.WorstRatio:F3} of allowed ({p.WorstProbe})");
        Assert.Equal(0, p.Skipped);

        // The embedding's rows: the absent one's gradient is exactly 0, every used one's is not.
        ParameterTensor table = net.ParameterTensors[0];
        int dimensions = table.Shape[1];
        for (int row = 0; row < vocabulary; row++)
        {
            bool used = Array.IndexOf(ids, (float)row) >= 0;
            ReadOnlySpan<float> gradient = check.ParameterGradients.AsSpan(table.Offset + row * dimensions, dimensions);
            if (used)
            {
                Assert.True(gradient.IndexOfAnyExcept(0f) >= 0, $"{network}: row {row} is used but its gradient is 0");
            }
            else
            {
                Assert.True(gradient.IndexOfAnyExcept(0f) < 0, $"{network}: row {row} is used by no token but its gradient is not 0");
            }
        }

        AssertEveryTensorMoves(net, check.ParameterGradients, network);
    }

    /// <summary>
    /// The per-step loss with an ignore index through a token network (the language-model shape): targets of -1 do not
    /// count, and central differences of the loss's value agree with Backward from the loss's dL/dy.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Sequence_cross_entropy_with_an_ignore_index_through_an_embedding_lstm(int batch)
    {
        var net = new RecEmbedLstm(seed: 34);
        float[] ids = Tokens(batch * RecEmbedLstm.InputLength, 7, seed: (ulong)(800 + batch));
        float[] targets = Tokens(batch * RecEmbedLstm.InputLength, 7, seed: (ulong)(810 + batch));
        targets[0] = -1;
        targets[^1] = -1;
        var loss = new LossObjective(Loss.SequenceCrossEntropy(7, ignoreIndex: -1), targets, batch);
        var check = new GradientCheck(net, ids, batch, _ => loss, inputGradients: false);
        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.All(RecEmbedLstm.ParameterCount), 3e-3, hasKinks: false);
        _output.WriteLine($"RecEmbedLstm batch {batch}, per-step loss {check.BaseLoss:G6}: parameters {p.Checked} checked, worst {p.WorstRatio:F3} ({p.WorstProbe})");

        // The ignored positions send nothing back.
        Assert.True(check.OutputGradient.AsSpan(0, 7).IndexOfAnyExcept(0f) < 0);
        Assert.True(check.OutputGradient.AsSpan(check.OutputGradient.Length - 7).IndexOfAnyExcept(0f) < 0);
        AssertEveryTensorMoves(net, check.ParameterGradients, "RecEmbedLstm");
    }

    /// <summary>The Names model's shape (LSTM-128, vocabulary 30, 16 steps) under the per-step loss: a stratified subset of its 88k parameters.</summary>
    [Fact]
    public void Sequence_cross_entropy_through_the_names_model()
    {
        const int batch = 2;
        var net = new RecNamesModel(seed: 37);
        float[] ids = Tokens(batch * RecNamesModel.InputLength, 30, seed: 840);
        float[] targets = Tokens(batch * RecNamesModel.InputLength, 30, seed: 841);
        targets[5] = -100;
        var loss = new LossObjective(Loss.SequenceCrossEntropy(30), targets, batch);
        var check = new GradientCheck(net, ids, batch, _ => loss, inputGradients: false);
        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.Subset(net, 300, seed: 842), 3e-3, hasKinks: false);
        _output.WriteLine($"RecNamesModel batch {batch}, per-step loss {check.BaseLoss:G6}: parameters {p.Checked} checked, worst {p.WorstRatio:F3} ({p.WorstProbe})");
    }

    /// <summary>The per-step loss with the ignore index a class (2: those targets do not count) through a float GRU, inputs checked too.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Sequence_cross_entropy_with_an_ignored_class_through_a_gru(int batch)
    {
        var net = new RecGruT7(seed: 35);
        float[] x = GradientCheck.UniformInputs(batch * RecGruT7.InputLength, seed: (ulong)(820 + batch));
        var random = new Rng((ulong)(830 + batch));
        var targets = new float[batch * 7];
        for (int k = 0; k < targets.Length; k++)
        {
            targets[k] = random.NextInt(5);
        }

        targets[1] = 2;
        var loss = new LossObjective(Loss.SequenceCrossEntropy(5, ignoreIndex: 2), targets, batch);
        var check = new GradientCheck(net, x, batch, _ => loss);
        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.All(RecGruT7.ParameterCount), 3e-3, hasKinks: false);
        GradientCheck.Outcome inputs = check.CheckInputs(GradientCheck.All(x.Length), 3e-3, hasKinks: false);
        _output.WriteLine($"RecGruT7 batch {batch}, per-step loss {check.BaseLoss:G6}: parameters worst {p.WorstRatio:F3}, inputs worst {inputs.WorstRatio:F3}");
        Assert.True(check.OutputGradient.AsSpan(5, 5).IndexOfAnyExcept(0f) < 0);
        Assert.Contains(check.InputGradients, v => v != 0);
    }

    /// <summary>
    /// Random token ids from 0 to vocabulary − 2, so the last row of the vocabulary is used by no token, and position 1
    /// repeating position 0, so at least one id repeats.
    /// </summary>
    internal static float[] Tokens(int length, int vocabulary, ulong seed)
    {
        var random = new Rng(seed);
        var ids = new float[length];
        for (int i = 0; i < length; i++)
        {
            ids[i] = random.NextInt(vocabulary - 1);
        }

        // a repeat at the start of the data (samples are at least 4 long)
        ids[1] = ids[0];
        return ids;
    }

    /// <summary>Every parameter tensor gets some gradient, but W_hh over a single step (h_{-1} = 0, so dW_hh is exactly 0, as in PyTorch).</summary>
    private static void AssertEveryTensorMoves(INetwork net, float[] gradients, string network)
    {
        bool oneStep = net.InputShape[0] == 1;
        foreach (ParameterTensor t in net.ParameterTensors)
        {
            if (oneStep && t.Name.Contains(".weight_hh_", StringComparison.Ordinal))
            {
                Assert.True(gradients.AsSpan(t.Offset, t.Length).IndexOfAnyExcept(0f) < 0, $"{network}: {t.Name} over one step has a gradient");
                continue;
            }

            Assert.True(gradients.AsSpan(t.Offset, t.Length).IndexOfAnyExcept(0f) >= 0, $"{network}: every gradient of {t.Name} is 0");
        }
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
