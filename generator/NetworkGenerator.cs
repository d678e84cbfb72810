using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;

namespace NetGen.Generator;

/// <summary>
/// The NetGen source generator: <c>[Network]</c> classes are parsed into symbol-free models, planned (shapes,
/// layout, diagnostics) and emitted. Each stage is a separate, cached pipeline step, so an edit outside a
/// network class re-runs nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public static class Steps
    {
        public const string Declaration = "NetGen.Declaration";
        public const string Plan = "NetGen.Plan";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<NetworkDeclaration> declarations = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "NetGen.NetworkAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (ctx, ct) => DeclarationParser.Parse(ctx, ct))
            .WithTrackingName(Steps.Declaration);

        IncrementalValuesProvider<PlanResult> plans = declarations
            .Select(static (declaration, _) => NetworkPlanner.Plan(declaration))
            .WithTrackingName(Steps.Plan);

        context.RegisterSourceOutput(plans, static (spc, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Plan is { } plan)
            {
                spc.AddSource(NetworkEmitter.HintName(plan), NetworkEmitter.Emit(plan));
            }
        });
    }
}
