using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The compile-time checks of convolution and pooling layers (NG0020-NG0023, NG0110): each reported once, with its
/// severity, on the argument at fault (the text <c>at</c> marks), in words that say what to change.
/// </summary>
public sealed class ConvolutionDiagnosticTests
{
    [Fact]
    public void NG0020_a_convolution_on_a_vector_suggests_an_image_input()
    {
        Diagnostic d = Single("NG0020", "[Input(784)]\n[Conv2D(6, 5)]", at: "Conv2D(6, 5)");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("[C, H, W]", d.GetMessage());
        Assert.Contains("[Input(1, 28, 28)]", d.GetMessage());
    }

    [Fact]
    public void NG0020_a_2D_layer_on_a_sequence_suggests_its_1D_form()
    {
        Diagnostic d = Single("NG0020", "[Input(3, 50)]\n[MaxPool2D(2)]", at: "MaxPool2D(2)");
        Assert.Contains("MaxPool1D", d.GetMessage());
    }

    [Fact]
    public void NG0021_a_stride_of_zero_is_an_error_at_the_stride()
    {
        Diagnostic d = Single("NG0021", "[Input(1, 28, 28)]\n[Conv2D(6, 3, Stride = 0)]", at: "0");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("Stride is 0", d.GetMessage());
    }

    [Fact]
    public void NG0021_a_per_axis_dilation_below_one_is_an_error_at_that_property()
    {
        Diagnostic d = Single("NG0021", "[Input(1, 28, 28)]\n[Conv2D(6, 3, DilationWidth = -2)]", at: "-2");
        Assert.Contains("DilationWidth is -2", d.GetMessage());
    }

    [Fact]
    public void NG0022_negative_padding_is_an_error_at_the_padding()
    {
        Diagnostic d = Single("NG0022", "[Input(1, 28, 28)]\n[Conv2D(6, 3, PaddingHeight = -1)]", at: "-1");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("PaddingHeight is -1", d.GetMessage());
    }

    [Fact]
    public void NG0023_a_kernel_larger_than_the_padded_input_is_an_error_at_the_kernel()
    {
        Diagnostic d = Single("NG0023", "[Input(2, 4, 9)]\n[Conv2D(3, 5, 3, Padding = 0)]", at: "5, 3", length: 1);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("spans 5 rows", d.GetMessage());
        Assert.Contains("empty", d.GetMessage());
    }

    [Fact]
    public void NG0023_counts_dilation_and_padding()
    {
        Diagnostic d = Single("NG0023", "[Input(1, 12)]\n[Conv1D(3, 4, Dilation = 5, Padding = 1)]", at: "4, Dil", length: 1);
        Assert.Contains("spans 16 positions", d.GetMessage());
        Assert.Contains("12 + 2 × 1 padding", d.GetMessage());
    }

    [Fact]
    public void NG0110_pooling_that_drops_a_row_warns_at_the_kernel()
    {
        Diagnostic d = Single("NG0110", "[Input(6, 7, 8)]\n[MaxPool2D(2)]", at: "2)]", length: 1);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("reach 6 of the 7 rows", d.GetMessage());
    }

    [Fact]
    public void Valid_convolutional_networks_have_no_diagnostics()
    {
        GeneratorResult result = GeneratorHarness.Run(Source("[Input(1, 28, 28)]\n[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]\n[Conv2D(16, 3, 5, StrideWidth = 2)]\n[GlobalAvgPool]\n[Dense(10)]"));
        Assert.Empty(result.CompilationProblems);
    }

    private static string Source(string layers) => $"using NetGen;\n\nnamespace Samples;\n\n[Network]\n{layers}\npublic partial class Net;\n";

    /// <summary>Runs the generator and analyzer; asserts exactly one diagnostic <paramref name="id"/>, placed on the first occurrence of <paramref name="at"/> in the layers.</summary>
    private static Diagnostic Single(string id, string layers, string at, int? length = null)
    {
        string source = Source(layers);
        GeneratorResult result = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(result.Diagnostics, d => d.Id == id);
        int start = source.IndexOf(layers, System.StringComparison.Ordinal) + layers.IndexOf(at, System.StringComparison.Ordinal);
        var expected = new TextSpan(start, length ?? at.Length);
        Assert.Equal(expected, d.Location.SourceSpan);
        FileLinePositionSpan lines = d.Location.GetLineSpan();
        Assert.Equal(SourceText.From(source).Lines.GetLinePosition(start), lines.StartLinePosition);
        Assert.True(result.Diagnostics.Count(x => x.Severity == DiagnosticSeverity.Error && x.Id != id) == 0, string.Join("\n", result.Diagnostics));
        return d;
    }
}
