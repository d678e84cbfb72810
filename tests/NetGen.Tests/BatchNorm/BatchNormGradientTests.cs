using System;
using System.Collections.Generic;
using NetGen.Tests.Gradients;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.BatchNorm;

/// <summary>
/// Central differences against Backward through batch normalization in training mode, where each output depends
/// on every sample of the batch through the batch's mean and variance. Each evaluation is a training forward, so it
/// also moves the running statistics; those do not feed the training output, so the function being differentiated
/// stays fixed (the test asserts that too).
/// </summary>
public sealed class BatchNormGradientTests
{
    private readonly ITestOutputHelper _output;

    private const double H = 1e-3;

    public BatchNormGradientTests(ITestOutputHelper output) => _output = output;

    internal static readonly Dictionary<string, Func<INetwork>> Networks = new()
    {
        ["BnVector"] = () => new BnVector(seed: 21),
        ["BnSequence"] = () => new BnSequence(seed: 22),
        ["BnImage"] = () => new BnImage(seed: 23),
        ["BnTwice"] = () => new BnTwice(seed: 24),
    };

    /// <summary>
    /// Batches of 3 and 6; and of 1 where a channel has several positions (a [C, L] or [C, H, W] input), which
    /// PyTorch accepts too. A batch of 2 is left out on purpose: on a vector each channel's x̂ is then ±1 whatever
    /// the inputs, every gradient upstream of the batch norm is float noise, and a difference check says nothing.
    /// </summary>
    public static IEnumerable<object[]> Cases()
    {
        foreach (string name in Networks.Keys)
        {
            if (name is "BnSequence" or "BnImage")
            {
                yield return new object[] { name, 1 };
            }

            yield return new object[] { name, 3 };
            yield return new object[] { name, 6 };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parameter_and_input_gradients_match_central_differences(string network, int batch)
    {
        INetwork net = Networks[network]();
        RandomizeAffine(net, seed: 40);
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: (ulong)(110 + batch), min: -2f, max: 3f);
        var check = new GradientCheck(net, x, batch, seed: (ulong)(210 + batch));

        GradientCheck.Outcome p = check.CheckParameters(GradientCheck.All(net.ParameterCount), H, hasKinks: false);
        GradientCheck.Outcome i = check.CheckInputs(GradientCheck.All(net.InputLength * batch), H, hasKinks: false);
        _output.WriteLine($"{network} batch {batch}: parameters {p.Checked}, worst {p.WorstRatio:F3} of allowed ({p.WorstProbe}); inputs {i.Checked}, worst {i.WorstRatio:F3} ({i.WorstProbe})");
        Assert.Contains(check.InputGradients, v => v != 0);

        // Running statistics moved with every evaluation, but the training output did not depend on them.
        Assert.Contains(net.Buffers.ToArray(), v => v != 0f && v != 1f);
    }

    [Fact]
    public void Input_gradient_of_a_batch_norm_sums_to_zero_per_channel()
    {
        // dx = γ/σ (dy − mean(dy) − x̂ mean(dy x̂)): Σ dx = 0 and Σ dx x̂ = 0 per channel, whatever dy is.
        var net = new BnImage(seed: 5);
        const int Batch = 3;
        float[] x = GradientCheck.UniformInputs(Batch * BnImage.InputLength, seed: 6);
        var y = new float[Batch * BnImage.OutputLength];
        float[] dy = GradientCheck.UniformInputs(y.Length, seed: 7);
        var dx = new float[x.Length];
        Workspace workspace = net.CreateWorkspace(Batch);
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, dx, workspace);

        // BnImage's input is [3, 5, 7] and batch norm its first layer: dx is the batch norm's own dx.
        for (int c = 0; c < 3; c++)
        {
            double sum = 0, scale = 0;
            for (int n = 0; n < Batch; n++)
            {
                for (int s = 0; s < 35; s++)
                {
                    float v = dx[(n * 105) + (c * 35) + s];
                    sum += v;
                    scale += Math.Abs(v);
                }
            }

            Assert.True(Math.Abs(sum) <= 1e-5 * scale, $"channel {c}: Σ dx = {sum:E3} (Σ |dx| = {scale:E3})");
        }
    }

    /// <summary>γ and β away from 1 and 0, so their gradients and their use in dx are both exercised.</summary>
    internal static void RandomizeAffine(INetwork net, ulong seed)
    {
        var random = new Rng(seed);
        foreach (ParameterTensor t in net.ParameterTensors)
        {
            if (IsBatchNorm(net, t.Name))
            {
                Span<float> values = net.Parameters.Slice(t.Offset, t.Length);
                for (int k = 0; k < values.Length; k++)
                {
                    values[k] = t.Name.EndsWith(".weight", StringComparison.Ordinal) ? random.NextFloat(0.5f, 1.5f) : random.NextFloat(-0.5f, 0.5f);
                }
            }
        }
    }

    private static bool IsBatchNorm(INetwork net, string parameterName)
    {
        string layer = parameterName[..parameterName.LastIndexOf('.')];
        foreach (ParameterTensor b in net.BufferTensors)
        {
            if (b.Name == layer + ".running_mean")
            {
                return true;
            }
        }

        return false;
    }
}
