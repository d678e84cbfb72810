using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace NetGen.CompilerServices;

/// <summary>
/// A residual block's two element-wise steps: forward <c>y = x + f(x)</c>, and in backward the skip path's gradient added
/// to the block's own where the two paths fork (dx of the block += dy), so nothing is recomputed.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ResidualKernels
{
    /// <summary><c>y = x + fx</c>, element by element; all three the same length (y may be x or fx).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> fx, Span<float> y)
    {
        Check(x.Length, fx.Length, nameof(fx));
        Check(x.Length, y.Length, nameof(y));
        TensorPrimitives.Add(x, fx, y);
    }

    /// <summary><c>target += gradient</c>, element by element; both the same length.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Accumulate(ReadOnlySpan<float> gradient, Span<float> target)
    {
        Check(gradient.Length, target.Length, nameof(target));
        TensorPrimitives.Add(target, gradient, target);
    }

    private static void Check(int expected, int length, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Expected {expected} floats, got {length}.", name);
        }
    }
}
