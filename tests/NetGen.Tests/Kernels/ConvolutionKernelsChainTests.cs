using System;
using NetGen.CompilerServices;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The convolutional networks' generated forward and backward chains against the same chains written by hand over the
/// runtime's convolution, pooling and dense kernels: equal bits for the outputs, every parameter gradient and the input
/// gradients, so the kernels are what the networks run (CI reruns these at 128 bits and on the scalar path). The shapes
/// reach padding, strides, dilation, 1×1 kernels, 1-D layers, fused leaky ReLU, the vector and the scalar max pooling,
/// and whole and partial register blocks.
/// </summary>
public sealed class ConvolutionKernelsChainTests
{
    // Descriptors: in channels, height, width; out channels, height, width; kernel, stride, padding, dilation (rows, columns).
    private readonly struct LeNetConv0 : IConvolutionLayer
    {
        public static int InChannels => 1; public static int InHeight => 28; public static int InWidth => 28;
        public static int OutChannels => 6; public static int OutHeight => 28; public static int OutWidth => 28;
        public static int KernelHeight => 5; public static int KernelWidth => 5; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 2; public static int PaddingWidth => 2; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu; public static float Slope => 0f;
    }

    private readonly struct LeNetPool2 : IPoolingLayer
    {
        public static int Channels => 6; public static int InHeight => 28; public static int InWidth => 28; public static int OutHeight => 14; public static int OutWidth => 14;
        public static int KernelHeight => 2; public static int KernelWidth => 2; public static int StrideHeight => 2; public static int StrideWidth => 2;
    }

    private readonly struct LeNetConv3 : IConvolutionLayer
    {
        public static int InChannels => 6; public static int InHeight => 14; public static int InWidth => 14;
        public static int OutChannels => 16; public static int OutHeight => 10; public static int OutWidth => 10;
        public static int KernelHeight => 5; public static int KernelWidth => 5; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 0; public static int PaddingWidth => 0; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu; public static float Slope => 0f;
    }

    private readonly struct LeNetPool5 : IPoolingLayer
    {
        public static int Channels => 16; public static int InHeight => 10; public static int InWidth => 10; public static int OutHeight => 5; public static int OutWidth => 5;
        public static int KernelHeight => 2; public static int KernelWidth => 2; public static int StrideHeight => 2; public static int StrideWidth => 2;
    }

    private readonly struct LeNetDense7 : IDenseLayer
    {
        public static int Inputs => 400; public static int Units => 120; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu; public static float Slope => 0f;
    }

    private readonly struct LeNetDense9 : IDenseLayer
    {
        public static int Inputs => 120; public static int Units => 84; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu; public static float Slope => 0f;
    }

    private readonly struct LeNetDense11 : IDenseLayer
    {
        public static int Inputs => 84; public static int Units => 10; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(8, 1)]
    [InlineData(8, 3)]
    public void LeNet5_is_its_chain_of_kernels(int batch, int threads)
    {
        var net = new LeNet5(seed: 3);
        (float[] x, float[] dy, float[] y, float[] dx) = RunNetwork(net, batch, seed: 4);

        ReadOnlySpan<float> p = net.Parameters;
        var scratch = new float[threads * (19600 + 1024)];
        var a1 = new float[batch * 4704];
        var a2 = new float[batch * 1176];
        var m2 = new float[batch * 1176];
        var a4 = new float[batch * 1600];
        var a5 = new float[batch * 400];
        var m5 = new float[batch * 400];
        var a8 = new float[batch * 120];
        var a10 = new float[batch * 84];
        var a11 = new float[batch * 10];
        ConvolutionKernels.Forward<LeNetConv0>(p.Slice(0, 150), p.Slice(150, 6), x, a1, scratch, batch, threads);
        PoolingKernels.MaxForward<LeNetPool2>(a1, a2, m2, batch, threads);
        ConvolutionKernels.Forward<LeNetConv3>(p.Slice(156, 2400), p.Slice(2556, 16), a2, a4, scratch, batch, threads);
        PoolingKernels.MaxForward<LeNetPool5>(a4, a5, m5, batch, threads);
        DenseKernels.Forward<LeNetDense7>(p.Slice(2572, 48000), p.Slice(50572, 120), a5, a8, batch, threads);
        DenseKernels.Forward<LeNetDense9>(p.Slice(50692, 10080), p.Slice(60772, 84), a8, a10, batch, threads);
        DenseKernels.Forward<LeNetDense11>(p.Slice(60856, 840), p.Slice(61696, 10), a10, a11, batch, threads);
        Assert.Equal(y, a11);

        // inference writes no winners and gives the same outputs
        var inferred = new float[a2.Length];
        PoolingKernels.MaxForward<LeNetPool2>(a1, inferred, default, batch, threads);
        Assert.Equal(a2, inferred);

        var g = new float[LeNet5.ParameterCount];
        var d10 = new float[a10.Length];
        var d8 = new float[a8.Length];
        var d5 = new float[a5.Length];
        var d4 = new float[a4.Length];
        var d2 = new float[a2.Length];
        var d1 = new float[a1.Length];
        var myDx = new float[x.Length];
        DenseKernels.Backward<LeNetDense11>(p.Slice(60856, 840), g.AsSpan(60856, 840), g.AsSpan(61696, 10), a10, dy, d10, batch, 1);
        Activations.ReluBackward(a10, d10, d10);
        DenseKernels.Backward<LeNetDense9>(p.Slice(50692, 10080), g.AsSpan(50692, 10080), g.AsSpan(60772, 84), a8, d10, d8, batch, 1);
        Activations.ReluBackward(a8, d8, d8);
        DenseKernels.Backward<LeNetDense7>(p.Slice(2572, 48000), g.AsSpan(2572, 48000), g.AsSpan(50572, 120), a5, d8, d5, batch, 1);
        PoolingKernels.MaxBackward<LeNetPool5>(m5, d5, d4, batch, threads);
        Activations.ReluBackward(a4, d4, d4);
        ConvolutionKernels.Backward<LeNetConv3>(p.Slice(156, 2400), g.AsSpan(156, 2400), g.AsSpan(2556, 16), a2, d4, d2, scratch, batch, threads);
        PoolingKernels.MaxBackward<LeNetPool2>(m2, d2, d1, batch, threads);
        Activations.ReluBackward(a1, d1, d1);
        ConvolutionKernels.Backward<LeNetConv0>(p.Slice(0, 150), g.AsSpan(0, 150), g.AsSpan(150, 6), x, d1, myDx, scratch, batch, threads);
        Assert.Equal(net.Gradients.ToArray(), g);
        Assert.Equal(dx, myDx);
    }

    private readonly struct PlainConv : IConvolutionLayer
    {
        public static int InChannels => 2; public static int InHeight => 7; public static int InWidth => 9;
        public static int OutChannels => 3; public static int OutHeight => 5; public static int OutWidth => 7;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 0; public static int PaddingWidth => 0; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct StridedConv : IConvolutionLayer
    {
        public static int InChannels => 3; public static int InHeight => 9; public static int InWidth => 8;
        public static int OutChannels => 2; public static int OutHeight => 4; public static int OutWidth => 3;
        public static int KernelHeight => 3; public static int KernelWidth => 2; public static int StrideHeight => 2; public static int StrideWidth => 3;
        public static int PaddingHeight => 0; public static int PaddingWidth => 1; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct DilatedConv : IConvolutionLayer
    {
        public static int InChannels => 2; public static int InHeight => 9; public static int InWidth => 9;
        public static int OutChannels => 3; public static int OutHeight => 5; public static int OutWidth => 5;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 2; public static int StrideWidth => 2;
        public static int PaddingHeight => 2; public static int PaddingWidth => 2; public static int DilationHeight => 2; public static int DilationWidth => 2;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct PointwiseConv : IConvolutionLayer
    {
        public static int InChannels => 5; public static int InHeight => 4; public static int InWidth => 6;
        public static int OutChannels => 3; public static int OutHeight => 4; public static int OutWidth => 6;
        public static int KernelHeight => 1; public static int KernelWidth => 1; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 0; public static int PaddingWidth => 0; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => false; public static bool HasBias => false;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct WideConv : IConvolutionLayer
    {
        public static int InChannels => 3; public static int InHeight => 12; public static int InWidth => 20;
        public static int OutChannels => 16; public static int OutHeight => 12; public static int OutWidth => 20;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 2; public static int PaddingWidth => 1; public static int DilationHeight => 2; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    /// <summary>The element-wise activation a single-convolution network applies after its kernel.</summary>
    private enum After
    {
        None,
        Tanh,
        Sigmoid,
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Single_convolutions_are_their_kernels(int batch)
    {
        CheckSingle<PlainConv>(new GradConvPlain(seed: 5), batch, After.None);
        CheckSingle<StridedConv>(new GradConvStrided(seed: 6), batch, After.None);
        CheckSingle<DilatedConv>(new GradConvDilated(seed: 7), batch, After.Sigmoid);
        CheckSingle<PointwiseConv>(new GradConvPointwise(seed: 8), batch, After.None);
        CheckSingle<WideConv>(new GradConvWide(seed: 9), batch, After.Tanh);
    }

    private static void CheckSingle<TL>(INetwork net, int batch, After after)
        where TL : struct, IConvolutionLayer
    {
        (float[] x, float[] dy, float[] y, float[] dx) = RunNetwork(net, batch, seed: 10);
        ReadOnlySpan<float> p = net.Parameters;
        int weights = TL.OutChannels * TL.InChannels * TL.KernelHeight * TL.KernelWidth;
        ReadOnlySpan<float> bias = TL.HasBias ? p.Slice(weights, TL.OutChannels) : default;
        var scratch = new float[ConvolutionKernels.ScratchLength<TL>()];
        var a = new float[y.Length];
        ConvolutionKernels.Forward<TL>(p.Slice(0, weights), bias, x, a, scratch, batch, 1);
        if (after == After.Tanh)
        {
            Activations.Tanh(a, a);
        }
        else if (after == After.Sigmoid)
        {
            Activations.Sigmoid(a, a);
        }

        Assert.Equal(y, a);

        var g = new float[net.ParameterCount];
        var d = (float[])dy.Clone();
        if (after == After.Tanh)
        {
            Activations.TanhBackward(a, d, d);
        }
        else if (after == After.Sigmoid)
        {
            Activations.SigmoidBackward(a, d, d);
        }

        var myDx = new float[x.Length];
        ConvolutionKernels.Backward<TL>(p.Slice(0, weights), g.AsSpan(0, weights), TL.HasBias ? g.AsSpan(weights, TL.OutChannels) : default, x, d, myDx, scratch, batch, 1);
        Assert.Equal(net.Gradients.ToArray(), g);
        Assert.Equal(dx, myDx);
    }

    private readonly struct SequenceConv : IConvolutionLayer
    {
        public static int InChannels => 3; public static int InHeight => 1; public static int InWidth => 11;
        public static int OutChannels => 4; public static int OutHeight => 1; public static int OutWidth => 6;
        public static int KernelHeight => 1; public static int KernelWidth => 3; public static int StrideHeight => 1; public static int StrideWidth => 2;
        public static int PaddingHeight => 0; public static int PaddingWidth => 2; public static int DilationHeight => 1; public static int DilationWidth => 2;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct SequenceMax : IPoolingLayer
    {
        public static int Channels => 4; public static int InHeight => 1; public static int InWidth => 6; public static int OutHeight => 1; public static int OutWidth => 5;
        public static int KernelHeight => 1; public static int KernelWidth => 2; public static int StrideHeight => 1; public static int StrideWidth => 1;
    }

    private readonly struct SequenceAverage : IPoolingLayer
    {
        public static int Channels => 4; public static int InHeight => 1; public static int InWidth => 5; public static int OutHeight => 1; public static int OutWidth => 2;
        public static int KernelHeight => 1; public static int KernelWidth => 2; public static int StrideHeight => 1; public static int StrideWidth => 3;
    }

    private readonly struct SequenceDense : IDenseLayer
    {
        public static int Inputs => 8; public static int Units => 3; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void A_sequence_network_is_its_chain_of_kernels(int batch)
    {
        var net = new GradConv1D(seed: 11);
        (float[] x, float[] dy, float[] y, float[] dx) = RunNetwork(net, batch, seed: 12);
        ReadOnlySpan<float> p = net.Parameters;
        var scratch = new float[ConvolutionKernels.ScratchLength<SequenceConv>()];
        var a1 = new float[batch * 24];
        var a2 = new float[batch * 20];
        var m2 = new float[batch * 20];
        var a3 = new float[batch * 8];
        var a5 = new float[batch * 3];
        ConvolutionKernels.Forward<SequenceConv>(p.Slice(0, 36), p.Slice(36, 4), x, a1, scratch, batch, 1);
        Activations.Tanh(a1, a1);
        PoolingKernels.MaxForward<SequenceMax>(a1, a2, m2, batch, 1);
        PoolingKernels.AverageForward<SequenceAverage>(a2, a3, batch);
        DenseKernels.Forward<SequenceDense>(p.Slice(40, 24), p.Slice(64, 3), a3, a5, batch, 1);
        Assert.Equal(y, a5);

        var g = new float[GradConv1D.ParameterCount];
        var d3 = new float[a3.Length];
        var d2 = new float[a2.Length];
        var d1 = new float[a1.Length];
        var myDx = new float[x.Length];
        DenseKernels.Backward<SequenceDense>(p.Slice(40, 24), g.AsSpan(40, 24), g.AsSpan(64, 3), a3, dy, d3, batch, 1);
        PoolingKernels.AverageBackward<SequenceAverage>(d3, d2, batch);
        PoolingKernels.MaxBackward<SequenceMax>(m2, d2, d1, batch, 1);
        Activations.TanhBackward(a1, d1, d1);
        ConvolutionKernels.Backward<SequenceConv>(p.Slice(0, 36), g.AsSpan(0, 36), g.AsSpan(36, 4), x, d1, myDx, scratch, batch, 1);
        Assert.Equal(net.Gradients.ToArray(), g);
        Assert.Equal(dx, myDx);
    }

    private readonly struct PairMax : IPoolingLayer
    {
        public static int Channels => 2; public static int InHeight => 7; public static int InWidth => 9; public static int OutHeight => 3; public static int OutWidth => 4;
        public static int KernelHeight => 2; public static int KernelWidth => 2; public static int StrideHeight => 2; public static int StrideWidth => 2;
    }

    private readonly struct OverlappingMax : IPoolingLayer
    {
        public static int Channels => 2; public static int InHeight => 3; public static int InWidth => 4; public static int OutHeight => 1; public static int OutWidth => 2;
        public static int KernelHeight => 2; public static int KernelWidth => 3; public static int StrideHeight => 2; public static int StrideWidth => 1;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Max_pooling_is_its_kernels_with_ties_and_NaN(int batch)
    {
        var net = new GradMaxPool();
        var x = new float[batch * GradMaxPool.InputLength];
        var rng = new Rng(13);
        for (int i = 0; i < x.Length; i++)
        {
            // few distinct values, so windows tie; a NaN now and then
            x[i] = i % 17 == 5 ? float.NaN : MathF.Round(rng.NextFloat(-2f, 2f));
        }

        var dy = new float[batch * GradMaxPool.OutputLength];
        for (int i = 0; i < dy.Length; i++)
        {
            dy[i] = rng.NextFloat(-1f, 1f);
        }

        var workspace = net.CreateWorkspace(batch);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, dx, workspace);

        var a0 = new float[batch * 24];
        var m0 = new float[a0.Length];
        var a1 = new float[batch * 4];
        var m1 = new float[a1.Length];
        PoolingKernels.MaxForward<PairMax>(x, a0, m0, batch, 1);
        PoolingKernels.MaxForward<OverlappingMax>(a0, a1, m1, batch, 1);
        AssertBits(y, a1);
        var d0 = new float[a0.Length];
        var myDx = new float[x.Length];
        PoolingKernels.MaxBackward<OverlappingMax>(m1, dy, d0, batch, 1);
        PoolingKernels.MaxBackward<PairMax>(m0, d0, myDx, batch, 1);
        Assert.Equal(dx, myDx);
    }

    private readonly struct FusedConv0 : IConvolutionLayer
    {
        public static int InChannels => 2; public static int InHeight => 4; public static int InWidth => 5;
        public static int OutChannels => 3; public static int OutHeight => 4; public static int OutWidth => 5;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 1; public static int PaddingWidth => 1; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.LeakyRelu; public static float Slope => 0.1f;
    }

    private readonly struct FusedConv2 : IConvolutionLayer
    {
        public static int InChannels => 3; public static int InHeight => 4; public static int InWidth => 5;
        public static int OutChannels => 3; public static int OutHeight => 3; public static int OutWidth => 4;
        public static int KernelHeight => 2; public static int KernelWidth => 2; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 0; public static int PaddingWidth => 0; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct FusedConv4 : IConvolutionLayer
    {
        public static int InChannels => 3; public static int InHeight => 3; public static int InWidth => 4;
        public static int OutChannels => 2; public static int OutHeight => 4; public static int OutWidth => 5;
        public static int KernelHeight => 2; public static int KernelWidth => 2; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 1; public static int PaddingWidth => 1; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Fused_activations_are_their_kernels(int batch)
    {
        var net = new GradConvFused(seed: 14);
        (float[] x, float[] dy, float[] y, float[] dx) = RunNetwork(net, batch, seed: 15);
        ReadOnlySpan<float> p = net.Parameters;
        var scratch = new float[ConvolutionKernels.ScratchLength<FusedConv0>()];
        var a1 = new float[batch * 60];
        var z2 = new float[batch * 36];
        var a3 = new float[batch * 36];
        var z4 = new float[batch * 40];
        var a5 = new float[batch * 40];
        ConvolutionKernels.Forward<FusedConv0>(p.Slice(0, 54), p.Slice(54, 3), x, a1, scratch, batch, 1);
        ConvolutionKernels.Forward<FusedConv2>(p.Slice(57, 36), p.Slice(93, 3), a1, z2, scratch, batch, 1);
        Activations.LeakyRelu(z2, a3, -0.5f);
        ConvolutionKernels.Forward<FusedConv4>(p.Slice(96, 24), p.Slice(120, 2), a3, z4, scratch, batch, 1);
        Activations.Gelu(z4, a5);
        Assert.Equal(y, a5);

        var g = new float[GradConvFused.ParameterCount];
        var d5 = (float[])dy.Clone();
        var d3 = new float[a3.Length];
        var d1 = new float[a1.Length];
        var myDx = new float[x.Length];
        Activations.GeluBackward(z4, d5, d5);
        ConvolutionKernels.Backward<FusedConv4>(p.Slice(96, 24), g.AsSpan(96, 24), g.AsSpan(120, 2), a3, d5, d3, scratch, batch, 1);
        Activations.LeakyReluBackwardFromInput(z2, d3, d3, -0.5f);
        ConvolutionKernels.Backward<FusedConv2>(p.Slice(57, 36), g.AsSpan(57, 36), g.AsSpan(93, 3), a1, d3, d1, scratch, batch, 1);
        Activations.LeakyReluBackward(a1, d1, d1, 0.1f);
        ConvolutionKernels.Backward<FusedConv0>(p.Slice(0, 54), g.AsSpan(0, 54), g.AsSpan(54, 3), x, d1, myDx, scratch, batch, 1);
        Assert.Equal(net.Gradients.ToArray(), g);
        Assert.Equal(dx, myDx);
    }

    /// <summary>A training forward and a backward through the generated network on random inputs and output gradients.</summary>
    private static (float[] X, float[] Dy, float[] Y, float[] Dx) RunNetwork(INetwork net, int batch, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[batch * net.InputLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextFloat(-1f, 1f);
        }

        var dy = new float[batch * net.OutputLength];
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
        return (x, dy, y, dx);
    }

    /// <summary>Equal bits, NaN payloads included.</summary>
    private static void AssertBits(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
        }
    }
}
