namespace NetGen.Generator.Model;

/// <summary>
/// Where a diagnostic belongs, said without source positions so the incremental model stays equal when a
/// comment or an unrelated line moves the text: the class name, a layer attribute, or one argument of it.
/// <see cref="Analysis.SiteLocator"/> turns a site into a <c>Location</c> when the analyzer reports it.
/// </summary>
/// <param name="Layer">The attribute's position among the class's layer attributes (<c>[Input]</c> included), or -1 for the class name.</param>
/// <param name="Argument">The constructor parameter or property the problem is in, such as <c>units</c>; null for the whole attribute.</param>
/// <param name="Element">For a <c>params</c> argument, which element (an axis of <c>[Input(...)]</c>).</param>
internal sealed record DiagnosticSite(int Layer, string? Argument = null, int Element = 0)
{
    /// <summary>The class's identifier.</summary>
    public static DiagnosticSite Class { get; } = new(-1);

    public static DiagnosticSite OfLayer(int position, string? argument = null, int element = 0) => new(position, argument, element);
}
