using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

/// <summary>
/// The vector widths generated code may use, and the few vector operations it needs beyond the portable
/// <c>Vector128/256/512</c> API. The flags are <c>static readonly</c>, so the JIT folds the branches on
/// them after tiering; NativeAOT reads them once. Set the environment variable
/// <c>NETGEN_MAX_VECTOR_BITS</c> to 256, 128 or 0 before start-up to force a narrower path (tests use it to
/// check every path on one machine).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Simd
{
    /// <summary>The widest vector the process may use, in bits (0: scalar code only).</summary>
    public static readonly int MaxVectorBits = ReadMaxVectorBits();

    /// <summary>Use <c>Vector512&lt;float&gt;</c> paths.</summary>
    public static readonly bool Use512 = Vector512.IsHardwareAccelerated && MaxVectorBits >= 512;

    /// <summary>Use <c>Vector256&lt;float&gt;</c> paths (when 512 is off).</summary>
    public static readonly bool Use256 = Vector256.IsHardwareAccelerated && MaxVectorBits >= 256;

    /// <summary>Use <c>Vector128&lt;float&gt;</c> paths (when 512 and 256 are off).</summary>
    public static readonly bool Use128 = Vector128.IsHardwareAccelerated && MaxVectorBits >= 128;

    /// <summary>The width the generated code will take, for reports: 512, 256, 128 or 0.</summary>
    public static int ActiveVectorBits => Use512 ? 512 : Use256 ? 256 : Use128 ? 128 : 0;

    /// <summary><c>a * b + c</c>, fused where the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;

    /// <summary><c>a * b + c</c>, fused where the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary><c>a * b + c</c>, fused where the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>
    /// The lane sums of four accumulators as one vector: <c>[Σ a, Σ b, Σ c, Σ d]</c>. Each sum is taken in the
    /// same order as the eight-vector <c>Sum8</c> takes it, ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)), so a dense
    /// kernel that ends 4 rows with this and one that ends 8 rows with <c>Sum8</c> give equal bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        if (Avx.IsSupported)
        {
            // [a01 a23 b01 b23 | a45 a67 b45 b67] and the same for c, d; then [a0123 b0123 c0123 d0123 | a4567 ...]
            Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
            return h.GetLower() + h.GetUpper();
        }

        return Vector128.Create(Pairwise(a), Pairwise(b), Pairwise(c), Pairwise(d));
    }

    /// <summary><see cref="Sum4(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/> after adding each accumulator's two 256-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
        => Sum4(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());

    /// <summary>The lane sums of eight accumulators as one vector, each in the order of <see cref="Sum4(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sum8(
        Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d,
        Vector256<float> e, Vector256<float> f, Vector256<float> g, Vector256<float> h)
    {
        if (Avx.IsSupported)
        {
            Vector256<float> abcd = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
            Vector256<float> efgh = Avx.HorizontalAdd(Avx.HorizontalAdd(e, f), Avx.HorizontalAdd(g, h));

            // lanes [a b c d | a b c d] and [e f g h | e f g h], each half a partial sum: add the halves
            return Vector256.Create(abcd.GetLower(), efgh.GetLower()) + Vector256.Create(abcd.GetUpper(), efgh.GetUpper());
        }

        return Vector256.Create(Sum4(a, b, c, d), Sum4(e, f, g, h));
    }

    /// <summary><see cref="Sum8(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/> after adding each accumulator's two 256-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sum8(
        Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d,
        Vector512<float> e, Vector512<float> f, Vector512<float> g, Vector512<float> h)
        => Sum8(
            a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper(),
            e.GetLower() + e.GetUpper(), f.GetLower() + f.GetUpper(), g.GetLower() + g.GetUpper(), h.GetLower() + h.GetUpper());

    /// <summary>The lanes of <paramref name="v"/> summed as the horizontal adds above sum them.</summary>
    private static float Pairwise(Vector256<float> v)
        => ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));

    private static int ReadMaxVectorBits()
    {
        string? value = Environment.GetEnvironmentVariable("NETGEN_MAX_VECTOR_BITS");
        return int.TryParse(value, out int bits) ? bits : 512;
    }
}
