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

    private static int ReadMaxVectorBits()
    {
        string? value = Environment.GetEnvironmentVariable("NETGEN_MAX_VECTOR_BITS");
        return int.TryParse(value, out int bits) ? bits : 512;
    }
}
