using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// What the attention kernels (<see cref="AttentionKernels"/>) need to know about one multi-head self-attention layer, as
/// constants: the generator writes one small struct per layer
/// (<c>file readonly struct Attention0 : IAttentionLayer { public static int Steps =&gt; 64; ... }</c>) and passes it as the
/// type argument, so every shape is a literal in the compiled kernel, as for <see cref="IDenseLayer"/>.
/// </summary>
/// <remarks>
/// <para>
/// The layer is PyTorch's <c>nn.MultiheadAttention(Model, Heads, batch_first=True)</c> called as self-attention: the
/// packed input projection (<c>in_proj</c>) and the output projection (<c>out_proj</c>) are ordinary dense products the
/// generated code runs around the kernels; the kernels compute what lies between them, per sample and per head.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IAttentionLayer
{
    /// <summary>T: tokens per sample (the sequence length); at least 1.</summary>
    static abstract int Steps { get; }

    /// <summary>d: the embedding width, a multiple of <see cref="Heads"/>.</summary>
    static abstract int Model { get; }

    /// <summary>h: the heads; each has <c>dk = d / h</c> features of q, k and v.</summary>
    static abstract int Heads { get; }

    /// <summary>Whether position i attends to positions j ≤ i only (a causal mask: the upper triangle of the scores is −∞).</summary>
    static abstract bool Causal { get; }
}
