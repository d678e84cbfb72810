using System;
using NetGen.CompilerServices;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The MLP's generated forward and backward chains against the same chain written by hand over the runtime's dense
/// kernels: equal bits, so the kernels are what the network runs and nothing in the chain is lost or added.
/// </summary>
public sealed class DenseKernelsChainTests
{
    private readonly struct Layer0 : IDenseLayer
    {
        public static int Inputs => 784;
        public static int Units => 128;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    private readonly struct Layer2 : IDenseLayer
    {
        public static int Inputs => 128;
        public static int Units => 64;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    private readonly struct Layer4 : IDenseLayer
    {
        public static int Inputs => 64;
        public static int Units => 10;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(64)]
    public void The_mlp_is_its_chain_of_kernels(int batch)
    {
        var net = new Mlp(seed: 3);
        var rng = new Rng(4);
        var x = new float[batch * Mlp.InputLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextFloat();
        }

        var dy = new float[batch * Mlp.OutputLength];
        for (int i = 0; i < dy.Length; i++)
        {
            dy[i] = rng.NextFloat(-1f, 1f);
        }

        var workspace = net.CreateWorkspace(batch);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        net.ForwardTraining(x, y, workspace);
        net.ZeroGradients();
        net.Backward(x, dy, dx, workspace);

        ReadOnlySpan<float> p = net.Parameters;
        var a1 = new float[batch * 128];
        var a3 = new float[batch * 64];
        var a4 = new float[batch * 10];
        DenseKernels.Forward<Layer0>(p.Slice(0, 100352), p.Slice(100352, 128), x, a1, batch, 1);
        DenseKernels.Forward<Layer2>(p.Slice(100480, 8192), p.Slice(108672, 64), a1, a3, batch, 1);
        DenseKernels.Forward<Layer4>(p.Slice(108736, 640), p.Slice(109376, 10), a3, a4, batch, 1);
        Assert.Equal(y, a4);

        var g = new float[Mlp.ParameterCount];
        var d3 = new float[batch * 64];
        var d1 = new float[batch * 128];
        var myDx = new float[x.Length];
        DenseKernels.Backward<Layer4>(p.Slice(108736, 640), g.AsSpan(108736, 640), g.AsSpan(109376, 10), a3, dy, d3, batch, 1);
        Activations.ReluBackward(a3, d3, d3);
        DenseKernels.Backward<Layer2>(p.Slice(100480, 8192), g.AsSpan(100480, 8192), g.AsSpan(108672, 64), a1, d3, d1, batch, 1);
        Activations.ReluBackward(a1, d1, d1);
        DenseKernels.Backward<Layer0>(p.Slice(0, 100352), g.AsSpan(0, 100352), g.AsSpan(100352, 128), x, d1, myDx, batch, 1);
        Assert.Equal(net.Gradients.ToArray(), g);
        Assert.Equal(dx, myDx);
    }
}
