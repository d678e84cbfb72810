using System;
using System.Collections.Generic;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Central differences against Backward for convolution and pooling (see <see cref="GradientCheck"/>): every
/// parameter and every input of small networks over square and rectangular kernels, per-axis strides, padding,
/// dilation, 1×1 kernels, odd-sized inputs, max, average and global pooling, 1-D and 2-D; with the accumulation
/// properties of <see cref="BackwardAccumulationTests"/> and allocation-free forward and training steps.
/// </summary>
public sealed class ConvolutionGradientTests
{
    private readonly ITestOutputHelper _output;

    public ConvolutionGradientTests(ITestOutputHelper output) => _output = output;

    /// <summary>The networks, whether they have kinks (ReLU, max pooling), and the step h.</summary>
    internal static readonly Dictionary<string, (Func<INetwork> Create, bool Kinks, double H)> Networks = new()
    {
        ["GradConvPlain"] = (() => new GradConvPlain(seed: 31), false, 1e-2),
        ["GradConvPadded"] = (() => new GradConvPadded(seed: 32), false, 1e-2),
        ["GradConvStrided"] = (() => new GradConvStrided(seed: 33), false, 1e-2),
        ["GradConvDilated"] = (() => new GradConvDilated(seed: 34), false, 1e-2),
        ["GradConvPointwise"] = (() => new GradConvPointwise(seed: 35), false, 1e-2),
        ["GradConvWide"] = (() => new GradConvWide(seed: 36), false, 1e-2),
        ["GradMaxPool"] = (() => new GradMaxPool(seed: 37), true, 1e-3),
        ["GradAvgPool"] = (() => new GradAvgPool(seed: 38), false, 1e-2),
        ["GradConv1D"] = (() => new GradConv1D(seed: 39), true, 1e-3),
        ["GradGlobalPool"] = (() => new GradGlobalPool(seed: 40), false, 1e-2),
        ["GradGlobalPool1D"] = (() => new GradGlobalPool1D(seed: 41), false, 1e-2),
        ["GradLeNetSmall"] = (() => new GradLeNetSmall(seed: 42), false, 1e-3),
        ["GradConvFused"] = (() => new GradConvFused(seed: 44), true, 2e-4),
        ["LeNet5"] = (() => new LeNet5(seed: 43), true, 1e-3),
    };

    /// <summary>
    /// Every network but LeNet5: a weight of its first convolution moves 784 positions through ReLU and max pooling, so
    /// most probes cross a kink (a ReLU at 0, or two window values trading places). Its gradients are checked against
    /// PyTorch's instead (ConvolutionParityTests).
    /// </summary>
    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in Networks.Keys)
        {
            if (name == "LeNet5")
            {
                continue;
            }

            yield return new object[] { name, 1 };
            yield return new object[] { name, 3 };
        }
    }

    public static IEnumerable<object[]> Names()
    {
        foreach (string name in Networks.Keys)
        {
            yield return new object[] { name };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parameter_and_input_gradients_match_central_differences(string network, int batch)
    {
        (Func<INetwork> create, bool kinks, double h) = Networks[network];
        INetwork net = create();
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: (ulong)(500 + batch));
        var check = new GradientCheck(net, x, batch, seed: (ulong)(600 + batch));

        bool big = net.ParameterCount > 5_000;
        int[] parameters = big ? GradientCheck.Subset(net, 300, seed: 700) : GradientCheck.All(net.ParameterCount);
        int[] inputs = big ? NetworkGradientTests.Sample(net.InputLength * batch, 150, seed: 701) : GradientCheck.All(net.InputLength * batch);

        GradientCheck.Outcome p = check.CheckParameters(parameters, h, kinks);
        GradientCheck.Outcome i = check.CheckInputs(inputs, h, kinks);
        _output.WriteLine($"{network} batch {batch} ({Simd.ActiveVectorBits}-bit): parameters {p.Checked} checked, {p.Skipped} at a kink, worst {p.WorstRatio:F3} of allowed ({p.WorstProbe}); inputs {i.Checked} checked, {i.Skipped} at a kink, worst {i.WorstRatio:F3} ({i.WorstProbe})");

        Assert.True(p.Skipped * 20 <= p.Checked + p.Skipped, $"{network}: {p.Skipped} parameter probes skipped at a kink");
        Assert.True(i.Skipped * 20 <= i.Checked + i.Skipped, $"{network}: {i.Skipped} input probes skipped at a kink");
        if (!kinks)
        {
            Assert.Equal(0, p.Skipped + i.Skipped);
        }

        Assert.Contains(check.InputGradients, v => v != 0);
        if (net.ParameterCount > 0)
        {
            Assert.Contains(check.ParameterGradients, v => v != 0);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Two_backward_calls_give_twice_the_gradients_and_the_same_input_gradient(string network)
    {
        INetwork net = Networks[network].Create();
        const int Batch = 4;
        float[] x = GradientCheck.UniformInputs(Batch * net.InputLength, seed: 1);
        float[] dy = GradientCheck.UniformInputs(Batch * net.OutputLength, seed: 2);
        Workspace workspace = net.CreateWorkspace(Batch);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        var dxAgain = new float[x.Length];

        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, dx, workspace);
        float[] once = net.Gradients.ToArray();
        net.Backward(x, dy, dxAgain, workspace);
        float[] twice = net.Gradients.ToArray();

        BackwardAccumulationTests.AssertClose(Array.ConvertAll(once, v => v * 2), twice, $"{network}: gradients after two backward calls");
        Assert.Equal(dx, dxAgain);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_batch_gives_its_samples_outputs_and_the_sum_of_their_gradients(string network)
    {
        if (network == "GradLeNetSmall")
        {
            return; // dropout: a batch draws a different mask than its samples one by one
        }

        INetwork net = Networks[network].Create();
        const int Batch = 19; // three groups of the convolutions' dW sums: 8, 8 and 3 samples
        int n = net.InputLength, m = net.OutputLength;
        float[] x = GradientCheck.UniformInputs(Batch * n, seed: 3);
        float[] dy = GradientCheck.UniformInputs(Batch * m, seed: 4);

        net.ZeroGradients();
        Workspace batchWorkspace = net.CreateWorkspace(Batch);
        var y = new float[Batch * m];
        var dx = new float[Batch * n];
        net.ForwardTraining(x, y, batchWorkspace);
        net.Backward(x, dy, dx, batchWorkspace);
        float[] batchGradients = net.Gradients.ToArray();

        var sum = new double[net.ParameterCount];
        var ySample = new float[m];
        var dxSample = new float[n];
        Workspace single = net.CreateWorkspace(1);
        for (int b = 0; b < Batch; b++)
        {
            net.ZeroGradients();
            net.ForwardTraining(x.AsSpan(b * n, n), ySample, single);
            BackwardAccumulationTests.AssertClose(y.AsSpan(b * m, m).ToArray(), ySample, $"{network}: output of sample {b}");
            net.Backward(x.AsSpan(b * n, n), dy.AsSpan(b * m, m), dxSample, single);
            BackwardAccumulationTests.AssertClose(dx.AsSpan(b * n, n).ToArray(), dxSample, $"{network}: dL/dx of sample {b}");
            ReadOnlySpan<float> g = net.Gradients;
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += g[i];
            }
        }

        BackwardAccumulationTests.AssertClose(Array.ConvertAll(sum, v => (float)v), batchGradients, $"{network}: batch gradients against the sum over samples");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void LeNet_forward_and_training_step_allocate_nothing(int batch)
    {
        var net = new LeNet5(seed: 1);
        float[] x = GradientCheck.UniformInputs(batch * LeNet5.InputLength, seed: 2);
        var y = new float[batch * LeNet5.OutputLength];
        var dy = new float[y.Length];
        var dx = new float[x.Length];
        var labels = new float[batch];
        for (int b = 0; b < batch; b++)
        {
            labels[b] = b % 10;
        }

        Workspace workspace = net.CreateWorkspace(batch);
        AssertNoAllocation(() => net.Forward(x, y, workspace));
        AssertNoAllocation(() => net.Forward(x, y));
        float sink = 0;
        AssertNoAllocation(() =>
        {
            net.ForwardTraining(x, y, workspace);
            sink += Loss.SoftmaxCrossEntropy.Compute(y, labels, dy, batch);
            net.ZeroGradients();
            net.Backward(x, dy, dx, workspace);
            net.Backward(x, dy, default, workspace);
        });
        Assert.True(float.IsFinite(sink));

        var pooled = new GradConv1D(seed: 3);
        float[] xs = GradientCheck.UniformInputs(batch * GradConv1D.InputLength, seed: 4);
        var ys = new float[batch * GradConv1D.OutputLength];
        AssertNoAllocation(() => pooled.Forward(xs, ys));
    }

    private static void AssertNoAllocation(Action action) => AllocationAssert.Zero(action);
}
