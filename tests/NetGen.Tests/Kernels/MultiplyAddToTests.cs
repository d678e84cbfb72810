using System;
using System.Runtime.Intrinsics;
using Xunit;
using static NetGen.FloatLanes;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="ILanes{TSelf}.MultiplyAddTo"/>, the in-place form every register block accumulates with, gives the bits of
/// <see cref="ILanes{TSelf}.MultiplyAdd"/> at every width the process runs: fused where that is fused (one rounding), and
/// rounded twice where that rounds twice (<see cref="S1"/>). The operands are chosen so that the two roundings differ.
/// </summary>
public sealed class MultiplyAddToTests
{
    // (1 + 2^-12)² = 1 + 2^-11 + 2^-24: the last term is below a float's precision near 1, so a product rounded before the add
    // loses it, and with c = -(1 + 2^-11) a fused multiply-add gives 2^-24 where the twice-rounded one gives 0.
    private const float A = 1f + (1f / 4096);
    private const float C = -(1f + (1f / 2048));

    [Fact]
    public void The_fused_and_unfused_results_differ_for_these_operands()
    {
        Assert.Equal(MathF.Pow(2, -24), MathF.FusedMultiplyAdd(A, A, C));
        Assert.Equal(0f, (A * A) + C);
    }

    [Fact]
    public void Every_width_gives_the_bits_of_MultiplyAdd()
    {
        Check<V1>();
        Check<S1>();
        if (Vector128.IsHardwareAccelerated)
        {
            Check<V128>();
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Check<V256>();
        }

        if (Vector512.IsHardwareAccelerated)
        {
            Check<V512>();
        }
    }

    private static void Check<TV>()
        where TV : struct, ILanes<TV>
    {
        // lanes of the chosen operands, of ordinary values and of specials (a NaN, an infinity times zero)
        int n = TV.Count;
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        float[] specials = [float.NaN, 0f, float.PositiveInfinity, -0f];
        for (int i = 0; i < n; i++)
        {
            (a[i], b[i], c[i]) = (i % 4) switch
            {
                0 => (A, A, C),
                1 => (0.1f * (i + 1), -3.7f, 2.5f),
                2 => (specials[(i / 4) % 4], float.PositiveInfinity, 1f),
                _ => (-0f, 5f, -0f),
            };
        }

        TV va = TV.Load(ref a[0], 0), vb = TV.Load(ref b[0], 0), vc = TV.Load(ref c[0], 0);
        TV expected = TV.MultiplyAdd(va, vb, vc);
        TV accumulator = vc;
        TV.MultiplyAddTo(ref accumulator, va, vb);
        var want = new float[n];
        var got = new float[n];
        expected.Store(ref want[0], 0);
        accumulator.Store(ref got[0], 0);
        for (int i = 0; i < n; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]),
                $"{typeof(TV).Name} lane {i}: MultiplyAdd gives {want[i]:R}, MultiplyAddTo {got[i]:R}");
        }

        // and the fused widths fuse: the first lane keeps the 2^-24 that rounding the product first loses
        float fused = want[0];
        Assert.Equal(typeof(TV) == typeof(S1) || !System.Runtime.Intrinsics.X86.Fma.IsSupported ? 0f : MathF.Pow(2, -24), fused);
    }
}
