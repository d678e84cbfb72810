using NetGen;

// Small convolutional networks for the gradient checks and parity tests: each varies kernel shape, stride, padding
// and dilation, with odd input sizes so every copy (padded, strided, dilated) and every vector tail is exercised.
namespace NetGen.Tests.Networks;

/// <summary>The LeNet-5 of samples/LeNet: two 5×5 convolutions with max pooling, then three dense layers.</summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class LeNet5;

/// <summary>A square kernel, no padding, on an odd-sized input; no activation (smooth).</summary>
[Network]
[Input(2, 7, 9)]
[Conv2D(3, 3)]
public partial class GradConvPlain;

/// <summary>"Same" padding, then tanh.</summary>
[Network]
[Input(2, 7, 6)]
[Conv2D(4, 3, Padding = 1), Tanh]
public partial class GradConvPadded;

/// <summary>A rectangular 3×2 kernel, per-axis strides and padding on one axis only.</summary>
[Network]
[Input(3, 9, 8)]
[Conv2D(2, 3, 2, StrideHeight = 2, StrideWidth = 3, PaddingWidth = 1)]
public partial class GradConvStrided;

/// <summary>Dilation 2 with padding and stride 2, then sigmoid.</summary>
[Network]
[Input(2, 9, 9)]
[Conv2D(3, 3, Dilation = 2, Padding = 2, Stride = 2), Sigmoid]
public partial class GradConvDilated;

/// <summary>A 1×1 convolution without bias: the input is its own column matrix (no im2col).</summary>
[Network]
[Input(5, 4, 6)]
[Conv2D(3, 1, Bias = false)]
public partial class GradConvPointwise;

/// <summary>Wide enough (16 filters, 240 positions) for the vector main loops and whole register blocks.</summary>
[Network]
[Input(3, 12, 20)]
[Conv2D(16, 3, Padding = 1, DilationHeight = 2, PaddingHeight = 2), Tanh]
public partial class GradConvWide;

#pragma warning disable NG0110 // the windows leave the last row and column out, on purpose
/// <summary>Max pooling that drops the last row and column (7×9 by 2×2), and overlapping 3×2 windows with stride 2.</summary>
[Network]
[Input(2, 7, 9)]
[MaxPool2D(2)]
[MaxPool2D(2, 3, StrideWidth = 1)]
public partial class GradMaxPool;

/// <summary>Average pooling with a rectangular window and per-axis strides, after a convolution.</summary>
[Network]
[Input(2, 8, 7)]
[Conv2D(3, 2, 2)]
[AvgPool2D(3, 2, StrideHeight = 2, StrideWidth = 1)]
public partial class GradAvgPool;
#pragma warning restore NG0110

/// <summary>Conv1D with stride, padding and dilation, max and average pooling over a sequence, then a dense head.</summary>
[Network]
[Input(3, 11)]
[Conv1D(4, 3, Padding = 2, Dilation = 2, Stride = 2), Tanh]
[MaxPool1D(2, Stride = 1)]
[AvgPool1D(2, Stride = 3)]
[Flatten]
[Dense(3)]
public partial class GradConv1D;

/// <summary>Global average pooling of an image and of a sequence.</summary>
[Network]
[Input(3, 5, 6)]
[Conv2D(4, 3), Tanh]
[GlobalAvgPool]
[Dense(2)]
public partial class GradGlobalPool;

/// <summary>Global average pooling of a sequence.</summary>
[Network]
[Input(2, 9)]
[Conv1D(3, 2)]
[GlobalAvgPool]
public partial class GradGlobalPool1D;

/// <summary>
/// A small LeNet: conv, tanh, average pool, twice (the second convolution's dL/dx flows through col2im), dropout,
/// dense. Tanh and average pooling rather than ReLU and max pooling: a weight of the first convolution moves every
/// position of its channel, and with kinks most probes would cross one (max pooling after a convolution is checked
/// in GradConv1D, and in LeNet5 against PyTorch).
/// </summary>
[Network]
[Input(1, 12, 12)]
[Conv2D(3, 5, Padding = 2), Tanh, AvgPool2D(2)]
[Conv2D(4, 3), Tanh, AvgPool2D(2)]
[Flatten]
[Dropout(0.2f)]
[Dense(5)]
public partial class GradLeNetSmall;

/// <summary>
/// Activations fused into convolutions: a leaky ReLU applied in the multiply's epilogue, a negative-slope leaky ReLU
/// and GELU applied after the kernel from the kept pre-activation (their derivatives need z, not the output).
/// </summary>
[Network]
[Input(2, 4, 5)]
[Conv2D(3, 3, Padding = 1), LeakyReLU(0.1f)]
[Conv2D(3, 2), LeakyReLU(-0.5f)]
[Conv2D(2, 2, Padding = 1), GELU]
public partial class GradConvFused;
