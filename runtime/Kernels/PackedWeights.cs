using System;
using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// The dense weights a workspace keeps packed for one inference forward (<see cref="Workspace.ReusePackedWeights"/>), as
/// <see cref="WorkspaceAccess.PackedWeights"/> hands them to the chain: each dense layer's <see cref="Region"/>, and whether
/// this forward packs them (<see cref="Repack"/>) or reads them as the last one left them. Empty when nothing is kept.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct PackedWeights
{
    private readonly Span<float> _floats;

    internal PackedWeights(Span<float> floats, bool repack)
    {
        _floats = floats;
        Repack = repack;
    }

    /// <summary>Whether this forward packs every region (the parameters changed, or nothing was packed yet).</summary>
    public bool Repack { get; }

    /// <summary>One layer's packed W: <paramref name="length"/> floats from <paramref name="start"/>, or empty when nothing is kept.</summary>
    public Span<float> Region(int start, int length) => _floats.IsEmpty ? Span<float>.Empty : _floats.Slice(start, length);
}
