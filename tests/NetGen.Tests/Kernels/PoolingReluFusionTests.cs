using System;
using NetGen.CompilerServices;
using NetGen.Tests.Gradients;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="PoolingKernels.MaxBackwardRelu"/>, the max pooling backward that also applies the ReLU before it (what the
/// generator emits after a convolution with a fused ReLU), gives the bits of <see cref="PoolingKernels.MaxBackward"/>
/// followed by <see cref="Activations.ReluBackward"/> (and MaxBackward the textbook's), on 1, 2 and 3 threads: windows that
/// overlap (a winner shared by two windows) and LeNet's windows, which tile the input, inputs
/// that are exactly 0 (a ReLU's output; a window of zeros), a NaN gradient at a masked winner and a gradient of -0.
/// </summary>
public sealed class PoolingReluFusionTests
{
    private readonly struct Overlapping : IPoolingLayer
    {
        public static int Channels => 3; public static int InHeight => 9; public static int InWidth => 9;
        public static int OutHeight => 4; public static int OutWidth => 4;
        public static int KernelHeight => 3; public static int KernelWidth => 3; public static int StrideHeight => 2; public static int StrideWidth => 2;
    }

    private readonly struct LeNetPool2 : IPoolingLayer
    {
        public static int Channels => 6; public static int InHeight => 28; public static int InWidth => 28;
        public static int OutHeight => 14; public static int OutWidth => 14;
        public static int KernelHeight => 2; public static int KernelWidth => 2; public static int StrideHeight => 2; public static int StrideWidth => 2;
    }

    [Fact]
    public void Fused_relu_gives_the_bits_of_pooling_then_relu()
    {
        Check<Overlapping>(batch: 40);
        Check<LeNetPool2>(batch: 9);
    }

    private static void Check<TP>(int batch)
        where TP : struct, IPoolingLayer
    {
        int inLength = TP.Channels * TP.InHeight * TP.InWidth, outLength = TP.Channels * TP.OutHeight * TP.OutWidth;
        float[] z = GradientCheck.UniformInputs(batch * inLength, seed: 7);
        var a = new float[z.Length];
        Activations.Relu(z, a); // about half the inputs are exactly 0
        for (int i = 0; i < 2 * inLength; i++)
        {
            a[i] = 0f; // the first two samples: every window all zeros
        }

        var y = new float[batch * outLength];
        var winners = new float[y.Length];
        PoolingKernels.MaxForward<TP>(a, y, winners, batch, threads: 1);
        float[] dy = GradientCheck.UniformInputs(y.Length, seed: 8);
        dy[0] = float.NaN; // its winner's input is 0, so the NaN is masked

        dy[1] = -0f;

        // the textbook: dx = 0, then each dy added at its window's winner; then the ReLU's backward
        var plain = new float[a.Length];
        for (int s = 0; s < batch; s++)
        {
            for (int o = 0; o < outLength; o++)
            {
                plain[s * inLength + BitConverter.SingleToInt32Bits(winners[s * outLength + o])] += dy[s * outLength + o];
            }
        }

        var expected = new float[a.Length];
        Activations.ReluBackward(a, plain, expected);
        for (int threads = 1; threads <= 3; threads++)
        {
            var fused = new float[a.Length];
            var unmasked = new float[a.Length];
            fused.AsSpan().Fill(123f); // overwritten, not added to
            unmasked.AsSpan().Fill(123f);
            PoolingKernels.MaxBackwardRelu<TP>(winners, dy, a, fused, batch, threads);
            PoolingKernels.MaxBackward<TP>(winners, dy, unmasked, batch, threads);
            AssertBits(expected, fused, $"{typeof(TP).Name} with the ReLU on {threads} threads");
            AssertBits(plain, unmasked, $"{typeof(TP).Name} on {threads} threads");
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, element {i}: {expected[i]:R} against {actual[i]:R}");
        }
    }
}
