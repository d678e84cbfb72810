using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// A convolution step: its descriptor, the small struct through which the runtime's <c>ConvolutionKernels</c> run with
/// the layer's geometry as constants, and the forward and backward chains' calls under their math. The kernels
/// themselves (im2col, the register-blocked products, im2row, col2im) are runtime code, written once for every layer and
/// width. Pooling steps are delegated to <see cref="PoolingEmitter"/>.
/// </summary>
internal static class ConvolutionEmitter
{
    /// <summary>Whether this emitter (or the pooling one) handles the step.</summary>
    public static bool Handles(StepPlan step) => step.Convolution is not null;

    /// <summary>The descriptor struct's name, file-local beside the network: <c>Conv0</c>, <c>MaxPool2</c>, <c>AvgPool3</c>.</summary>
    public static string DescriptorName(StepPlan step) => $"{Prefix(step)}{step.LayerIndex}";

    private static string Prefix(StepPlan step) => step.Kind switch
    {
        StepKind.Convolution => "Conv",
        StepKind.MaxPool => "MaxPool",
        _ => "AvgPool",
    };

    /// <summary>A runtime kernel for the step: <c>global::NetGen.CompilerServices.ConvolutionKernels.Forward&lt;...Conv0&gt;</c>.</summary>
    public static string Kernel(StepPlan step, string kernels, string method)
        => $"global::NetGen.CompilerServices.{kernels}.{method}<global::NetGen.Generated.{DescriptorName(step)}>";

    /// <summary>The descriptor of a convolution or pooling step.</summary>
    public static void EmitDescriptor(CodeWriter w, StepPlan step)
    {
        if (step.Kind != StepKind.Convolution)
        {
            PoolingEmitter.EmitDescriptor(w, step);
            return;
        }

        ConvolutionGeometry g = step.Convolution!;
        bool fused = DenseEmitter.FusesActivationInKernel(step);
        string activation = !fused ? "None" : step.Activation == LayerKind.ReLU ? "Relu" : "LeakyRelu";
        string columns = g.UsesColumns ? $"columns [{g.ColumnRows}, {g.OutPositions}]" : "no im2col (the input is its own column matrix)";
        w.Line($"/// <summary>Layer {step.LayerIndex}, {Xml(step.Title)}: W [{g.OutChannels}, {g.ColumnRows}]{(step.HasBias ? $", b [{g.OutChannels}]" : ", no bias")}, {columns}{(fused ? $", then {DenseEmitter.ActivationMath(step)} in the kernel" : string.Empty)}.</summary>");
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
        w.Line($"public static float Slope => {Float(activation == "LeakyRelu" ? step.Scalar : 0f)};");
        w.Close();
    }

    /// <summary>The forward chain's statements for a convolution or pooling step.</summary>
    public static void EmitForwardStep(CodeWriter w, StepPlan step, string input, string output)
    {
        string shapes = $"{NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}";
        if (step.Kind != StepKind.Convolution)
        {
            PoolingEmitter.EmitForwardStep(w, step, input, output, shapes);
            return;
        }

        string bias = step.HasBias ? " + b" : string.Empty;
        string math = step.Activation is LayerKind kind ? $"{ActivationFunction(kind, step.Scalar)}(W ⋆ {input}{bias})" : $"W ⋆ {input}{bias}";
        string fused = step.Activation is null ? string.Empty : $" + {step.Activation} (layer {step.ActivationLayerIndex})";
        w.Line($"// Layer {step.LayerIndex}, {step.Title}{fused}: {output} = {math}, {shapes}");
        w.Line($"//   W: {NetworkEmitter.ShapeText(WeightShape(step))} \"{step.WeightName}\"{(step.HasBias ? $", b: [{step.Units}] \"{step.BiasName}\"" : string.Empty)}");
        foreach (string line in StrategyComment(step))
        {
            w.Line("//   " + line);
        }

        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string biasArgument = step.HasBias ? $"p.Slice({Int(step.BiasOffset)}, {Int(step.Units)})" : "default";
        ForwardEmitter.EmitCallWithActivation(w, step, output, DenseEmitter.FusesActivationInKernel(step), target =>
            $"{Kernel(step, "ConvolutionKernels", "Forward")}(p.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)}), {biasArgument}, {input}, {target}, scratch, batch, workspace.Threads);");
    }

    /// <summary>
    /// The backward chain's statements. <paramref name="gradientBuffer"/> is the buffer dL/dx goes to, or null for
    /// the first step, which writes the caller's <c>dx</c> (and skips it when that is empty).
    /// </summary>
    public static void EmitBackwardStep(CodeWriter w, StepPlan step, string input, string output, string dOut, string dIn, string? gradientBuffer)
    {
        if (step.Kind == StepKind.Convolution)
        {
            string fused = step.Activation is null ? string.Empty : $" + {step.Activation}";
            w.Line($"// Layer {step.LayerIndex}, {step.Title}{fused}:");
            string dz = dOut;
            if (step.Activation is not null)
            {
                BackwardEmitter.EmitActivationBackward(w, step, output, dOut);
                dz = "dz";
            }

            string dx = step.Convolution!.UsesColumns ? $"col2im(Wᵀ · {dz})" : $"Wᵀ · {dz}";
            w.Line($"//   {(step.HasBias ? $"db += Σ_positions {dz}, " : string.Empty)}dW += {dz} · im2row({input}), {dIn} = {dx}");
        }
        else
        {
            PoolingEmitter.EmitBackwardComment(w, step, dOut, dIn);
        }

        if (gradientBuffer is not null)
        {
            w.Line($"global::System.Span<float> {dIn} = {gradientBuffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        switch (step.Kind)
        {
            case StepKind.Convolution:
            {
                string weight = $"p.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)})";
                string weightGradient = $"g.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)})";
                string biasGradient = step.HasBias ? $"g.Slice({Int(step.BiasOffset)}, {Int(step.Units)})" : "default";
                w.Line($"{Kernel(step, "ConvolutionKernels", "Backward")}({weight}, {weightGradient}, {biasGradient}, {input}, {dOut}, {dIn}, scratch, batch);");
                break;
            }

            case StepKind.MaxPool:
                w.Line($"{Kernel(step, "PoolingKernels", "MaxBackward")}({Slot(step.MaskOffset, step.OutputLength)}, {dOut}, {dIn}, batch);");
                break;
            default:
                w.Line($"{Kernel(step, "PoolingKernels", "AverageBackward")}({dOut}, {dIn}, batch);");
                break;
        }
    }

    private static int[] WeightShape(StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        return g.Rank == 1
            ? new[] { g.OutChannels, g.InChannels, g.KernelWidth }
            : new[] { g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth };
    }

    /// <summary>Which strategy the kernels use, and why, for the comment over the step.</summary>
    private static IEnumerable<string> StrategyComment(StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
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

    private static string Bool(bool value) => value ? "true" : "false";

}
