using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// A max or average pooling step (1-D, 2-D or global): its descriptor, the small struct through which the runtime's
/// <c>PoolingKernels</c> run with the window's sizes as constants, and the chains' calls under their math. The kernels
/// (PyTorch's winners and NaN rule, branch-free, with a vector path for two-column windows at stride 2) are runtime code.
/// </summary>
internal static class PoolingEmitter
{
    /// <summary><c>file readonly struct MaxPool2 : IPoolingLayer { Channels => 6; ... }</c>.</summary>
    public static void EmitDescriptor(CodeWriter w, StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        string kind = step.Kind == StepKind.MaxPool ? "maximum" : "mean";
        w.Line($"/// <summary>Layer {step.LayerIndex}, {Xml(step.Title)}: the {kind} of each {Window(g)} window, stride {Stride(g)}, of {g.InChannels} channels.</summary>");
        w.Open($"file readonly struct {ConvolutionEmitter.DescriptorName(step)} : global::NetGen.CompilerServices.IPoolingLayer");
        w.Line($"public static int Channels => {Int(g.InChannels)};");
        w.Line($"public static int InHeight => {Int(g.InHeight)};");
        w.Line($"public static int InWidth => {Int(g.InWidth)};");
        w.Line($"public static int OutHeight => {Int(g.OutHeight)};");
        w.Line($"public static int OutWidth => {Int(g.OutWidth)};");
        w.Line($"public static int KernelHeight => {Int(g.KernelHeight)};");
        w.Line($"public static int KernelWidth => {Int(g.KernelWidth)};");
        w.Line($"public static int StrideHeight => {Int(g.StrideHeight)};");
        w.Line($"public static int StrideWidth => {Int(g.StrideWidth)};");
        w.Close();
    }

    public static void EmitForwardStep(CodeWriter w, StepPlan step, string input, string output, string shapes)
    {
        ConvolutionGeometry g = step.Convolution!;
        string window = Window(g);
        string math = step.Kind == StepKind.MaxPool
            ? $"{output}[c, i, j] = max over the {window} window of {input} at (i·{g.StrideHeight}, j·{g.StrideWidth})"
            : $"{output}[c, i, j] = mean over the {window} window of {input} at (i·{g.StrideHeight}, j·{g.StrideWidth})";
        if (g.Rank == 1)
        {
            math = step.Kind == StepKind.MaxPool
                ? $"{output}[c, j] = max of {input}[c, j·{g.StrideWidth} .. j·{g.StrideWidth} + {g.KernelWidth - 1}]"
                : $"{output}[c, j] = mean of {input}[c, j·{g.StrideWidth} .. j·{g.StrideWidth} + {g.KernelWidth - 1}]";
        }

        if (step.Title == "GlobalAvgPool")
        {
            math = $"{output}[c] = mean of {input}[c, ...] over its {g.InPositions} positions";
        }

        w.Line($"// Layer {step.LayerIndex}, {step.Title}: {math}, {shapes}");
        if (step.Kind == StepKind.MaxPool)
        {
            w.Line("//   the winners (where each maximum was) are for backward, so only training keeps them");
        }

        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line(step.Kind == StepKind.MaxPool
            ? $"{ConvolutionEmitter.Kernel(step, "PoolingKernels", "MaxForward")}({input}, {output}, training ? {Slot(step.MaskOffset, step.OutputLength)} : default, batch, workspace.Threads);"
            : $"{ConvolutionEmitter.Kernel(step, "PoolingKernels", "AverageForward")}({input}, {output}, batch);");
    }

    public static void EmitBackwardComment(CodeWriter w, StepPlan step, string dOut, string dIn)
    {
        w.Line(step.Kind == StepKind.MaxPool
            ? $"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} at each window's maximum, 0 elsewhere"
            : $"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} / {step.Convolution!.KernelHeight * step.Convolution.KernelWidth} spread over each window");
    }

    private static string Window(ConvolutionGeometry g) => g.Rank == 1 ? Int(g.KernelWidth) : $"{g.KernelHeight}×{g.KernelWidth}";

    private static string Stride(ConvolutionGeometry g) => g.Rank == 1 ? Int(g.StrideWidth) : $"{g.StrideHeight}×{g.StrideWidth}";
}
