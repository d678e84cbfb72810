using NetGen;

// Generated attention and composition networks: the PyTorch parity twins of Reference/attention_networks_reference.py
// (the names, shapes and order of their parameters are the twins' state_dicts). Widths are small and uneven (6 and 8
// features, 2 and 4 heads of 4 and 2) so a parity check stays quick; T of 1, 5, 6 and 7.
namespace NetGen.Tests.Networks;

/// <summary>Layer norm over the 6 features of each of 5 tokens (affine γ, β), then a dense layer on every token.</summary>
[Network]
[Input(5, 6)]
[LayerNorm]
[Dense(3)]
public partial class AttnLayerNorm;

/// <summary>Layer norm without γ and β and with ε = 1e-3, then a dense layer on every token.</summary>
[Network]
[Input(5, 6)]
[LayerNorm(Epsilon = 1e-3f, Affine = false)]
[Dense(3)]
public partial class AttnLayerNormPlain;

/// <summary>Fixed sinusoidal positions, two-head self-attention over 7 tokens of 8, a dense layer on every token.</summary>
[Network]
[Input(7, 8)]
[SinusoidalPositions]
[MultiHeadAttention(2)]
[Dense(3)]
public partial class AttnMha;

/// <summary>Causal four-head self-attention (heads of 2 features) over 7 tokens, a dense layer on every token.</summary>
[Network]
[Input(7, 8)]
[MultiHeadAttention(4, Causal = true)]
[Dense(3)]
public partial class AttnMhaCausal;

/// <summary>One-head self-attention over a single token: the softmax is 1, the query and key get no gradient.</summary>
[Network]
[Input(1, 4)]
[MultiHeadAttention(1)]
public partial class AttnMhaOneHead;

/// <summary>A post-norm ReLU encoder layer, the mean over the tokens, a dense classifier (the anchor transformer's shape).</summary>
[Network]
[Input(6, 8)]
[TransformerEncoder(2, 16, Dropout = 0f)]
[SequenceMean]
[Dense(3)]
public partial class EncoderPostRelu;

/// <summary>A pre-norm GELU encoder layer, then a dense layer on every token.</summary>
[Network]
[Input(6, 8)]
[TransformerEncoder(2, 16, Dropout = 0f, NormFirst = true, Activation = TransformerActivation.Gelu)]
[Dense(3)]
public partial class EncoderPreGelu;

/// <summary>Token ids → Embedding → learned positions → two causal encoder layers → Dense on every token (a tiny GPT).</summary>
[Network]
[Input(5)]
[Embedding(9, 8)]
[PositionalEmbedding]
[TransformerEncoder(2, 16, Dropout = 0f, Causal = true)]
[TransformerEncoder(2, 16, Dropout = 0f, Causal = true)]
[Dense(9)]
public partial class CausalTwoLayer;

/// <summary>The feed-forward block of <see cref="ResidualBlocks"/> and <see cref="NestedOuter"/>: 8 → 16 → ReLU → 8 on every token.</summary>
[Network]
[Input(6, 8)]
[Dense(16), ReLU]
[Dense(8)]
public partial class ResidualFeedForward;

/// <summary>x + FF(x), layer norm, FF(x) as a plain block, the mean over the tokens, a dense classifier.</summary>
[Network]
[Input(6, 8)]
[Residual(typeof(ResidualFeedForward))]
[LayerNorm]
[Block(typeof(ResidualFeedForward))]
[SequenceMean]
[Dense(3)]
public partial class ResidualBlocks;

/// <summary>A residual feed-forward block then a layer norm: the inner block of <see cref="NestedBlocks"/>.</summary>
[Network]
[Input(6, 8)]
[Residual(typeof(ResidualFeedForward))]
[LayerNorm]
public partial class NestedOuter;

/// <summary>x + NestedOuter(x), blocks two deep (names 0.0.0.weight …), then a dense layer on every token.</summary>
[Network]
[Input(6, 8)]
[Residual(typeof(NestedOuter))]
[Dense(3)]
public partial class NestedBlocks;
