using NetGen;

// Generated sequence networks for the gradient checks, the PyTorch parity, the allocation, thread and error tests.
// Widths are small and odd (3 features, 5 hidden) so every product has a scalar tail and a check of every parameter
// stays quick; T of 1, 2 and 7 cover a single step, one hand-over and a long chain.
namespace NetGen.Tests.Networks;

/// <summary>An Elman RNN (tanh) over one step.</summary>
[Network]
[Input(1, 3)]
[Rnn(5)]
public partial class RecRnnT1;

/// <summary>An Elman RNN (tanh) over two steps, then a dense layer on every step.</summary>
[Network]
[Input(2, 3)]
[Rnn(5)]
[Dense(2)]
public partial class RecRnnT2;

/// <summary>An Elman RNN (tanh) over seven steps.</summary>
[Network]
[Input(7, 3)]
[Rnn(5)]
public partial class RecRnnT7;

/// <summary>An Elman RNN with ReLU over seven steps (kinks).</summary>
[Network]
[Input(7, 3)]
[Rnn(5, Nonlinearity = RnnNonlinearity.Relu)]
public partial class RecRnnReluT7;

/// <summary>An LSTM over one step.</summary>
[Network]
[Input(1, 3)]
[Lstm(5)]
public partial class RecLstmT1;

/// <summary>An LSTM over two steps, then a dense layer on every step.</summary>
[Network]
[Input(2, 3)]
[Lstm(5)]
[Dense(2)]
public partial class RecLstmT2;

/// <summary>An LSTM over seven steps.</summary>
[Network]
[Input(7, 3)]
[Lstm(5)]
public partial class RecLstmT7;

/// <summary>A GRU over one step.</summary>
[Network]
[Input(1, 3)]
[Gru(5)]
public partial class RecGruT1;

/// <summary>A GRU over two steps, then a dense layer on every step.</summary>
[Network]
[Input(2, 3)]
[Gru(5)]
[Dense(2)]
public partial class RecGruT2;

/// <summary>A GRU over seven steps.</summary>
[Network]
[Input(7, 3)]
[Gru(5)]
public partial class RecGruT7;

/// <summary>Two stacked LSTM layers.</summary>
[Network]
[Input(5, 3)]
[Lstm(4, Layers = 2)]
public partial class RecLstmStacked;

/// <summary>Two stacked GRU layers.</summary>
[Network]
[Input(5, 3)]
[Gru(4, Layers = 2)]
public partial class RecGruStacked;

/// <summary>Three stacked RNN layers: the backward's two gradient planes alternate.</summary>
[Network]
[Input(5, 3)]
[Rnn(4, Layers = 3)]
public partial class RecRnnStacked3;

/// <summary>A bidirectional LSTM.</summary>
[Network]
[Input(5, 3)]
[Lstm(4, Bidirectional = true)]
public partial class RecLstmBi;

/// <summary>A bidirectional GRU, then a dense layer on every step.</summary>
[Network]
[Input(5, 3)]
[Gru(4, Bidirectional = true)]
[Dense(3)]
public partial class RecGruBi;

/// <summary>A bidirectional RNN.</summary>
[Network]
[Input(5, 3)]
[Rnn(4, Bidirectional = true)]
public partial class RecRnnBi;

/// <summary>An LSTM's last state, then a dense layer.</summary>
[Network]
[Input(6, 3)]
[Lstm(4, ReturnSequences = false)]
[Dense(2)]
public partial class RecLstmLast;

/// <summary>A GRU's last state as the output.</summary>
[Network]
[Input(6, 3)]
[Gru(4, ReturnSequences = false)]
public partial class RecGruLast;

/// <summary>An RNN's last state over one step.</summary>
[Network]
[Input(1, 3)]
[Rnn(4, ReturnSequences = false)]
public partial class RecRnnLastT1;

/// <summary>A bidirectional GRU's last states, [h_fwd after T−1 ; h_rev after 0].</summary>
[Network]
[Input(5, 3)]
[Gru(4, Bidirectional = true, ReturnSequences = false)]
public partial class RecGruBiLast;

/// <summary>Two stacked bidirectional LSTM layers.</summary>
[Network]
[Input(5, 3)]
[Lstm(4, Layers = 2, Bidirectional = true)]
public partial class RecLstmStackedBi;

/// <summary>Two stacked RNN layers, the last state.</summary>
[Network]
[Input(5, 3)]
[Rnn(4, Layers = 2, ReturnSequences = false)]
public partial class RecRnnStackedLast;

/// <summary>Two stacked bidirectional GRU layers, the last states, then a dense layer (also a PyTorch parity twin).</summary>
[Network]
[Input(6, 4)]
[Gru(5, Layers = 2, Bidirectional = true, ReturnSequences = false)]
[Dense(3)]
public partial class RecGruStackedBiLast;

/// <summary>An LSTM, a GRU and an RNN without biases, one after the other (every step out: the first layer's gradients stay well above the float noise).</summary>
[Network]
[Input(4, 3)]
[Lstm(4, Bias = false)]
[Gru(3, Bias = false)]
[Rnn(3, Bias = false)]
public partial class RecNoBias;

/// <summary>A dense layer before a recurrent one (its input gradient flows into the dense backward), then two recurrent layers.</summary>
[Network]
[Input(5, 3)]
[Dense(4), Tanh]
[Gru(3)]
[Lstm(4, ReturnSequences = false)]
public partial class RecChain;

/// <summary>An RNN with ReLU over two stacked layers, then a dense layer on every step (a PyTorch parity twin).</summary>
[Network]
[Input(5, 3)]
[Rnn(6, Nonlinearity = RnnNonlinearity.Relu, Layers = 2)]
[Dense(2)]
public partial class RecRnnReluStacked;

/// <summary>Token ids → Embedding → LSTM → Dense on every step (a PyTorch parity twin, and the language-model shape).</summary>
[Network]
[Input(6)]
[Embedding(7, 3)]
[Lstm(5)]
[Dense(7)]
public partial class RecEmbedLstm;

/// <summary>Token ids → Embedding → bidirectional GRU's last states → Dense.</summary>
[Network]
[Input(5)]
[Embedding(6, 3)]
[Gru(4, Bidirectional = true, ReturnSequences = false)]
[Dense(2)]
public partial class RecEmbedGruLast;

/// <summary>Token ids → Embedding alone: the output is the looked-up rows.</summary>
[Network]
[Input(4)]
[Embedding(5, 3)]
public partial class RecEmbedOnly;

/// <summary>
/// An LSTM alone, 256 gate rows per direction (two whole panels of the recurrent product at 512 bits, four at 256, eight
/// at 128), both directions, no dense layer after it: a sample alone must get the bits of its row of a batch.
/// </summary>
[Network]
[Input(6, 5)]
[Lstm(64, Bidirectional = true)]
public partial class RecLstmPanels;

/// <summary>Wide enough (9 inputs, 16 hidden, 64 gate rows per direction) that the products' vector loops and row blocks run.</summary>
[Network]
[Input(4, 9)]
[Lstm(16, Bidirectional = true)]
[Dense(3)]
public partial class RecWide;

/// <summary>Dropout after a recurrent layer, then a dense layer on every step.</summary>
[Network]
[Input(5, 3)]
[Rnn(4)]
[Dropout(0.3f)]
[Dense(2)]
public partial class RecDropout;

/// <summary>A bidirectional LSTM's last states over one step (both directions end at step 0).</summary>
[Network]
[Input(1, 3)]
[Lstm(4, Bidirectional = true, ReturnSequences = false)]
public partial class RecLstmBiLastT1;

/// <summary>Token ids → Embedding → a dense layer on every step → GRU.</summary>
[Network]
[Input(5)]
[Embedding(6, 4)]
[Dense(3), Tanh]
[Gru(4)]
public partial class RecEmbedDenseGru;

/// <summary>The language model of samples/Names at a smaller vocabulary: Embedding(30, 32) → LSTM(128) → Dense(30) on 16 steps.</summary>
[Network]
[Input(16)]
[Embedding(30, 32)]
[Lstm(128)]
[Dense(30)]
public partial class RecNamesModel;
