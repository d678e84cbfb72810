using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// A max or average pooling step (1-D, 2-D or global): its descriptor, the small struct through which the runtime's
/// <c>PoolingKernels</c> run with the window's sizes as constants, and the chains' calls under their math. The kernels
/// (PyTorch's winners and NaN rule, branch-free, with a vector path for two-column windows at stride 2) are runtime code.
/// </summary>
internal sealed class PoolingEmitter : StepEmitter<PoolingStep>
{
    public override bool BackwardInPlace => false;

    public override bool HasDescriptor => true;

    /// <summary>The descriptor struct's name, file-local beside the network: <c>MaxPool2</c>, <c>AvgPool3</c>.</summary>
    public static string DescriptorName(PoolingStep step) => $"{(step.IsMax ? "MaxPool" : "AvgPool")}{step.Id}";

    private static string Kernel(PoolingStep step, string method)
        => $"global::NetGen.CompilerServices.PoolingKernels.{method}<global::NetGen.Generated.{DescriptorName(step)}>";

    /// <summary><c>file readonly struct MaxPool2 : IPoolingLayer { Channels => 6; ... }</c>.</summary>
    protected override void EmitDescriptor(CodeWriter w, PoolingStep step)
    {
        ConvolutionGeometry g = step.Geometry;
        string kind = step.IsMax ? "maximum" : "mean";
        w.Line($"/// <summary>Layer {step.Label}, {Xml(step.Title)}: the {kind} of each {Window(g)} window, stride {Stride(g)}, of {g.InChannels} channels.</summary>");
        w.Open($"file readonly struct {DescriptorName(step)} : global::NetGen.CompilerServices.IPoolingLayer");
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

    protected override void EmitForward(CodeWriter w, PoolingStep step, ForwardNames names)
    {
        string input = names.Input, output = names.Output;
        string shapes = $"{NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}";
        ConvolutionGeometry g = step.Geometry;
        string window = Window(g);
        string math = step.IsMax
            ? $"{output}[c, i, j] = max over the {window} window of {input} at (i·{g.StrideHeight}, j·{g.StrideWidth})"
            : $"{output}[c, i, j] = mean over the {window} window of {input} at (i·{g.StrideHeight}, j·{g.StrideWidth})";
        if (g.Rank == 1)
        {
            math = step.IsMax
                ? $"{output}[c, j] = max of {input}[c, j·{g.StrideWidth} .. j·{g.StrideWidth} + {g.KernelWidth - 1}]"
                : $"{output}[c, j] = mean of {input}[c, j·{g.StrideWidth} .. j·{g.StrideWidth} + {g.KernelWidth - 1}]";
        }

        if (step.Title == "GlobalAvgPool")
        {
            math = $"{output}[c] = mean of {input}[c, ...] over its {g.InPositions} positions";
        }

        w.Line($"// Layer {step.Label}, {step.Title}: {math}, {shapes}");
        if (step.IsMax)
        {
            w.Line("//   the winners (where each maximum was) are for backward, so only training keeps them");
        }

        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line(step.IsMax
            ? $"{Kernel(step, "MaxForward")}({input}, {output}, training ? {Slot(step.MaskOffset, step.OutputLength)} : default, batch, workspace.Threads);"
            : $"{Kernel(step, "AverageForward")}({input}, {output}, batch);");
    }

    protected override void EmitBackward(CodeWriter w, PoolingStep step, BackwardNames names)
    {
        string dOut = names.OutputGradient, dIn = names.InputGradient;
        w.Line(step.IsMax
            ? $"// Layer {step.Label}, {step.Title}: {dIn} = {dOut} at each window's maximum, 0 elsewhere"
            : $"// Layer {step.Label}, {step.Title}: {dIn} = {dOut} / {step.Geometry.KernelHeight * step.Geometry.KernelWidth} spread over each window");
        if (names.FusesInputRelu)
        {
            w.Line($"//   and the ReLU before it in the same pass: 0 where {names.Input} is not positive (its dz)");
        }

        if (names.GradientBuffer is { } buffer)
        {
            w.Line($"global::System.Span<float> {dIn} = {buffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        w.Line(!step.IsMax
            ? $"{Kernel(step, "AverageBackward")}({dOut}, {dIn}, batch);"
            : names.FusesInputRelu
                ? $"{Kernel(step, "MaxBackwardRelu")}({Slot(step.MaskOffset, step.OutputLength)}, {dOut}, {names.Input}, {dIn}, batch, workspace.Threads);"
                : $"{Kernel(step, "MaxBackward")}({Slot(step.MaskOffset, step.OutputLength)}, {dOut}, {dIn}, batch, workspace.Threads);");
    }

    private static string Window(ConvolutionGeometry g) => g.Rank == 1 ? Int(g.KernelWidth) : $"{g.KernelHeight}×{g.KernelWidth}";

    private static string Stride(ConvolutionGeometry g) => g.Rank == 1 ? Int(g.StrideWidth) : $"{g.StrideHeight}×{g.StrideWidth}";
}
