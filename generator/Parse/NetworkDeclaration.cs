using NetGen.Generator.Model;

namespace NetGen.Generator.Parse;

/// <summary>
/// A <c>[Network]</c> class as the parser read it: how to re-open it as a partial declaration, and its
/// layer attributes in source order. Holds only strings, numbers and equatable arrays, so the incremental
/// pipeline caches it.
/// </summary>
/// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
/// <param name="Name">The class name.</param>
/// <param name="FullName">The fully qualified name, for messages and hint names.</param>
/// <param name="Modifiers">The accessibility keyword(s) as declared, such as <c>public</c>.</param>
/// <param name="ContainingTypes">Declarations of the containing types, outermost first (<c>partial class Outer</c>).</param>
/// <param name="Layers">The layer attributes, in the order written.</param>
/// <param name="Diagnostics">Problems found while reading the declaration itself.</param>
internal sealed record NetworkDeclaration(
    string Namespace,
    string Name,
    string FullName,
    string Modifiers,
    EquatableArray<string> ContainingTypes,
    EquatableArray<LayerDeclaration> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics);
