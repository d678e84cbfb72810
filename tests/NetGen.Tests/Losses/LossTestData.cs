using System;

namespace NetGen.Tests.Losses;

/// <summary>Deterministic inputs for the loss tests.</summary>
internal static class LossTestData
{
    public const int Classes = 7;

    /// <summary>Normal(0, <paramref name="scale"/>) floats from a fixed seed (Box-Muller).</summary>
    public static float[] Normal(int count, double scale, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u = 1 - random.NextDouble();
            double v = random.NextDouble();
            values[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }

        return values;
    }

    /// <summary>Uniform floats in [0, 1) from a fixed seed.</summary>
    public static float[] Uniform(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return values;
    }

    /// <summary>Class labels in [0, <paramref name="classes"/>) as floats.</summary>
    public static float[] Labels(int count, int classes, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(classes);
        }

        return values;
    }
}
