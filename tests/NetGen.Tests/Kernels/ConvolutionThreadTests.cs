using System;
using NetGen.CompilerServices;
using NetGen.Tests.Gradients;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The convolution kernels give the same bits on 1, 2 and 3 threads, forward (y) and backward (dW, db, dx), on each of
/// their paths: dW by groups of samples on the direct path (LeNet's first layer; a dilated one with a partial block of
/// filters) and on the im2row path (LeNet's second layer, whose batch of 17 ends with a group of one; a strided, dilated
/// one; a 1×1 layer without columns), and dW in column blocks of im2row (many filters over few positions, whose group sums
/// do not fit the slot). The batches are large enough that every call splits.
/// </summary>
public sealed class ConvolutionThreadTests
{
    // in channels, height, width; out channels, height, width; kernel, stride, padding, dilation (rows, columns)
    private readonly struct LeNetConv0 : IConvolutionLayer
    {
        public static int InChannels => 1; public static int InHeight => 28; public static int InWidth => 28;
        public static int OutChannels => 6; public static int OutHeight => 28; public static int OutWidth => 28;
        public static int KernelHeight => 5; public static int KernelWidth => 5; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 2; public static int PaddingWidth => 2; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu; public static float Slope => 0f;
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

    private readonly struct DilatedDirect : IConvolutionLayer
    {
        public static int InChannels => 3; public static int InHeight => 12; public static int InWidth => 20;
        public static int OutChannels => 16; public static int OutHeight => 12; public static int OutWidth => 20;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 2; public static int PaddingWidth => 1; public static int DilationHeight => 2; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.LeakyRelu; public static float Slope => 0.1f;
    }

    private readonly struct StridedBlocks : IConvolutionLayer
    {
        public static int InChannels => 2; public static int InHeight => 9; public static int InWidth => 9;
        public static int OutChannels => 3; public static int OutHeight => 5; public static int OutWidth => 5;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 2; public static int StrideWidth => 2;
        public static int PaddingHeight => 2; public static int PaddingWidth => 2; public static int DilationHeight => 2; public static int DilationWidth => 2;
        public static bool UsesColumns => true; public static bool HasBias => false;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct Pointwise : IConvolutionLayer
    {
        public static int InChannels => 5; public static int InHeight => 4; public static int InWidth => 6;
        public static int OutChannels => 3; public static int OutHeight => 4; public static int OutWidth => 6;
        public static int KernelHeight => 1; public static int KernelWidth => 1; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 0; public static int PaddingWidth => 0; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => false; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    private readonly struct WideFilters : IConvolutionLayer
    {
        public static int InChannels => 8; public static int InHeight => 6; public static int InWidth => 6;
        public static int OutChannels => 32; public static int OutHeight => 4; public static int OutWidth => 4;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 0; public static int PaddingWidth => 0; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    [Fact]
    public void LeNet_layers_give_the_same_bits_on_every_thread_count()
    {
        Check<LeNetConv0>(batch: 17);
        Check<LeNetConv3>(batch: 17);
    }

    [Fact]
    public void Other_layers_give_the_same_bits_on_every_thread_count()
    {
        Check<DilatedDirect>(batch: 40);
        Check<StridedBlocks>(batch: 1200);
        Check<Pointwise>(batch: 3000);
        Check<WideFilters>(batch: 300);
    }

    private static void Check<TL>(int batch)
        where TL : struct, IConvolutionLayer
    {
        int weights = TL.OutChannels * TL.InChannels * TL.KernelHeight * TL.KernelWidth;
        int inLength = TL.InChannels * TL.InHeight * TL.InWidth, outLength = TL.OutChannels * TL.OutHeight * TL.OutWidth;
        float[] w = GradientCheck.UniformInputs(weights, seed: 1);
        float[] b = TL.HasBias ? GradientCheck.UniformInputs(TL.OutChannels, seed: 2) : Array.Empty<float>();
        float[] x = GradientCheck.UniformInputs(batch * inLength, seed: 3);
        float[] dy = GradientCheck.UniformInputs(batch * outLength, seed: 4);
        float[] start = GradientCheck.UniformInputs(weights + TL.OutChannels, seed: 5);
        (float[] y1, float[] dw1, float[] db1, float[] dx1) = Run<TL>(w, b, x, dy, start, batch, threads: 1);
        for (int threads = 2; threads <= 3; threads++)
        {
            (float[] y, float[] dw, float[] db, float[] dx) = Run<TL>(w, b, x, dy, start, batch, threads);
            AssertBits(y1, y);
            AssertBits(dw1, dw);
            AssertBits(db1, db);
            AssertBits(dx1, dx);
        }
    }

    private static (float[] Y, float[] WeightGradient, float[] BiasGradient, float[] InputGradient) Run<TL>(float[] w, float[] b, float[] x, float[] dy, float[] start, int batch, int threads)
        where TL : struct, IConvolutionLayer
    {
        int weights = w.Length;
        var scratch = new float[threads * ConvolutionKernels.ScratchLength<TL>()];
        var y = new float[dy.Length];
        ConvolutionKernels.Forward<TL>(w, b, x, y, scratch, batch, threads);

        // the gradients accumulate onto what is there
        float[] dw = start.AsSpan(0, weights).ToArray();
        float[] db = TL.HasBias ? start.AsSpan(weights, TL.OutChannels).ToArray() : Array.Empty<float>();
        var dx = new float[x.Length];
        ConvolutionKernels.Backward<TL>(w, dw, db, x, dy, dx, scratch, batch, threads);
        return (y, dw, db, dx);
    }

    private static void AssertBits(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"element {i}: {expected[i]:R} against {actual[i]:R}");
        }
    }
}
