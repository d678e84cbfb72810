using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>Writes <c>Run</c>, the forward chain: one commented group of statements per step.</summary>
internal static class ForwardEmitter
{
    public static void Emit(CodeWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>The forward chain. Every activation gets its own workspace slot, so backward finds them all.</summary>");
        w.Open("private void Run(global::System.ReadOnlySpan<float> x, global::System.Span<float> output, global::NetGen.Workspace workspace, int batch, bool training)");
        w.Line("global::System.ReadOnlySpan<float> p = _parameters;");
        w.Line("global::System.Span<float> ws = global::NetGen.CompilerServices.WorkspaceAccess.Buffer(workspace);");
        if (plan.ScratchLength > 0)
        {
            w.Line("global::System.Span<float> scratch = global::NetGen.CompilerServices.WorkspaceAccess.Scratch(workspace);");
        }

        BatchNormEmitter.EmitForwardLocals(w, plan);
        string[] inputs = Inputs(plan.Steps.Items);
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            StepPlan step = plan.Steps[i];
            string input = inputs[i], output = Output(step);
            w.Line();
            switch (step.Kind)
            {
                case StepKind.Dense:
                    EmitDense(w, step, input, output);
                    break;
                case StepKind.Activation:
                    w.Line($"// Layer {step.LayerIndex}, {step.Title}: {output} = {ActivationFunction(step.Activation!.Value, step.Scalar)}({input})");
                    w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
                    w.Line("global::NetGen.CompilerServices." + ApplyActivation(step.Activation!.Value, step.Scalar, input, output));
                    break;
                case StepKind.Softmax:
                {
                    int last = step.OutputShape[step.OutputShape.Count - 1];
                    w.Line($"// Layer {step.LayerIndex}, Softmax over the last axis: {output}[r, i] = e^{input}[r, i] / Σ_j e^{input}[r, j]");
                    w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
                    w.Open($"for (int r = 0; r < {Int(step.OutputLength / last)} * batch; r++)");
                    w.Line($"global::NetGen.CompilerServices.Activations.Softmax({input}.Slice(r * {Int(last)}, {Int(last)}), {output}.Slice(r * {Int(last)}, {Int(last)}));");
                    w.Close();
                    break;
                }

                case StepKind.Dropout:
                    w.Line($"// Layer {step.LayerIndex}, {step.Title}: in training {output} = {input} ⊙ m, m[i] = 0 with probability p, else 1/(1-p);");
                    w.Line($"// in inference {output} = {input}");
                    w.Line($"global::System.ReadOnlySpan<float> {output} = {input};");
                    w.Open("if (training)");
                    w.Line($"global::System.Span<float> kept = {Slot(step.OutputOffset, step.OutputLength)};");
                    w.Line($"global::NetGen.CompilerServices.Dropout.Forward({input}, kept, {Slot(step.MaskOffset, step.OutputLength)}, {Float(step.Scalar)}, ref workspace.Random);");
                    w.Line($"{output} = kept;");
                    w.Close();
                    break;
                case StepKind.Convolution or StepKind.MaxPool or StepKind.AvgPool:
                    ConvolutionEmitter.EmitForwardStep(w, step, input, output);
                    break;
                case StepKind.BatchNorm:
                    BatchNormEmitter.EmitForward(w, step, input, output);
                    break;
                case StepKind.Flatten:
                    w.Line($"// Layer {step.LayerIndex}, Flatten {NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}: the same memory, read as a vector");
                    w.Line($"global::System.ReadOnlySpan<float> {output} = {input};");
                    break;
            }
        }

        w.Line();
        w.Line($"{(plan.Steps.Count == 0 ? "x" : Output(plan.Steps[plan.Steps.Count - 1]))}.CopyTo(output);");
        w.Close();
        w.Line();
    }

    private static void EmitDense(CodeWriter w, StepPlan step, string input, string output)
    {
        string act = step.Activation is LayerKind a ? ActivationFunction(a, step.Scalar) : string.Empty;
        string plusBias = step.HasBias ? " + b" : string.Empty;
        string math = step.Activation is null ? $"W {input}{plusBias}" : $"{act}(W {input}{plusBias})";
        string fused = step.Activation is null ? string.Empty : $" + {step.Activation} (layer {step.ActivationLayerIndex})";
        w.Line($"// Layer {step.LayerIndex}, {step.Title}{fused}: {output} = {math}");
        w.Line($"//   W: [{step.Units}, {step.Inputs}] \"{step.WeightName}\"{(step.HasBias ? $", b: [{step.Units}] \"{step.BiasName}\"" : string.Empty)}");
        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string weight = $"p.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)})";
        string bias = step.HasBias ? $"p.Slice({Int(step.BiasOffset)}, {Int(step.Units)})" : "default";
        EmitCallWithActivation(w, step, output, DenseEmitter.FusesActivationInKernel(step), target =>
            $"{DenseEmitter.Kernel(step, "Forward")}({weight}, {bias}, {input}, {target}, {Rows(step)}, workspace.Threads);");
    }

    /// <summary>
    /// Writes the kernel call of a step that may carry a fused activation: <paramref name="call"/> writes into the span it is
    /// given. When the kernel applies the activation itself (<paramref name="inKernel"/>), or there is none, it writes the
    /// output; otherwise the activation follows over the whole output, from the pre-activation slot when backward needs z.
    /// </summary>
    internal static void EmitCallWithActivation(CodeWriter w, StepPlan step, string output, bool inKernel, System.Func<string, string> call)
    {
        if (step.Activation is not LayerKind kind || inKernel)
        {
            w.Line(call(output));
            return;
        }

        if (step.KeepsPreActivation)
        {
            string z = "z" + Int(step.LayerIndex);
            w.Line($"global::System.Span<float> {z} = {Slot(step.PreActivationOffset, step.OutputLength)};");
            w.Line(call(z));
            w.Line("global::NetGen.CompilerServices." + ApplyActivation(kind, step.Scalar, z, output));
        }
        else
        {
            w.Line(call(output));
            w.Line("global::NetGen.CompilerServices." + ApplyActivation(kind, step.Scalar, output, output));
        }
    }
}
