using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace NetGen.CompilerServices;

/// <summary>
/// The mean over a sequence's steps, <c>[batch, T, F] → [batch, F]</c> (<c>x.mean(dim=1)</c> in PyTorch, as a Transformer
/// classifier pools its tokens), and its gradient.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SequenceMeanKernels
{
    /// <summary>
    /// <c>y[b] = (x[b, 0] + x[b, 1] + … + x[b, T − 1]) / T</c>: the steps added in order, then one division by T (torch.mean's
    /// value up to rounding). <paramref name="x"/> is <c>[batch, steps, features]</c>, <paramref name="y"/>
    /// <c>[batch, features]</c>, distinct.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="steps"/> is not positive.</exception>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int steps, int features, int batch)
    {
        CheckShape(steps, features, batch);
        Check((long)batch * steps * features, x.Length, nameof(x));
        Check((long)batch * features, y.Length, nameof(y));
        int sample = steps * features;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xb = x.Slice(b * sample, sample);
            Span<float> yb = y.Slice(b * features, features);
            xb.Slice(0, features).CopyTo(yb);
            for (int t = 1; t < steps; t++)
            {
                TensorPrimitives.Add(yb, xb.Slice(t * features, features), yb);
            }

            TensorPrimitives.Divide(yb, steps, yb);
        }
    }

    /// <summary>
    /// <c>dx[b, t] = dy[b] / T</c> for every step t (written, not added): <paramref name="dy"/> is <c>[batch, features]</c>,
    /// <paramref name="dx"/> <c>[batch, steps, features]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A length does not match the shape, or <paramref name="steps"/> is not positive.</exception>
    public static void Backward(ReadOnlySpan<float> dy, Span<float> dx, int steps, int features, int batch)
    {
        CheckShape(steps, features, batch);
        Check((long)batch * features, dy.Length, nameof(dy));
        Check((long)batch * steps * features, dx.Length, nameof(dx));
        int sample = steps * features;
        for (int b = 0; b < batch; b++)
        {
            Span<float> dxb = dx.Slice(b * sample, sample);
            Span<float> first = dxb.Slice(0, features);
            TensorPrimitives.Divide(dy.Slice(b * features, features), steps, first);
            for (int t = 1; t < steps; t++)
            {
                first.CopyTo(dxb.Slice(t * features, features));
            }
        }
    }

    private static void CheckShape(int steps, int features, int batch)
    {
        if (steps <= 0)
        {
            throw new ArgumentException($"Expected 1 or more steps, got {steps}.", nameof(steps));
        }

        if (features < 0 || batch < 0)
        {
            throw new ArgumentException($"Expected 0 or more features and samples, got {features} and {batch}.", features < 0 ? nameof(features) : nameof(batch));
        }
    }

    private static void Check(long expected, int length, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Expected {expected} floats, got {length}.", name);
        }
    }
}
