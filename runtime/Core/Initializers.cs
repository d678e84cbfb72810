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

    /// <summary>
    /// Fills <paramref name="values"/> from N(<paramref name="mean"/>, <paramref name="std"/>²), one
    /// <see cref="Rng.NextGaussian"/> draw per value, in order, so the same stream gives the same values on every
    /// machine. PyTorch's <c>nn.Embedding</c> default is <c>normal_(0, 1)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mean"/> is not finite, or <paramref name="std"/> is negative or not finite.</exception>
    public static void Normal(Span<float> values, float mean, float std, ref Rng random)
    {
        if (!float.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "The mean must be a finite number.");
        }

        if (!(std >= 0f) || float.IsInfinity(std))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be a finite number, 0 or more.");
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = mean + (std * random.NextGaussian());
        }
    }
}
