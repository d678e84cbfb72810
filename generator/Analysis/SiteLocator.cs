using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Model;

namespace NetGen.Generator.Analysis;

/// <summary>
/// Turns a <see cref="DiagnosticSite"/> into the <see cref="Location"/> an IDE squiggles: the class name, the
/// layer attribute, or the one argument that is wrong. Runs only in the analyzer, which holds the syntax.
/// </summary>
internal static class SiteLocator
{
    public static Location Locate(DiagnosticSite site, TypeDeclarationSyntax classSyntax, IReadOnlyList<AttributeData> layerAttributes, CancellationToken cancellationToken)
    {
        Location className = classSyntax.Identifier.GetLocation();
        if (site.Layer < 0 || site.Layer >= layerAttributes.Count)
        {
            return className;
        }

        AttributeData attribute = layerAttributes[site.Layer];
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return className;
        }

        if (site.Argument is null || syntax.ArgumentList is null)
        {
            return syntax.GetLocation();
        }

        return ArgumentExpression(syntax.ArgumentList, attribute, site)?.GetLocation() ?? syntax.GetLocation();
    }

    /// <summary>The argument's expression; for an element of a <c>params</c> array passed as one (<c>new[] { 1, 0 }</c>), that element.</summary>
    private static ExpressionSyntax? ArgumentExpression(AttributeArgumentListSyntax list, AttributeData attribute, DiagnosticSite site)
    {
        if (ArgumentSyntax(list, attribute, site, out bool wholeArray) is not { } argument)
        {
            return null;
        }

        InitializerExpressionSyntax? elements = argument.Expression switch
        {
            ImplicitArrayCreationExpressionSyntax implicitArray => implicitArray.Initializer,
            ArrayCreationExpressionSyntax array => array.Initializer,
            _ => null,
        };
        if (argument.Expression is CollectionExpressionSyntax collection && wholeArray)
        {
            return site.Element < collection.Elements.Count && collection.Elements[site.Element] is ExpressionElementSyntax element ? element.Expression : argument.Expression;
        }

        return wholeArray && elements is not null && site.Element < elements.Expressions.Count ? elements.Expressions[site.Element] : argument.Expression;
    }

    /// <remarks><paramref name="wholeArray"/>: the argument found is the whole array of a <c>params</c> parameter, not one element.</remarks>
    private static AttributeArgumentSyntax? ArgumentSyntax(AttributeArgumentListSyntax list, AttributeData attribute, DiagnosticSite site, out bool wholeArray)
    {
        wholeArray = false;
        // Named: `Stride = 2` (a property) or `units: 64` (a constructor parameter by name).
        var positional = new List<AttributeArgumentSyntax>();
        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            string? name = argument.NameEquals?.Name.Identifier.ValueText ?? argument.NameColon?.Name.Identifier.ValueText;
            if (name == site.Argument)
            {
                // `dimensions: new[] { 1, 0 }` names the whole array.
                wholeArray = true;
                return argument;
            }

            if (name is null)
            {
                positional.Add(argument);
            }
        }

        // Positional: the constructor parameter's ordinal, plus the element for a params array.
        if (attribute.AttributeConstructor is not { } constructor)
        {
            return null;
        }

        foreach (IParameterSymbol parameter in constructor.Parameters)
        {
            if (parameter.Name == site.Argument)
            {
                // A params argument is written either element by element or as one array.
                bool expanded = parameter.IsParams && !(positional.Count == parameter.Ordinal + 1 && positional[parameter.Ordinal].Expression is ImplicitArrayCreationExpressionSyntax or ArrayCreationExpressionSyntax or CollectionExpressionSyntax);
                wholeArray = parameter.IsParams && !expanded;
                int index = parameter.Ordinal + (expanded ? site.Element : 0);
                return index < positional.Count ? positional[index] : null;
            }
        }

        return null;
    }
}
