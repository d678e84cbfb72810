using System;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// What the product kernels promise for every output: one chain of multiply-adds in a fixed order, whichever block,
/// width or thread computes it. The tests that check outputs against that chain bit for bit take its steps from here.
/// </summary>
internal static class OrderedChain
{
    /// <summary>
    /// Whether column <paramref name="column"/> of a product with <paramref name="columns"/> columns is summed with fused
    /// multiply-adds: on every vector path (x86 with FMA, as this project's machines) but in the last <c>columns % 4</c>
    /// columns, which round the product and the sum apart as the scalar path does everywhere.
    /// </summary>
    public static bool Fuses(int column, int columns) =>
        Simd.Use128 && System.Runtime.Intrinsics.X86.Fma.IsSupported && column < columns / 4 * 4;

    /// <summary>The chain's next step: <c>acc + a·b</c>, rounded once when <paramref name="fused"/>, twice otherwise.</summary>
    public static float Step(float acc, float a, float b, bool fused) => fused ? MathF.FusedMultiplyAdd(a, b, acc) : acc + a * b;

    /// <summary>
    /// Asserts that every output of a dense forward, <paramref name="y"/> <c>[rows, units]</c>, is the chain
    /// <c>b[o]</c>, then <c>+ x[r, j] · W[o, j]</c> for j in order, bit for bit; <paramref name="context"/> leads each message.
    /// </summary>
    public static void AssertForward(float[] x, float[] weight, float[] bias, float[] y, int rows, int inputs, int units, string context)
        => AssertForward(x, weight, bias, y, rows, inputs, units, relu: false, context);

    /// <summary>
    /// <see cref="AssertForward(float[], float[], float[], float[], int, int, int, string)"/>, the chain then through
    /// <c>max(z, 0)</c> when <paramref name="relu"/>.
    /// </summary>
    public static void AssertForward(float[] x, float[] weight, float[] bias, float[] y, int rows, int inputs, int units, bool relu, string context)
        => AssertForward(x, weight, bias, y, rows, inputs, units, relu ? z => MathF.Max(z, 0f) : z => z, context);

    /// <summary>
    /// <see cref="AssertForward(float[], float[], float[], float[], int, int, int, string)"/>, the chain then through
    /// <paramref name="activation"/>.
    /// </summary>
    public static void AssertForward(float[] x, float[] weight, float[] bias, float[] y, int rows, int inputs, int units, Func<float, float> activation, string context)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < units; o++)
            {
                float acc = bias[o];
                for (int j = 0; j < inputs; j++)
                {
                    acc = Step(acc, x[r * inputs + j], weight[o * inputs + j], Fuses(o, units));
                }

                acc = activation(acc);

                Assert.True(
                    BitConverter.SingleToInt32Bits(acc) == BitConverter.SingleToInt32Bits(y[r * units + o]),
                    $"{context}: y[{r}, {o}] = {y[r * units + o]:R}, the chain gives {acc:R}");
            }
        }
    }

    /// <summary>Uniform floats in [-1, 1).</summary>
    public static float[] Values(Random rng, int count)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return values;
    }
}
