using System;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The direct convolution path (stride 1, few taps: the image read in place of im2col's columns) against the definition
/// written out in double, for layers whose taps step by a dilation in both directions and by channels: the path walks the
/// taps by channel, kernel row and kernel column, and every step of that walk is checked here.
/// </summary>
public sealed class DirectConvolutionTests
{
    /// <summary>2 channels, a 3 × 4 kernel dilated by 2 down and 3 across, padding 3 × 4: 24 taps, stride 1.</summary>
    private readonly struct DilatedBothWays : IConvolutionLayer
    {
        public static int InChannels => 2; public static int InHeight => 11; public static int InWidth => 19;
        public static int OutChannels => 7; public static int OutHeight => 13; public static int OutWidth => 18;
        public static int KernelHeight => 3; public static int KernelWidth => 4; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 3; public static int PaddingWidth => 4; public static int DilationHeight => 2; public static int DilationWidth => 3;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    /// <summary>LeNet's first layer: one channel, 5 × 5, padding 2.</summary>
    private readonly struct OneChannel : IConvolutionLayer
    {
        public static int InChannels => 1; public static int InHeight => 28; public static int InWidth => 28;
        public static int OutChannels => 6; public static int OutHeight => 28; public static int OutWidth => 28;
        public static int KernelHeight => 5; public static int KernelWidth => 5; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 2; public static int PaddingWidth => 2; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => true; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None; public static float Slope => 0f;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_dilated_layer_matches_the_definition(int batch) => Check<DilatedBothWays>(batch);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_one_channel_layer_matches_the_definition(int batch) => Check<OneChannel>(batch);

    private static void Check<TL>(int batch)
        where TL : struct, IConvolutionLayer
    {
        int taps = TL.InChannels * TL.KernelHeight * TL.KernelWidth;
        var rng = new Random(11);
        float[] Values(int n)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = (float)(rng.NextDouble() * 2 - 1);
            }

            return v;
        }

        float[] w = Values(TL.OutChannels * taps), b = Values(TL.OutChannels);
        float[] x = Values(batch * TL.InChannels * TL.InHeight * TL.InWidth);
        var y = new float[batch * TL.OutChannels * TL.OutHeight * TL.OutWidth];
        ConvolutionKernels.Forward<TL>(w, b, x, y, new float[ConvolutionKernels.ScratchLength<TL>()], batch, 1);

        for (int s = 0; s < batch; s++)
        {
            for (int o = 0; o < TL.OutChannels; o++)
            {
                for (int i = 0; i < TL.OutHeight; i++)
                {
                    for (int j = 0; j < TL.OutWidth; j++)
                    {
                        double sum = b[o], scale = Math.Abs(b[o]);
                        for (int c = 0; c < TL.InChannels; c++)
                        {
                            for (int p = 0; p < TL.KernelHeight; p++)
                            {
                                for (int q = 0; q < TL.KernelWidth; q++)
                                {
                                    int row = i + (p * TL.DilationHeight) - TL.PaddingHeight, column = j + (q * TL.DilationWidth) - TL.PaddingWidth;
                                    if (row < 0 || row >= TL.InHeight || column < 0 || column >= TL.InWidth)
                                    {
                                        continue;
                                    }

                                    double term = (double)w[(((o * TL.InChannels) + c) * TL.KernelHeight + p) * TL.KernelWidth + q]
                                        * x[(((s * TL.InChannels) + c) * TL.InHeight + row) * TL.InWidth + column];
                                    sum += term;
                                    scale += Math.Abs(term);
                                }
                            }
                        }

                        float got = y[(((s * TL.OutChannels) + o) * TL.OutHeight + i) * TL.OutWidth + j];
                        Assert.True(
                            Math.Abs(got - sum) <= 1e-6 * (scale + 1),
                            $"sample {s}, filter {o}, position ({i}, {j}): {got:R}, the definition {sum:R}");
                    }
                }
            }
        }
    }
}
