using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// What a convolution's kernels need to know about it, as constants: the generator writes one small struct per layer
/// (<c>file readonly struct Conv0 : IConvolutionLayer { public static int InChannels =&gt; 1; ... }</c>) and passes it as
/// the type argument of <see cref="ConvolutionKernels"/>' methods, which the JIT and NativeAOT compile once per layer
/// with every size a literal. A 1-D layer is a 2-D one of height 1 (<c>[C, W]</c> is <c>[C, 1, W]</c>).
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IConvolutionLayer
{
    /// <summary>Channels of the input, <c>C</c>.</summary>
    static abstract int InChannels { get; }

    /// <summary>Rows of the input, <c>H</c> (1 for a sequence).</summary>
    static abstract int InHeight { get; }

    /// <summary>Columns of the input, <c>W</c>.</summary>
    static abstract int InWidth { get; }

    /// <summary>Filters, the channels of the output.</summary>
    static abstract int OutChannels { get; }

    /// <summary>Rows of the output, <c>H'</c>.</summary>
    static abstract int OutHeight { get; }

    /// <summary>Columns of the output, <c>W'</c>.</summary>
    static abstract int OutWidth { get; }

    /// <summary>Rows of a filter, <c>kh</c>.</summary>
    static abstract int KernelHeight { get; }

    /// <summary>Columns of a filter, <c>kw</c>.</summary>
    static abstract int KernelWidth { get; }

    /// <summary>Rows between the windows of two output rows.</summary>
    static abstract int StrideHeight { get; }

    /// <summary>Columns between the windows of two output columns.</summary>
    static abstract int StrideWidth { get; }

    /// <summary>Rows of zeros above and below the input.</summary>
    static abstract int PaddingHeight { get; }

    /// <summary>Columns of zeros left and right of the input.</summary>
    static abstract int PaddingWidth { get; }

    /// <summary>Rows between two taps of a filter.</summary>
    static abstract int DilationHeight { get; }

    /// <summary>Columns between two taps of a filter.</summary>
    static abstract int DilationWidth { get; }

    /// <summary>
    /// Whether forward copies each sample into an im2col matrix <c>[C·kh·kw, H'·W']</c>; false when the input is that
    /// matrix already (a 1×1 kernel, stride 1, no padding).
    /// </summary>
    static abstract bool UsesColumns { get; }

    /// <summary>Whether the layer adds a bias <c>b: [OutChannels]</c>.</summary>
    static abstract bool HasBias { get; }

    /// <summary>The activation applied to each finished sum inside the forward kernel, if any.</summary>
    static abstract FusedActivation Activation { get; }

    /// <summary>The negative slope of <see cref="FusedActivation.LeakyRelu"/>; unused otherwise.</summary>
    static abstract float Slope { get; }
}

/// <summary>
/// What a pooling layer's kernels need to know about it, as constants (see <see cref="PoolingKernels"/>): windows of
/// <c>KernelHeight × KernelWidth</c> taps, no padding, no dilation; global pooling is one window the size of the input.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IPoolingLayer
{
    /// <summary>Channels, of the input and the output.</summary>
    static abstract int Channels { get; }

    /// <summary>Rows of the input (1 for a sequence).</summary>
    static abstract int InHeight { get; }

    /// <summary>Columns of the input.</summary>
    static abstract int InWidth { get; }

    /// <summary>Rows of the output.</summary>
    static abstract int OutHeight { get; }

    /// <summary>Columns of the output.</summary>
    static abstract int OutWidth { get; }

    /// <summary>Rows of a window.</summary>
    static abstract int KernelHeight { get; }

    /// <summary>Columns of a window.</summary>
    static abstract int KernelWidth { get; }

    /// <summary>Rows between the windows of two output rows.</summary>
    static abstract int StrideHeight { get; }

    /// <summary>Columns between the windows of two output columns.</summary>
    static abstract int StrideWidth { get; }
}
