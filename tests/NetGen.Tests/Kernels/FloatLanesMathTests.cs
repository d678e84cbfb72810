using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Xunit;
using static NetGen.FloatLanes;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="FloatLanes.Exp{TV}"/>, <see cref="FloatLanes.Sigmoid{TV}"/> and <see cref="FloatLanes.Tanh{TV}"/> at every width
/// the process runs (and the scalar one always), against double references over a dense grid, the neighbourhood of 0
/// down to subnormal inputs, the ends of the range where results turn subnormal, 0 or infinite, and ±∞ and NaN; and every
/// width giving the scalar width's bits.
/// </summary>
public sealed class FloatLanesMathTests
{
    public enum Function
    {
        Exp,
        Sigmoid,
        Tanh,
    }

    /// <summary>The arguments: a dense grid over [−110, 110], powers of ten either side of 0, and the special values.</summary>
    private static float[] Arguments()
    {
        var values = new List<float>();
        for (int i = -220_000; i <= 220_000; i++)
        {
            values.Add(i * 5e-4f);
        }

        for (double m = 1.4e-45; m < 1e3; m *= 1.37)
        {
            values.Add((float)m);
            values.Add(-(float)m);
        }

        // the boundaries: the largest finite e^x, where e^x turns subnormal and where it rounds to 0; tanh's switch
        foreach (float x in new[] { 88.72f, 88.7228f, 88.723f, 89f, 100f, -87.33f, -87.34f, -100f, -103.27f, -103.28f, -103.97f, -104f, -105f, 0.625f, 0.62499997f, 0.3125f, 44f, 45f })
        {
            values.Add(x);
            values.Add(-x);
            values.Add(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) + 1));
            values.Add(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) - 1));
        }

        values.AddRange(new[] { 0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN });
        while (values.Count % 16 != 0)
        {
            values.Add(0.5f);
        }

        return values.ToArray();
    }

    private static double Reference(Function function, double x) => function switch
    {
        Function.Exp => Math.Exp(x),
        Function.Sigmoid => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x)),
        _ => Math.Tanh(x),
    };

    private static void Apply<TV>(Function function, float[] x, float[] y)
        where TV : struct, IMathLanes<TV>
    {
        ref float source = ref MemoryMarshal.GetArrayDataReference(x);
        ref float target = ref MemoryMarshal.GetArrayDataReference(y);
        for (int i = 0; i < x.Length; i += TV.Count)
        {
            TV v = TV.Load(ref source, (nuint)i);
            TV r = function switch
            {
                Function.Exp => FloatLanes.Exp(v),
                Function.Sigmoid => FloatLanes.Sigmoid(v),
                _ => FloatLanes.Tanh(v),
            };
            r.Store(ref target, (nuint)i);
        }
    }

    /// <summary>|actual − reference| in units of the last place of the reference rounded to float (subnormal ulp below 2^−126).</summary>
    private static double Ulps(float actual, double reference)
    {
        if (double.IsNaN(reference))
        {
            return float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }

        float rounded = (float)reference;
        if (float.IsInfinity(rounded))
        {
            return actual == rounded ? 0 : double.PositiveInfinity;
        }

        double ulp = Math.Max(Math.Abs(MathF.BitIncrement(Math.Abs(rounded)) - Math.Abs(rounded)), float.Epsilon);
        return Math.Abs(actual - reference) / ulp;
    }

    private static float[] Check<TV>(Function function, float[] x, double ulps)
        where TV : struct, IMathLanes<TV>
    {
        var y = new float[x.Length];
        Apply<TV>(function, x, y);
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double error = Ulps(y[i], Reference(function, x[i]));
            if (!(error <= worst))
            {
                worst = error;
                worstAt = x[i];
            }
        }

        Assert.True(worst <= ulps, $"{function} at {TV.Count} lanes: {worst:G3} ulp at x = {worstAt:R} (got {y[Array.IndexOf(x, worstAt)]:R}, want {Reference(function, worstAt):R}); allowed {ulps}");
        return y;
    }

    [Theory]
    [InlineData(Function.Exp, 1.5)]
    [InlineData(Function.Sigmoid, 3)]
    [InlineData(Function.Tanh, 3)]
    public void Every_width_is_within_a_few_ulp_and_gives_the_scalar_bits(Function function, double ulps)
    {
        float[] x = Arguments();
        float[] scalar = Check<V1>(function, x, ulps);
        var widths = new List<float[]>();
        if (Simd.Use128)
        {
            widths.Add(Check<V128>(function, x, ulps));
        }

        if (Simd.Use256)
        {
            widths.Add(Check<V256>(function, x, ulps));
        }

        if (Simd.Use512)
        {
            widths.Add(Check<V512>(function, x, ulps));
        }

        foreach (float[] y in widths)
        {
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(y[i]) == BitConverter.SingleToInt32Bits(scalar[i]) || (float.IsNaN(y[i]) && float.IsNaN(scalar[i])), $"{function}({x[i]:R}): {y[i]:R} in a vector, {scalar[i]:R} scalar");
            }
        }
    }

    [Fact]
    public void Special_values_come_out_exactly()
    {
        foreach (Function function in new[] { Function.Exp, Function.Sigmoid, Function.Tanh })
        {
            float[] x = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-40f, -1e-40f, 200f, -200f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
            var y = new float[x.Length];
            Apply<V1>(function, x, y);
            Assert.True(float.IsNaN(y[0]));
            switch (function)
            {
                case Function.Exp:
                    Assert.Equal(new[] { float.PositiveInfinity, 0f, 1f, 1f, 1f, 1f, float.PositiveInfinity, 0f }, y[1..9]);
                    break;
                case Function.Sigmoid:
                    Assert.Equal(new[] { 1f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, 1f, 0f }, y[1..9]);
                    break;
                default:
                    Assert.Equal(new[] { 1f, -1f, 0f, -0f, 1e-40f, -1e-40f, 1f, -1f }, y[1..9]);
                    Assert.True(float.IsNegative(y[4]));
                    break;
            }
        }
    }
}
