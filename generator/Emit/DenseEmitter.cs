using NetGen.Generator.Model;
using NetGen.Generator.Plan;

namespace NetGen.Generator.Emit;

/// <summary>
/// A dense layer: its shape descriptor, the small struct through which the runtime's <c>DenseKernels</c> run with the
/// layer's shape as constants (the kernels themselves are runtime code, written once for every layer and width); and the
/// fused-activation rule the convolution descriptors share.
/// </summary>
internal static class DenseEmitter
{
    /// <summary>The descriptor struct's name, file-local beside the network: <c>Dense0</c>.</summary>
    public static string DescriptorName(StepPlan step) => $"Dense{step.LayerIndex}";

    /// <summary>The kernel entry point for the layer: <c>global::NetGen.CompilerServices.DenseKernels.Forward&lt;...Dense0&gt;</c>.</summary>
    public static string Kernel(StepPlan step, string method)
        => $"global::NetGen.CompilerServices.DenseKernels.{method}<global::NetGen.Generated.{DescriptorName(step)}>";

    /// <summary>Whether the activation is applied inside the forward kernel, on each finished sum.</summary>
    public static bool FusesActivationInKernel(StepPlan step)
        => step.Activation is LayerKind.ReLU || (step.Activation is LayerKind.LeakyReLU && !step.KeepsPreActivation);

    /// <summary>
    /// <c>file readonly struct Dense0 : IDenseLayer { Inputs => 784; Units => 128; ... }</c>: what the kernels read as
    /// constants.
    /// </summary>
    public static void EmitDescriptor(CodeWriter w, StepPlan step)
    {
        string fused = !FusesActivationInKernel(step) ? "None" : step.Activation == LayerKind.ReLU ? "Relu" : "LeakyRelu";
        w.Line($"/// <summary>Layer {step.LayerIndex}, {Literals.Xml(step.Title)}: W [{step.Units}, {step.Inputs}]{(step.HasBias ? $", b [{step.Units}]" : ", no bias")}{(fused == "None" ? string.Empty : $", then {ActivationMath(step)} in the kernel")}.</summary>");
        w.Open($"file readonly struct {DescriptorName(step)} : global::NetGen.CompilerServices.IDenseLayer");
        w.Line($"public static int Inputs => {Literals.Int(step.Inputs)};");
        w.Line($"public static int Units => {Literals.Int(step.Units)};");
        w.Line($"public static bool HasBias => {(step.HasBias ? "true" : "false")};");
        w.Line($"public static global::NetGen.CompilerServices.FusedActivation Activation => global::NetGen.CompilerServices.FusedActivation.{fused};");
        w.Line($"public static float Slope => {Literals.Float(fused == "LeakyRelu" ? step.Scalar : 0f)};");
        w.Close();
    }


    public static string ActivationMath(StepPlan step) => step.Activation == LayerKind.ReLU
        ? "max(·, 0)"
        : $"leaky_relu(·, {Literals.Float(step.Scalar)})";
}
