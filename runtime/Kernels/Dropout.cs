using System;
using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>Inverted dropout's training-mode kernels, called by generated code.</summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Dropout
{
    /// <summary>
    /// Draws a mask <c>m[i] = 0</c> with probability <paramref name="probability"/>, else <c>1/(1-p)</c>, and writes
    /// <c>y = x ⊙ m</c>. The expected value of each output equals its input, so inference needs no rescaling.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float probability, ref Rng random)
    {
        if (y.Length != x.Length || mask.Length != x.Length)
        {
            throw new ArgumentException($"Expected {x.Length} outputs and mask entries, got {y.Length} and {mask.Length}.", nameof(mask));
        }

        float keep = 1f / (1f - probability);
        for (int i = 0; i < x.Length; i++)
        {
            float m = random.NextFloat() >= probability ? keep : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary>
    /// Draws a mask alone, with the draws of <see cref="Forward"/>: one <see cref="Rng.NextFloat()"/> per entry, in order,
    /// <c>m[i] = NextFloat() ≥ p ? 1/(1−p) : 0</c> (what the attention kernels take for dropout on their weights).
    /// </summary>
    public static void Mask(Span<float> mask, float probability, ref Rng random)
    {
        float keep = 1f / (1f - probability);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextFloat() >= probability ? keep : 0f;
        }
    }

    /// <summary><c>dx = dy ⊙ m</c>, in place.</summary>
    public static void Backward(ReadOnlySpan<float> mask, Span<float> gradient)
    {
        if (mask.Length != gradient.Length)
        {
            throw new ArgumentException($"Expected {mask.Length} gradients, got {gradient.Length}.", nameof(gradient));
        }

        System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, mask, gradient);
    }
}
