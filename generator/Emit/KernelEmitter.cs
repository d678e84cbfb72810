using NetGen.Generator.Plan;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes the file-local class of a network's kernels. It lives in <c>NetGen.Generated</c>, a
/// namespace NetGen owns, so its short <c>using</c> names can never meet a user's type of the same name.
/// </summary>
internal static class KernelEmitter
{
    public static string ClassName(NetworkPlan plan) => plan.Name + "Kernels";

    public static string QualifiedName(NetworkPlan plan) => "global::NetGen.Generated." + ClassName(plan);

    public static void Emit(CodeWriter w, NetworkPlan plan)
    {
        w.Open("namespace NetGen.Generated");
        w.Line("using global::System;");
        w.Line("using global::System.Numerics.Tensors;");
        w.Line("using global::System.Runtime.CompilerServices;");
        w.Line("using global::System.Runtime.InteropServices;");
        w.Line("using global::System.Runtime.Intrinsics;");
        w.Line();
        w.Line($"/// <summary>");
        w.Line($"/// The kernels of <c>{plan.FullName}</c>, every shape a constant. Each has a Vector512, Vector256 and");
        w.Line($"/// Vector128 path and a scalar one; <see cref=\"Simd\"/> picks the widest the processor runs natively.");
        w.Line($"/// </summary>");
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"{GeneratorInfo.Name}\", \"{GeneratorInfo.Version}\")]");
        w.Open($"file static class {ClassName(plan)}");
        bool first = true;
        if (plan.ScratchLength > 0)
        {
            w.Line($"/// <summary>Floats of scratch each thread of a call gets (<see cref=\"Workspace.Scratch\"/>), whatever the batch: the largest of the layers' needs.</summary>");
            w.Line($"internal const int ScratchPerThread = {Literals.Int(plan.ScratchLength)};");
            first = false;
        }

        foreach (StepPlan step in plan.Steps)
        {
            if (step.Kind != StepKind.Dense && !ConvolutionEmitter.Handles(step))
            {
                continue;
            }

            if (!first)
            {
                w.Line();
            }

            first = false;
            if (ConvolutionEmitter.Handles(step))
            {
                ConvolutionEmitter.EmitKernels(w, step, plan.ScratchLength);
                continue;
            }

            DenseEmitter.EmitForward(w, step);
            w.Line();
            DenseEmitter.EmitBackward(w, step);
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
