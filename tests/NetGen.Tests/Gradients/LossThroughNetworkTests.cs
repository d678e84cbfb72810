using System;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Each runtime loss through a network: its Compute writes dL/dy, Backward carries it to dL/dθ and dL/dx, and
/// central differences of the loss's value agree (see <see cref="GradientCheck"/>).
/// </summary>
public sealed class LossThroughNetworkTests
{
    private readonly ITestOutputHelper _output;

    public LossThroughNetworkTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Softmax_cross_entropy_through_Mlp(int batch)
    {
        var net = new Mlp(seed: 21);
        float[] labels = Labels(batch, Mlp.OutputLength, seed: 22);
        // Pixels in [0, 1], as MNIST's. (Seed 23 puts a layer-2 pre-activation within 1e-5 of 0, so every
        // layer-0 bias probe crosses that kink and is skipped; this seed's point is clear of kinks.)
        float[] x = GradientCheck.UniformInputs(batch * Mlp.InputLength, seed: 123, min: 0f, max: 1f);
        Run(net, x, batch, new LossObjective(Loss.SoftmaxCrossEntropy, labels, batch), h: 1e-3, kinks: true, subset: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Softmax_cross_entropy_through_Sequence_with_dropout(int batch)
    {
        var net = new Sequence(seed: 24);
        float[] labels = Labels(batch, Sequence.OutputLength, seed: 25);
        float[] x = GradientCheck.UniformInputs(batch * Sequence.InputLength, seed: 26);
        Run(net, x, batch, new LossObjective(Loss.SoftmaxCrossEntropy, labels, batch), h: 1e-2, kinks: true, subset: false);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Mean_squared_error_through_GradWide(int batch)
    {
        var net = new GradWide(seed: 27);
        float[] targets = GradientCheck.UniformInputs(batch * GradWide.OutputLength, seed: 28);
        float[] x = GradientCheck.UniformInputs(batch * GradWide.InputLength, seed: 29);
        Run(net, x, batch, new LossObjective(Loss.MeanSquaredError, targets, batch), h: 1e-3, kinks: true, subset: false);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Mean_squared_error_through_Zoo_softmax_output(int batch)
    {
        var net = new Zoo(seed: 30);
        float[] targets = GradientCheck.UniformInputs(batch * Zoo.OutputLength, seed: 31, min: 0f, max: 1f);
        float[] x = GradientCheck.UniformInputs(batch * Zoo.InputLength, seed: 32);
        Run(net, x, batch, new LossObjective(Loss.MeanSquaredError, targets, batch), h: 3e-3, kinks: true, subset: false);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Binary_cross_entropy_through_GradBinary(int batch)
    {
        var net = new GradBinary(seed: 33);
        float[] targets = GradientCheck.UniformInputs(batch * GradBinary.OutputLength, seed: 34, min: 0f, max: 1f);
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = targets[i] < 0.5f ? 0f : 1f;
        }

        float[] x = GradientCheck.UniformInputs(batch * GradBinary.InputLength, seed: 35);
        Run(net, x, batch, new LossObjective(Loss.BinaryCrossEntropy, targets, batch), h: 1e-2, kinks: false, subset: false);
    }

    private void Run(INetwork net, float[] x, int batch, IObjective objective, double h, bool kinks, bool subset)
    {
        var check = new GradientCheck(net, x, batch, _ => objective);
        int[] parameters = subset ? GradientCheck.Subset(net, 200, seed: 36) : GradientCheck.All(net.ParameterCount);
        int[] inputs = subset ? NetworkGradientTests.Sample(x.Length, 100, seed: 37) : GradientCheck.All(x.Length);
        GradientCheck.Outcome p = check.CheckParameters(parameters, h, kinks);
        GradientCheck.Outcome i = check.CheckInputs(inputs, h, kinks);
        _output.WriteLine($"{net.GetType().Name} batch {batch}, {objective.GetType().Name}: loss {check.BaseLoss:G6}; parameters {p.Checked} checked, {p.Skipped} at a kink, worst {p.WorstRatio:F3} of allowed; inputs {i.Checked} checked, {i.Skipped} at a kink, worst {i.WorstRatio:F3}");
        Assert.True(p.Skipped * 20 <= p.Checked + p.Skipped, $"{p.Skipped} parameter probes skipped at a kink: {p.SkippedProbes}");
        Assert.True(i.Skipped * 20 <= i.Checked + i.Skipped, $"{i.Skipped} input probes skipped at a kink: {i.SkippedProbes}");
        Assert.Contains(check.ParameterGradients, v => v != 0);
    }

    private static float[] Labels(int batch, int classes, ulong seed)
    {
        var random = new Rng(seed);
        var labels = new float[batch];
        for (int b = 0; b < batch; b++)
        {
            labels[b] = random.NextInt(classes);
        }

        return labels;
    }
}
