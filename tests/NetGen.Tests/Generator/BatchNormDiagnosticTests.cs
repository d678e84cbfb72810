using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using static NetGen.Tests.Generator.GeneratorDiagnostics;

namespace NetGen.Tests.Generator;

/// <summary>One test per batch-norm diagnostic (NG0030–NG0033): its ID, where it points, and the words that help.</summary>
public sealed class BatchNormDiagnosticTests
{
    [Fact]
    public void NG0030_BatchNorm1D_on_an_image_suggests_BatchNorm2D()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(3, 8, 8)]
            [BatchNorm1D]
            public partial class Net;
            """, "NG0030");
        AssertAt(d, line: 4, column: 2, "BatchNorm1D");
        Assert.Contains("[3, 8, 8]", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("use [BatchNorm2D]", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void NG0031_BatchNorm2D_on_a_vector_suggests_BatchNorm1D()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(10)]
            [Dense(4), BatchNorm2D(Name = "bn")]
            public partial class Net;
            """, "NG0031");
        AssertAt(d, line: 4, column: 12, "BatchNorm2D(Name = \"bn\")");
        Assert.Contains("[4]", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("use [BatchNorm1D]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0032_momentum_outside_0_1_points_at_the_argument()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(4, 6)]
            [BatchNorm1D(Momentum = 1.5f)]
            public partial class Net;
            """, "NG0032");
        AssertAt(d, line: 4, column: 25, "1.5f");
        Assert.Contains("Momentum 1.5 is outside [0, 1]", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("0.1f", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0033_epsilon_not_positive_points_at_the_argument()
    {
        Diagnostic d = Single("""
            using NetGen;
            [Network]
            [Input(2, 3, 3)]
            [BatchNorm2D(Momentum = 0.2f, Epsilon = 0f)]
            public partial class Net;
            """, "NG0033");
        AssertAt(d, line: 4, column: 41, "0f");
        Assert.Contains("Epsilon 0 must be greater than 0", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("1e-5f", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_batch_norms_compile_without_diagnostics()
    {
        GeneratorResult result = GeneratorHarness.Run("""
            using NetGen;
            [Network]
            [Input(2, 4, 4)]
            [BatchNorm2D(Momentum = 0f, Epsilon = 1e-3f)]
            [Flatten]
            [Dense(5)]
            [BatchNorm1D(Momentum = 1f)]
            public partial class Net;

            // The README's example.
            [Network]
            [Input(1, 28, 28)]
            [BatchNorm2D]
            [Flatten]
            [Dense(128, Bias = false), BatchNorm1D, ReLU]
            [Dense(10)]
            public partial class NormalizedMlp;
            """);
        Assert.Empty(result.CompilationProblems);
    }
}
