using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.CompilerServices;

/// <summary>
/// A float buffer whose first element sits on a 64-byte boundary: a cache line, and the width of a Vector512. The
/// kernels' vector loads at offsets that are multiples of the vector width then never straddle two cache lines, which
/// on AVX-512 would otherwise be every load, and on AVX2 every other one. The array lives on the pinned object heap,
/// so the garbage collector never moves it off its alignment. Parameters, gradients and workspaces use it.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AlignedFloats
{
    private const int AlignmentBytes = 64;

    private readonly float[] _array;
    private readonly int _start;

    /// <summary>Allocates <paramref name="length"/> zeroed floats, the first on a 64-byte boundary.</summary>
    public unsafe AlignedFloats(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int slack = (AlignmentBytes / sizeof(float)) - 1;
        _array = GC.AllocateArray<float>(checked(length + slack), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        int misaligned = (int)(address & (AlignmentBytes - 1));
        _start = misaligned == 0 ? 0 : (AlignmentBytes - misaligned) / sizeof(float);
        Length = length;
    }

    /// <summary>Floats in the buffer.</summary>
    public int Length { get; }

    /// <summary>The whole buffer.</summary>
    public Span<float> Span => new(_array, _start, Length);

    /// <summary><paramref name="length"/> floats from <paramref name="start"/>.</summary>
    public Span<float> Slice(int start, int length) => Span.Slice(start, length);

    /// <summary>The whole buffer, as <see cref="Span"/>.</summary>
    public static implicit operator Span<float>(AlignedFloats buffer) => buffer.Span;

    /// <summary>The whole buffer, read-only.</summary>
    public static implicit operator ReadOnlySpan<float>(AlignedFloats buffer) => buffer.Span;
}
