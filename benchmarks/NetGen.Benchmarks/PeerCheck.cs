using System;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>
/// The peers' files and the check every engine passes before it is timed. This part needs no NetGen type, so the
/// TorchSharp benchmark (<c>benchmarks/NetGen.Benchmarks.Torch</c>) compiles the same file.
/// </summary>
public static partial class PeerCheck
{
    /// <summary>Where <c>export_peers.py</c> wrote the networks, weights and check data (copied beside the benchmark).</summary>
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Peers", file);

    /// <summary>The check file's two input samples and PyTorch's two outputs.</summary>
    public static (float[] Input, float[] Output) Check(string name, int inputLength, int outputLength)
    {
        byte[] bytes = File.ReadAllBytes(PathOf(name + ".check.bin"));
        var input = new float[2 * inputLength];
        var output = new float[2 * outputLength];
        if (bytes.Length != (input.Length + output.Length) * sizeof(float))
        {
            throw new InvalidDataException($"{name}.check.bin has {bytes.Length} bytes, not the {(input.Length + output.Length) * sizeof(float)} of 2 samples of [{inputLength}] and [{outputLength}].");
        }

        Buffer.BlockCopy(bytes, 0, input, 0, input.Length * sizeof(float));
        Buffer.BlockCopy(bytes, input.Length * sizeof(float), output, 0, output.Length * sizeof(float));
        return (input, output);
    }

    /// <summary>Throws unless <paramref name="actual"/> matches PyTorch's output to 1e-4 of its largest value.</summary>
    public static void Compare(string engine, string name, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new InvalidOperationException($"{engine} on {name}: {actual.Length} outputs, PyTorch's check has {expected.Length}; not timing a wrong answer.");
        }

        float scale = 0, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = MathF.Max(scale, MathF.Abs(expected[i]));
            worst = MathF.Max(worst, MathF.Abs(actual[i] - expected[i]));
        }

        if (!(worst <= 1e-4f * MathF.Max(scale, 1f)))
        {
            throw new InvalidOperationException($"{engine} on {name}: output differs from PyTorch's by {worst} (largest value {scale}); not timing a wrong answer.");
        }

        Console.WriteLine($"// {engine} on {name}: output matches PyTorch's (largest difference {worst:G3}, largest value {scale:G3})");
    }
}
