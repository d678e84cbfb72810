using System;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>
/// Anchor "lstm": an LSTM 16 → 64 over 32 steps, its last state, Linear 64 → 10 (21,514 parameters). Named as the
/// PyTorch module's state_dict (<c>lstm.weight_ih_l0</c>, <c>fc.weight</c>), so <c>Peers/lstm.safetensors</c> loads by name.
/// </summary>
[Network]
[Input(32, 16)]
[Lstm(64, ReturnSequences = false, Name = "lstm")]
[Dense(10, Name = "fc")]
public partial class LstmNet;

/// <summary>
/// The anchor "lstm" network with the peers' weights (<c>Peers/lstm.safetensors</c>): batch 1, batch 64, training steps at
/// batch 64. Its output is checked against PyTorch's before anything is timed (<see cref="PeerCheck"/>).
/// <c>dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*Lstm*'</c>
/// </summary>
public class LstmBenchmarks() : NetworkBenchmarks<LstmNet>(PeerCheck.Loaded(new LstmNet(seed: 0), "lstm"))
{
    protected override void Forward(LstmNet net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}

/// <summary>The peers' files and the check every engine passes before it is timed.</summary>
public static class PeerCheck
{
    /// <summary>Where <c>export_peers.py</c> wrote the networks, weights and check data (copied beside the benchmark).</summary>
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Peers", file);

    /// <summary><paramref name="network"/> with the weights of <c>Peers/{name}.safetensors</c>, its output checked against PyTorch's.</summary>
    public static TNetwork Loaded<TNetwork>(TNetwork network, string name)
        where TNetwork : INetwork
    {
        network.Load(PathOf(name + ".safetensors"));
        (float[] input, float[] expected) = Check(name, network.InputLength, network.OutputLength);
        var output = new float[expected.Length];
        network.Forward(input, output, network.CreateWorkspace(2));
        Compare("NetGen", name, output, expected);
        return network;
    }

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
