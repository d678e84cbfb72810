using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The generated source of three networks, compared with the reviewed files in <c>tests/NetGen.Tests/Snapshots</c>.
/// A change to the emitter fails here and writes a <c>.received.cs</c> beside the snapshot; read it, and accept it
/// with <c>NETGEN_ACCEPT_SNAPSHOTS=1 dotnet test --filter SnapshotTests</c> (or rename the file).
/// </summary>
public class SnapshotTests
{
    public const string MlpSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(784)]
        [Dense(128), ReLU]
        [Dense(64), ReLU]
        [Dense(10)]
        public partial class Mlp;
        """;

    public const string ZooSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(13)]
        [Dense(11), Tanh]
        [Dense(9, Bias = false), Sigmoid]
        [Dense(7), GELU]
        [Dense(6, Name = "fc"), LeakyReLU(0.1f)]
        [Dropout(0.25f)]
        [Dense(4)]
        [Softmax]
        public partial class Zoo;
        """;

    public const string SequenceSource = """
        using NetGen;

        namespace Samples.Sequences
        {
            public partial class Outer
            {
                [Network]
                [Input(3, 5)]
                [Dense(6)]
                [Flatten]
                [GELU]
                [Dense(3)]
                internal partial class Tagger
                {
                }
            }
        }
        """;

    public const string BatchNormSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(2, 5, 3)]
        [BatchNorm2D(Momentum = 0.3f)]
        [Tanh]
        [Flatten]
        [Dense(6, Bias = false)]
        [BatchNorm1D(Name = "bn")]
        [ReLU]
        [Dense(3)]
        public partial class Normalized;
        """;

    public const string CharModelSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(16)]
        [Embedding(54, 32)]
        [Lstm(128)]
        [Dense(54)]
        public partial class CharModel;
        """;

    public const string StackedSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(8, 3)]
        [Gru(4, Layers = 2, Bidirectional = true, ReturnSequences = false)]
        [Dense(2)]
        public partial class Stacked;
        """;

    public const string TinyGptSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(16)]
        [Embedding(54, 64)]
        [PositionalEmbedding]
        [TransformerEncoder(4, 256, Causal = true)]
        [TransformerEncoder(4, 256, Causal = true)]
        [Dense(54)]
        public partial class TinyGpt;
        """;

    public const string EncoderBlocksSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(64, 64)]
        [Residual(typeof(SelfAttentionBlock))]
        [LayerNorm]
        [Residual(typeof(FeedForwardBlock))]
        [LayerNorm]
        public partial class EncoderLayer;

        [Network]
        [Input(64, 64)]
        [MultiHeadAttention(4)]
        public partial class SelfAttentionBlock;

        [Network]
        [Input(64, 64)]
        [Dense(256), ReLU]
        [Dense(64)]
        public partial class FeedForwardBlock;
        """;

    [Theory]
    [InlineData("TinyGpt", TinyGptSource)]
    [InlineData("EncoderLayer", EncoderBlocksSource)]
    [InlineData("CharModel", CharModelSource)]
    [InlineData("Stacked", StackedSource)]
    [InlineData("Mlp", MlpSource)]
    [InlineData("Normalized", BatchNormSource)]
    [InlineData("Zoo", ZooSource)]
    [InlineData("Tagger", SequenceSource)]
    public void Generated_source_matches_the_reviewed_snapshot(string name, string source)
    {
        GeneratorResult result = GeneratorHarness.Run(source);
        Assert.Empty(result.CompilationProblems);
        string generated = (result.Sources.Count == 1 ? result.Sources.Single() : result.Sources.Single(s => s.Key.EndsWith("." + name + ".g.cs", StringComparison.Ordinal))).Value.Replace("\r\n", "\n");

        string folder = Path.Combine(NetGen.Tests.Data.TestDataPaths.RepositoryRoot, "tests", "NetGen.Tests", "Snapshots");
        string verified = Path.Combine(folder, name + ".verified.cs");
        string received = Path.Combine(folder, name + ".received.cs");
        if (Environment.GetEnvironmentVariable("NETGEN_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, generated);
        }

        string expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : string.Empty;
        if (expected != generated)
        {
            File.WriteAllText(received, generated);
            int line = expected.Split('\n').Zip(generated.Split('\n')).TakeWhile(p => p.First == p.Second).Count() + 1;
            Assert.Fail($"The generated source of {name} differs from {verified} from line {line} on. Wrote {received}; review it and accept it (see the class comment).");
        }

        File.Delete(received);
    }
}
