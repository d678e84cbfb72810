using System;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The product's register blocks take up to 12 rows of two vectors at 512 bits and 6 below (24 and 12 rows of one
/// vector), and the rows left over go to smaller blocks. Whichever block computes an output, it must be the one chain of multiply-adds along the depth in
/// order: checked bit for bit for every count of rows up to 47, through the packed
/// forward (a depth of two panels) and through <c>dx = dz · W</c>.
/// </summary>
public sealed class ProductBlockRowsTests
{
    /// <summary>
    /// Columns that reach every block at 512 bits: a 32-column chunk of pairs, a single 16-lane vector, then 8 (and for dx, 4
    /// more, then 1); 317 inputs, two packed panels deep.
    /// </summary>
    private readonly struct Layer : IDenseLayer
    {
        public static int Inputs => 317;
        public static int Units => 56;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    /// <summary>
    /// A head whose columns end in single floats: 42 = 32 + 10, which at 512 bits leaves 8 + 2 columns after the whole
    /// vectors and at 256 bits 2, so blocks of 16 (8) rows take them with the rows in the lanes and the rows left over take
    /// the narrower widths; ReLU fused, two packed panels deep.
    /// </summary>
    private readonly struct Head : IDenseLayer
    {
        public static int Inputs => 317;
        public static int Units => 42;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    public static TheoryData<int> RowCounts()
    {
        var data = new TheoryData<int>();
        for (int rows = DenseKernels.ProductRows; rows <= 24 + 12 + 11; rows++)
        {
            data.Add(rows);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RowCounts))]
    public void Each_forward_output_is_one_ordered_chain_whatever_block_takes_its_row(int rows)
    {
        int units = Layer.Units, inputs = Layer.Inputs;
        var rng = new Random(rows);
        float[] x = OrderedChain.Values(rng, rows * inputs), weight = OrderedChain.Values(rng, units * inputs), bias = OrderedChain.Values(rng, units);
        float[] y = new float[rows * units];

        DenseKernels.Forward<Layer>(weight, bias, x, y, rows, 1);

        OrderedChain.AssertForward(x, weight, bias, y, rows, inputs, units, $"rows {rows}");
    }

    [Theory]
    [MemberData(nameof(RowCounts))]
    public void Each_output_of_a_head_ending_in_single_columns_is_one_ordered_chain_whatever_block_takes_its_row(int rows)
    {
        int units = Head.Units, inputs = Head.Inputs;
        var rng = new Random(200 + rows);
        float[] x = OrderedChain.Values(rng, rows * inputs), weight = OrderedChain.Values(rng, units * inputs), bias = OrderedChain.Values(rng, units);
        float[] y = new float[rows * units];

        DenseKernels.Forward<Head>(weight, bias, x, y, rows, 1);

        OrderedChain.AssertForward(x, weight, bias, y, rows, inputs, units, relu: true, $"rows {rows}");
    }

    /// <summary>
    /// A 1 × 1 convolution over 5 × 5 positions: its product's rows are the 37 output channels with a bias each (a row
    /// bias), its columns the 25 positions, 16 + 8 + 1 at 512 bits, so two blocks of 16 channels take the last 9 with the
    /// channels in the lanes and the 5 channels left take the narrower widths; ReLU fused.
    /// </summary>
    private readonly struct PointwiseConvolution : IConvolutionLayer
    {
        public static int InChannels => 20; public static int InHeight => 5; public static int InWidth => 5;
        public static int OutChannels => 37; public static int OutHeight => 5; public static int OutWidth => 5;
        public static int KernelHeight => 1; public static int KernelWidth => 1; public static int StrideHeight => 1; public static int StrideWidth => 1;
        public static int PaddingHeight => 0; public static int PaddingWidth => 0; public static int DilationHeight => 1; public static int DilationWidth => 1;
        public static bool UsesColumns => false; public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu; public static float Slope => 0f;
    }

    [Fact]
    public void Each_output_of_a_convolution_whose_positions_end_in_single_columns_is_one_ordered_chain_from_its_channel_bias()
    {
        int channels = PointwiseConvolution.InChannels, outChannels = PointwiseConvolution.OutChannels, positions = 25, batch = 2;
        var rng = new Random(300);
        float[] x = OrderedChain.Values(rng, batch * channels * positions), weight = OrderedChain.Values(rng, outChannels * channels);
        float[] bias = OrderedChain.Values(rng, outChannels), y = new float[batch * outChannels * positions];
        float[] scratch = new float[ConvolutionKernels.ScratchLength<PointwiseConvolution>()];

        ConvolutionKernels.Forward<PointwiseConvolution>(weight, bias, x, y, scratch, batch, 1);

        for (int s = 0; s < batch; s++)
        {
            for (int o = 0; o < outChannels; o++)
            {
                for (int n = 0; n < positions; n++)
                {
                    float acc = bias[o];
                    for (int c = 0; c < channels; c++)
                    {
                        acc = OrderedChain.Step(acc, weight[o * channels + c], x[(s * channels + c) * positions + n], OrderedChain.Fuses(n, positions));
                    }

                    acc = MathF.Max(acc, 0f);
                    float got = y[(s * outChannels + o) * positions + n];
                    Assert.True(
                        BitConverter.SingleToInt32Bits(acc) == BitConverter.SingleToInt32Bits(got),
                        $"sample {s}: y[{o}, {n}] = {got:R}, the chain gives {acc:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(RowCounts))]
    public void Each_input_gradient_is_one_ordered_chain_whatever_block_takes_its_row(int rows)
    {
        int units = Layer.Units, inputs = Layer.Inputs;
        var rng = new Random(100 + rows);
        float[] dz = OrderedChain.Values(rng, rows * units), weight = OrderedChain.Values(rng, units * inputs);
        float[] dx = new float[rows * inputs], dw = new float[units * inputs], db = new float[units];

        DenseKernels.Backward<Layer>(weight, dw, db, OrderedChain.Values(rng, rows * inputs), dz, dx, rows, 1);

        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                float acc = 0f;
                for (int o = 0; o < units; o++)
                {
                    acc = OrderedChain.Step(acc, dz[r * units + o], weight[o * inputs + i], OrderedChain.Fuses(i, inputs));
                }

                Assert.True(
                    BitConverter.SingleToInt32Bits(acc) == BitConverter.SingleToInt32Bits(dx[r * inputs + i]),
                    $"rows {rows}: dx[{r}, {i}] = {dx[r * inputs + i]:R}, the chain gives {acc:R}");
            }
        }
    }
}
