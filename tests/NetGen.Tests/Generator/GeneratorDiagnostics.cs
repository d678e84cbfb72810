using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>What the per-layer diagnostic tests share: the only NetGen diagnostic of a source, and where it points.</summary>
internal static class GeneratorDiagnostics
{
    /// <summary>Runs the generator on <paramref name="source"/> and returns its one NetGen diagnostic, which must be <paramref name="id"/>.</summary>
    public static Diagnostic Single(string source, string id)
    {
        GeneratorResult result = GeneratorHarness.Run(source);
        var ours = result.Diagnostics.Where(d => d.Id.StartsWith("NG", System.StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count == 1 && ours[0].Id == id, $"Expected only {id}, got: {string.Join("; ", ours.Select(d => d.ToString()))}");
        return ours[0];
    }

    /// <summary>Asserts that <paramref name="d"/> starts at <paramref name="line"/>:<paramref name="column"/> (1-based) and covers <paramref name="text"/>.</summary>
    public static void AssertAt(Diagnostic d, int line, int column, string text)
    {
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.Equal((line, column), (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
        Assert.Equal(text, d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }
}
