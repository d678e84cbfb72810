using System;

namespace NetGen;

/// <summary>
/// A 2-D convolution over a channels-first image <c>[C, H, W]</c>, as PyTorch's <c>nn.Conv2d</c>:
/// <c>y[o, i, j] = b[o] + Σ_c Σ_p Σ_q W[o, c, p, q] · x[c, i·sh - ph + p·dh, j·sw - pw + q·dw]</c>, with zero padding,
/// giving <c>[filters, H', W']</c> where <c>H' = ⌊(H + 2·ph - dh·(kh - 1) - 1) / sh⌋ + 1</c> (and likewise W').
/// The weight is <c>[filters, C, kh, kw]</c>, named <c>{index}.weight</c> as in <c>nn.Sequential</c>; weights and bias are
/// initialized as PyTorch does, from <c>U(-1/√fan_in, 1/√fan_in)</c> with <c>fan_in = C·kh·kw</c>.
/// </summary>
/// <remarks>
/// <c>[Conv2D(16, 5)]</c> is a square 5×5 kernel; <c>[Conv2D(16, 3, 5)]</c> is 3 rows by 5 columns. <see cref="Stride"/>,
/// <see cref="Padding"/> and <see cref="Dilation"/> set both axes; <see cref="StrideHeight"/>, <see cref="StrideWidth"/> and the other
/// per-axis properties set one and win over the two-axis ones: <c>[Conv2D(8, 3, Padding = 1, StrideWidth = 2)]</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>Declares a convolution with <paramref name="filters"/> output channels and a square <paramref name="kernel"/>×<paramref name="kernel"/> kernel.</summary>
    public Conv2DAttribute(int filters, int kernel) : this(filters, kernel, kernel)
    {
    }

    /// <summary>Declares a convolution with <paramref name="filters"/> output channels and a <paramref name="kernelHeight"/>×<paramref name="kernelWidth"/> kernel.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }

    /// <summary>The step between windows along both axes; 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>The step between windows along the rows; overrides <see cref="Stride"/>.</summary>
    public int StrideHeight { get; set; } = 1;

    /// <summary>The step between windows along the columns; overrides <see cref="Stride"/>.</summary>
    public int StrideWidth { get; set; } = 1;

    /// <summary>Zeros added on each side of both axes; 0 by default.</summary>
    public int Padding { get; set; }

    /// <summary>Zero rows added above and below; overrides <see cref="Padding"/>.</summary>
    public int PaddingHeight { get; set; }

    /// <summary>Zero columns added left and right; overrides <see cref="Padding"/>.</summary>
    public int PaddingWidth { get; set; }

    /// <summary>The spacing between kernel taps along both axes (1: adjacent); 1 by default.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>The spacing between kernel taps along the rows; overrides <see cref="Dilation"/>.</summary>
    public int DilationHeight { get; set; } = 1;

    /// <summary>The spacing between kernel taps along the columns; overrides <see cref="Dilation"/>.</summary>
    public int DilationWidth { get; set; } = 1;

    /// <summary>Whether the layer adds a bias per output channel. On by default, as in PyTorch.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>
/// A 1-D convolution over a channels-first sequence <c>[C, W]</c>, as PyTorch's <c>nn.Conv1d</c>:
/// <c>y[o, j] = b[o] + Σ_c Σ_q W[o, c, q] · x[c, j·s - p + q·d]</c>, giving <c>[filters, W']</c> with
/// <c>W' = ⌊(W + 2p - d·(k - 1) - 1) / s⌋ + 1</c>. The weight is <c>[filters, C, k]</c>; initialized as PyTorch does.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : LayerAttribute
{
    /// <summary>Declares a convolution with <paramref name="filters"/> output channels and a kernel of <paramref name="kernel"/> taps.</summary>
    public Conv1DAttribute(int filters, int kernel)
    {
        Filters = filters;
        Kernel = kernel;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel taps.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; 1 by default.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on each side; 0 by default.</summary>
    public int Padding { get; set; }

    /// <summary>The spacing between kernel taps (1: adjacent); 1 by default.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Whether the layer adds a bias per output channel. On by default, as in PyTorch.</summary>
    public bool Bias { get; set; } = true;
}
