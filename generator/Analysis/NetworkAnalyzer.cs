using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using NetGen.Generator.Model;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;

namespace NetGen.Generator.Analysis;

/// <summary>
/// Reports NetGen's diagnostics. The generator stays silent: its incremental model holds no source
/// positions, so a comment or an unrelated edit leaves it cached. This analyzer runs the same parser and
/// planner (one notion of a network's shapes), and places each problem on the attribute or argument that
/// caused it. It also sees what the generator cannot: how a network is used (a softmax network trained
/// with a loss that applies softmax itself).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableArray<DiagnosticDescriptor> s_supported = Diagnostics.All.ToImmutableArray();

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => s_supported;

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? network = start.Compilation.GetTypeByMetadataName("NetGen.NetworkAttribute");
            if (network is null)
            {
                return;
            }

            start.RegisterSymbolAction(c => AnalyzeNetwork(c, network), SymbolKind.NamedType);

            INamedTypeSymbol? trainer = start.Compilation.GetTypeByMetadataName("NetGen.Trainer`1");
            INamedTypeSymbol? softmaxLoss = start.Compilation.GetTypeByMetadataName("NetGen.SoftmaxCrossEntropyLoss");
            if (trainer is not null && softmaxLoss is not null)
            {
                start.RegisterOperationAction(c => AnalyzeTrainer(c, network, trainer, softmaxLoss), OperationKind.ObjectCreation);
            }
        });
    }

    private static void AnalyzeNetwork(SymbolAnalysisContext context, INamedTypeSymbol networkAttribute)
    {
        foreach (Diagnostic diagnostic in AnalyzeNetwork((INamedTypeSymbol)context.Symbol, networkAttribute, context.CancellationToken))
        {
            context.ReportDiagnostic(diagnostic);
        }
    }

    /// <summary>The diagnostics of <paramref name="type"/>'s declaration, placed; none when it is not a network.</summary>
    /// <remarks>
    /// A class with layer attributes but no <c>[Network]</c> gets NG0018; a network in a project whose C# is older than
    /// the generated code needs gets NG0019 beside its other diagnostics.
    /// </remarks>
    internal static IEnumerable<Diagnostic> AnalyzeNetwork(INamedTypeSymbol type, INamedTypeSymbol networkAttribute, CancellationToken cancellationToken)
    {
        if (DeclarationSyntax(type, networkAttribute, cancellationToken) is not { } classSyntax)
        {
            if (MissingNetwork(type, cancellationToken) is { } missing)
            {
                yield return missing;
            }

            yield break;
        }

        if (classSyntax.Identifier.IsMissing)
        {
            yield break;
        }

        var layerAttributes = new List<AttributeData>();
        NetworkDeclaration declaration = DeclarationParser.Parse(type, classSyntax, cancellationToken, layerAttributes);
        PlanResult result = NetworkPlanner.Plan(declaration);
        foreach (DiagnosticInfo diagnostic in result.Diagnostics)
        {
            yield return diagnostic.ToDiagnostic(SiteLocator.Locate(diagnostic.Site, classSyntax, layerAttributes, cancellationToken));
        }

        if (classSyntax.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: var version } && version < GeneratorInfo.MinimumLanguageVersion)
        {
            string minimum = ((int)GeneratorInfo.MinimumLanguageVersion / 100).ToString(CultureInfo.InvariantCulture);
            DiagnosticInfo tooOld = DiagnosticInfo.Create(Diagnostics.LanguageVersionTooLow, DiagnosticSite.Class, declaration.Name, minimum, version.ToDisplayString());
            yield return tooOld.ToDiagnostic(SiteLocator.Locate(tooOld.Site, classSyntax, layerAttributes, cancellationToken));
        }
    }

    /// <summary>NG0018 at the class declaration that carries the first of <paramref name="type"/>'s layer attributes; null when it has none.</summary>
    private static Diagnostic? MissingNetwork(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.TypeKind != TypeKind.Class)
        {
            return null; // layer attributes elsewhere are the compiler's CS0592
        }

        (LayerKind Kind, TypeDeclarationSyntax Owner, int Position)? first = null;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() is not { } name || LayerKindFacts.FromAttributeName(name) is not LayerKind kind
                || attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not { } syntax
                || syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { Identifier.IsMissing: false } owner)
            {
                continue;
            }

            if (first is null || syntax.SpanStart < first.Value.Position)
            {
                first = (kind, owner, syntax.SpanStart);
            }
        }

        return first is { } found
            ? Diagnostic.Create(Diagnostics.MissingNetwork, found.Owner.Identifier.GetLocation(), Identifiers.Escape(type.Name), found.Kind.ToString())
            : null;
    }

    /// <summary><c>new Trainer&lt;Net&gt;(net, optimizer, Loss.SoftmaxCrossEntropy)</c> where <c>Net</c> already ends in softmax.</summary>
    private static void AnalyzeTrainer(OperationAnalysisContext context, INamedTypeSymbol networkAttribute, INamedTypeSymbol trainer, INamedTypeSymbol softmaxLoss)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (creation.Type is not INamedTypeSymbol { TypeArguments.Length: 1 } created
            || !SymbolEqualityComparer.Default.Equals(created.OriginalDefinition, trainer)
            || created.TypeArguments[0] is not INamedTypeSymbol networkType)
        {
            return;
        }

        IArgumentOperation? loss = creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "loss");
        IOperation? value = loss?.Value;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (loss is null || value?.Type is not { } lossType || !InheritsFrom(lossType, softmaxLoss)
            || DeclarationSyntax(networkType, networkAttribute, context.CancellationToken) is not { } classSyntax)
        {
            return;
        }

        NetworkDeclaration declaration = DeclarationParser.Parse(networkType, classSyntax, context.CancellationToken);
        LayerDeclaration? last = declaration.Layers.Items.LastOrDefault(l => l.Kind != LayerKind.Input);
        if (last?.Kind == LayerKind.Softmax)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.SoftmaxBeforeSoftmaxLoss, loss.Syntax.GetLocation(), networkType.Name, lossType.Name));
        }
    }

    /// <summary>The declaration of <paramref name="type"/> that carries <c>[Network]</c>, or null when it has none.</summary>
    private static TypeDeclarationSyntax? DeclarationSyntax(INamedTypeSymbol type, INamedTypeSymbol networkAttribute, CancellationToken cancellationToken)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, networkAttribute))
            {
                return attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();
            }
        }

        return null;
    }

    private static bool InheritsFrom(ITypeSymbol type, INamedTypeSymbol baseType)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
