using NetGen;

// Small networks for the gradient checks: each isolates one layer kind or one code path of the emitted kernels.
// Widths 13, 7, 5 are odd so every vector loop has a scalar tail; GradWide is wide enough (≥ 40 in and out) for
// the vector main loops and the blocks of 8 output rows to run.
namespace NetGen.Tests.Networks;

/// <summary>ReLU fused after a dense layer, and as the network's output.</summary>
[Network]
[Input(13)]
[Dense(7), ReLU]
public partial class GradRelu;

/// <summary>LeakyReLU with a positive slope (backward reads its output) fused after a dense layer.</summary>
[Network]
[Input(13)]
[Dense(7), LeakyReLU(0.05f)]
public partial class GradLeakyPositive;

/// <summary>LeakyReLU with a negative slope (backward must read its input) fused after a dense layer.</summary>
[Network]
[Input(13)]
[Dense(7), LeakyReLU(-0.3f)]
public partial class GradLeakyNegative;

/// <summary>GELU (exact, erf) after a dense layer.</summary>
[Network]
[Input(13)]
[Dense(7), GELU]
public partial class GradGelu;

/// <summary>Sigmoid after a dense layer.</summary>
[Network]
[Input(13)]
[Dense(7), Sigmoid]
public partial class GradSigmoid;

/// <summary>Tanh after a dense layer.</summary>
[Network]
[Input(13)]
[Dense(7), Tanh]
public partial class GradTanh;

/// <summary>Softmax as the last layer (checked with a linear loss, whose gradient is not the cross-entropy shortcut).</summary>
[Network]
[Input(13)]
[Dense(7)]
[Softmax]
public partial class GradSoftmax;

/// <summary>Dense layers without bias, one plain and one with an activation.</summary>
[Network]
[Input(13)]
[Dense(7, Bias = false)]
[Dense(5, Bias = false), Tanh]
public partial class GradNoBias;

/// <summary>Dropout between dense layers, and dropout straight on the input (backward must mask dL/dx).</summary>
[Network]
[Input(13)]
[Dropout(0.2f)]
[Dense(11), Tanh]
[Dropout(0.3f)]
[Dense(5)]
public partial class GradDropout;

/// <summary>Dense on a rank-2 input ([T, F] = [3, 5]) maps each row; then flatten and classify.</summary>
[Network]
[Input(3, 5)]
[Dense(7), Sigmoid]
[Dense(4)]
[Flatten]
[Dense(3)]
public partial class GradRank2;

/// <summary>Activations that stand alone (after flatten or dropout, not fused into a dense layer), ending in softmax.</summary>
#pragma warning disable NG0103 // the second Flatten, on a flat input, is there to put ReLU on its own
[Network]
[Input(2, 7)]
[Dense(6)]
[Flatten]
[Tanh]
[Dense(5)]
[Dropout(0.1f)]
[Sigmoid]
[Dense(4)]
[Flatten]
[ReLU]
[Dense(3)]
[Dropout(0.2f)]
[Softmax]
public partial class GradStandalone;
#pragma warning restore NG0103

/// <summary>Wide layers: 67 inputs, then 41, 48 and 40 outputs, so vector main loops, 8-row blocks and tails all run.</summary>
[Network]
[Input(67)]
[Dense(41), GELU]
[Dense(48), ReLU]
[Dense(40, Bias = false), Tanh]
[Dense(43)]
public partial class GradWide;

/// <summary>A single logit per output group for binary cross-entropy: three independent yes/no outputs.</summary>
[Network]
[Input(13)]
[Dense(6), Tanh]
[Dense(3)]
public partial class GradBinary;

/// <summary>A single output unit.</summary>
[Network]
[Input(5)]
[Dense(1), Sigmoid]
public partial class GradSingleOutput;
