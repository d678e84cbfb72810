using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NetGen.Tests.Generator;
using Xunit;

namespace NetGen.Tests.Diagnostics;

/// <summary>
/// Runs the generator and the analyzer on marked source (<see cref="MarkedSource"/>) as a build would, and checks
/// that NetGen reports exactly the marked diagnostics: same ids, same line and column where each starts and ends,
/// no others. The rest of the compilation (the user's code plus whatever the generator added) must have no errors
/// beyond those a test names, so follow-on errors from a missing or broken generated member fail the test.
/// </summary>
internal static class DiagnosticVerifier
{
    /// <summary>
    /// Verifies the markers of <paramref name="markedSource"/> (the first file) and returns NetGen's diagnostics in
    /// source order, for the caller to check their messages.
    /// </summary>
    public static VerifiedRun Verify(string markedSource, params string[] allowedCompilerErrors)
        => Verify(new[] { markedSource }, allowedCompilerErrors);

    public static VerifiedRun Verify(string[] sources, string[] allowedCompilerErrors)
        => Verify(GeneratorHarness.ParseOptions, sources, allowedCompilerErrors);

    /// <summary>As <see cref="Verify(string[], string[])"/>, for a project in the C# version of <paramref name="options"/>.</summary>
    public static VerifiedRun Verify(Microsoft.CodeAnalysis.CSharp.CSharpParseOptions options, string[] sources, string[] allowedCompilerErrors)
    {
        MarkedSource marked = MarkedSource.Parse(sources[0]);
        GeneratorResult result = GeneratorHarness.Run(options, new[] { marked.Source }.Concat(sources.Skip(1)).ToArray());

        Assert.DoesNotContain(result.Diagnostics, d => d.Id is "CS8785" or "AD0001");
        List<Diagnostic> netgen = result.Diagnostics
            .Where(d => d.Id.StartsWith("NG", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();

        SourceText text = SourceText.From(marked.Source);
        string expected = string.Join("\n", marked.Expected.Select(e => Describe(e.Id, "Network0.cs", text.Lines.GetLinePositionSpan(e.Span))));
        string actual = string.Join("\n", netgen.Select(d => Describe(d.Id, System.IO.Path.GetFileName(d.Location.GetLineSpan().Path), d.Location.GetLineSpan().Span)));
        Assert.True(expected == actual, $"Expected NetGen diagnostics:\n{expected}\nActual:\n{actual}\nMessages:\n{string.Join("\n", netgen.Select(d => d.ToString()))}");

        List<Diagnostic> compilerErrors = result.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && !allowedCompilerErrors.Contains(d.Id))
            .ToList();
        Assert.True(compilerErrors.Count == 0, "Compiler errors besides NetGen's:\n" + string.Join("\n", compilerErrors));
        return new VerifiedRun(netgen, result.Sources);
    }

    /// <summary>Asserts that <paramref name="diagnostic"/>'s message contains each of <paramref name="words"/>.</summary>
    public static void MessageContains(Diagnostic diagnostic, params string[] words)
    {
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string word in words)
        {
            Assert.True(message.Contains(word, StringComparison.Ordinal), $"{diagnostic.Id}: \"{message}\" does not contain \"{word}\"");
        }
    }

    /// <summary>The one NetGen diagnostic of a marked source, message checked.</summary>
    public static Diagnostic VerifySingle(string markedSource, params string[] words)
    {
        Diagnostic diagnostic = Assert.Single(Verify(markedSource).Diagnostics);
        MessageContains(diagnostic, words);
        return diagnostic;
    }

    // 1-based line and column, as an IDE shows them.
    private static string Describe(string id, string file, LinePositionSpan span)
        => $"{id} {file}({span.Start.Line + 1},{span.Start.Character + 1})-({span.End.Line + 1},{span.End.Character + 1})";
}

/// <summary>NetGen's diagnostics in source order, and the generated files by hint name.</summary>
internal sealed record VerifiedRun(IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyDictionary<string, string> Sources);
