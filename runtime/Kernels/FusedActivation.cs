using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>An activation a product kernel applies to each output as it stores it, instead of a pass of its own.</summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum FusedActivation
{
    /// <summary>The output is the sum itself.</summary>
    None,

    /// <summary><c>max(z, 0)</c>.</summary>
    Relu,

    /// <summary><c>z &gt; 0 ? z : slope · z</c>.</summary>
    LeakyRelu,
}

/// <summary>
/// The fused activations, spelled once for every kernel that fuses one. The kind and slope come from a descriptor's
/// constants, so after inlining only the chosen branch is left.
/// </summary>
internal static class FusedActivations
{
    /// <summary><paramref name="kind"/> applied to one finished output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(FusedActivation kind, float slope, float z)
        => kind == FusedActivation.Relu ? MathF.Max(z, 0f)
            : kind == FusedActivation.LeakyRelu ? (z > 0f ? z : slope * z)
            : z;

    /// <summary><paramref name="kind"/> applied to finished outputs, at any width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(FusedActivation kind, float slope, TV z)
        where TV : struct, ILanes<TV>
        => kind == FusedActivation.Relu ? TV.Relu(z)
            : kind == FusedActivation.LeakyRelu ? TV.LeakyRelu(z, slope)
            : z;
}
