using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using static NetGen.Tests.Generator.GeneratorDiagnostics;

namespace NetGen.Tests.Generator;

/// <summary>One test per sequence diagnostic (NG0040–NG0044) and the size checks the sequence layers share (NG0007).</summary>
public sealed class SequenceDiagnosticTests
{
    [Fact]
    public void NG0040_an_embedding_after_another_layer_names_the_first_layer()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(16)]
            [Dense(16)]
            [Embedding(28, 32)]
            public partial class Net;
            """, "NG0040");
        AssertAt(d, line: 5, column: 2, "Embedding(28, 32)");
        Assert.Contains("comes after layer 0 (Dense(16))", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void NG0041_an_embedding_on_a_sequence_of_vectors_gives_an_example()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(16, 1)]
            [Embedding(28, 32)]
            public partial class Net;
            """, "NG0041");
        AssertAt(d, line: 4, column: 2, "Embedding(28, 32)");
        Assert.Contains("but the input is [16, 1]", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("[Input(16)]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0042_a_vocabulary_past_two_to_the_24_points_at_the_argument()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(8)]
            [Embedding(20000000, 16)]
            public partial class Net;
            """, "NG0042");
        AssertAt(d, line: 4, column: 12, "20000000");
        Assert.Contains("20,000,000 is more than 16,777,216", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0043_a_recurrent_layer_on_a_vector_suggests_both_fixes()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(16)]
            [Lstm(64)]
            public partial class Net;
            """, "NG0043");
        AssertAt(d, line: 4, column: 2, "Lstm(64)");
        Assert.Contains("[Input(16, 1)]", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("[Embedding(vocabulary, dimensions)]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0043_a_recurrent_layer_on_an_image_says_samples_have_no_batch_axis()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(4, 16, 8)]
            [Gru(32)]
            public partial class Net;
            """, "NG0043");
        Assert.Contains("samples have no batch axis", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0044_zero_stacked_layers_points_at_the_option()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(16, 8)]
            [Gru(32, Layers = 0)]
            public partial class Net;
            """, "NG0044");
        AssertAt(d, line: 4, column: 19, "0");
        Assert.Contains("Layers is 0", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0044_an_undefined_nonlinearity_is_reported()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(16, 8)]
            [Rnn(32, Nonlinearity = (RnnNonlinearity)7)]
            public partial class Net;
            """, "NG0044");
        Assert.Contains("Nonlinearity is 7", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Embedding(0, 32)]", "vocabulary")]
    [InlineData("[Embedding(28, -1)]", "dimensions")]
    public void NG0007_an_embedding_size_that_is_not_positive(string layer, string argument)
    {
        Diagnostic d = Single($$"""
            using NetGen;
            [Network]
            [Input(16)]
            {{layer}}
            public partial class Net;
            """, "NG0007");
        Assert.Contains(argument, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0007_a_hidden_size_that_is_not_positive()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(16, 8)]
            [Lstm(0)]
            public partial class Net;
            """, "NG0007");
        AssertAt(d, line: 4, column: 7, "0");
        Assert.Contains("hidden", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_sequence_network_compiles_without_diagnostics()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(16)]
            [Embedding(28, 32)]
            [Lstm(64, Layers = 2, Bidirectional = true)]
            [Gru(16, ReturnSequences = false)]
            [Dense(28)]
            public partial class Net;
            """);
        Assert.Empty(result.Diagnostics.Where(d => d.Id.StartsWith("NG", System.StringComparison.Ordinal)));
        Assert.Empty(result.CompilationProblems);
    }
}
