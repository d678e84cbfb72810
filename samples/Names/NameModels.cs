using NetGen;

namespace NetGen.Samples.Names;

// Character-level language models over 16 steps: each step's 54 logits predict the next character (or the end
// of the name). The embedding takes token ids; Dense acts on every step of the recurrent layer's [16, 128] output.

/// <summary>Embedding(54, 32) → LSTM(128) over every step → Dense(54) at each step (logits).</summary>
[Network]
[Input(16)]
[Embedding(54, 32)]
[Lstm(128)]
[Dense(54)]
public partial class NamesLstm;

/// <summary>Embedding(54, 32) → GRU(128) over every step → Dense(54) at each step (logits).</summary>
[Network]
[Input(16)]
[Embedding(54, 32)]
[Gru(128)]
[Dense(54)]
public partial class NamesGru;

/// <summary>Embedding(54, 32) → tanh RNN(128) over every step → Dense(54) at each step (logits).</summary>
[Network]
[Input(16)]
[Embedding(54, 32)]
[Rnn(128)]
[Dense(54)]
public partial class NamesRnn;

/// <summary>
/// A character-level causal Transformer (a tiny GPT): Embedding(54, 64) plus a learned position table (zeros at first),
/// two post-norm encoder layers (d 64, 4 heads, feed-forward 256, dropout 0.1 as PyTorch's default), each token
/// attending to itself and the tokens before it, then Dense(54) at each position (logits). The PyTorch twin is
/// <c>pytorch_tinygpt.py</c>.
/// </summary>
[Network]
[Input(16)]
[Embedding(54, 64)]
[PositionalEmbedding]
[TransformerEncoder(4, 256, Causal = true)]
[TransformerEncoder(4, 256, Causal = true)]
[Dense(54)]
public partial class NamesTransformer;

/// <summary>What generation needs of the three networks: their batch-1 inference on token ids (generated).</summary>
internal interface ITokenModel
{
    void Forward(System.ReadOnlySpan<int> tokens, System.Span<float> output);
}

public partial class NamesLstm : ITokenModel;

public partial class NamesGru : ITokenModel;

public partial class NamesRnn : ITokenModel;

public partial class NamesTransformer : ITokenModel;
