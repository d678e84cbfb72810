using System;
using System.ComponentModel;
using System.Threading;

namespace NetGen.CompilerServices;

/// <summary>
/// A network's parameters (<see cref="AlignedFloats"/>, 64-byte aligned) with a version that moves on every time a caller
/// is handed them to write: the <c>Parameters</c> property, a weight view, <c>Initialize</c>, and so every optimizer step,
/// <c>Load</c> and checkpoint restore, which all write through those. A workspace that keeps the dense weights packed
/// (<see cref="Workspace.ReusePackedWeights"/>) packs them again when the version it packed from is not this one.
/// </summary>
/// <remarks>
/// Versions come from one process-wide counter, so no two buffers (two instances of a network sharing a workspace) ever
/// show the same one. The forward and backward chains read through <see cref="ReadOnly"/>, which does not move it. What a
/// version cannot see is a write through a span handed out before the last forward; <see cref="Workspace.ReusePackedWeights"/>
/// says so. For generated code only; not part of NetGen's supported API and may change between versions.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ParameterBuffer
{
    private static long s_versions;

    private readonly AlignedFloats _floats;
    private long _version;

    /// <summary>Allocates <paramref name="length"/> zeroed parameters.</summary>
    public ParameterBuffer(int length)
    {
        _floats = new AlignedFloats(length);
        _version = NextVersion();
    }

    /// <summary>The version of what the buffer holds: a new one each time it was handed out to be written.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Every parameter, to be written: the version moves on.</summary>
    public Span<float> Writable
    {
        get
        {
            Volatile.Write(ref _version, NextVersion());
            return _floats.Span;
        }
    }

    /// <summary><paramref name="length"/> parameters from <paramref name="start"/>, to be written: the version moves on.</summary>
    public Span<float> WritableSlice(int start, int length) => Writable.Slice(start, length);

    /// <summary>Every parameter, to be read (the chains): the version stays.</summary>
    public ReadOnlySpan<float> ReadOnly => _floats.Span;

    private static long NextVersion() => Interlocked.Increment(ref s_versions);
}
