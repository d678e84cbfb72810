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

    // the kernels' multiply-add: fused on every vector path (x86 with FMA, as this project's machines), a rounded product
    // then a sum on the scalar path; the last Columns % 4 columns of a vector path round apart too
    private static bool Fused(int column, int columns) =>
        Simd.Use128 && System.Runtime.Intrinsics.X86.Fma.IsSupported && column < columns / 4 * 4;

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
        float[] x = Values(rng, rows * inputs), weight = Values(rng, units * inputs), bias = Values(rng, units);
        float[] y = new float[rows * units];

        DenseKernels.Forward<Layer>(weight, bias, x, y, rows, 1);

        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < units; o++)
            {
                float acc = bias[o];
                for (int j = 0; j < inputs; j++)
                {
                    float a = x[r * inputs + j], b = weight[o * inputs + j];
                    acc = Fused(o, units) ? MathF.FusedMultiplyAdd(a, b, acc) : acc + a * b;
                }

                Assert.True(
                    BitConverter.SingleToInt32Bits(acc) == BitConverter.SingleToInt32Bits(y[r * units + o]),
                    $"rows {rows}: y[{r}, {o}] = {y[r * units + o]:R}, the chain gives {acc:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RowCounts))]
    public void Each_input_gradient_is_one_ordered_chain_whatever_block_takes_its_row(int rows)
    {
        int units = Layer.Units, inputs = Layer.Inputs;
        var rng = new Random(100 + rows);
        float[] dz = Values(rng, rows * units), weight = Values(rng, units * inputs);
        float[] dx = new float[rows * inputs], dw = new float[units * inputs], db = new float[units];

        DenseKernels.Backward<Layer>(weight, dw, db, Values(rng, rows * inputs), dz, dx, rows, 1);

        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                float acc = 0f;
                for (int o = 0; o < units; o++)
                {
                    float a = dz[r * units + o], b = weight[o * inputs + i];
                    acc = Fused(i, inputs) ? MathF.FusedMultiplyAdd(a, b, acc) : acc + a * b;
                }

                Assert.True(
                    BitConverter.SingleToInt32Bits(acc) == BitConverter.SingleToInt32Bits(dx[r * inputs + i]),
                    $"rows {rows}: dx[{r}, {i}] = {dx[r * inputs + i]:R}, the chain gives {acc:R}");
            }
        }
    }

    private static float[] Values(Random rng, int count)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return values;
    }
}
