using System;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <c>ProductKernels.Pack</c> walks its 8 × 8 tiles across the panel's width first, or, for a W too large to be in L2,
/// down the panel's depth first. Either order must put every float where the definition says,
/// <c>panel[j·width + m] = bT[(column + m)·depth + from + j]</c>, and a forward over a W large enough to take the second
/// order must still be one ordered chain per output.
/// </summary>
public sealed class PackOrderTests
{
    public static TheoryData<int, int, bool> Shapes()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (int width in new[] { 1, 7, 8, 13, 16, 31, 32 })
        {
            foreach (int terms in new[] { 1, 8, 15, 64, 200 })
            {
                data.Add(width, terms, false);
                data.Add(width, terms, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_float_lands_where_the_definition_puts_it(int width, int terms, bool byColumnTiles)
    {
        const int depth = 301, column = 5, from = 40;
        var rng = new Random(width * 1000 + terms);
        float[] bT = OrderedChain.Values(rng, (column + width) * depth);
        float[] panel = new float[terms * width + 3];
        Array.Fill(panel, float.NaN);

        ProductKernels.Pack(ref bT[0], depth, column, width, from, terms, ref panel[0], byColumnTiles);

        for (int j = 0; j < terms; j++)
        {
            for (int m = 0; m < width; m++)
            {
                float expected = bT[(column + m) * depth + from + j];
                Assert.True(
                    BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(panel[j * width + m]),
                    $"width {width}, terms {terms}, by column tiles {byColumnTiles}: panel[{j}, {m}] = {panel[j * width + m]:R}, bT gives {expected:R}");
            }
        }

        // nothing written past the panel
        Assert.True(float.IsNaN(panel[terms * width]) && float.IsNaN(panel[^1]));
    }

    /// <summary>1,030 inputs × 130 units = 133,900 floats: over the 128 K of a W packed by column tiles, and not whole tiles.</summary>
    private readonly struct FarLayer : IDenseLayer
    {
        public static int Inputs => 1030;
        public static int Units => 130;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    [Fact]
    public void A_forward_over_a_W_packed_by_column_tiles_is_one_ordered_chain_per_output()
    {
        const int rows = 13;
        int units = FarLayer.Units, inputs = FarLayer.Inputs;
        var rng = new Random(7);
        float[] x = OrderedChain.Values(rng, rows * inputs), weight = OrderedChain.Values(rng, units * inputs), bias = OrderedChain.Values(rng, units);
        float[] y = new float[rows * units];

        DenseKernels.Forward<FarLayer>(weight, bias, x, y, rows, 1);

        OrderedChain.AssertForward(x, weight, bias, y, rows, inputs, units, "W packed by column tiles");
    }
}
