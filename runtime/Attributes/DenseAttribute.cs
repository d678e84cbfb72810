using System;

namespace NetGen;

/// <summary>
/// A fully connected layer on the last axis, as PyTorch's <c>nn.Linear</c>: <c>y = W x + b</c> with
/// <c>W: [units, inputs]</c>. Initialized as PyTorch does: <c>U(-1/sqrt(inputs), 1/sqrt(inputs))</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a dense layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units) => Units = units;

    /// <summary>The number of outputs.</summary>
    public int Units { get; }

    /// <summary>Whether the layer adds a bias. On by default, as in PyTorch.</summary>
    public bool Bias { get; set; } = true;
}
