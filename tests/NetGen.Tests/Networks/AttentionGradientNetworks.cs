using NetGen;

// Generated attention and composition networks for the gradient checks and the thread, batch, allocation and stale
// workspace tests. Widths are small and uneven so every product has a scalar tail; T of 1 and 7 cover a single token and
// a long causal chain; 1, 2 and 4 heads.
namespace NetGen.Tests.Networks;

/// <summary>Layer norm with γ and β over rows of 5.</summary>
[Network]
[Input(3, 5)]
[LayerNorm]
[Dense(2)]
public partial class GradLayerNorm;

/// <summary>Layer norm without γ and β, ε 1e-3, on a vector.</summary>
[Network]
[Input(4)]
[LayerNorm(Epsilon = 1e-3f, Affine = false)]
[Dense(2)]
public partial class GradLayerNormPlain;

/// <summary>One head over one token.</summary>
[Network]
[Input(1, 4)]
[MultiHeadAttention(1)]
public partial class GradMhaOneHeadT1;

/// <summary>Two heads over seven tokens.</summary>
[Network]
[Input(7, 6)]
[MultiHeadAttention(2)]
public partial class GradMhaTwoHeadsT7;

/// <summary>Four causal heads of 2 over seven tokens.</summary>
[Network]
[Input(7, 8)]
[MultiHeadAttention(4, Causal = true)]
public partial class GradMhaCausalT7;

/// <summary>Two causal heads over one token.</summary>
[Network]
[Input(1, 6)]
[MultiHeadAttention(2, Causal = true)]
public partial class GradMhaCausalT1;

/// <summary>Two heads, no biases, then a dense layer on every token.</summary>
[Network]
[Input(5, 4)]
[MultiHeadAttention(2, Bias = false)]
[Dense(3)]
public partial class GradMhaNoBias;

/// <summary>Learned and sinusoidal positions, then a dense layer.</summary>
[Network]
[Input(4, 6)]
[PositionalEmbedding]
[SinusoidalPositions]
[Dense(3)]
public partial class GradPositions;

/// <summary>The block the composition networks use: [5, 6] → [5, 6].</summary>
[Network]
[Input(5, 6)]
[Dense(7), Tanh]
[Dense(6)]
public partial class GradFeedForward;

/// <summary>A residual block.</summary>
[Network]
[Input(5, 6)]
[Residual(typeof(GradFeedForward))]
public partial class GradResidual;

/// <summary>A residual block then layer norm, used inside <see cref="GradNested"/>.</summary>
[Network]
[Input(5, 6)]
[Residual(typeof(GradFeedForward))]
[LayerNorm]
public partial class GradNestedInner;

/// <summary>Blocks two deep, a plain block, the mean over tokens.</summary>
[Network]
[Input(5, 6)]
[Residual(typeof(GradNestedInner))]
[Block(typeof(GradFeedForward), Name = "head")]
[SequenceMean]
public partial class GradNested;

/// <summary>An encoder layer, post-norm, ReLU.</summary>
[Network]
[Input(5, 8)]
[TransformerEncoder(2, 12, Dropout = 0f)]
public partial class GradEncoderPost;

/// <summary>An encoder layer, pre-norm, GELU, causal.</summary>
[Network]
[Input(5, 8)]
[TransformerEncoder(4, 12, Dropout = 0f, NormFirst = true, Activation = TransformerActivation.Gelu, Causal = true)]
public partial class GradEncoderPreGelu;

/// <summary>
/// A causal language model on token ids: embedding, positions, two encoder layers (GELU, so that central differences
/// meet no kinks across its many units), the logits of every token.
/// </summary>
[Network]
[Input(6)]
[Embedding(7, 8)]
[PositionalEmbedding]
[TransformerEncoder(2, 12, Dropout = 0f, Causal = true, Activation = TransformerActivation.Gelu)]
[TransformerEncoder(2, 12, Dropout = 0f, Causal = true, NormFirst = true, Activation = TransformerActivation.Gelu)]
[Dense(7)]
public partial class GradTinyGpt;

/// <summary>An encoder layer with dropout, for the training-forward tests (not gradient-checked).</summary>
[Network]
[Input(5, 8)]
[TransformerEncoder(2, 12, Dropout = 0.2f)]
public partial class GradEncoderDropout;
