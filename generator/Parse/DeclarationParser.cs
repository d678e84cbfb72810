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
    public static NetworkDeclaration Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var classSyntax = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? nameLocation = LocationInfo.From(classSyntax) is { } whole
            ? new LocationInfo(whole.FilePath, classSyntax.Identifier.Span, classSyntax.SyntaxTree.GetLineSpan(classSyntax.Identifier.Span).Span)
            : null;

        if (!classSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(Plan.Diagnostics.NotPartial, nameLocation, type.Name));
        }

        if (type.IsGenericType)
        {
            diagnostics.Add(DiagnosticInfo.Create(Plan.Diagnostics.Generic, nameLocation, type.Name));
        }

        var containing = new List<string>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            string? problem = ContainingTypeProblem(outer);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Plan.Diagnostics.UnsupportedNesting, nameLocation, type.Name, outer.Name, problem));
            }

            containing.Insert(0, $"partial {(outer.IsRecord ? "record " : string.Empty)}{(outer.TypeKind == TypeKind.Struct ? "struct" : "class")} {outer.Name}");
        }

        var layers = new List<(LayerDeclaration Layer, SyntaxNode? Owner, int Position)>();
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
            layers.Add((ReadLayer(kind, attribute, syntax), owner, syntax?.SpanStart ?? int.MaxValue));
        }

        int declarationsWithLayers = layers.Select(l => l.Owner).Where(o => o is not null).Distinct().Count();
        if (declarationsWithLayers > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Plan.Diagnostics.SplitDeclaration, nameLocation, type.Name, declarationsWithLayers));
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        return new NetworkDeclaration(
            ns,
            type.Name,
            type.ToDisplayString(),
            AccessibilityKeyword(type.DeclaredAccessibility),
            containing.ToEquatableArray(),
            layers.OrderBy(l => l.Position).Select(l => l.Layer).ToEquatableArray(),
            diagnostics.ToEquatableArray());
    }

    private static LayerDeclaration ReadLayer(LayerKind kind, AttributeData attribute, SyntaxNode? syntax)
    {
        LocationInfo? location = LocationInfo.From(syntax);
        ImmutableArray<TypedConstant> args = attribute.ConstructorArguments;

        // A constructor Roslyn could not bind (missing or mistyped argument) leaves no arguments to read.
        bool valid = attribute.AttributeConstructor is not null && args.All(a => a.Kind != TypedConstantKind.Error);
        var sizes = new List<int>();
        float? scalar = null;
        if (valid)
        {
            foreach (TypedConstant arg in args)
            {
                if (arg.Kind == TypedConstantKind.Array)
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

        bool bias = true;
        string? name = null;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "Bias" && named.Value.Value is bool b)
            {
                bias = b;
            }
            else if (named.Key == "Name" && named.Value.Value is string s)
            {
                name = s;
            }
        }

        return new LayerDeclaration(kind, sizes.ToEquatableArray(), scalar, bias, name, valid, location);
    }

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
