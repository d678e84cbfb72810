using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator.Analysis;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Generator;

/// <summary>
/// The generator and the analyzer never throw, whatever half-typed code they see. Valid declarations are broken
/// systematically (each token deleted, each pair of adjacent tokens deleted, the text cut off before each token,
/// each literal or name replaced by a wrong one) and every variant runs through both; none may end in an exception
/// (the compiler's CS8785 "generator failed" or AD0001 "analyzer threw").
/// </summary>
public class RobustnessTests
{
    private static readonly string[] s_declarations =
    {
        SnapshotTests.MlpSource,
        SnapshotTests.ZooSource,
        SnapshotTests.SequenceSource,
        """
        using NetGen;
        [Network]
        [Input(dimensions: new[] { 1, 28, 28 })]
        [Flatten]
        [Dense(units: 10, Bias = false, Name = "head"), LeakyReLU]
        [Softmax]
        public partial class Image { }
        static class Use
        {
            static object Train() => new Trainer<Image>(new Image(seed: 1), new Sgd(0.1f), Loss.SoftmaxCrossEntropy);
        }
        """,
        """
        using NetGen;
        [Network]
        [Input(4, 6)]
        [Dense(8), GELU]
        public partial class Split;

        [Dropout(probability: 0.5f)]
        [Dense(2)]
        public partial class Split;
        """,
        """
        namespace Deep.Space
        {
            using NetGen;
            internal partial struct Holder
            {
                [Network, Input(2, 3, 4), Flatten, Dense(5, Name = "fc1", Bias = true), Tanh, Dense(1), Sigmoid]
                private sealed partial class Probe { }
            }
        }
        """,
        """
        using NetGen;
        [Network]
        [Input(1, 12, 10)]
        [Conv2D(4, 3, 2, Padding = 1, StrideWidth = 2), BatchNorm2D(Momentum = 0.2f), ReLU]
        [MaxPool2D(2, Stride = 2), Flatten, Dense(3)]
        public partial class Convolutional { }

        [Network, Input(2, 9), Conv1D(3, 3, Dilation = 2), AvgPool1D(2), BatchNorm1D(Epsilon = 1e-3f), GlobalAvgPool, Dense(2)]
        public partial class Sequence1D { }
        """,
    };

    /// <summary>What a broken token may become: wrong types, wrong signs, nothing constant.</summary>
    private static readonly string[] s_replacements = { "0", "-1", "1.5f", "null", "\"x\"", "true", "typeof(int)", "int.MaxValue", "new int[0]", "Sizes.Missing", "default" };

    private static readonly Lazy<CSharpCompilation> s_empty = new(() =>
    {
        CSharpCompilation empty = GeneratorHarness.Compilation();
        _ = empty.GetTypeByMetadataName("NetGen.NetworkAttribute"); // binds the references once
        return empty;
    });

    private static readonly DiagnosticAnalyzer s_analyzer = new NetworkAnalyzer();

    [ThreadStatic]
    private static GeneratorDriver? t_driver;

    private readonly ITestOutputHelper _output;

    public RobustnessTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generator_and_analyzer_never_throw_on_broken_declarations()
    {
        List<string> variants = s_declarations.SelectMany(Variants).Distinct().ToList();
        Assert.True(variants.Count > 2000, $"only {variants.Count} variants");
        var failures = new ConcurrentBag<string>();
        var stopwatch = Stopwatch.StartNew();
        // Every variant runs through the generator and the analyzer's per-class path; every eighth also through a
        // full analyzer driver (its registration, the Trainer check), which costs more than the rest together.
        Parallel.ForEach(variants, (variant, _, index) =>
        {
            string? failure = Check(variant, throughCompilationWithAnalyzers: index % 8 == 0);
            if (failure is not null)
            {
                failures.Add($"{failure}\n--- source ---\n{variant}\n");
            }
        });

        _output.WriteLine($"{variants.Count} variants in {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {variants.Count} variants made NetGen throw; the first:\n{failures.FirstOrDefault()}");
    }

    [Theory]
    [InlineData("[Network][Input(null)][Dense(2)] public partial class N;")]
    [InlineData("[Network][Input(default)][Dense(default)] public partial class N;")]
    [InlineData("[Network][Input(new int[] { })][Dense(2)] public partial class N;")]
    [InlineData("[Network][Input(int.MaxValue, int.MaxValue)][Dense(int.MaxValue)] public partial class N;")]
    [InlineData("[Network][Input(65536)][Dense(65536)][Dense(65536)] public partial class N;")]
    [InlineData("[Network][Input(3)][Dense(2, Name = null)][Dense(2, Name = \"\")][Dense(2, Name = \"0\")] public partial class N;")]
    [InlineData("[Network][Input(3)] public partial class N; [Network][Dense(2)] public partial class N;")]
    [InlineData("[Network][Input(3)][Dense(2)] public partial class; [Network][Input(3)][Dense(2)] public partial class;")]
    [InlineData("[Network][Input(3)][Dense(2)] partial class N { [Network][Input(3)][Dense(2)] partial class N { } }")]
    [InlineData("[Network][Input(3)][Dense(2)] public partial interface I; [Network] public enum E { } [Network] public delegate void D();")]
    [InlineData("[Network][Input(3)][Dense(2)] public partial record struct R;")]
    [InlineData("[Network][Input(3)][LeakyReLU(float.NaN)][Dropout(float.NaN)][Dense(2)] public partial class N;")]
    public void Generator_and_analyzer_never_throw_on_odd_declarations(string declaration)
        => Assert.Null(Check("using NetGen;\n" + declaration));

    /// <summary>Runs generator and analyzer on <paramref name="source"/>; the failure, or null when neither threw.</summary>
    private static string? Check(string source, bool throughCompilationWithAnalyzers = true)
    {
        // Derived from one compilation, so every variant shares its bound references (the costly part of a new one).
        CSharpCompilation compilation = s_empty.Value.AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: "Network0.cs"));
        // One driver per thread, run on variant after variant as an IDE runs it keystroke after keystroke: a variant
        // whose plan equals the previous one's is not emitted again, so the emitter runs once per distinct plan.
        GeneratorDriver driver = (t_driver ??= GeneratorHarness.Driver()).RunGenerators(compilation);
        t_driver = driver;
        GeneratorDriverRunResult runResult = driver.GetRunResult();
        GeneratorRunResult run = runResult.Results.Single();
        if (run.Exception is not null)
        {
            return "generator: " + run.Exception;
        }

        if (runResult.Diagnostics.FirstOrDefault(d => d.Id == "CS8785") is { } failed)
        {
            return failed.ToString();
        }

        // The analyzer reads the user's declarations, so it runs on the user's code alone (binding the generated
        // kernels of every variant would cost far more than the check itself).
        if (!throughCompilationWithAnalyzers)
        {
            // Its per-class path called directly, for every class of the variant: what its symbol action does,
            // without the cost of an analyzer driver per variant.
            try
            {
                INamedTypeSymbol? network = compilation.GetTypeByMetadataName("NetGen.NetworkAttribute");
                SemanticModel model = compilation.GetSemanticModel(compilation.SyntaxTrees.Single());
                foreach (TypeDeclarationSyntax declaration in model.SyntaxTree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
                {
                    if (network is not null && model.GetDeclaredSymbol(declaration) is { } type)
                    {
                        _ = NetworkAnalyzer.AnalyzeNetwork(type, network, default).ToList();
                    }
                }

                return null;
            }
            catch (Exception exception)
            {
                return "analyzer: " + exception;
            }
        }

        Exception? thrown = null;
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, _, _) => thrown ??= exception,
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        ImmutableArray<Diagnostic> analyzed = compilation
            .WithAnalyzers(ImmutableArray.Create(s_analyzer), options)
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        if (thrown is not null)
        {
            return "analyzer: " + thrown;
        }

        return analyzed.FirstOrDefault(d => d.Id == "AD0001")?.ToString();
    }

    /// <summary>Every way of breaking <paramref name="source"/> one step at a time.</summary>
    private static IEnumerable<string> Variants(string source)
    {
        SyntaxToken[] tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToArray();
        for (int i = 0; i < tokens.Length; i++)
        {
            Microsoft.CodeAnalysis.Text.TextSpan span = tokens[i].Span;
            yield return source.Remove(span.Start, span.Length);
            yield return source.Substring(0, span.Start);
            if (i + 1 < tokens.Length)
            {
                yield return source.Remove(span.Start, tokens[i + 1].Span.End - span.Start);
            }

            if (tokens[i].IsKind(SyntaxKind.NumericLiteralToken) || tokens[i].IsKind(SyntaxKind.StringLiteralToken) || tokens[i].IsKind(SyntaxKind.IdentifierToken))
            {
                foreach (string replacement in s_replacements)
                {
                    yield return source.Remove(span.Start, span.Length).Insert(span.Start, replacement);
                }
            }
        }
    }
}
