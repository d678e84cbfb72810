using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace NetGen.Samples.Interop;

/// <summary>The data both sides train on: three spirals of noisy points, one class each.</summary>
internal static class Spirals
{
    public static Dataset Make(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[count * 2];
        var labels = new float[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            float r = rng.NextFloat();
            float angle = (4f * r) + (c * 2f * MathF.PI / 3f) + (0.2f * rng.NextGaussian());
            x[2 * i] = r * MathF.Cos(angle);
            x[(2 * i) + 1] = r * MathF.Sin(angle);
            labels[i] = c;
        }

        return new Dataset(x, 2, labels, 1);
    }

    /// <summary>An n-by-n grid over [-1, 1]^2, row by row.</summary>
    public static float[] Grid(int n)
    {
        var points = new float[n * n * 2];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                points[2 * ((i * n) + j)] = -1f + (2f * j / (n - 1));
                points[(2 * ((i * n) + j)) + 1] = -1f + (2f * i / (n - 1));
            }
        }

        return points;
    }
}

internal static class Outputs
{
    /// <summary>The largest |a - b| / max|b over the sample|, over all samples.</summary>
    public static double WorstRelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, int perSample)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"Expected {expected.Length} outputs, got {actual.Length}.", nameof(actual));
        }

        double worst = 0;
        for (int start = 0; start < actual.Length; start += perSample)
        {
            double scale = 1e-30;
            for (int i = 0; i < perSample; i++)
            {
                scale = Math.Max(scale, Math.Abs(expected[start + i]));
            }

            for (int i = 0; i < perSample; i++)
            {
                worst = Math.Max(worst, Math.Abs(actual[start + i] - (double)expected[start + i]) / scale);
            }
        }

        return worst;
    }
}

/// <summary>Source-generated JSON, so the sample stays trimming- and AOT-friendly.</summary>
[JsonSerializable(typeof(Dictionary<string, float[]>))]
internal sealed partial class IoJson : JsonSerializerContext;
