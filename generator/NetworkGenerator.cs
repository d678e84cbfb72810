using System.Linq;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Emit;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;

namespace NetGen.Generator;

/// <summary>
/// The NetGen source generator: <c>[Network]</c> classes are parsed into symbol-free, position-free models,
/// planned (shapes, layout) and emitted. Each stage is a separate, cached pipeline step, so an edit outside a
/// network class, or a comment, re-runs nothing. Diagnostics come from <see cref="Analysis.NetworkAnalyzer"/>,
/// which runs the same planner; a network with errors gets only a stub of its members, so the rest of the
/// user's code compiles against it and the real errors stand out.
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
            .Where(static declaration => declaration is not null)
            .Select(static (declaration, _) => declaration!)
            .WithTrackingName(Steps.Declaration);

        IncrementalValuesProvider<PlanResult> plans = declarations
            .Select(static (declaration, _) => NetworkPlanner.Plan(declaration))
            .WithTrackingName(Steps.Plan);

        context.RegisterSourceOutput(plans, static (spc, result) =>
        {
            if (result.Plan is { } plan)
            {
                spc.AddSource(NetworkEmitter.HintName(plan.FullName), NetworkEmitter.Emit(plan));
            }
            else if (StubEmitter.CanExtend(result))
            {
                spc.AddSource(NetworkEmitter.HintName(result.Declaration.FullName), StubEmitter.Emit(result.Declaration));
            }
        });
    }
}
