using System;

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
