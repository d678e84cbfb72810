using System;
using System.Globalization;
using System.Linq;
using System.Text;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>
/// The file name (hint name) of each network's generated source. Roslyn accepts only identifier characters and a few
/// others (<c>.</c>, <c>-</c>, <c>_</c>, brackets, ...) and compares hint names ignoring case, so the name is the
/// network's full name with dots (no <c>@</c>, no type arguments, other characters as <c>_</c>), and the networks
/// whose names would then be equal ignoring case (<c>A.Net</c> and <c>A.NET</c>; the class <c>C</c> of namespace
/// <c>A.B</c> and the class <c>C</c> nested in class <c>A.b</c>) are told apart by a number: the first of them in
/// ordinal order of their exact identities keeps the plain name, the others get <c>.2</c>, <c>.3</c>, ... A segment of
/// digits alone is never part of a plain name (no identifier starts with a digit), so no numbered name meets another.
/// </summary>
internal static class HintNames
{
    /// <summary>The hint name of the network whose identity is <paramref name="identity"/>, among every network's identity.</summary>
    public static string For(string identity, EquatableArray<string> identities)
    {
        string plain = Plain(identity);
        string[] clashing = identities.Items
            .Where(other => string.Equals(Plain(other), plain, StringComparison.OrdinalIgnoreCase))
            .Concat(new[] { identity })
            .Distinct(StringComparer.Ordinal)
            .OrderBy(other => other, StringComparer.Ordinal)
            .ToArray();
        int index = Array.IndexOf(clashing, identity);
        return (index == 0 ? plain : plain + "." + (index + 1).ToString(CultureInfo.InvariantCulture)) + ".g.cs";
    }

    /// <summary><c>Samples.Outer+Tagger</c> → <c>Samples.Outer.Tagger</c>; <c>N+Outer`1+Net</c> → <c>N.Outer.Net</c>.</summary>
    public static string Plain(string identity)
    {
        var text = new StringBuilder(identity.Length);
        bool arity = false;
        foreach (char c in identity)
        {
            if (c == '`')
            {
                arity = true;
                continue;
            }

            if (c is '.' or '+')
            {
                arity = false;
                text.Append('.');
            }
            else if (!arity)
            {
                text.Append(IsIdentifierPart(c) ? c : '_');
            }
        }

        return text.ToString();
    }

    /// <summary>The characters C# allows in an identifier after its first (Roslyn takes these in a hint name).</summary>
    private static bool IsIdentifierPart(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => true,
        _ => false,
    };
}
