using NetGen;

namespace NetGen.Tests.Networks;

/// <summary>The MNIST sample's network: 784-128-64-10 with ReLU.</summary>
[Network]
[Input(784)]
[Dense(128), ReLU]
[Dense(64), ReLU]
[Dense(10)]
public partial class Mlp;

/// <summary>Every activation, dropout, a bias-less layer and an odd width, to exercise every path.</summary>
[Network]
[Input(13)]
[Dense(11), Tanh]
[Dense(9, Bias = false), Sigmoid]
[Dense(7), GELU]
[Dense(6), LeakyReLU(0.1f)]
[Dense(5, Name = "head"), LeakyReLU(-0.2f)]
[Dropout(0.25f)]
[Dense(4)]
[Softmax]
public partial class Zoo;

/// <summary>Dense on a sequence ([T, F]) acts on each step; activations that stand alone; flatten then classify.</summary>
[Network]
[Input(3, 5)]
[Dense(6)]
[Flatten]
[GELU]
[Dense(4)]
[Dropout(0.5f)]
[LeakyReLU(-0.3f)]
[Dense(3)]
public partial class Sequence;

/// <summary>
/// For the packed weights a workspace keeps: a first W of 1,030 × 130 (past the 128 K floats kept packed, so packed a panel
/// at a time on every call, and not whole 32-unit groups), a second of five groups, the last narrower, and a head of one
/// narrow group.
/// </summary>
[Network]
[Input(1030)]
[Dense(130), ReLU]
[Dense(150), Tanh]
[Dense(7)]
public partial class PackedDense;

/// <summary>
/// For a sample alone over kept weights: every W kept (each under 128 K floats), the units cut into full 32-unit panels
/// in blocks of 4, 3 and 1 (every block a row over the kept copy has at 512 bits, and at 256 and 128 bits) and a narrower
/// last panel in each layer, with the activations whose vector and scalar forms differ.
/// </summary>
[Network]
[Input(100)]
[Dense(150), Tanh]
[Dense(96), GELU]
[Dense(40), Sigmoid]
[Dense(7)]
public partial class KeptDense;
