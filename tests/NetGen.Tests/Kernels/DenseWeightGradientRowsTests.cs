using System;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// A dense backward over many rows (as a recurrent layer's B·T rows reach it) runs its <c>dW</c> product a block of rows at a
/// time; every weight's gradient must still be the one chain of multiply-adds over the rows in order, starting from what
/// <c>dW</c> held, whatever the thread count.
/// </summary>
public sealed class DenseWeightGradientRowsTests
{
    private readonly struct Deep : IDenseLayer
    {
        public static int Inputs => 128;
        public static int Units => 22;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    /// <summary>
    /// 42 inputs: dW's columns end in 8 + 2 at 512 bits (2 at 256), which blocks of units take with the units in the lanes,
    /// reading dzᵀ's rows where they lie.
    /// </summary>
    private readonly struct NarrowInputs : IDenseLayer
    {
        public static int Inputs => 42;
        public static int Units => 37;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    /// <summary>
    /// 70 units: db's sums run four vectors at a time (64 units at 512 bits), then single vectors, then floats, over blocks
    /// of rows that continue from one another in db.
    /// </summary>
    private readonly struct ManyUnits : IDenseLayer
    {
        public static int Inputs => 40;
        public static int Units => 70;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    [Theory]
    [InlineData(300, 1, false)]
    [InlineData(300, 2, false)]
    [InlineData(1000, 1, false)]
    [InlineData(1000, 2, false)]
    [InlineData(64, 1, true)]
    [InlineData(64, 2, true)]
    [InlineData(300, 2, true)]
    public void Each_weight_gradient_is_one_ordered_chain_over_the_rows(int rows, int threads, bool overwrite)
        => AssertOrderedChains<Deep>(rows, threads, overwrite);

    [Theory]
    [InlineData(64, 1, true)]
    [InlineData(64, 2, true)]
    [InlineData(300, 1, false)]
    [InlineData(300, 2, false)]
    public void Each_weight_gradient_of_inputs_ending_in_single_columns_is_one_ordered_chain(int rows, int threads, bool overwrite)
        => AssertOrderedChains<NarrowInputs>(rows, threads, overwrite);

    [Theory]
    [InlineData(64, 1, true)]
    [InlineData(1000, 1, true)]
    [InlineData(1000, 2, false)]
    public void Each_bias_gradient_of_many_units_is_one_ordered_sum_over_the_rows(int rows, int threads, bool overwrite)
        => AssertOrderedChains<ManyUnits>(rows, threads, overwrite);

    private static void AssertOrderedChains<TLayer>(int rows, int threads, bool overwrite)
        where TLayer : struct, IDenseLayer
    {
        int units = TLayer.Units, inputs = TLayer.Inputs;
        var rng = new Random(rows + threads);
        float[] x = OrderedChain.Values(rng, rows * inputs), dz = OrderedChain.Values(rng, rows * units), weight = OrderedChain.Values(rng, units * inputs);
        float[] dw = OrderedChain.Values(rng, units * inputs), db = OrderedChain.Values(rng, units);
        float[] expectedW = overwrite ? new float[dw.Length] : (float[])dw.Clone(), expectedB = overwrite ? new float[db.Length] : (float[])db.Clone();

        // db too: each unit's sum over the rows in order from what db held (+0 when overwriting), in any width's lanes
        DenseKernels.Backward<TLayer>(weight, dw, db, x, dz, default, rows, threads, overwrite);

        for (int o = 0; o < units; o++)
        {
            for (int i = 0; i < inputs; i++)
            {
                float acc = expectedW[o * inputs + i];
                bool fused = OrderedChain.Fuses(i, inputs);
                for (int r = 0; r < rows; r++)
                {
                    acc = OrderedChain.Step(acc, dz[r * units + o], x[r * inputs + i], fused);
                }

                Assert.Equal(BitConverter.SingleToInt32Bits(acc), BitConverter.SingleToInt32Bits(dw[o * inputs + i]));
            }

            float sum = expectedB[o];
            for (int r = 0; r < rows; r++)
            {
                sum += dz[r * units + o];
            }

            Assert.Equal(BitConverter.SingleToInt32Bits(sum), BitConverter.SingleToInt32Bits(db[o]));
        }
    }
}
