using System;
using System.ComponentModel;
using System.Numerics.Tensors;

namespace NetGen.CompilerServices;

/// <summary>
/// Position information added to a sequence <c>[batch, T, d]</c>: one table <c>[T, d]</c> (a learned positional embedding,
/// PyTorch's <c>nn.Parameter</c> twin, or the fixed <see cref="SinusoidalTable"/>) added to every sample, and the table's
/// gradient, the samples' gradients summed. The input's gradient is dy itself, which the generated code leaves in place.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PositionKernels
{
    /// <summary>
    /// <c>y[b] = x[b] + positions</c> for each of the <paramref name="batch"/> samples: <paramref name="positions"/> is one
    /// sample's length (<c>T · d</c>), <paramref name="x"/> and <paramref name="y"/> are <c>batch · T · d</c> (y may be x).
    /// </summary>
    /// <exception cref="ArgumentException">x or y is not <paramref name="batch"/> samples of the table's length.</exception>
    public static void Add(ReadOnlySpan<float> positions, ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        int sample = positions.Length;
        long expected = Samples(sample, batch);
        Check(expected, x.Length, nameof(x));
        Check(expected, y.Length, nameof(y));
        for (int b = 0; b < batch; b++)
        {
            TensorPrimitives.Add(x.Slice(b * sample, sample), positions, y.Slice(b * sample, sample));
        }
    }

    /// <summary>
    /// The table's gradient: <c>dPositions += dy[0] + dy[1] + …</c>, the samples added one after another in order
    /// (<c>b = 0, 1, …</c>) onto what <paramref name="dPositions"/> holds, so its bits do not depend on anything but the batch.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dy"/> is not <paramref name="batch"/> samples of the table's length.</exception>
    public static void AddBackward(ReadOnlySpan<float> dy, Span<float> dPositions, int batch)
    {
        int sample = dPositions.Length;
        Check(Samples(sample, batch), dy.Length, nameof(dy));
        for (int b = 0; b < batch; b++)
        {
            TensorPrimitives.Add(dPositions, dy.Slice(b * sample, sample), dPositions);
        }
    }

    /// <summary>
    /// The fixed encoding of "Attention Is All You Need" as PyTorch's tutorial computes it, <c>[steps, dimensions]</c>
    /// row-major: with <c>ω_i = exp(2i · (−ln 10000 / d))</c> for <c>i = 0 .. ⌈d/2⌉ − 1</c>,
    /// <c>PE[t, 2i] = sin(t · ω_i)</c> and <c>PE[t, 2i + 1] = cos(t · ω_i)</c>; for an odd d the last column is a sine.
    /// Each entry is computed in double (<see cref="Math.Exp"/>, <see cref="Math.Sin"/>, <see cref="Math.Cos"/>, the
    /// product <c>t · ω_i</c> in double) and rounded to float once, so a row does not depend on how many steps the table
    /// has. Allocates the table: generated code keeps it in a static readonly field.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="steps"/> is negative or <paramref name="dimensions"/> not positive.</exception>
    public static float[] SinusoidalTable(int steps, int dimensions)
    {
        if (steps < 0)
        {
            throw new ArgumentException($"Expected 0 or more steps, got {steps}.", nameof(steps));
        }

        if (dimensions <= 0)
        {
            throw new ArgumentException($"Expected 1 or more dimensions, got {dimensions}.", nameof(dimensions));
        }

        var table = new float[(long)steps * dimensions];
        double scale = -Math.Log(10000.0) / dimensions;
        for (int j = 0; j < dimensions; j += 2)
        {
            double frequency = Math.Exp(j * scale);
            for (int t = 0; t < steps; t++)
            {
                double angle = t * frequency;
                table[((long)t * dimensions) + j] = (float)Math.Sin(angle);
                if (j + 1 < dimensions)
                {
                    table[((long)t * dimensions) + j + 1] = (float)Math.Cos(angle);
                }
            }
        }

        return table;
    }

    private static long Samples(int sample, int batch)
    {
        if (batch < 0)
        {
            throw new ArgumentException($"Expected a batch of 0 or more samples, got {batch}.", nameof(batch));
        }

        return (long)sample * batch;
    }

    private static void Check(long expected, int length, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Expected {expected} floats, got {length}.", name);
        }
    }
}
