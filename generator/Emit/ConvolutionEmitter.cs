using System.Collections.Generic;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// A convolution step: its descriptor, the small struct through which the runtime's <c>ConvolutionKernels</c> run with
/// the layer's geometry as constants, and the forward and backward chains' calls under their math. The kernels
/// themselves (im2col, the register-blocked products, im2row, col2im) are runtime code, written once for every layer and
/// width.
/// </summary>
internal sealed class ConvolutionEmitter : WeightedStepEmitter<ConvolutionStep>
{
    /// <summary>The descriptor struct's name, file-local beside the network: <c>Conv0</c>.</summary>
    public static string DescriptorName(ConvolutionStep step) => $"Conv{step.Id}";

    /// <summary>A runtime kernel for the step: <c>global::NetGen.CompilerServices.ConvolutionKernels.Forward&lt;...Conv0&gt;</c>.</summary>
    private static string Kernel(ConvolutionStep step, string method)
        => $"global::NetGen.CompilerServices.ConvolutionKernels.{method}<global::NetGen.Generated.{DescriptorName(step)}>";

    protected override void EmitDescriptor(CodeWriter w, ConvolutionStep step)
    {
        ConvolutionGeometry g = step.Geometry;
        string activation = KernelActivation(step);
        bool fused = activation != "None";
        string columns = g.UsesColumns ? $"columns [{g.ColumnRows}, {g.OutPositions}]" : "no im2col (the input is its own column matrix)";
        w.Line($"/// <summary>Layer {step.Label}, {Xml(step.Title)}: W [{g.OutChannels}, {g.ColumnRows}]{(step.HasBias ? $", b [{g.OutChannels}]" : ", no bias")}, {columns}{(fused ? $", then {ActivationMath(step)} in the kernel" : string.Empty)}.</summary>");
        w.Open($"file readonly struct {DescriptorName(step)} : global::NetGen.CompilerServices.IConvolutionLayer");
        w.Line($"public static int InChannels => {Int(g.InChannels)};");
        w.Line($"public static int InHeight => {Int(g.InHeight)};");
        w.Line($"public static int InWidth => {Int(g.InWidth)};");
        w.Line($"public static int OutChannels => {Int(g.OutChannels)};");
        w.Line($"public static int OutHeight => {Int(g.OutHeight)};");
        w.Line($"public static int OutWidth => {Int(g.OutWidth)};");
        w.Line($"public static int KernelHeight => {Int(g.KernelHeight)};");
        w.Line($"public static int KernelWidth => {Int(g.KernelWidth)};");
        w.Line($"public static int StrideHeight => {Int(g.StrideHeight)};");
        w.Line($"public static int StrideWidth => {Int(g.StrideWidth)};");
        w.Line($"public static int PaddingHeight => {Int(g.PaddingHeight)};");
        w.Line($"public static int PaddingWidth => {Int(g.PaddingWidth)};");
        w.Line($"public static int DilationHeight => {Int(g.DilationHeight)};");
        w.Line($"public static int DilationWidth => {Int(g.DilationWidth)};");
        w.Line($"public static bool UsesColumns => {Bool(g.UsesColumns)};");
        w.Line($"public static bool HasBias => {Bool(step.HasBias)};");
        w.Line($"public static global::NetGen.CompilerServices.FusedActivation Activation => global::NetGen.CompilerServices.FusedActivation.{activation};");
        w.Line($"public static float Slope => {KernelSlope(step)};");
        w.Close();
    }

    protected override void EmitForward(CodeWriter w, ConvolutionStep step, ForwardNames names)
    {
        string input = names.Input, output = names.Output;
        string shapes = $"{NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}";
        string bias = step.HasBias ? " + b" : string.Empty;
        string math = step.Activation is { } a ? $"{ActivationFunction(a.Kind, a.Slope)}(W ⋆ {input}{bias})" : $"W ⋆ {input}{bias}";
        string fused = step.Activation is { } f ? $" + {f.Kind} (layer {step.Frame.Path}{f.LayerIndex})" : string.Empty;
        w.Line($"// Layer {step.Label}, {step.Title}{fused}: {output} = {math}, {shapes}");
        w.Line($"//   W: {NetworkEmitter.ShapeText(WeightShape(step))} \"{step.Weight.Name}\"{(step.Bias is { } b ? $", b: [{step.Units}] \"{b.Name}\"" : string.Empty)}");
        foreach (string line in StrategyComment(step))
        {
            w.Line("//   " + line);
        }

        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        EmitCallWithActivation(w, step, output, target =>
            $"{Kernel(step, "Forward")}({SliceOf("p", step.Weight)}, {SliceOf("p", step.Bias)}, {input}, {target}, scratch, batch, workspace.Threads);");
    }

    protected override void EmitBackward(CodeWriter w, ConvolutionStep step, BackwardNames names)
    {
        string fused = step.Activation is { } a ? $" + {a.Kind}" : string.Empty;
        w.Line($"// Layer {step.Label}, {step.Title}{fused}:");
        string dz = names.OutputGradient;
        if (step.Activation is not null)
        {
            if (names.ActivationDoneAfter)
            {
                w.Line($"//   dz = {names.OutputGradient} ⊙ relu'(z): the max pooling's backward applied it");
            }
            else
            {
                EmitActivationBackward(w, step, names.Output, names.OutputGradient);
            }

            dz = "dz";
        }

        string dx = step.Geometry.UsesColumns ? $"col2im(Wᵀ · {dz})" : $"Wᵀ · {dz}";
        w.Line($"//   {(step.HasBias ? $"db += Σ_positions {dz}, " : string.Empty)}dW += {dz} · im2row({names.Input}), {names.InputGradient} = {dx}");
        if (names.GradientBuffer is { } buffer)
        {
            w.Line($"global::System.Span<float> {names.InputGradient} = {buffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        w.Line($"{Kernel(step, "Backward")}({SliceOf("p", step.Weight)}, {SliceOf("g", step.Weight)}, {SliceOf("g", step.Bias)}, {names.Input}, {names.OutputGradient}, {names.InputGradient}, scratch, batch, workspace.Threads);");
    }

    private static int[] WeightShape(ConvolutionStep step)
    {
        ConvolutionGeometry g = step.Geometry;
        return g.Rank == 1
            ? new[] { g.OutChannels, g.InChannels, g.KernelWidth }
            : new[] { g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth };
    }

    /// <summary>Which strategy the kernels use, and why, for the comment over the step.</summary>
    private static IEnumerable<string> StrategyComment(ConvolutionStep step)
    {
        ConvolutionGeometry g = step.Geometry;
        int k = g.ColumnRows, n = g.OutPositions, m = g.OutChannels;
        string mac = Grouped((long)m * k * n);
        if (!g.UsesColumns)
        {
            yield return $"Strategy: plain matrix multiply, [{m}, {k}] · [{k}, {n}] per sample. A 1×1 kernel with stride 1 and no padding";
            yield return "makes the input its own column matrix, so there is nothing to copy.";
            yield break;
        }

        yield return $"Strategy: im2col + matrix multiply, sample by sample. A sample's receptive fields are copied into a [{k}, {n}]";
        yield return $"column matrix (C·kh·kw × H'·W'; {Grouped((long)k * n)} floats against {mac} multiply-adds) in the thread's scratch, where it";
        yield return "stays in cache, then y = W · columns runs as a register-blocked multiply: each loaded input vector feeds a";
        yield return "block of filters' FMAs, where direct loops would reload the input for every filter and tap. Backward copies";
        yield return "the sample again, transposed, rather than keeping every sample's matrix through the batch.";
    }

}
