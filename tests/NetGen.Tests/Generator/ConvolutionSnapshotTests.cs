using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The generated source of LeNet-5 (im2col convolutions, max pooling, flatten, dense layers), compared with the
/// reviewed <c>Snapshots/LeNet5.verified.cs</c>; accept a change as <see cref="SnapshotTests"/> explains.
/// </summary>
public sealed class ConvolutionSnapshotTests
{
    public const string LeNetSource = """
        using NetGen;

        namespace Samples;

        [Network]
        [Input(1, 28, 28)]
        [Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
        [Conv2D(16, 5), ReLU, MaxPool2D(2)]
        [Flatten]
        [Dense(120), ReLU]
        [Dense(84), ReLU]
        [Dense(10)]
        public partial class LeNet5;
        """;

    [Fact]
    public void LeNet5_source_matches_the_reviewed_snapshot()
    {
        GeneratorResult result = GeneratorHarness.Run(LeNetSource);
        Assert.Empty(result.CompilationProblems);
        string generated = Assert.Single(result.Sources).Value.Replace("\r\n", "\n");

        string folder = Path.Combine(NetGen.Tests.Data.TestDataPaths.RepositoryRoot, "tests", "NetGen.Tests", "Snapshots");
        string verified = Path.Combine(folder, "LeNet5.verified.cs");
        string received = Path.Combine(folder, "LeNet5.received.cs");
        if (Environment.GetEnvironmentVariable("NETGEN_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, generated);
        }

        string expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : string.Empty;
        if (expected != generated)
        {
            File.WriteAllText(received, generated);
            int line = expected.Split('\n').Zip(generated.Split('\n')).TakeWhile(p => p.First == p.Second).Count() + 1;
            Assert.Fail($"The generated source of LeNet5 differs from {verified} from line {line} on. Wrote {received}; review it and accept it.");
        }

        File.Delete(received);
    }
}
