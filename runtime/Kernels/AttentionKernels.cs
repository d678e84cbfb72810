using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace NetGen.CompilerServices;

/// <summary>stub</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class AttentionKernels
{
    /// <summary>stub</summary>
    public static int WeightsLength<TLayer>() where TLayer : struct, IAttentionLayer => TLayer.Heads * TLayer.Steps * TLayer.Steps;

    /// <summary>stub</summary>
    public static int BackwardScratchLength<TLayer>() where TLayer : struct, IAttentionLayer => 0;

    /// <summary>stub</summary>
    public static void Forward<TLayer>(ReadOnlySpan<float> qkv, Span<float> output, Span<float> weights, ReadOnlySpan<float> mask, int batch, int threads)
        where TLayer : struct, IAttentionLayer
        => output.Clear();

    /// <summary>stub</summary>
    public static void Backward<TLayer>(ReadOnlySpan<float> qkv, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, ReadOnlySpan<float> dOutput, Span<float> dQkv, Span<float> scratch, int batch, int threads)
        where TLayer : struct, IAttentionLayer
        => dQkv.Clear();
}
