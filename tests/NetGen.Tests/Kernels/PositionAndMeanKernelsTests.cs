using System;
using System.Linq;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="PositionKernels"/>, <see cref="ResidualKernels"/> and <see cref="SequenceMeanKernels"/> on small cases whose
/// values are worked out by hand (exact in float), the sinusoidal table against numpy's float64 values rounded to float32,
/// length checks, and no allocation.
/// </summary>
public sealed class PositionAndMeanKernelsTests
{
    [Fact]
    public void Position_add_adds_the_table_to_every_sample()
    {
        float[] positions = { 1, 2, 3, 4, 5, 6 };                        // T = 3, d = 2
        float[] x = { 10, 20, 30, 40, 50, 60, -1, -2, -3, -4, -5, -6 };  // batch 2
        var y = new float[x.Length];
        PositionKernels.Add(positions, x, y, batch: 2);
        Assert.Equal(new float[] { 11, 22, 33, 44, 55, 66, 0, 0, 0, 0, 0, 0 }, y);
    }

    [Fact]
    public void Position_backward_adds_the_samples_gradients_in_order()
    {
        float[] dy = { 1, 2, 3, 4, 5, 6, 0.5f, 0.25f, 0.125f, 1, 2, 4 };
        float[] dPositions = { 100, 0, 0, 0, 0, -1 };                 // added into
        PositionKernels.AddBackward(dy, dPositions, batch: 2);
        Assert.Equal(new float[] { 101.5f, 2.25f, 3.125f, 5, 7, 9 }, dPositions);

        // the order is sample 0 then sample 1: 1 + 2^24 − 2^24 is 0 in float (the other order would give 1)
        float[] big = { 16777216f, -16777216f };
        float[] target = { 1f };
        PositionKernels.AddBackward(big, target, batch: 2);
        Assert.Equal(0f, target[0]);
    }

    /// <summary>numpy in float64 (the tutorial's formula), rounded to float32: t = 0..3, d = 6 and d = 5 (last column a sine).</summary>
    [Fact]
    public void Sinusoidal_table_matches_numpy()
    {
        float[] d6 =
        {
            0f, 1f, 0f, 1f, 0f, 1f,
            0.841470957f, 0.540302277f, 0.0463992245f, 0.998923004f, 0.00215443294f, 0.999997675f,
            0.909297407f, -0.416146845f, 0.0926984996f, 0.99569422f, 0.00430885609f, 0.999990702f,
            0.141120002f, -0.989992499f, 0.138798103f, 0.990320683f, 0.00646325899f, 0.999979138f,
        };
        float[] d5 =
        {
            0f, 1f, 0f, 1f, 0f,
            0.841470957f, 0.540302277f, 0.025116222f, 0.999684513f, 0.000630957307f,
            0.909297407f, -0.416146845f, 0.0502166003f, 0.998738348f, 0.00126191438f,
            0.141120002f, -0.989992499f, 0.0752852932f, 0.997162044f, 0.00189287087f,
        };
        Assert.Equal(d6, PositionKernels.SinusoidalTable(4, 6));
        Assert.Equal(d5, PositionKernels.SinusoidalTable(4, 5));

        // a longer table: every entry the formula's double rounded once, and the rows are independent of the length
        float[] long64 = PositionKernels.SinusoidalTable(50, 64);
        Assert.Equal(50 * 64, long64.Length);
        for (int t = 0; t < 50; t++)
        {
            for (int j = 0; j < 64; j++)
            {
                double angle = t * Math.Exp(2 * (j / 2) * (-Math.Log(10000.0) / 64));
                Assert.Equal((float)(j % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle)), long64[(t * 64) + j]);
            }
        }

        Assert.Equal(PositionKernels.SinusoidalTable(4, 64), long64.Take(4 * 64).ToArray());
    }

    [Fact]
    public void Residual_add_and_accumulate()
    {
        float[] x = { 1, 2, 3, -4, 0.5f };
        float[] fx = { 10, -2, 0.25f, 4, 0.5f };
        var y = new float[5];
        ResidualKernels.Add(x, fx, y);
        Assert.Equal(new float[] { 11, 0, 3.25f, 0, 1 }, y);

        float[] target = { 1, 1, 1, 1, 1 };
        ResidualKernels.Accumulate(x, target);
        Assert.Equal(new float[] { 2, 3, 4, -3, 1.5f }, target);

        // long enough for the vector path, with a tail
        float[] a = Enumerable.Range(0, 37).Select(i => (float)i).ToArray();
        float[] b = Enumerable.Range(0, 37).Select(i => (float)(1000 - (2 * i))).ToArray();
        var sum = new float[37];
        ResidualKernels.Add(a, b, sum);
        Assert.Equal(Enumerable.Range(0, 37).Select(i => (float)(1000 - i)), sum);
        ResidualKernels.Accumulate(a, sum);
        Assert.All(sum, v => Assert.Equal(1000f, v));
    }

    [Fact]
    public void Sequence_mean_sums_steps_in_order_then_divides()
    {
        // batch 2, T 3, F 2
        float[] x = { 1, 2, 3, 4, 5, 9, -1, 0.5f, -2, 0.5f, -3, 0.5f };
        var y = new float[4];
        SequenceMeanKernels.Forward(x, y, steps: 3, features: 2, batch: 2);
        Assert.Equal(new float[] { 3, 5, -2, 0.5f }, y);

        // (2^24 + 1 + 1) / 3: in order the ones are lost one at a time (2^24 / 3 rounded), at the end they would count
        float[] order = { 16777216f, 1f, 1f };
        var mean = new float[1];
        SequenceMeanKernels.Forward(order, mean, steps: 3, features: 1, batch: 1);
        Assert.Equal(16777216f / 3f, mean[0]);

        float[] dy = { 3, 6, -1.5f, 0.3f };
        var dx = new float[12];
        dx.AsSpan().Fill(float.NaN);                                      // written, not added
        SequenceMeanKernels.Backward(dy, dx, steps: 3, features: 2, batch: 2);
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2, -0.5f, 0.3f / 3, -0.5f, 0.3f / 3, -0.5f, 0.3f / 3 }, dx);
    }

    [Fact]
    public void Wrong_lengths_throw_naming_the_argument()
    {
        LayerNormKernelsTests.AssertThrows("x", () => PositionKernels.Add(new float[6], new float[11], new float[12], 2));
        LayerNormKernelsTests.AssertThrows("y", () => PositionKernels.Add(new float[6], new float[12], new float[6], 2));
        LayerNormKernelsTests.AssertThrows("dy", () => PositionKernels.AddBackward(new float[7], new float[6], 2));
        LayerNormKernelsTests.AssertThrows("fx", () => ResidualKernels.Add(new float[4], new float[5], new float[4]));
        LayerNormKernelsTests.AssertThrows("y", () => ResidualKernels.Add(new float[4], new float[4], new float[3]));
        LayerNormKernelsTests.AssertThrows("target", () => ResidualKernels.Accumulate(new float[4], new float[3]));
        LayerNormKernelsTests.AssertThrows("x", () => SequenceMeanKernels.Forward(new float[11], new float[4], 3, 2, 2));
        LayerNormKernelsTests.AssertThrows("y", () => SequenceMeanKernels.Forward(new float[12], new float[5], 3, 2, 2));
        LayerNormKernelsTests.AssertThrows("dy", () => SequenceMeanKernels.Backward(new float[3], new float[12], 3, 2, 2));
        LayerNormKernelsTests.AssertThrows("dx", () => SequenceMeanKernels.Backward(new float[4], new float[13], 3, 2, 2));
        LayerNormKernelsTests.AssertThrows("steps", () => SequenceMeanKernels.Forward([], [], 0, 2, 2));
        LayerNormKernelsTests.AssertThrows("dimensions", () => PositionKernels.SinusoidalTable(4, 0));
    }

    [Fact]
    public void Kernels_allocate_nothing()
    {
        var a = new float[4 * 64 * 8];
        var b = new float[4 * 64 * 8];
        var c = new float[4 * 64 * 8];
        var p = new float[64 * 8];
        var m = new float[4 * 8];
        AllocationAssert.Zero(() => PositionKernels.Add(p, a, b, 4));
        AllocationAssert.Zero(() => PositionKernels.AddBackward(a, p, 4));
        AllocationAssert.Zero(() => ResidualKernels.Add(a, b, c));
        AllocationAssert.Zero(() => ResidualKernels.Accumulate(a, c));
        AllocationAssert.Zero(() => SequenceMeanKernels.Forward(a, m, 64, 8, 4));
        AllocationAssert.Zero(() => SequenceMeanKernels.Backward(m, a, 64, 8, 4));
    }
}
