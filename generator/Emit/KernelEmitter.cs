using System.Linq;
using NetGen.Generator.Plan;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes what a network runs beside its class, in <c>NetGen.Generated</c>, a namespace NetGen owns (so its short
/// <c>using</c> names can never meet a user's type of the same name): a file-local shape descriptor per dense layer, and
/// the file-local class of the kernels the runtime does not hold yet (convolution and pooling).
/// </summary>
internal static class KernelEmitter
{
    public static string ClassName(NetworkPlan plan) => plan.Name + "Kernels";

    public static string QualifiedName(NetworkPlan plan) => "global::NetGen.Generated." + ClassName(plan);

    /// <summary>Whether the network has kernels of its own to emit (convolution and pooling, for now); dense layers run the runtime's.</summary>
    public static bool HasOwnKernels(NetworkPlan plan) => plan.ScratchLength > 0 || plan.Steps.Any(ConvolutionEmitter.Handles);

    public static void Emit(CodeWriter w, NetworkPlan plan)
    {
        w.Open("namespace NetGen.Generated");
        if (HasOwnKernels(plan))
        {
            w.Line("using global::System;");
            w.Line("using global::System.Numerics.Tensors;");
            w.Line("using global::System.Runtime.CompilerServices;");
            w.Line("using global::System.Runtime.InteropServices;");
            w.Line("using global::System.Runtime.Intrinsics;");
            w.Line();
        }

        bool first = true;
        foreach (StepPlan step in plan.Steps.Where(s => s.Kind == StepKind.Dense))
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            DenseEmitter.EmitDescriptor(w, step);
        }

        if (!HasOwnKernels(plan))
        {
            w.Close();
            return;
        }

        if (!first)
        {
            w.Line();
        }

        first = true;
        w.Line($"/// <summary>");
        w.Line($"/// The convolution and pooling kernels of <c>{plan.FullName}</c>, every shape a constant. Each has a Vector512, Vector256 and");
        w.Line($"/// Vector128 path and a scalar one; <see cref=\"Simd\"/> picks the widest the processor runs natively.");
        w.Line($"/// </summary>");
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"{GeneratorInfo.Name}\", \"{GeneratorInfo.Version}\")]");
        w.Open($"file static class {ClassName(plan)}");
        if (plan.ScratchLength > 0)
        {
            w.Line($"/// <summary>Floats of scratch each thread of a call gets (<see cref=\"Workspace.Scratch\"/>), whatever the batch: the largest of the layers' needs.</summary>");
            w.Line($"internal const int ScratchPerThread = {Literals.Int(plan.ScratchLength)};");
            first = false;
        }

        foreach (StepPlan step in plan.Steps.Where(ConvolutionEmitter.Handles))
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            ConvolutionEmitter.EmitKernels(w, step, plan.ScratchLength);
        }

        if (DenseEmitter.NeedsLeakyHelper(plan))
        {
            w.Line();
            w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            w.Line("private static float LeakyReLU(float z, float slope) => z > 0f ? z : slope * z;");
        }

        w.Close();
        w.Close();
    }
}
