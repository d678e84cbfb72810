using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace NetGen.CompilerServices;

/// <summary>
/// Whole-span activation functions and their derivatives, called by generated code for the activations
/// that need a transcendental function (ReLU and leaky ReLU are inlined into the generated loops instead).
/// Each backward takes what the forward kept: sigmoid and tanh their outputs, GELU its inputs.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Activations
{
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;

    /// <summary><c>a = max(z, 0)</c>.</summary>
    public static void Relu(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Max(z, 0f, a);

    /// <summary><c>dz = a &gt; 0 ? da : 0</c>, from the ReLU's output <paramref name="a"/> (positive exactly where its input was).</summary>
    public static void ReluBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> da, Span<float> dz)
    {
        CheckLengths(a.Length, da.Length, dz.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> av = MemoryMarshal.Cast<float, Vector<float>>(a);
            ReadOnlySpan<Vector<float>> dav = MemoryMarshal.Cast<float, Vector<float>>(da);
            Span<Vector<float>> dzv = MemoryMarshal.Cast<float, Vector<float>>(dz);
            for (int v = 0; v < av.Length; v++)
            {
                dzv[v] = Vector.ConditionalSelect(Vector.GreaterThan(av[v], Vector<float>.Zero), dav[v], Vector<float>.Zero);
            }

            i = av.Length * Vector<float>.Count;
        }

        for (; i < a.Length; i++)
        {
            dz[i] = a[i] > 0f ? da[i] : 0f;
        }
    }

    /// <summary><c>a = z &gt; 0 ? z : slope * z</c>.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> z, Span<float> a, float slope)
    {
        CheckLengths(z.Length, z.Length, a.Length);
        for (int i = 0; i < z.Length; i++)
        {
            float x = z[i];
            a[i] = x > 0f ? x : slope * x;
        }
    }

    /// <summary><c>dz = a &gt; 0 ? da : slope * da</c>, from the output; right for slopes of 0 or more.</summary>
    public static void LeakyReluBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> da, Span<float> dz, float slope)
    {
        CheckLengths(a.Length, da.Length, dz.Length);
        for (int i = 0; i < a.Length; i++)
        {
            dz[i] = a[i] > 0f ? da[i] : slope * da[i];
        }
    }

    /// <summary><c>dz = z &gt; 0 ? da : slope * da</c>, from the input; needed when the slope is negative.</summary>
    public static void LeakyReluBackwardFromInput(ReadOnlySpan<float> z, ReadOnlySpan<float> da, Span<float> dz, float slope)
        => LeakyReluBackward(z, da, dz, slope);

    /// <summary><c>a = 1 / (1 + e^-z)</c>.</summary>
    public static void Sigmoid(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Sigmoid(z, a);

    /// <summary><c>dz = da * a * (1 - a)</c>, from the sigmoid's output <paramref name="a"/>.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> da, Span<float> dz)
    {
        CheckLengths(a.Length, da.Length, dz.Length);
        for (int i = 0; i < a.Length; i++)
        {
            dz[i] = da[i] * a[i] * (1f - a[i]);
        }
    }

    /// <summary><c>a = tanh(z)</c>.</summary>
    public static void Tanh(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Tanh(z, a);

    /// <summary><c>dz = da * (1 - a²)</c>, from the tanh's output <paramref name="a"/>.</summary>
    public static void TanhBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> da, Span<float> dz)
    {
        CheckLengths(a.Length, da.Length, dz.Length);
        for (int i = 0; i < a.Length; i++)
        {
            dz[i] = da[i] * (1f - a[i] * a[i]);
        }
    }

    /// <summary><c>a = z Φ(z) = z (1 + erf(z / √2)) / 2</c>, PyTorch's exact GELU.</summary>
    public static void Gelu(ReadOnlySpan<float> z, Span<float> a)
    {
        if (z.Length != a.Length)
        {
            throw new ArgumentException($"Expected {z.Length} outputs, got {a.Length}.", nameof(a));
        }

        for (int i = 0; i < z.Length; i++)
        {
            float x = z[i];
            a[i] = 0.5f * x * (1f + Erf(x * InvSqrt2));
        }
    }

    /// <summary><c>dz = da (Φ(z) + z φ(z))</c>, from the GELU's input <paramref name="z"/>.</summary>
    public static void GeluBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> da, Span<float> dz)
    {
        CheckLengths(z.Length, da.Length, dz.Length);
        for (int i = 0; i < z.Length; i++)
        {
            float x = z[i];
            float cdf = 0.5f * (1f + Erf(x * InvSqrt2));
            float pdf = InvSqrt2Pi * MathF.Exp(-0.5f * x * x);
            dz[i] = da[i] * (cdf + x * pdf);
        }
    }

    /// <summary>Softmax of one row, stable: <c>a_i = e^(z_i - max z) / Σ_j e^(z_j - max z)</c>.</summary>
    public static void Softmax(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.SoftMax(z, a);

    /// <summary><c>dz_i = a_i (da_i - Σ_j da_j a_j)</c>, the softmax Jacobian applied to <paramref name="da"/>.</summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> a, ReadOnlySpan<float> da, Span<float> dz)
    {
        CheckLengths(a.Length, da.Length, dz.Length);
        float dot = TensorPrimitives.Dot(a, da);
        for (int i = 0; i < a.Length; i++)
        {
            dz[i] = a[i] * (da[i] - dot);
        }
    }

    /// <summary>
    /// The error function in single precision, from the double-precision <see cref="Math"/> functions so
    /// GELU matches PyTorch to float rounding. (Neither .NET 8 nor <c>TensorPrimitives</c> has erf.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Erf(float x)
    {
        // Abramowitz & Stegun 7.1.28 is too coarse for 1e-6 parity; use the complementary form with a
        // Chebyshev-fitted exponent (Numerical Recipes' erfc, |relative error| < 1.2e-7) in double.
        double ax = Math.Abs((double)x);
        double t = 1.0 / (1.0 + 0.5 * ax);
        double y = t * Math.Exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
            + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
            + t * (-0.82215223 + t * 0.17087277)))))))));
        double erf = 1.0 - y;
        return (float)(x >= 0 ? erf : -erf);
    }

    private static void CheckLengths(int a, int da, int dz)
    {
        if (da != a)
        {
            throw new ArgumentException($"Expected {a} gradients, got {da}.", nameof(da));
        }

        if (dz != a)
        {
            throw new ArgumentException($"Expected {a} outputs, got {dz}.", nameof(dz));
        }
    }
}
