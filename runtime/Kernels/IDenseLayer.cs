using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// What a dense layer's kernels need to know about it, as constants: the generator writes one small struct per layer
/// (<c>file readonly struct Dense0 : IDenseLayer { public static int Inputs =&gt; 784; ... }</c>) and passes it as the type
/// argument of <see cref="DenseKernels"/>' methods. The JIT and NativeAOT compile a generic method once per struct type
/// argument and fold its <c>static abstract</c> members, so the kernel runs with every shape a literal: constant trip
/// counts, offsets folded into addressing, the branches on <see cref="HasBias"/> and <see cref="Activation"/> gone.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IDenseLayer
{
    /// <summary>Features of one input row (the last axis).</summary>
    static abstract int Inputs { get; }

    /// <summary>Features of one output row: the rows of W, <c>[Units, Inputs]</c> in PyTorch's layout.</summary>
    static abstract int Units { get; }

    /// <summary>Whether the layer adds a bias <c>b: [Units]</c>.</summary>
    static abstract bool HasBias { get; }

    /// <summary>The activation applied to each finished sum inside the forward kernel, if any.</summary>
    static abstract FusedActivation Activation { get; }

    /// <summary>The negative slope of <see cref="FusedActivation.LeakyRelu"/>; unused otherwise.</summary>
    static abstract float Slope { get; }
}
