using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>An element-wise activation on its own: <c>a = act(x)</c>; backward <c>dx = da ⊙ act'(·)</c> in place.</summary>
internal sealed class ActivationEmitter : StepEmitter<ActivationStep>
{
    protected override void EmitForward(CodeWriter w, ActivationStep step, ForwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: {names.Output} = {ActivationFunction(step.Kind, step.Slope)}({names.Input})");
        w.Line($"global::System.Span<float> {names.Output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line("global::NetGen.CompilerServices." + ApplyActivation(step.Kind, step.Slope, names.Input, names.Output));
    }

    protected override void EmitBackward(CodeWriter w, ActivationStep step, BackwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: {names.InputGradient} = {names.OutputGradient} ⊙ {ActivationFunction(step.Kind, step.Slope)}'({names.Input}), in place");
        w.Line("global::NetGen.CompilerServices." + ActivationBackward(step.Kind, step.Slope, names.Output, names.Input, names.OutputGradient));
    }
}

/// <summary>Softmax over the last axis, row by row; backward through its Jacobian in O(n) per row, in place.</summary>
internal sealed class SoftmaxEmitter : StepEmitter<SoftmaxStep>
{
    protected override void EmitForward(CodeWriter w, SoftmaxStep step, ForwardNames names)
    {
        string input = names.Input, output = names.Output;
        int last = step.OutputShape[step.OutputShape.Count - 1];
        w.Line($"// Layer {step.Label}, Softmax over the last axis: {output}[r, i] = e^{input}[r, i] / Σ_j e^{input}[r, j]");
        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Open($"for (int r = 0; r < {Int(step.OutputLength / last)} * batch; r++)");
        w.Line($"global::NetGen.CompilerServices.Activations.Softmax({input}.Slice(r * {Int(last)}, {Int(last)}), {output}.Slice(r * {Int(last)}, {Int(last)}));");
        w.Close();
    }

    protected override void EmitBackward(CodeWriter w, SoftmaxStep step, BackwardNames names)
    {
        string output = names.Output, dOut = names.OutputGradient;
        int last = step.OutputShape[step.OutputShape.Count - 1];
        w.Line($"// Layer {step.Label}, Softmax: {names.InputGradient}[r, i] = {output}[r, i] ({dOut}[r, i] - Σ_j {dOut}[r, j] {output}[r, j]), in place");
        w.Open($"for (int r = 0; r < {Int(step.OutputLength / last)} * batch; r++)");
        w.Line($"global::System.Span<float> row = {dOut}.Slice(r * {Int(last)}, {Int(last)});");
        w.Line($"global::NetGen.CompilerServices.Activations.SoftmaxBackward({output}.Slice(r * {Int(last)}, {Int(last)}), row, row);");
        w.Close();
    }
}

/// <summary>Inverted dropout: the mask drawn in training and kept for backward; the identity in inference.</summary>
internal sealed class DropoutEmitter : StepEmitter<DropoutStep>
{
    protected override void EmitForward(CodeWriter w, DropoutStep step, ForwardNames names)
    {
        string input = names.Input, output = names.Output;
        w.Line($"// Layer {step.Label}, {step.Title}: in training {output} = {input} ⊙ m, m[i] = 0 with probability p, else 1/(1-p);");
        w.Line($"// in inference {output} = {input}");
        w.Line($"global::System.ReadOnlySpan<float> {output} = {input};");
        w.Open("if (training)");
        w.Line($"global::System.Span<float> kept = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line($"global::NetGen.CompilerServices.Dropout.Forward({input}, kept, {Slot(step.MaskOffset, step.OutputLength)}, {Float(step.Probability)}, ref workspace.Random);");
        w.Line($"{output} = kept;");
        w.Close();
    }

    protected override void EmitBackward(CodeWriter w, DropoutStep step, BackwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: {names.InputGradient} = {names.OutputGradient} ⊙ m, in place");
        w.Line($"global::NetGen.CompilerServices.Dropout.Backward({Slot(step.MaskOffset, step.OutputLength)}, {names.OutputGradient});");
    }
}

/// <summary>A reshape: the output names the input's memory; its gradient is the output's, read in the input's shape.</summary>
internal sealed class FlattenEmitter : StepEmitter<FlattenStep>
{
    protected override void EmitForward(CodeWriter w, FlattenStep step, ForwardNames names)
    {
        w.Line($"// Layer {step.Label}, Flatten {NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}: the same memory, read as a vector");
        w.Line($"global::System.ReadOnlySpan<float> {names.Output} = {names.Input};");
    }

    protected override void EmitBackward(CodeWriter w, FlattenStep step, BackwardNames names)
        => w.Line($"// Layer {step.Label}, Flatten: {names.InputGradient} is {names.OutputGradient}, read in the input's shape");
}
