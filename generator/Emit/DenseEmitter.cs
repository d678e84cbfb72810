using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// A dense layer: its shape descriptor, the small struct through which the runtime's <c>DenseKernels</c> run with the
/// layer's shape as constants (the kernels themselves are runtime code, written once for every layer and width), and
/// the chains' calls under their math.
/// </summary>
internal sealed class DenseEmitter : WeightedStepEmitter<DenseStep>
{
    /// <summary>The descriptor struct's name, file-local beside the network: <c>Dense0</c>.</summary>
    public static string DescriptorName(DenseStep step) => $"Dense{step.Id}";

    /// <summary>The kernel entry point for the layer: <c>global::NetGen.CompilerServices.DenseKernels.Forward&lt;...Dense0&gt;</c>.</summary>
    public static string Kernel(DenseStep step, string method)
        => $"global::NetGen.CompilerServices.DenseKernels.{method}<global::NetGen.Generated.{DescriptorName(step)}>";

    /// <summary>
    /// <c>file readonly struct Dense0 : IDenseLayer { Inputs => 784; Units => 128; ... }</c>: what the kernels read as
    /// constants.
    /// </summary>
    protected override void EmitDescriptor(CodeWriter w, DenseStep step)
    {
        string fused = KernelActivation(step);
        w.Line($"/// <summary>Layer {step.Label}, {Xml(step.Title)}: W [{step.Units}, {step.Inputs}]{(step.HasBias ? $", b [{step.Units}]" : ", no bias")}{(fused == "None" ? string.Empty : $", then {ActivationMath(step)} in the kernel")}.</summary>");
        w.Open($"file readonly struct {DescriptorName(step)} : global::NetGen.CompilerServices.IDenseLayer");
        w.Line($"public static int Inputs => {Int(step.Inputs)};");
        w.Line($"public static int Units => {Int(step.Units)};");
        w.Line($"public static bool HasBias => {Bool(step.HasBias)};");
        w.Line($"public static global::NetGen.CompilerServices.FusedActivation Activation => global::NetGen.CompilerServices.FusedActivation.{fused};");
        w.Line($"public static float Slope => {KernelSlope(step)};");
        w.Close();
    }

    /// <summary>Which projection of an attention layer the step is, for comments; empty for a dense layer.</summary>
    private static string Part(DenseStep step) => step.Initialization switch
    {
        DenseInitialization.XavierZeroBias => ", the input projection",
        DenseInitialization.LinearZeroBias => ", the output projection",
        _ => string.Empty,
    };

    /// <summary>As the PyTorch module the layer is part of draws it: <c>nn.Linear</c>'s, or an attention projection's.</summary>
    protected override void EmitInitialize(CodeWriter w, DenseStep step)
    {
        if (step.Initialization == DenseInitialization.Linear)
        {
            base.EmitInitialize(w, step);
            return;
        }

        double bound = step.Initialization == DenseInitialization.XavierZeroBias
            ? System.Math.Sqrt(6.0 / (step.Inputs + step.Units))
            : 1.0 / System.Math.Sqrt(step.Inputs);
        string why = step.Initialization == DenseInitialization.XavierZeroBias
            ? $"Xavier's bound √(6 / ({step.Inputs} + {step.Units}))"
            : $"bound 1/√{step.Inputs}";
        w.Line($"// {step.Weight.Name}: {why}{(step.Bias is { } b ? $"; {b.Name} = 0" : string.Empty)}, as nn.MultiheadAttention");
        w.Line($"global::NetGen.Initializers.Uniform({SliceOf("p", step.Weight)}, {Float((float)bound)}, ref random);");
        if (step.Bias is { } bias)
        {
            w.Line($"{SliceOf("p", bias)}.Clear();");
        }
    }

    protected override void EmitForward(CodeWriter w, DenseStep step, ForwardNames names)
    {
        string input = names.Input, output = names.Output;
        string plusBias = step.HasBias ? " + b" : string.Empty;
        string math = step.Activation is { } a ? $"{ActivationFunction(a.Kind, a.Slope)}(W {input}{plusBias})" : $"W {input}{plusBias}";
        string fused = step.Activation is { } f ? $" + {f.Kind} (layer {step.Frame.Path}{f.LayerIndex})" : string.Empty;
        w.Line($"// Layer {step.Label}, {step.Title}{fused}{Part(step)}: {output} = {math}{(step.Initialization == DenseInitialization.XavierZeroBias ? ", [q | k | v] of every token" : string.Empty)}");
        w.Line($"//   W: [{step.Units}, {step.Inputs}] \"{step.Weight.Name}\"{(step.Bias is { } bias ? $", b: [{step.Units}] \"{bias.Name}\"" : string.Empty)}");
        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string packed = names.PackedOffset >= 0 ? $", packed.Region({Int(names.PackedOffset)}, {Int(step.Units * step.Inputs)}), packed.Repack" : string.Empty;
        EmitCallWithActivation(w, step, output, target =>
            $"{Kernel(step, "Forward")}({SliceOf("p", step.Weight)}, {SliceOf("p", step.Bias)}, {input}, {target}, {Rows(step)}, workspace.Threads{packed});");
    }

    protected override void EmitBackward(CodeWriter w, DenseStep step, BackwardNames names)
    {
        string fused = step.Activation is { } a ? $" + {a.Kind}" : string.Empty;
        w.Line($"// Layer {step.Label}, {step.Title}{fused}{Part(step)}:");
        EmitActivationBackward(w, step, names.Output, names.OutputGradient);
        w.Line($"//   dW += dzᵀ {names.Input}{(step.HasBias ? ", db += Σ_rows dz" : string.Empty)}, {names.InputGradient} = dz W");
        if (names.GradientBuffer is { } buffer)
        {
            w.Line($"global::System.Span<float> {names.InputGradient} = {buffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        string overwrite = names.WritesGradients ? ", overwrite" : string.Empty;
        w.Line($"{Kernel(step, "Backward")}({SliceOf("p", step.Weight)}, {SliceOf("g", step.Weight)}, {SliceOf("g", step.Bias)}, {names.Input}, {names.OutputGradient}, {names.InputGradient}, {Rows(step)}, workspace.Threads{overwrite});");
    }
}
