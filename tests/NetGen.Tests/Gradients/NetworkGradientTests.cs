using System;
using System.Collections.Generic;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Central differences against Backward for every test network: dL/dθ and dL/dx with a random linear loss
/// <c>L = Σ c·y</c>, single samples and batches, dropout active with a fixed mask. See <see cref="GradientCheck"/>.
/// </summary>
public sealed class NetworkGradientTests
{
    private readonly ITestOutputHelper _output;

    public NetworkGradientTests(ITestOutputHelper output) => _output = output;

    /// <summary>The networks, whether they have ReLU-like kinks, and the step h (small where kinks are dense).</summary>
    internal static readonly Dictionary<string, (Func<INetwork> Create, bool Kinks, double H)> Networks = new()
    {
        ["Mlp"] = (() => new Mlp(seed: 1), true, 3e-3),
        ["Zoo"] = (() => new Zoo(seed: 2), true, 3e-3),
        ["Sequence"] = (() => new Sequence(seed: 3), true, 1e-2),
        ["GradRelu"] = (() => new GradRelu(seed: 4), true, 1e-3),
        ["GradLeakyPositive"] = (() => new GradLeakyPositive(seed: 5), true, 1e-2),
        ["GradLeakyNegative"] = (() => new GradLeakyNegative(seed: 6), true, 1e-2),
        ["GradGelu"] = (() => new GradGelu(seed: 7), false, 1e-2),
        ["GradSigmoid"] = (() => new GradSigmoid(seed: 8), false, 1e-2),
        ["GradTanh"] = (() => new GradTanh(seed: 9), false, 1e-2),
        ["GradSoftmax"] = (() => new GradSoftmax(seed: 10), false, 1e-2),
        ["GradNoBias"] = (() => new GradNoBias(seed: 11), false, 1e-2),
        ["GradDropout"] = (() => new GradDropout(seed: 12), false, 1e-2),
        ["GradRank2"] = (() => new GradRank2(seed: 13), false, 1e-2),
        ["GradStandalone"] = (() => new GradStandalone(seed: 14), true, 1e-2),
        ["GradWide"] = (() => new GradWide(seed: 15), true, 1e-3),
        ["GradBinary"] = (() => new GradBinary(seed: 16), false, 1e-2),
        ["GradSingleOutput"] = (() => new GradSingleOutput(seed: 17), false, 1e-2),
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in Networks.Keys)
        {
            yield return new object[] { name, 1 };
            yield return new object[] { name, 3 };
        }
    }

    /// <summary>Says which kernels these checks exercise; set NETGEN_MAX_VECTOR_BITS=128 or 0 to force narrower ones.</summary>
    [Fact]
    public void Reports_the_vector_width_under_test()
    {
        _output.WriteLine($"Simd.ActiveVectorBits = {Simd.ActiveVectorBits} (NETGEN_MAX_VECTOR_BITS = {Environment.GetEnvironmentVariable("NETGEN_MAX_VECTOR_BITS") ?? "unset"})");
        Assert.True(Simd.ActiveVectorBits <= Simd.MaxVectorBits);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parameter_and_input_gradients_match_central_differences(string network, int batch)
    {
        (Func<INetwork> create, bool kinks, double h) = Networks[network];
        INetwork net = create();
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: (ulong)(100 + batch));
        var check = new GradientCheck(net, x, batch, seed: (ulong)(200 + batch));

        // Mlp has 109,386 parameters and 784 inputs: a stratified random subset of each.
        bool big = net.ParameterCount > 20_000;
        int[] parameters = big ? GradientCheck.Subset(net, 200, seed: 300) : GradientCheck.All(net.ParameterCount);
        int[] inputs = big ? Sample(net.InputLength * batch, 100, seed: 301) : GradientCheck.All(net.InputLength * batch);

        GradientCheck.Outcome p = check.CheckParameters(parameters, h, kinks);
        GradientCheck.Outcome i = check.CheckInputs(inputs, h, kinks);
        _output.WriteLine($"{network} batch {batch}: parameters {p.Checked} checked, {p.Skipped} at a kink, worst {p.WorstRatio:F3} of allowed ({p.WorstProbe}); inputs {i.Checked} checked, {i.Skipped} at a kink, worst {i.WorstRatio:F3} ({i.WorstProbe})");

        AssertFewSkipped(p, kinks, network);
        AssertFewSkipped(i, kinks, network);
        Assert.Contains(check.ParameterGradients, v => v != 0);
        Assert.Contains(check.InputGradients, v => v != 0);
    }

    private static void AssertFewSkipped(GradientCheck.Outcome o, bool kinks, string network)
    {
        if (!kinks)
        {
            Assert.Equal(0, o.Skipped);
        }

        // A kink within h of the point is rare; many skips would mean the check hardly ran.
        Assert.True(o.Skipped * 20 <= o.Checked + o.Skipped, $"{network}: {o.Skipped} of {o.Checked + o.Skipped} probes skipped at a kink: {o.SkippedProbes}");
    }

    internal static int[] Sample(int length, int count, ulong seed)
    {
        var random = new Rng(seed);
        var picked = new SortedSet<int> { 0, length - 1 };
        while (picked.Count < Math.Min(count, length))
        {
            picked.Add(random.NextInt(length));
        }

        return new List<int>(picked).ToArray();
    }
}
