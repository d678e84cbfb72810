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

        return ArgumentSyntax(syntax.ArgumentList, attribute, site)?.Expression.GetLocation() ?? syntax.GetLocation();
    }

    private static AttributeArgumentSyntax? ArgumentSyntax(AttributeArgumentListSyntax list, AttributeData attribute, DiagnosticSite site)
    {
        // Named: `Stride = 2` (a property) or `units: 64` (a constructor parameter by name).
        var positional = new List<AttributeArgumentSyntax>();
        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            string? name = argument.NameEquals?.Name.Identifier.ValueText ?? argument.NameColon?.Name.Identifier.ValueText;
            if (name == site.Argument && site.Element == 0)
            {
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
                int index = parameter.Ordinal + (parameter.IsParams ? site.Element : 0);
                return index < positional.Count ? positional[index] : null;
            }
        }

        return null;
    }
}
