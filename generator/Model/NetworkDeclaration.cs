
namespace NetGen.Generator.Model;

/// <summary>
/// A <c>[Network]</c> class as the parser read it: how to re-open it as a partial declaration, and its
/// layer attributes in source order. Holds only strings, numbers and equatable arrays, so the incremental
/// pipeline caches it.
/// </summary>
/// <param name="Namespace">The containing namespace as C# code spells it (<c>@event.Models</c>), or empty for the global namespace.</param>
/// <param name="Name">The class name as C# code spells it: <c>@class</c> for a class declared <c>@class</c>.</param>
/// <param name="FullName">The fully qualified name, for messages.</param>
/// <param name="Identity">
/// The exact, case-sensitive identity of the class: namespaces joined by <c>.</c>, then the containing types and the
/// class joined by <c>+</c>, each with <c>`n</c> for n type parameters (<c>Samples.Outer+Tagger</c>); the hint name's source.
/// </param>
/// <param name="Modifiers">The accessibility keyword(s) as declared, such as <c>public</c>.</param>
/// <param name="ContainingTypes">Declarations of the containing types, outermost first (<c>partial class Outer</c>).</param>
/// <param name="Layers">The layer attributes, in the order written.</param>
/// <param name="Diagnostics">Problems found while reading the declaration itself.</param>
internal sealed record NetworkDeclaration(
    string Namespace,
    string Name,
    string FullName,
    string Identity,
    string Modifiers,
    EquatableArray<string> ContainingTypes,
    EquatableArray<LayerDeclaration> Layers,
    EquatableArray<DiagnosticInfo> Diagnostics);
