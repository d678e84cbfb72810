using System;

namespace NetGen.Benchmarks;

/// <summary><see cref="PeerCheck.Loaded"/>: NetGen's side of the check.</summary>
public static partial class PeerCheck
{
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
}

// The anchor networks with the peers' weights (Peers/{name}.safetensors, written by export_peers.py from the seeds of
// /work/shared/anchors/models.py), checked against PyTorch before timing. NetGen's parameter names are nn.Sequential's
// (activations, pooling and Flatten count as layers), so the files load by name. MlpBenchmarks, WideBenchmarks and
// LeNetBenchmarks keep NetGen's own seed; these are the rows of the peers' table (benchmarks/peers.sh).

/// <summary>The anchor "mlp" network with the peers' weights (<c>Peers/mlp.safetensors</c>).</summary>
public class MlpPeerBenchmarks() : NetworkBenchmarks<Mlp>(PeerCheck.Loaded(new Mlp(seed: 0), "mlp"))
{
    protected override void Forward(Mlp net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}

/// <summary>The anchor "lenet" network with the peers' weights (<c>Peers/lenet.safetensors</c>).</summary>
public class LeNetPeerBenchmarks() : NetworkBenchmarks<BenchLeNet5>(PeerCheck.Loaded(new BenchLeNet5(seed: 0), "lenet"))
{
    protected override void Forward(BenchLeNet5 net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}

/// <summary>The anchor "wide" network with the peers' weights (<c>Peers/wide.safetensors</c>).</summary>
public class WidePeerBenchmarks() : NetworkBenchmarks<Wide>(PeerCheck.Loaded(new Wide(seed: 0), "wide"))
{
    protected override void Forward(Wide net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}
