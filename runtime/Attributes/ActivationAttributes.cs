using System;

namespace NetGen;

/// <summary><c>relu(x) = max(x, 0)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary><c>leaky_relu(x) = x if x &gt; 0 else slope * x</c>; PyTorch's default slope is 0.01.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    /// <summary>Declares a leaky ReLU with slope 0.01.</summary>
    public LeakyReLUAttribute() : this(0.01f)
    {
    }

    /// <summary>Declares a leaky ReLU with the given negative slope.</summary>
    public LeakyReLUAttribute(float slope) => Slope = slope;

    /// <summary>The slope for negative inputs.</summary>
    public float Slope { get; }
}

/// <summary><c>gelu(x) = x * Φ(x)</c> with the exact normal CDF, as PyTorch's default <c>nn.GELU()</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GELUAttribute : LayerAttribute
{
}

/// <summary><c>sigmoid(x) = 1 / (1 + e^-x)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary><c>tanh(x)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>
/// <c>softmax(x)_i = e^(x_i) / Σ_j e^(x_j)</c> over the last axis. To train a classifier, leave it out and
/// use <see cref="Loss.SoftmaxCrossEntropy"/>, which applies softmax itself, stably.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute
{
}
