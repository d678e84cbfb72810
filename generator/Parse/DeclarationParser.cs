using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Model;

namespace NetGen.Generator.Parse;

/// <summary>
/// Stage 1: reads a <c>[Network]</c> class's symbol and attributes into a <see cref="NetworkDeclaration"/>.
/// This is the only place that sees symbols and syntax; everything it returns is plain values. It never
/// throws on half-typed code: an argument it cannot read is recorded as invalid and reported later.
/// </summary>
internal static class DeclarationParser
{
    /// <summary>The generator's entry: the class that carries <c>[Network]</c>.</summary>
    /// <remarks>
    /// Null when there is nothing to generate for this declaration: a class whose name is still being typed, or a
    /// second declaration of a class that carries <c>[Network]</c> twice (CS0579), which the first one covers.
    /// </remarks>
    public static NetworkDeclaration? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var classSyntax = (TypeDeclarationSyntax)context.TargetNode;
        if (classSyntax.Identifier.IsMissing || type.Name.Length == 0)
        {
            return null;
        }

        if (type.DeclaringSyntaxReferences.Length > 1 && context.Attributes.Length > 0)
        {
            INamedTypeSymbol? network = context.Attributes[0].AttributeClass;
            AttributeData? first = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, network));
            if (first?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } owner && owner != classSyntax)
            {
                return null;
            }
        }

        return Parse(type, classSyntax, cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="type"/>, whose declaration <paramref name="classSyntax"/> carries <c>[Network]</c>.
    /// When <paramref name="layerAttributes"/> is given (the analyzer does), it receives each layer's
    /// attribute in the order of <see cref="NetworkDeclaration.Layers"/>, to turn diagnostic sites into locations.
    /// </summary>
    public static NetworkDeclaration Parse(INamedTypeSymbol type, TypeDeclarationSyntax classSyntax, CancellationToken cancellationToken, List<AttributeData>? layerAttributes = null)
    {
        var diagnostics = new List<DiagnosticInfo>();
        string typeName = Identifiers.Escape(type.Name);

        if (!classSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotPartial, DiagnosticSite.Class, typeName));
        }

        if (KindProblem(type) is { } what)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotAClass, DiagnosticSite.Class, typeName, what));
        }

        if (type.TypeParameters.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Generic, DiagnosticSite.Class, typeName));
        }

        var containing = new List<string>();
        string identity = IdentityPart(type);
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            string? problem = ContainingTypeProblem(outer);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedNesting, DiagnosticSite.Class, typeName, Identifiers.Escape(outer.Name), problem));
            }

            string kind = outer.TypeKind == TypeKind.Struct ? "struct" : "class";
            containing.Insert(0, $"{(outer.IsRefLikeType ? "ref " : string.Empty)}partial {(outer.IsRecord ? "record " : string.Empty)}{kind} {Identifiers.Escape(outer.Name)}");
            identity = IdentityPart(outer) + "+" + identity;
        }

        var ordered = OrderedLayerAttributes(type, cancellationToken, out int declarationsWithLayers);
        if (declarationsWithLayers > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.SplitDeclaration, DiagnosticSite.Class, type.Name, declarationsWithLayers));
        }

        layerAttributes?.AddRange(ordered.Select(l => l.Attribute));
        var namespaces = new List<string>();
        for (INamespaceSymbol? n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
        {
            namespaces.Insert(0, n.Name);
        }

        if (namespaces.Count > 0)
        {
            identity = string.Join(".", namespaces) + "." + identity;
        }

        return new NetworkDeclaration(
            string.Join(".", namespaces.Select(Identifiers.Escape)),
            typeName,
            type.ToDisplayString(),
            identity,
            AccessibilityKeyword(type.DeclaredAccessibility),
            containing.ToEquatableArray(),
            ordered.Select((l, position) => ReadLayer(l.Kind, position, l.Attribute, new[] { type.ToDisplayString() }, cancellationToken)).ToEquatableArray(),
            diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// The layer attributes of <paramref name="type"/> in source order (a stable sort keeps Roslyn's order for attributes it
    /// has no syntax for, such as a class from a referenced assembly), and how many of its declarations carry some.
    /// </summary>
    private static List<(LayerKind Kind, AttributeData Attribute)> OrderedLayerAttributes(INamedTypeSymbol type, CancellationToken cancellationToken, out int declarationsWithLayers)
    {
        var layers = new List<(LayerKind Kind, AttributeData Attribute, SyntaxNode? Owner, int Position)>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is null || LayerKindFacts.FromAttributeName(name) is not LayerKind kind)
            {
                continue;
            }

            SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            SyntaxNode? owner = syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            layers.Add((kind, attribute, owner, syntax?.SpanStart ?? int.MaxValue));
        }

        declarationsWithLayers = layers.Select(l => l.Owner).Where(o => o is not null).Distinct().Count();
        return layers.Select((l, i) => (l.Kind, l.Attribute, l.Position, Index: i)).OrderBy(l => l.Position).ThenBy(l => l.Index)
            .Select(l => (l.Kind, l.Attribute)).ToList();
    }

    /// <summary>
    /// The network a <c>[Block]</c> or <c>[Residual]</c> names, with its layers, read from its symbol; <paramref name="path"/>
    /// holds the classes whose blocks are being read (the network itself first), so that a class met again is a cycle.
    /// </summary>
    private static BlockDeclaration ReadBlock(INamedTypeSymbol target, string[] path, CancellationToken cancellationToken)
    {
        string fullName = target.ToDisplayString();
        bool isNetwork = target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "NetGen.NetworkAttribute");
        if (System.Array.IndexOf(path, fullName) >= 0)
        {
            string cycle = string.Join(" → ", path.SkipWhile(p => p != fullName).Concat(new[] { fullName }));
            return new BlockDeclaration(fullName, isNetwork, EquatableArray<LayerDeclaration>.Empty, cycle);
        }

        if (!isNetwork)
        {
            return new BlockDeclaration(fullName, false, EquatableArray<LayerDeclaration>.Empty, null);
        }

        string[] inner = path.Concat(new[] { fullName }).ToArray();
        var layers = OrderedLayerAttributes(target, cancellationToken, out _)
            .Select((l, position) => ReadLayer(l.Kind, position, l.Attribute, inner, cancellationToken))
            .ToEquatableArray();
        return new BlockDeclaration(fullName, true, layers, null);
    }

    private static LayerDeclaration ReadLayer(LayerKind kind, int position, AttributeData attribute, string[] path, CancellationToken cancellationToken)
    {
        ImmutableArray<TypedConstant> args = attribute.ConstructorArguments;

        // A constructor Roslyn could not bind (missing or mistyped argument) leaves no arguments to read.
        bool valid = attribute.AttributeConstructor is not null && args.All(a => a.Kind != TypedConstantKind.Error);
        var sizes = new List<int>();
        float? scalar = null;
        bool bias = true;
        BlockDeclaration? block = null;
        if (valid)
        {
            foreach (TypedConstant arg in args)
            {
                if (arg.IsNull)
                {
                    valid = false;
                }
                else if (arg.Kind == TypedConstantKind.Type)
                {
                    if (arg.Value is INamedTypeSymbol { TypeKind: not TypeKind.Error } target)
                    {
                        block = ReadBlock(target, path, cancellationToken);
                    }
                    else
                    {
                        valid = false;
                    }
                }
                else if (arg.Kind == TypedConstantKind.Array)
                {
                    foreach (TypedConstant item in arg.Values)
                    {
                        if (item.Value is int size)
                        {
                            sizes.Add(size);
                        }
                        else
                        {
                            valid = false;
                        }
                    }
                }
                else if (arg.Value is int size)
                {
                    sizes.Add(size);
                }
                else if (arg.Value is float f)
                {
                    scalar = f;
                }
                else if (arg.Value is double d)
                {
                    scalar = (float)d;
                }
                else if (arg.Value is bool b)
                {
                    bias = b;
                }
                else
                {
                    valid = false;
                }
            }
        }

        if (kind == LayerKind.LeakyReLU && scalar is null && valid)
        {
            scalar = 0.01f;
        }

        string? name = null;
        var options = new List<LayerOption>();
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            object? value = named.Value.Kind == TypedConstantKind.Error ? null : named.Value.Value;
            if (named.Key == "Bias" && value is bool b)
            {
                bias = b;
            }
            else if (named.Key == "Name" && value is string s)
            {
                name = s;
            }
            else if (value is int or float or double or bool)
            {
                options.Add(new LayerOption(
                    named.Key,
                    value as int?,
                    value is float f ? f : value is double d ? (float)d : null,
                    value as bool?));
            }
            else
            {
                valid = false;
            }
        }

        return new LayerDeclaration(kind, position, sizes.ToEquatableArray(), scalar, bias, name, options.ToEquatableArray(), valid, block);
    }

    /// <summary>A type's name in its identity: <c>Net</c>, or <c>Net`1</c> with one type parameter.</summary>
    private static string IdentityPart(INamedTypeSymbol type)
        => type.Arity > 0 ? type.Name + "`" + type.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture) : type.Name;

    /// <summary>What the type is when it is not a plain class the generator can add members to, or null.</summary>
    /// <remarks>A file-local class cannot be extended from the generated file: a partial class there would be another type.</remarks>
    private static string? KindProblem(INamedTypeSymbol type) => type switch
    {
        { IsFileLocal: true, TypeKind: TypeKind.Class, IsRecord: false } => "a file-local class",
        { TypeKind: TypeKind.Struct, IsRecord: true } => "a record struct",
        { TypeKind: TypeKind.Struct } => "a struct",
        { TypeKind: TypeKind.Interface } => "an interface",
        { IsRecord: true } => "a record",
        { IsStatic: true } => "a static class",
        { TypeKind: TypeKind.Class } => null,
        _ => "not a class",
    };

    private static string? ContainingTypeProblem(INamedTypeSymbol outer)
    {
        if (outer.IsGenericType)
        {
            return "generic";
        }

        if (outer.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return "not a class or struct";
        }

        if (outer.IsFileLocal)
        {
            return "file-local";
        }

        foreach (SyntaxReference reference in outer.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return "not partial";
            }
        }

        return null;
    }

    private static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => string.Empty,
    };
}
