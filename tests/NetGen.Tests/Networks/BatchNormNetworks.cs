using NetGen;

// Networks with batch normalization, for its gradient checks, PyTorch parity, allocation and weight I/O tests.
// Odd sizes everywhere, so no per-channel run is a whole number of vectors.
namespace NetGen.Tests.Networks;

/// <summary>BatchNorm1D on a vector [C] after a dense layer, then a smooth activation.</summary>
[Network]
[Input(5)]
[Dense(7)]
[BatchNorm1D]
[Tanh]
[Dense(3)]
public partial class BnVector;

/// <summary>BatchNorm1D on a sequence [C, L] as the first layer, with its own momentum.</summary>
[Network]
[Input(3, 5)]
[BatchNorm1D(Momentum = 0.2f)]
[Dense(4), Sigmoid]
[Flatten]
[Dense(2)]
public partial class BnSequence;

/// <summary>BatchNorm2D on an image [C, H, W] with its own epsilon, then flattened into a dense layer.</summary>
[Network]
[Input(3, 5, 7)]
[BatchNorm2D(Epsilon = 1e-3f)]
[Tanh]
[Flatten]
[Dense(4)]
public partial class BnImage;

/// <summary>Two batch norms, one named, so buffer offsets and names of a second layer are exercised.</summary>
[Network]
[Input(6)]
[Dense(5)]
[BatchNorm1D(Name = "bn1")]
[GELU]
[Dense(9)]
[BatchNorm1D(Momentum = 0.05f, Epsilon = 1e-4f)]
[Dense(2)]
public partial class BnTwice;

/// <summary>Twin of <c>nn.Sequential(Linear(6, 5), BatchNorm1d(5), ReLU(), Linear(5, 3))</c>.</summary>
[Network]
[Input(6)]
[Dense(5)]
[BatchNorm1D]
[ReLU]
[Dense(3)]
public partial class ParityBnVector;

/// <summary>Twin of <c>nn.Sequential(BatchNorm1d(3, eps=1e-3), Flatten(), Linear(12, 2))</c> on [3, 4].</summary>
[Network]
[Input(3, 4)]
[BatchNorm1D(Epsilon = 1e-3f)]
[Flatten]
[Dense(2)]
public partial class ParityBnSequence;

/// <summary>Twin of <c>nn.Sequential(BatchNorm2d(2, momentum=0.3), Tanh(), Flatten(), Linear(30, 4))</c> on [2, 5, 3].</summary>
[Network]
[Input(2, 5, 3)]
[BatchNorm2D(Momentum = 0.3f)]
[Tanh]
[Flatten]
[Dense(4)]
public partial class ParityBnImage;
