using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator;
using NetGen.Generator.Analysis;

namespace NetGen.Benchmarks;

/// <summary>
/// The cost of NetGen at compile time, for a network of 50 layers (<c>[Input(256)]</c>, then 25 times
/// <c>[Dense(256), ReLU]</c>): <see cref="Generate"/> is a cold run of the generator (parse, plan, emit, and the
/// compiler parsing the emitted source), as in a build or the first keystroke in an IDE; <see cref="Analyze"/> is the
/// analyzer that reports diagnostics for the same class. Target: under 100 ms for generation.
/// <c>dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*GeneratorBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class GeneratorBenchmarks
{
    private const int Blocks = 25;

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.CSharp12);

    private CSharpCompilation _compilation = null!;

    /// <summary>The declaration measured: 50 layers.</summary>
    public static string Source
    {
        get
        {
            var source = new StringBuilder("using NetGen;\n\nnamespace Bench;\n\n[Network]\n[Input(256)]\n");
            for (int i = 0; i < Blocks; i++)
            {
                source.Append("[Dense(256), ReLU]\n");
            }

            return source.Append("public partial class Deep50;\n").ToString();
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        MetadataReference[] references = trusted.Split(Path.PathSeparator)
            .Append(typeof(INetwork).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
        _compilation = CSharpCompilation.Create(
            "User",
            new[] { CSharpSyntaxTree.ParseText(Source, s_parseOptions, path: "Deep50.cs") },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        // Bind the references once, as a compiler or IDE has by the time generators run.
        _ = _compilation.GetTypeByMetadataName("NetGen.NetworkAttribute");
        if (Generate() < 1000)
        {
            throw new InvalidOperationException("the 50-layer network was not generated");
        }
    }

    /// <summary>A fresh driver each time: nothing cached. Returns the generated length, so the work cannot be skipped.</summary>
    [Benchmark]
    public int Generate()
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: s_parseOptions)
            .RunGenerators(_compilation);
        return driver.GetRunResult().GeneratedTrees.Sum(t => t.Length);
    }

    [Benchmark]
    public int Analyze()
        => _compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;
}
