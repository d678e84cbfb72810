using System.Linq;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.VectorWidth;

namespace NetGen.Generator.Emit;

/// <summary>
/// A dense layer's kernels, with its shapes as constants: forward (<see cref="DenseForwardEmitter"/>) and
/// backward (<see cref="DenseBackwardEmitter"/>), each at every vector width; and what they share.
/// </summary>
internal static class DenseEmitter
{
    public static string ForwardName(StepPlan step) => $"Dense{step.LayerIndex}Forward";

    public static string BackwardName(StepPlan step) => $"Dense{step.LayerIndex}Backward";

    /// <summary>Whether the activation is applied inside the forward kernel, on each finished sum.</summary>
    public static bool FusesActivationInKernel(StepPlan step)
        => step.Activation is LayerKind.ReLU || (step.Activation is LayerKind.LeakyReLU && !step.KeepsPreActivation);

    public static void EmitForward(CodeWriter w, StepPlan step) => DenseForwardEmitter.Emit(w, step);

    public static void EmitBackward(CodeWriter w, StepPlan step) => DenseBackwardEmitter.Emit(w, step);

    public static string Activate(StepPlan step, string z)
    {
        if (!FusesActivationInKernel(step))
        {
            return z;
        }

        return step.Activation == LayerKind.ReLU
            ? $"MathF.Max({z}, 0f)"
            : $"LeakyReLU({z}, {Literals.Float(step.Scalar)})";
    }

    /// <summary>The fused activation of <paramref name="z"/>, a local of the given width (the identity when none is fused).</summary>
    public static string Activate(StepPlan step, VectorWidth width, string z)
    {
        if (width.IsScalar || !FusesActivationInKernel(step))
        {
            return Activate(step, z);
        }

        string v = width.Name;
        return step.Activation == LayerKind.ReLU
            ? $"{v}.Max({v}<float>.Zero, {z})"
            : $"{v}.ConditionalSelect({v}.GreaterThan({z}, {v}<float>.Zero), {z}, {z} * {Literals.Float(step.Scalar)})";
    }

    public static string ActivationMath(StepPlan step) => step.Activation == LayerKind.ReLU
        ? "max(·, 0)"
        : $"leaky_relu(·, {Literals.Float(step.Scalar)})";

    /// <summary>Whether any step's kernel calls the <c>LeakyReLU</c> helper.</summary>
    public static bool NeedsLeakyHelper(NetworkPlan plan)
        => plan.Steps.Any(s => s.Kind is StepKind.Dense or StepKind.Convolution && s.Activation == LayerKind.LeakyReLU && FusesActivationInKernel(s));
}
