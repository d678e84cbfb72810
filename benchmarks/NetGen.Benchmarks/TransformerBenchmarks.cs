using System;

namespace NetGen.Benchmarks;

/// <summary>
/// Anchor "transformer": one post-norm encoder layer (d 64, 4 heads, feed-forward 256, no dropout) over 64 tokens, the
/// mean over the tokens, Linear 64 → 10 (50,570 parameters). Its names are those of the PyTorch module's state_dict with
/// <c>encoder</c> at index 0 and <c>fc</c> at 2, so <c>Peers/transformer.safetensors</c> loads by name.
/// </summary>
[Network]
[Input(64, 64)]
[TransformerEncoder(4, 256, Dropout = 0f)]
[SequenceMean]
[Dense(10)]
public partial class TransformerNet;

/// <summary>
/// The anchor "transformer" network with the peers' weights (<c>Peers/transformer.safetensors</c>): batch 1, batch 64,
/// training steps at batch 64. Its output is checked against PyTorch's before anything is timed (<see cref="PeerCheck"/>).
/// <c>dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*Transformer*'</c>
/// </summary>
public class TransformerBenchmarks() : NetworkBenchmarks<TransformerNet>(PeerCheck.Loaded(new TransformerNet(seed: 0), "transformer"))
{
    protected override void Forward(TransformerNet net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}
