using System;

namespace NetGen;

/// <summary>
/// Max pooling over a channels-first image <c>[C, H, W]</c>, as PyTorch's <c>nn.MaxPool2d</c> without padding: each
/// output is the largest value of its <c>kh×kw</c> window. The stride defaults to the kernel (windows side by side);
/// the output is <c>[C, ⌊(H - kh) / sh⌋ + 1, ⌊(W - kw) / sw⌋ + 1]</c>, so rows or columns that no window reaches are
/// dropped, as in PyTorch (the compiler warns, NG0110). Backward sends each gradient to the first maximum of its window.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : LayerAttribute
{
    /// <summary>Declares max pooling with a square <paramref name="kernel"/>×<paramref name="kernel"/> window.</summary>
    public MaxPool2DAttribute(int kernel) : this(kernel, kernel)
    {
    }

    /// <summary>Declares max pooling with a <paramref name="kernelHeight"/>×<paramref name="kernelWidth"/> window.</summary>
    public MaxPool2DAttribute(int kernelHeight, int kernelWidth)
    {
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Window rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Window columns.</summary>
    public int KernelWidth { get; }

    /// <summary>The step between windows along both axes; the kernel by default.</summary>
    public int Stride { get; set; }

    /// <summary>The step between windows along the rows; overrides <see cref="Stride"/>. The window's height by default.</summary>
    public int StrideHeight { get; set; }

    /// <summary>The step between windows along the columns; overrides <see cref="Stride"/>. The window's width by default.</summary>
    public int StrideWidth { get; set; }
}

/// <summary>
/// Average pooling over a channels-first image <c>[C, H, W]</c>, as PyTorch's <c>nn.AvgPool2d</c> without padding: each
/// output is the mean of its <c>kh×kw</c> window. Stride and output size as <see cref="MaxPool2DAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling with a square <paramref name="kernel"/>×<paramref name="kernel"/> window.</summary>
    public AvgPool2DAttribute(int kernel) : this(kernel, kernel)
    {
    }

    /// <summary>Declares average pooling with a <paramref name="kernelHeight"/>×<paramref name="kernelWidth"/> window.</summary>
    public AvgPool2DAttribute(int kernelHeight, int kernelWidth)
    {
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Window rows.</summary>
    public int KernelHeight { get; }

    /// <summary>Window columns.</summary>
    public int KernelWidth { get; }

    /// <summary>The step between windows along both axes; the kernel by default.</summary>
    public int Stride { get; set; }

    /// <summary>The step between windows along the rows; overrides <see cref="Stride"/>. The window's height by default.</summary>
    public int StrideHeight { get; set; }

    /// <summary>The step between windows along the columns; overrides <see cref="Stride"/>. The window's width by default.</summary>
    public int StrideWidth { get; set; }
}

/// <summary>
/// Max pooling over a channels-first sequence <c>[C, W]</c>, as PyTorch's <c>nn.MaxPool1d</c> without padding: output
/// <c>[C, ⌊(W - k) / s⌋ + 1]</c>, the stride defaulting to the kernel.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool1DAttribute : LayerAttribute
{
    /// <summary>Declares max pooling with a window of <paramref name="kernel"/>.</summary>
    public MaxPool1DAttribute(int kernel) => Kernel = kernel;

    /// <summary>Window length.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; the kernel by default.</summary>
    public int Stride { get; set; }
}

/// <summary>
/// Average pooling over a channels-first sequence <c>[C, W]</c>, as PyTorch's <c>nn.AvgPool1d</c> without padding:
/// output <c>[C, ⌊(W - k) / s⌋ + 1]</c>, the stride defaulting to the kernel.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool1DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling with a window of <paramref name="kernel"/>.</summary>
    public AvgPool1DAttribute(int kernel) => Kernel = kernel;

    /// <summary>Window length.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; the kernel by default.</summary>
    public int Stride { get; set; }
}

/// <summary>
/// The mean of each channel over all positions: <c>[C, H, W]</c> → <c>[C]</c> or <c>[C, W]</c> → <c>[C]</c>, as PyTorch's
/// <c>nn.AdaptiveAvgPool2d(1)</c> (or <c>AdaptiveAvgPool1d(1)</c>) followed by <c>nn.Flatten()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute
{
}
