using System;

namespace NetGen;

/// <summary>Base of every layer attribute. Layers run in the order their attributes are written.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name in parameter names (<c>fc1.weight</c>). Without it the layer is named by its index
    /// in attribute order, as in PyTorch's <c>nn.Sequential</c> (<c>0.weight</c>).
    /// </summary>
    public string? Name { get; set; }
}
