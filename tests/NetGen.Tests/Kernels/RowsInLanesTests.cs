using System;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// A dense forward over a W of at least 64 K floats runs, at 512 bits, with the rows of x in the
/// lanes and W read where it lies (<c>ProductKernels.RowsInLanes</c>): chunks of 64 rows, blocks of 6 units, the last
/// <c>Units % 4</c> units rounded apart. Every output must still be the one ordered chain the other paths give, at every
/// row count (whole chunks, a partial last chunk, fewer rows than a vector), with its activation, on any thread count.
/// </summary>
public sealed class RowsInLanesTests
{
    /// <summary>1,030 inputs (not whole 8 × 8 tiles) × 131 units (131 % 4 = 3 rounded apart, 131 % 6 = 5 single units) = 134,930 floats.</summary>
    private readonly struct LeakyLayer : IDenseLayer
    {
        public static int Inputs => 1030;
        public static int Units => 131;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.LeakyRelu;
        public static float Slope => 0.125f;
    }

    /// <summary>520 inputs × 262 units (262 % 4 = 2, groups of 32 split across threads, no bias) = 136,240 floats.</summary>
    private readonly struct PlainLayer : IDenseLayer
    {
        public static int Inputs => 520;
        public static int Units => 262;
        public static bool HasBias => false;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(13)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(80)]
    [InlineData(130)]
    public void Each_output_is_its_ordered_chain_then_the_activation(int rows)
    {
        var rng = new Random(rows);
        int inputs = LeakyLayer.Inputs, units = LeakyLayer.Units;
        float[] x = OrderedChain.Values(rng, rows * inputs), weight = OrderedChain.Values(rng, units * inputs), bias = OrderedChain.Values(rng, units);
        float[] y = new float[rows * units];

        DenseKernels.Forward<LeakyLayer>(weight, bias, x, y, rows, 1);

        OrderedChain.AssertForward(x, weight, bias, y, rows, inputs, units, z => z > 0f ? z : LeakyLayer.Slope * z, $"{rows} rows");
    }

    /// <summary>784 inputs × 97 units = 76,048 floats: in place (past 64 K), but not packed by column tiles (below 128 K) on the other paths.</summary>
    private readonly struct MidLayer : IDenseLayer
    {
        public static int Inputs => 784;
        public static int Units => 97;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(100)]
    public void A_w_below_the_column_tiles_gives_the_same_chains(int rows)
    {
        var rng = new Random(200 + rows);
        int inputs = MidLayer.Inputs, units = MidLayer.Units;
        float[] x = OrderedChain.Values(rng, rows * inputs), weight = OrderedChain.Values(rng, units * inputs), bias = OrderedChain.Values(rng, units);
        float[] y = new float[rows * units];

        DenseKernels.Forward<MidLayer>(weight, bias, x, y, rows, 1);

        OrderedChain.AssertForward(x, weight, bias, y, rows, inputs, units, z => Math.Max(z, 0f), $"{rows} rows");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(80)]
    [InlineData(200)]
    public void Two_threads_give_the_chains_of_one(int rows)
    {
        var rng = new Random(100 + rows);
        int inputs = PlainLayer.Inputs, units = PlainLayer.Units;
        float[] x = OrderedChain.Values(rng, rows * inputs), weight = OrderedChain.Values(rng, units * inputs);
        float[] one = new float[rows * units], two = new float[rows * units];

        DenseKernels.Forward<PlainLayer>(weight, ReadOnlySpan<float>.Empty, x, one, rows, 1);
        DenseKernels.Forward<PlainLayer>(weight, ReadOnlySpan<float>.Empty, x, two, rows, 2);

        Assert.True(rows >= DenseKernels.MinRowsForThreads<PlainLayer>(), "the product must be large enough to split");
        Assert.Equal(one, two);
        OrderedChain.AssertForward(x, weight, new float[units], two, rows, inputs, units, z => z, $"{rows} rows, 2 threads");
    }

    /// <summary>Below the column tiles a split packs (each piece would transpose x again): the bits must not change with it.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    public void A_w_below_the_column_tiles_split_across_threads_gives_the_chains_of_one(int rows)
    {
        var rng = new Random(300 + rows);
        int inputs = MidLayer.Inputs, units = MidLayer.Units;
        float[] x = OrderedChain.Values(rng, rows * inputs), weight = OrderedChain.Values(rng, units * inputs), bias = OrderedChain.Values(rng, units);
        float[] one = new float[rows * units], two = new float[rows * units];

        DenseKernels.Forward<MidLayer>(weight, bias, x, one, rows, 1);
        DenseKernels.Forward<MidLayer>(weight, bias, x, two, rows, 2);

        Assert.True(rows >= DenseKernels.MinRowsForThreads<MidLayer>(), "the product must be large enough to split");
        Assert.Equal(one, two);
        OrderedChain.AssertForward(x, weight, bias, two, rows, inputs, units, z => Math.Max(z, 0f), $"{rows} rows, 2 threads");
    }

    [Fact]
    public void A_call_after_the_first_allocates_nothing()
    {
        const int rows = 64;
        var rng = new Random(5);
        float[] x = OrderedChain.Values(rng, rows * LeakyLayer.Inputs), weight = OrderedChain.Values(rng, LeakyLayer.Units * LeakyLayer.Inputs);
        float[] bias = OrderedChain.Values(rng, LeakyLayer.Units), y = new float[rows * LeakyLayer.Units];
        DenseKernels.Forward<LeakyLayer>(weight, bias, x, y, rows, 1);

        long before = GC.GetAllocatedBytesForCurrentThread();
        DenseKernels.Forward<LeakyLayer>(weight, bias, x, y, rows, 1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
