using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NetGen.Generator;
using NetGen.Generator.Analysis;

namespace NetGen.Tests.Generator;

/// <summary>Runs the generator on source text in memory, as the compiler would in a user's project.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        // The framework this test runs on, plus the runtime (NetGen.dll) and what it brings.
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var paths = trusted.Split(Path.PathSeparator).ToList();
        paths.Add(typeof(INetwork).Assembly.Location);
        paths.Add(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.CSharp12);

    public static CSharpCompilation Compilation(params string[] sources) => Compilation(ParseOptions, sources);

    /// <summary>A compilation of <paramref name="sources"/> in the C# version of <paramref name="options"/> (nullable enabled from C# 8).</summary>
    public static CSharpCompilation Compilation(CSharpParseOptions options, params string[] sources)
        => CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, options, path: $"Network{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: options.LanguageVersion >= LanguageVersion.CSharp8 ? NullableContextOptions.Enable : NullableContextOptions.Disable));

    public static GeneratorDriver Driver(bool trackSteps = false) => Driver(ParseOptions, trackSteps);

    public static GeneratorDriver Driver(CSharpParseOptions options, bool trackSteps = false)
        => CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>
    /// Runs the generator, then NetGen's analyzer over the result, as a build does: the generated files by hint
    /// name, the generator's and the analyzer's diagnostics, and the compilation with the generated files added.
    /// </summary>
    public static GeneratorResult Run(params string[] sources) => Run(ParseOptions, sources);

    /// <summary>As <see cref="Run(string[])"/>, for a project in the C# version of <paramref name="options"/>.</summary>
    public static GeneratorResult Run(CSharpParseOptions options, params string[] sources)
    {
        CSharpCompilation input = Compilation(options, sources);
        Driver(options).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        var generated = output.SyntaxTrees.Skip(sources.Length)
            .ToDictionary(t => Path.GetFileName(t.FilePath), t => t.ToString());
        ImmutableArray<Diagnostic> analyzed = output
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return new GeneratorResult(generated, diagnostics.AddRange(analyzed), output);
    }
}

internal sealed record GeneratorResult(IReadOnlyDictionary<string, string> Sources, ImmutableArray<Diagnostic> Diagnostics, Compilation Output)
{
    /// <summary>Errors and warnings of the compilation with the generated code, generator diagnostics included.</summary>
    public IEnumerable<Diagnostic> CompilationProblems
        => Diagnostics.Concat(Output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning);
}
