using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// What a layer norm's kernels need to know about it, as constants: PyTorch's
/// <c>nn.LayerNorm(Features, eps=Epsilon, elementwise_affine=Affine)</c> over the last axis. The generator writes one small
/// struct per layer (<c>file readonly struct LayerNorm3 : ILayerNormLayer { public static int Features =&gt; 64; ... }</c>)
/// and passes it as the type argument of <see cref="LayerNormKernels"/>' methods, which the JIT then compiles with the
/// shape and the branches on <see cref="Affine"/> folded.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ILayerNormLayer
{
    /// <summary>Features of one row (the last axis), over which each row is normalized; the length of γ and β.</summary>
    static abstract int Features { get; }

    /// <summary>ε, added to the variance inside the square root (PyTorch's <c>eps</c>, 1e-5 by default).</summary>
    static abstract float Epsilon { get; }

    /// <summary>Whether the layer scales and shifts by γ (<c>{i}.weight</c>) and β (<c>{i}.bias</c>), both <c>[Features]</c>.</summary>
    static abstract bool Affine { get; }
}
