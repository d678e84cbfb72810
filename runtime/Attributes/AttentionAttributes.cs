using System;

namespace NetGen;

/// <summary>
/// Layer normalization over the last axis, as PyTorch's <c>nn.LayerNorm(d)</c>: each row of <c>d</c> floats is shifted
/// to mean 0 and scaled to variance 1 (the biased variance, over the row's own <c>d</c> values, with
/// <see cref="Epsilon"/> inside the square root), then <c>y = x̂ ⊙ γ + β</c>. γ is <c>{i}.weight</c> <c>[d]</c> (ones) and
/// β is <c>{i}.bias</c> <c>[d]</c> (zeros), as PyTorch initializes them. Unlike batch norm it has no running statistics:
/// training and inference compute the same thing.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance under the square root (PyTorch's <c>eps</c>, 1e-5 by default); greater than 0.</summary>
    public float Epsilon { get; set; } = 1e-5f;

    /// <summary>Whether the layer has γ and β (PyTorch's <c>elementwise_affine</c>, on by default); without them, <c>y = x̂</c>.</summary>
    public bool Affine { get; set; } = true;
}

/// <summary>
/// Multi-head scaled dot-product self-attention on a sequence <c>[T, d]</c>, as PyTorch's
/// <c>nn.MultiheadAttention(d, heads, batch_first=True)</c> called as <c>attn(x, x, x, need_weights=False)</c>:
/// <c>[q | k | v] = x W_inᵀ + b_in</c> (one product), then for each head j over features <c>j·d/h … (j+1)·d/h − 1</c>,
/// <c>o_j = softmax(q_j k_jᵀ / √(d/h)) v_j</c>, and <c>y = [o_0 … o_{h−1}] W_outᵀ + b_out</c>. Parameters, named as
/// PyTorch's: <c>{i}.in_proj_weight</c> <c>[3d, d]</c> (query, key and value stacked), <c>{i}.in_proj_bias</c> <c>[3d]</c>,
/// <c>{i}.out_proj.weight</c> <c>[d, d]</c>, <c>{i}.out_proj.bias</c> <c>[d]</c>. Initialized as PyTorch does: the packed
/// projection from Xavier's uniform bound √(6 / (d + 3d)), the output projection from U(−1/√d, 1/√d), both biases 0.
/// </summary>
/// <remarks>
/// The output has the input's shape <c>[T, d]</c>; <c>d</c> must be a multiple of <c>heads</c>. Backward runs through the
/// softmax in O(T) per row from the attention weights the training forward kept. There is no key padding mask and no
/// separate key or value input (self-attention only).
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MultiHeadAttentionAttribute : LayerAttribute
{
    /// <summary>Declares self-attention with <paramref name="heads"/> heads.</summary>
    public MultiHeadAttentionAttribute(int heads) => Heads = heads;

    /// <summary>h: heads, each over <c>d / h</c> features (PyTorch's <c>num_heads</c>).</summary>
    public int Heads { get; }

    /// <summary>
    /// Whether position i attends only to positions j ≤ i (PyTorch's <c>attn_mask</c> of
    /// <c>torch.triu(torch.ones(T, T, dtype=torch.bool), 1)</c>, or <c>is_causal</c>). The masked half is never computed.
    /// </summary>
    public bool Causal { get; set; }

    /// <summary>Dropout on the attention weights in training (PyTorch's <c>dropout</c>, 0 by default); in [0, 1).</summary>
    public float Dropout { get; set; }

    /// <summary>Whether the projections have biases (PyTorch's <c>bias</c>, on by default).</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>
/// A learned position embedding: a parameter <c>{i}.weight</c> <c>[T, d]</c> added to the sequence <c>[T, d]</c>, row t to
/// token t (the twin is a module holding <c>self.weight = nn.Parameter(torch.zeros(T, d))</c> whose forward returns
/// <c>x + self.weight</c>). Initialized to zeros, as the usual PyTorch recipe does; there is no PyTorch default to follow.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PositionalEmbeddingAttribute : LayerAttribute
{
}

/// <summary>
/// The fixed sinusoidal position encoding of "Attention Is All You Need", added to the sequence <c>[T, d]</c>:
/// <c>PE[t, 2i] = sin(t · e^(−ln(10000) · 2i / d))</c>, <c>PE[t, 2i + 1] = cos(t · e^(−ln(10000) · 2i / d))</c>, computed in
/// double precision and rounded to float (the PyTorch tutorial's table). No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SinusoidalPositionsAttribute : LayerAttribute
{
}

/// <summary>
/// The mean over the sequence axis: <c>[T, d]</c> to <c>[d]</c>, <c>y = (1/T) Σ_t x_t</c> (PyTorch's <c>x.mean(dim=1)</c> on
/// a batch), the pooling a Transformer classifier puts before its head.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SequenceMeanAttribute : LayerAttribute
{
}

/// <summary>The activation of a <see cref="TransformerEncoderAttribute"/>'s feed-forward block (PyTorch's <c>activation</c>).</summary>
public enum TransformerActivation
{
    /// <summary><c>relu</c>, PyTorch's default.</summary>
    Relu,

    /// <summary>The exact GELU, <c>x Φ(x)</c> (PyTorch's <c>"gelu"</c>).</summary>
    Gelu,
}

/// <summary>
/// One Transformer encoder layer on a sequence <c>[T, d]</c>, as PyTorch's
/// <c>nn.TransformerEncoderLayer(d, heads, feedForward, dropout, activation, batch_first=True, norm_first)</c>.
/// Post-norm (the default): <c>x = norm1(x + dropout1(self_attn(x)))</c>, then
/// <c>x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))</c>. With <see cref="NormFirst"/>:
/// <c>x = x + dropout1(self_attn(norm1(x)))</c>, then <c>x = x + dropout2(linear2(dropout(act(linear1(norm2(x))))))</c>.
/// </summary>
/// <remarks>
/// Parameters are named as PyTorch's <c>state_dict</c> names them, in its order: <c>{i}.self_attn.in_proj_weight</c>
/// <c>[3d, d]</c>, <c>{i}.self_attn.in_proj_bias</c>, <c>{i}.self_attn.out_proj.weight</c> <c>[d, d]</c>,
/// <c>{i}.self_attn.out_proj.bias</c>, <c>{i}.linear1.weight</c> <c>[feedForward, d]</c>, <c>{i}.linear1.bias</c>,
/// <c>{i}.linear2.weight</c> <c>[d, feedForward]</c>, <c>{i}.linear2.bias</c>, <c>{i}.norm1.weight</c>, <c>{i}.norm1.bias</c>,
/// <c>{i}.norm2.weight</c>, <c>{i}.norm2.bias</c>, initialized as PyTorch initializes each (see
/// <see cref="MultiHeadAttentionAttribute"/>, <see cref="DenseAttribute"/>, <see cref="LayerNormAttribute"/>). The
/// attention weights get the same dropout as the other three places, as in PyTorch. The output has the input's shape.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TransformerEncoderAttribute : LayerAttribute
{
    /// <summary>Declares an encoder layer with <paramref name="heads"/> attention heads and a feed-forward block of <paramref name="feedForward"/> units.</summary>
    public TransformerEncoderAttribute(int heads, int feedForward)
    {
        Heads = heads;
        FeedForward = feedForward;
    }

    /// <summary>Attention heads (PyTorch's <c>nhead</c>); <c>d</c> must be a multiple of it.</summary>
    public int Heads { get; }

    /// <summary>Units of the feed-forward block's hidden layer (PyTorch's <c>dim_feedforward</c>).</summary>
    public int FeedForward { get; }

    /// <summary>Dropout probability in training, in [0, 1): 0.1 by default, as PyTorch's.</summary>
    public float Dropout { get; set; } = 0.1f;

    /// <summary>Whether the layer norms come before the attention and the feed-forward block (PyTorch's <c>norm_first</c>).</summary>
    public bool NormFirst { get; set; }

    /// <summary>The feed-forward block's activation: ReLU (the default) or the exact GELU.</summary>
    public TransformerActivation Activation { get; set; } = TransformerActivation.Relu;

    /// <summary>Whether the attention is causal (position i sees j ≤ i), PyTorch's square subsequent mask as <c>src_mask</c>.</summary>
    public bool Causal { get; set; }

    /// <summary>The layer norms' epsilon (PyTorch's <c>layer_norm_eps</c>, 1e-5 by default).</summary>
    public float Epsilon { get; set; } = 1e-5f;
}
