using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;

namespace NetGen.Generator;

/// <summary>
/// The NetGen source generator: <c>[Network]</c> classes are parsed into symbol-free, position-free models,
/// planned (shapes, layout) and emitted. Each stage is a separate, cached pipeline step, so an edit outside a
/// network class, or a comment, re-runs nothing. Diagnostics come from <see cref="Analysis.NetworkAnalyzer"/>,
/// which runs the same planner; a network with errors gets only a stub of its members, so the rest of the
/// user's code compiles against it and the real errors stand out. So does every network of a project whose C# version
/// is older than <see cref="GeneratorInfo.MinimumLanguageVersion"/> (NG0019).
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

        // Every network's identity, sorted: hint names are compared ignoring case, so a network's file name depends
        // on the others' names (see HintNames). The list is equal across edits that rename nothing, so it leaves
        // every output cached.
        IncrementalValueProvider<EquatableArray<string>> identities = declarations
            .Select(static (declaration, _) => declaration.Identity)
            .Collect()
            .Select(static (all, _) => all.Distinct().OrderBy(i => i, System.StringComparer.Ordinal).ToEquatableArray());

        IncrementalValueProvider<LanguageVersion> language = context.ParseOptionsProvider
            .Select(static (options, _) => options is CSharpParseOptions csharp ? csharp.LanguageVersion : LanguageVersion.Latest);

        context.RegisterSourceOutput(plans.Combine(identities).Combine(language), static (spc, input) =>
        {
            ((PlanResult result, EquatableArray<string> all), LanguageVersion version) = input;
            string hintName = HintNames.For(result.Declaration.Identity, all);
            if (result.Plan is { } plan && version >= GeneratorInfo.MinimumLanguageVersion)
            {
                spc.AddSource(hintName, NetworkEmitter.Emit(plan));
            }
            else if (StubEmitter.CanExtend(result) && version >= StubEmitter.MinimumLanguageVersion)
            {
                spc.AddSource(hintName, StubEmitter.Emit(result, version));
            }
        });
    }
}
