using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using static NetGen.Tests.Generator.GeneratorDiagnostics;

namespace NetGen.Tests.Generator;

/// <summary>
/// One test per diagnostic of the attention family and of composition (NG0045–NG0052): the id, exactly where it is
/// reported, and the words of the message a user acts on.
/// </summary>
public sealed class AttentionDiagnosticTests
{
    [Fact]
    public void NG0045_attention_on_a_vector_suggests_a_sequence_input_or_an_embedding()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(64)]
            [MultiHeadAttention(4)]
            public partial class Net;
            """, "NG0045");
        AssertAt(d, line: 4, column: 2, "MultiHeadAttention(4)");
        Assert.Contains("but its input is [64]", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("[Embedding(vocabulary, d)]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[TransformerEncoder(2, 8)]", "TransformerEncoder(2, 8)")]
    [InlineData("[PositionalEmbedding]", "PositionalEmbedding")]
    [InlineData("[SinusoidalPositions]", "SinusoidalPositions")]
    [InlineData("[SequenceMean]", "SequenceMean")]
    public void NG0045_every_layer_over_tokens_checks_its_input(string attribute, string text)
    {
        Diagnostic d = Single($$"""
            using NetGen;
            [Network]
            [Input(2, 6, 8)]
            {{attribute}}
            public partial class Net;
            """, "NG0045");
        AssertAt(d, line: 4, column: 2, text);
        Assert.Contains("but its input is [2, 6, 8]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0046_heads_that_do_not_divide_d_point_at_the_argument_and_suggest_a_count()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(10, 30)]
            [MultiHeadAttention(4)]
            public partial class Net;
            """, "NG0046");
        AssertAt(d, line: 4, column: 21, "4");
        Assert.Contains("d = 30, is not a multiple of 4 heads", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("(such as 3)", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0047_an_encoder_dropout_of_one_points_at_the_option()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(16, 32)]
            [TransformerEncoder(4, 64, Dropout = 1f)]
            public partial class Net;
            """, "NG0047");
        AssertAt(d, line: 4, column: 38, "1f");
        Assert.Contains("Dropout is 1;", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[LayerNorm(Epsilon = 0f)]", 22, "0f", "Epsilon is 0")]
    [InlineData("[MultiHeadAttention(0)]", 21, "0", "heads is 0")]
    [InlineData("[TransformerEncoder(4, 0)]", 24, "0", "feedForward is 0")]
    [InlineData("[MultiHeadAttention(4, Dropout = -0.5f)]", 34, "-0.5f", "Dropout is -0.5")]
    public void NG0047_options_out_of_range_point_at_themselves(string attribute, int column, string text, string words)
    {
        Diagnostic d = Single($$"""
            using NetGen;
            [Network]
            [Input(16, 32)]
            {{attribute}}
            public partial class Net;
            """, "NG0047");
        AssertAt(d, line: 4, column: column, text);
        Assert.Contains(words, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0048_a_block_that_is_not_a_network_points_at_the_type()
    {
        Diagnostic d = Single("""
            using NetGen;
            public class Helper { }
            [Network]
            [Input(8, 16)]
            [Block(typeof(Helper))]
            public partial class Net;
            """, "NG0048");
        AssertAt(d, line: 5, column: 8, "typeof(Helper)");
        Assert.Contains("'Helper', which has no [Network] attribute", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0049_a_cycle_of_two_blocks_is_reported_on_both_with_the_path()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(8, 16)]
            [Residual(typeof(B))]
            public partial class A;
            [Network]
            [Input(8, 16)]
            [Residual(typeof(A))]
            public partial class B;
            """);
        var cycles = result.Diagnostics.Where(d => d.Id == "NG0049").OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(2, cycles.Count);
        AssertAt(cycles[0], line: 4, column: 11, "typeof(B)");
        AssertAt(cycles[1], line: 8, column: 11, "typeof(A)");
        Assert.Contains("A → B → A", cycles[0].GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("B → A → B", cycles[1].GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0049_a_network_that_uses_itself_is_a_cycle()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(8, 16)]
            [Block(typeof(Net))]
            public partial class Net;
            """, "NG0049");
        AssertAt(d, line: 4, column: 8, "typeof(Net)");
        Assert.Contains("Net → Net", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0050_a_block_given_the_wrong_shape_names_both_shapes_at_the_type()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(6, 8)]
            [Dense(16), ReLU]
            [Dense(8)]
            public partial class FeedForward;
            [Network]
            [Input(6, 10)]
            [Residual(typeof(FeedForward))]
            public partial class Net;
            """);
        Diagnostic d = Assert.Single(result.Diagnostics, d => d.Id.StartsWith("NG", System.StringComparison.Ordinal));
        Assert.Equal("NG0050", d.Id);
        AssertAt(d, line: 9, column: 11, "typeof(FeedForward)");
        Assert.Contains("receives [6, 10], but 'FeedForward' declares [Input(6, 8)]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0051_a_residual_block_that_widens_names_both_shapes()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(6, 8)]
            [Dense(16)]
            public partial class Widen;
            [Network]
            [Input(6, 8)]
            [Residual(typeof(Widen))]
            public partial class Net;
            """);
        Diagnostic d = Assert.Single(result.Diagnostics, d => d.Id.StartsWith("NG", System.StringComparison.Ordinal));
        Assert.Equal("NG0051", d.Id);
        AssertAt(d, line: 8, column: 11, "typeof(Widen)");
        Assert.Contains("'Widen' maps [6, 8] to [6, 16]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0052_a_block_with_errors_of_its_own_names_the_first()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(6, 8)]
            [Dense(0)]
            public partial class Broken;
            [Network]
            [Input(6, 8)]
            [Block(typeof(Broken))]
            public partial class Net;
            """);
        var ours = result.Diagnostics.Where(d => d.Id.StartsWith("NG", System.StringComparison.Ordinal)).OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(new[] { "NG0007", "NG0052" }, ours.Select(d => d.Id).ToArray());
        AssertAt(ours[1], line: 8, column: 8, "typeof(Broken)");
        Assert.Contains("cannot use 'Broken': it has errors of its own (the first: NG0007", ours[1].GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0052_a_block_that_starts_with_an_embedding_says_why()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(16)]
            [Embedding(50, 8)]
            public partial class Embed;
            [Network]
            [Input(16)]
            [Block(typeof(Embed))]
            public partial class Net;
            """);
        Diagnostic d = Assert.Single(result.Diagnostics, d => d.Id.StartsWith("NG", System.StringComparison.Ordinal));
        Assert.Equal("NG0052", d.Id);
        AssertAt(d, line: 8, column: 8, "typeof(Embed)");
        Assert.Contains("starts with an embedding", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_blocks_plan_with_nested_names_and_no_diagnostics()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(6, 8)]
            [Dense(16), ReLU]
            [Dense(8)]
            public partial class FeedForward;
            [Network]
            [Input(6, 8)]
            [Residual(typeof(FeedForward))]
            [LayerNorm]
            public partial class Outer;
            [Network]
            [Input(6, 8)]
            [Residual(typeof(Outer), Name = "body")]
            [Dense(3)]
            public partial class Net;
            """);
        Assert.Empty(result.Diagnostics.Where(d => d.Id.StartsWith("NG", System.StringComparison.Ordinal)));
        string source = result.Sources.Single(s => s.Key.Contains("Net.g.cs", System.StringComparison.Ordinal)).Value;
        foreach (string name in new[] { "\"body.0.0.weight\"", "\"body.0.2.bias\"", "\"body.1.weight\"", "\"1.weight\"" })
        {
            Assert.Contains(name, source, System.StringComparison.Ordinal);
        }
    }
}
