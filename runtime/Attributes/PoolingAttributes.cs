using System;

namespace NetGen;

/// <summary>
/// What the 2-D pooling layers share: a <c>kh×kw</c> window over a channels-first image <c>[C, H, W]</c>, no padding,
/// and a stride that defaults to the window (windows side by side). The output is
/// <c>[C, ⌊(H - kh) / sh⌋ + 1, ⌊(W - kw) / sw⌋ + 1]</c>, so rows or columns that no window reaches are dropped, as in
/// PyTorch (the compiler warns, NG0110).
/// </summary>
public abstract class Pooling2DAttribute : LayerAttribute
{
    /// <summary>A <paramref name="kernelHeight"/>×<paramref name="kernelWidth"/> window.</summary>
    private protected Pooling2DAttribute(int kernelHeight, int kernelWidth)
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
/// Max pooling over a channels-first image <c>[C, H, W]</c>, as PyTorch's <c>nn.MaxPool2d</c> without padding: each
/// output is the largest value of its <c>kh×kw</c> window; stride and output size as <see cref="Pooling2DAttribute"/>.
/// Backward sends each gradient to the first maximum of its window.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Pooling2DAttribute
{
    /// <summary>Declares max pooling with a square <paramref name="kernel"/>×<paramref name="kernel"/> window.</summary>
    public MaxPool2DAttribute(int kernel) : base(kernel, kernel)
    {
    }

    /// <summary>Declares max pooling with a <paramref name="kernelHeight"/>×<paramref name="kernelWidth"/> window.</summary>
    public MaxPool2DAttribute(int kernelHeight, int kernelWidth) : base(kernelHeight, kernelWidth)
    {
    }
}

/// <summary>
/// Average pooling over a channels-first image <c>[C, H, W]</c>, as PyTorch's <c>nn.AvgPool2d</c> without padding: each
/// output is the mean of its <c>kh×kw</c> window; stride and output size as <see cref="Pooling2DAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Pooling2DAttribute
{
    /// <summary>Declares average pooling with a square <paramref name="kernel"/>×<paramref name="kernel"/> window.</summary>
    public AvgPool2DAttribute(int kernel) : base(kernel, kernel)
    {
    }

    /// <summary>Declares average pooling with a <paramref name="kernelHeight"/>×<paramref name="kernelWidth"/> window.</summary>
    public AvgPool2DAttribute(int kernelHeight, int kernelWidth) : base(kernelHeight, kernelWidth)
    {
    }
}

/// <summary>
/// What the 1-D pooling layers share: a window of <c>k</c> over a channels-first sequence <c>[C, W]</c>, no padding,
/// output <c>[C, ⌊(W - k) / s⌋ + 1]</c>, the stride defaulting to the kernel.
/// </summary>
public abstract class Pooling1DAttribute : LayerAttribute
{
    /// <summary>A window of <paramref name="kernel"/>.</summary>
    private protected Pooling1DAttribute(int kernel) => Kernel = kernel;

    /// <summary>Window length.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows; the kernel by default.</summary>
    public int Stride { get; set; }
}

/// <summary>Max pooling over a channels-first sequence <c>[C, W]</c>, as PyTorch's <c>nn.MaxPool1d</c> without padding.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool1DAttribute : Pooling1DAttribute
{
    /// <summary>Declares max pooling with a window of <paramref name="kernel"/>.</summary>
    public MaxPool1DAttribute(int kernel) : base(kernel)
    {
    }
}

/// <summary>Average pooling over a channels-first sequence <c>[C, W]</c>, as PyTorch's <c>nn.AvgPool1d</c> without padding.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool1DAttribute : Pooling1DAttribute
{
    /// <summary>Declares average pooling with a window of <paramref name="kernel"/>.</summary>
    public AvgPool1DAttribute(int kernel) : base(kernel)
    {
    }
}

/// <summary>
/// The mean of each channel over all positions: <c>[C, H, W]</c> → <c>[C]</c> or <c>[C, W]</c> → <c>[C]</c>, as PyTorch's
/// <c>nn.AdaptiveAvgPool2d(1)</c> (or <c>AdaptiveAvgPool1d(1)</c>) followed by <c>nn.Flatten()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute
{
}
