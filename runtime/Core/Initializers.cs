using System;
using System.ComponentModel;

namespace NetGen;

/// <summary>Parameter initializers, called by generated code with the bounds PyTorch uses.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Initializers
{
    /// <summary>
    /// Fills <paramref name="values"/> from U(-bound, bound). PyTorch's <c>nn.Linear</c> default
    /// (<c>kaiming_uniform_(a=√5)</c> for the weight, and its bias rule) both come to bound = 1/√fan_in.
    /// </summary>
    public static void Uniform(Span<float> values, float bound, ref Rng random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextFloat(-bound, bound);
        }
    }
}
