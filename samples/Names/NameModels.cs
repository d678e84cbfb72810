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

/// <summary>What generation needs of the three networks: their batch-1 inference on token ids (generated).</summary>
internal interface ITokenModel
{
    void Forward(System.ReadOnlySpan<int> tokens, System.Span<float> output);
}

public partial class NamesLstm : ITokenModel;

public partial class NamesGru : ITokenModel;

public partial class NamesRnn : ITokenModel;
