using System.Linq;
using NetGen.Generator.Plan;
using NetGen.Generator.Plan.Rules;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes what a network runs beside its class, in <c>NetGen.Generated</c>, a namespace NetGen owns (so its names can
/// never meet a user's type of the same name): a file-local descriptor per dense, convolution and pooling step, through
/// which the runtime's kernels run with the layer's shape as constants, and, when a layer needs scratch, the constant
/// that sizes each thread's slot of it. No kernel bodies: those are runtime code.
/// </summary>
internal static class DescriptorEmitter
{
    public static string ClassName(NetworkPlan plan) => plan.Name + "Scratch";

    /// <summary>The class that holds <c>ScratchPerThread</c> (emitted only when the network needs scratch).</summary>
    public static string QualifiedName(NetworkPlan plan) => "global::NetGen.Generated." + ClassName(plan);

    public static void Emit(CodeWriter w, NetworkPlan plan)
    {
        w.Open("namespace NetGen.Generated");
        bool first = true;
        foreach (Step step in plan.Steps)
        {
            StepEmitter emitter = StepEmitters.For(step);
            if (!emitter.HasDescriptor)
            {
                continue;
            }

            if (!first)
            {
                w.Line();
            }

            first = false;
            emitter.EmitDescriptor(w, step);
        }

        if (plan.ScratchLength > 0)
        {
            if (!first)
            {
                w.Line();
            }

            string layers = string.Join(", ", plan.Steps.OfType<ConvolutionStep>()
                .Select(s => $"{ConvolutionEmitter.DescriptorName(s)} {Literals.Grouped(s.Geometry.ScratchLength)}"));
            w.Line("/// <summary>The scratch the convolutions share.</summary>");
            w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"{GeneratorInfo.Name}\", \"{GeneratorInfo.Version}\")]");
            w.Open($"file static class {ClassName(plan)}");
            w.Line($"/// <summary>");
            w.Line($"/// Floats of scratch each thread of a call gets (<see cref=\"global::NetGen.Workspace.ScratchPerThread\"/>), whatever the batch: the largest");
            w.Line($"/// of the layers' one-sample im2col matrix and padded image ({layers}).");

            w.Line($"/// </summary>");
            w.Line($"internal const int ScratchPerThread = {Literals.Int(plan.ScratchLength)};");
            w.Close();
        }

        w.Close();
    }
}
