using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Tests.Diagnostics;

/// <summary>
/// Test source with the expected diagnostics marked in place: <c>{|NG0007:0|}</c> says that NG0007 covers exactly
/// the text <c>0</c>. <see cref="Parse"/> strips the markers and keeps each span, so a test states a diagnostic's
/// line, column and extent by where it writes the marker, not by numbers that drift when the source is edited.
/// </summary>
internal sealed record MarkedSource(string Source, IReadOnlyList<ExpectedDiagnostic> Expected)
{
    public static MarkedSource Parse(string marked)
    {
        var source = new StringBuilder(marked.Length);
        var expected = new List<ExpectedDiagnostic>();
        var open = new Stack<(string Id, int Start)>();
        int i = 0;
        while (i < marked.Length)
        {
            if (marked[i] == '{' && i + 1 < marked.Length && marked[i + 1] == '|')
            {
                int colon = marked.IndexOf(':', i + 2);
                open.Push((marked.Substring(i + 2, colon - i - 2), source.Length));
                i = colon + 1;
            }
            else if (marked[i] == '|' && i + 1 < marked.Length && marked[i + 1] == '}' && open.Count > 0)
            {
                (string id, int start) = open.Pop();
                expected.Add(new ExpectedDiagnostic(id, TextSpan.FromBounds(start, source.Length)));
                i += 2;
            }
            else
            {
                source.Append(marked[i]);
                i++;
            }
        }

        expected.Sort((a, b) => a.Span.Start != b.Span.Start ? a.Span.Start.CompareTo(b.Span.Start) : string.CompareOrdinal(a.Id, b.Id));
        return new MarkedSource(source.ToString(), expected);
    }
}

/// <summary>A diagnostic a marker asks for: its id and the span it must cover.</summary>
internal sealed record ExpectedDiagnostic(string Id, TextSpan Span);
