using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Backward adds into Gradients (two calls give twice one call), and a batch's gradients are the sum of its
/// samples' gradients (its dL/dx the samples' dL/dx side by side). Different summation orders make these equal
/// to float rounding, not bit for bit: relative 1e-5 of the largest gradient.
/// </summary>
public sealed class BackwardAccumulationTests
{
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> Networks()
    {
        foreach (string name in NetworkGradientTests.Networks.Keys)
        {
            yield return new object[] { name };
        }
    }

    /// <summary>Networks without dropout: with it, a batch draws a different mask than its samples one by one.</summary>
    public static IEnumerable<object[]> NetworksWithoutDropout()
    {
        foreach (string name in NetworkGradientTests.Networks.Keys)
        {
            if (name is not ("Zoo" or "Sequence" or "GradDropout" or "GradStandalone"))
            {
                yield return new object[] { name };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Two_backward_calls_give_twice_the_gradients(string network)
    {
        INetwork net = NetworkGradientTests.Networks[network].Create();
        const int Batch = 5;
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

        AssertClose(Scaled(once, 2), twice, $"{network}: gradients after two backward calls");
        Assert.Equal(dx, dxAgain); // dL/dx is written, not added
        Assert.Contains(once, v => v != 0);

        net.ZeroGradients();
        Assert.All(net.Gradients.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(NetworksWithoutDropout))]
    public void A_batch_gives_the_sum_of_its_samples_gradients(string network)
    {
        INetwork net = NetworkGradientTests.Networks[network].Create();
        const int Batch = 7;
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
            AssertClose(y.AsSpan(b * m, m).ToArray(), ySample, $"{network}: output of sample {b}");
            net.Backward(x.AsSpan(b * n, n), dy.AsSpan(b * m, m), dxSample, single);
            AssertClose(dx.AsSpan(b * n, n).ToArray(), dxSample, $"{network}: dL/dx of sample {b}");
            ReadOnlySpan<float> g = net.Gradients;
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += g[i];
            }
        }

        AssertClose(Array.ConvertAll(sum, v => (float)v), batchGradients, $"{network}: batch gradients against the sum over samples");
    }

    private static float[] Scaled(float[] values, float factor) => Array.ConvertAll(values, v => v * factor);

    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        double allowed = Tolerance * Math.Max(scale, 1e-6);
        int worst = -1;
        double worstError = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)expected[i] - actual[i]);
            if (error > worstError)
            {
                worstError = error;
                worst = i;
            }
        }

        Assert.True(worstError <= allowed, $"{what}: element {worst} expected {(worst >= 0 ? expected[worst] : 0):R}, got {(worst >= 0 ? actual[worst] : 0):R}, error {worstError:E2} > {allowed:E2}.");
    }
}
