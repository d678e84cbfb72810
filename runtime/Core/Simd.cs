using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

/// <summary>
/// The vector widths NetGen's kernels take (<see cref="ActiveVectorBits"/> says which one runs), and, for the kernels
/// alone, the few vector operations they need beyond the portable <c>Vector128/256/512</c> API. Each flag is <c>Vector{N}.IsHardwareAccelerated</c>, a constant to the JIT and to
/// NativeAOT, and a <c>static readonly</c> limit, which the JIT folds after tiering: a NativeAOT build for an instruction
/// set without a width compiles no code for that width's paths, and the JIT drops the branches. Set the environment variable
/// <c>NETGEN_MAX_VECTOR_BITS</c> to 256, 128 or 0 before start-up to force a narrower path (tests use it to
/// check every path on one machine).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Simd
{
    private static readonly int s_maxVectorBits = ReadMaxVectorBits();

    /// <summary>The widest vector the process may use, in bits (0: scalar code only).</summary>
    public static int MaxVectorBits => s_maxVectorBits;

    /// <summary>Use <c>Vector512&lt;float&gt;</c> paths.</summary>
    public static bool Use512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated && s_maxVectorBits >= 512;
    }

    /// <summary>Use <c>Vector256&lt;float&gt;</c> paths (when 512 is off).</summary>
    public static bool Use256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated && s_maxVectorBits >= 256;
    }

    /// <summary>Use <c>Vector128&lt;float&gt;</c> paths (when 512 and 256 are off).</summary>
    public static bool Use128
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.IsHardwareAccelerated && s_maxVectorBits >= 128;
    }

    /// <summary>The width the generated code will take, for reports: 512, 256, 128 or 0.</summary>
    public static int ActiveVectorBits => Use512 ? 512 : Use256 ? 256 : Use128 ? 128 : 0;

    /// <summary><c>a * b + c</c>, fused where the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;

    /// <summary><c>a * b + c</c>, fused where the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary><c>a * b + c</c>, fused where the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>
    /// The lane sums of four accumulators as one vector: <c>[Σ a, Σ b, Σ c, Σ d]</c>. Each sum is taken in the
    /// same order as the eight-vector <c>Sum8</c> takes it, ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)), so a dense
    /// kernel that ends 4 rows with this and one that ends 8 rows with <c>Sum8</c> give equal bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
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
    internal static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
        => Sum4(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());

    /// <summary>The lane sums of eight accumulators as one vector, each in the order of <see cref="Sum4(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Sum8(
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
    internal static Vector256<float> Sum8(
        Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d,
        Vector512<float> e, Vector512<float> f, Vector512<float> g, Vector512<float> h)
        => Sum8(
            a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper(),
            e.GetLower() + e.GetUpper(), f.GetLower() + f.GetUpper(), g.GetLower() + g.GetUpper(), h.GetLower() + h.GetUpper());

    /// <summary>
    /// <c>next &gt; best ? next : best</c>: a running maximum that keeps the first of equal values, as max pooling
    /// picks its winner, and passes over a NaN in <paramref name="next"/> (callers that let NaN win handle it apart).
    /// One <c>maxss</c> on x86, whose rule this is; the conditional written in C# compiles to a branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MaxFirst(float best, float next)
        => Sse.IsSupported
            ? Sse.MaxScalar(Vector128.CreateScalarUnsafe(next), Vector128.CreateScalarUnsafe(best)).ToScalar()
            : next > best ? next : best;

    /// <summary><see cref="MaxFirst(float, float)"/> lane by lane: one <c>maxps</c> on x86, a compare and a select elsewhere (Arm's <c>fmax</c> lets NaN win).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MaxFirst(Vector128<float> best, Vector128<float> next)
        => Sse.IsSupported ? Sse.Max(next, best) : Vector128.ConditionalSelect(Vector128.GreaterThan(next, best), next, best);

    /// <summary><see cref="MaxFirst(float, float)"/> lane by lane: one <c>vmaxps</c> on x86.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> MaxFirst(Vector256<float> best, Vector256<float> next)
        => Avx.IsSupported ? Avx.Max(next, best) : Vector256.ConditionalSelect(Vector256.GreaterThan(next, best), next, best);

    /// <summary>
    /// Splits the eight floats of <paramref name="a"/> then <paramref name="b"/> into the even and the odd ones, in order:
    /// <c>evens = [a0 a2 b0 b2]</c>, <c>odds = [a1 a3 b1 b3]</c>. One <c>shufps</c> each on x86, <c>uzp1</c>/<c>uzp2</c> on Arm64.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Deinterleave(Vector128<float> a, Vector128<float> b, out Vector128<float> evens, out Vector128<float> odds)
    {
        if (Sse.IsSupported)
        {
            evens = Sse.Shuffle(a, b, 0b10_00_10_00);
            odds = Sse.Shuffle(a, b, 0b11_01_11_01);
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            evens = AdvSimd.Arm64.UnzipEven(a, b);
            odds = AdvSimd.Arm64.UnzipOdd(a, b);
        }
        else
        {
            evens = Vector128.Create(a.GetElement(0), a.GetElement(2), b.GetElement(0), b.GetElement(2));
            odds = Vector128.Create(a.GetElement(1), a.GetElement(3), b.GetElement(1), b.GetElement(3));
        }
    }

    /// <summary>
    /// Splits the sixteen floats of <paramref name="a"/> then <paramref name="b"/> into the even and the odd ones, in
    /// order: <c>evens = [a0 a2 a4 a6 b0 b2 b4 b6]</c>, <c>odds = [a1 a3 a5 a7 b1 b3 b5 b7]</c>. On AVX2 a
    /// <c>vshufps</c> and a <c>vpermpd</c> each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Deinterleave(Vector256<float> a, Vector256<float> b, out Vector256<float> evens, out Vector256<float> odds)
    {
        if (Avx2.IsSupported)
        {
            // vshufps works within each 128-bit half, [a0 a2 b0 b2 | a4 a6 b4 b6]; vpermpd puts the 64-bit pairs in order 0, 2, 1, 3
            evens = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
            odds = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        }
        else
        {
            Deinterleave(a.GetLower(), a.GetUpper(), out Vector128<float> evensA, out Vector128<float> oddsA);
            Deinterleave(b.GetLower(), b.GetUpper(), out Vector128<float> evensB, out Vector128<float> oddsB);
            evens = Vector256.Create(evensA, evensB);
            odds = Vector256.Create(oddsA, oddsB);
        }
    }

    /// <summary>The lanes of <paramref name="v"/> summed as the horizontal adds above sum them.</summary>
    private static float Pairwise(Vector256<float> v)
        => ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));

    private static int ReadMaxVectorBits()
    {
        string? value = Environment.GetEnvironmentVariable("NETGEN_MAX_VECTOR_BITS");
        return int.TryParse(value, out int bits) ? bits : 512;
    }
}
