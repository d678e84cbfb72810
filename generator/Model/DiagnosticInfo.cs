using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Model;

/// <summary>
/// A diagnostic as values: the descriptor's id (looked up in <see cref="Diagnostics"/>), the site it
/// belongs to, and the message arguments already turned into strings. Equatable and position-free, so
/// plans that carry it cache across edits.
/// </summary>
internal sealed record DiagnosticInfo(string Id, DiagnosticSite Site, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, DiagnosticSite site, params object[] arguments)
        => new(descriptor.Id, site, arguments.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty).ToEquatableArray());

    public DiagnosticDescriptor Descriptor => Diagnostics.ById(Id);

    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic(Location location)
        => Diagnostic.Create(Descriptor, location, Arguments.Items.Cast<object>().ToArray());
}
