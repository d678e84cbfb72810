using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Parse;

/// <summary>Names as the generated C# must spell them.</summary>
internal static class Identifiers
{
    /// <summary>
    /// <paramref name="name"/> as an identifier in any position: with <c>@</c> when it is a keyword (<c>class</c>) or a
    /// contextual keyword (<c>var</c>, <c>record</c>, <c>partial</c>). A symbol's name carries no <c>@</c>, so a class
    /// declared <c>@class</c> must be re-opened as <c>@class</c>; <c>@</c> before any identifier is legal, so escaping a
    /// contextual keyword is never wrong where it would have been understood without.
    /// </summary>
    public static string Escape(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
            ? "@" + name
            : name;
}
