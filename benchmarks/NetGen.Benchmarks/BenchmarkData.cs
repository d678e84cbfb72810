using System;

namespace NetGen.Benchmarks;

/// <summary>Deterministic inputs and labels, so every run measures the same numbers.</summary>
internal static class BenchmarkData
{
    /// <summary>Batch size of the batch inference and training benchmarks (the anchors' batch size).</summary>
    public const int Batch = 64;

    /// <summary>SGD learning rate of the training step (the anchors use 0.01).</summary>
    public const float LearningRate = 0.01f;

    /// <summary><paramref name="count"/> floats drawn from U(0, 1), as pixel intensities scaled to [0, 1].</summary>
    public static float[] Inputs(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle();
        }

        return values;
    }

    /// <summary><paramref name="count"/> class labels in [0, classes), as floats (the loss takes float targets).</summary>
    public static float[] Labels(int count, int classes, int seed)
    {
        var random = new Random(seed);
        var labels = new float[count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = random.Next(classes);
        }

        return labels;
    }
}
