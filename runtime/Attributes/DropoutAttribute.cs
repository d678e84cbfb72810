using System;

namespace NetGen;

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability <see cref="Probability"/> and the
/// others scaled by <c>1/(1-p)</c>; in inference the layer is the identity.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares dropout with drop probability <paramref name="probability"/>, in [0, 1).</summary>
    public DropoutAttribute(float probability) => Probability = probability;

    /// <summary>The probability of zeroing an element in training.</summary>
    public float Probability { get; }
}
