using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;
using Catalogue = NetGen.Generator.Model.Diagnostics;

namespace NetGen.Tests.Diagnostics;

/// <summary>
/// <c>docs/diagnostics.md</c> and the catalogue agree: every descriptor has a row in the summary table and a section
/// (anchored where its help link points) whose quoted message is one the descriptor can produce; every section is
/// a descriptor.
/// </summary>
public class DocsTests
{
    private static readonly string s_docs = File.ReadAllText(Path.Combine(NetGen.Tests.Data.TestDataPaths.RepositoryRoot, "docs", "diagnostics.md")).Replace("\r\n", "\n");

    public static IEnumerable<object[]> Descriptors => Catalogue.All.Select(d => new object[] { d.Id });

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void Every_diagnostic_has_a_row_and_a_section_with_its_message(string id)
    {
        DiagnosticDescriptor descriptor = Catalogue.ById(id);
        string anchor = id.ToLowerInvariant();
        Assert.EndsWith("docs/diagnostics.md#" + anchor, descriptor.HelpLinkUri, System.StringComparison.Ordinal);

        string severity = descriptor.DefaultSeverity == DiagnosticSeverity.Error ? "error" : "warning";
        Assert.Contains($"| [{id}](#{anchor}) | {severity} | {descriptor.Title} |", s_docs, System.StringComparison.Ordinal);

        string heading = $"<a id=\"{anchor}\"></a>\n## {id}: {descriptor.Title}\n";
        int start = s_docs.IndexOf(heading, System.StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/diagnostics.md has no section starting '{heading}'");
        int end = s_docs.IndexOf("<a id=\"ng", start + heading.Length, System.StringComparison.Ordinal);
        string section = end < 0 ? s_docs.Substring(start) : s_docs.Substring(start, end - start);

        Assert.Contains("```csharp", section, System.StringComparison.Ordinal);
        Assert.Contains("**Fix:**", section, System.StringComparison.Ordinal);

        // The quoted message fits the descriptor's format, each {n} standing for some text.
        string format = descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string pattern = "^> " + string.Concat(Regex.Split(format, @"\{\d+\}").Select(Regex.Escape).Select((part, i) => i == 0 ? part : ".*" + part)) + "$";
        Assert.True(Regex.IsMatch(section, pattern, RegexOptions.Multiline), $"the section of {id} quotes no message of the form \"{format}\"");
    }

    [Fact]
    public void Every_section_is_a_diagnostic_of_the_catalogue()
    {
        var ids = Catalogue.All.Select(d => d.Id.ToLowerInvariant()).ToHashSet();
        string[] anchors = Regex.Matches(s_docs, "<a id=\"(ng\\d{4})\"></a>").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(ids.OrderBy(i => i), anchors.OrderBy(a => a));
        Assert.Equal(anchors.Length, anchors.Distinct().Count());
    }
}
