using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes <c>RunBackward</c>: the chain rule, step by step from the output back to the input. Gradients of
/// activations ping-pong between two workspace buffers; element-wise steps work in place.
/// </summary>
internal static class BackwardEmitter
{
    public static void Emit(CodeWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>The backward chain, reading the activations <see cref=\"Run\"/> kept in training mode.</summary>");
        w.Open("private void RunBackward(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> outputGradients, global::System.Span<float> dx, global::NetGen.Workspace workspace, int batch)");
        if (plan.Steps.Count == 0)
        {
            w.Line("// No layers: the output is the input.");
            w.Open("if (!dx.IsEmpty)");
            w.Line("outputGradients.CopyTo(dx);");
            w.Close();
            w.Close();
            return;
        }

        w.Line("global::System.ReadOnlySpan<float> p = _parameters;");
        w.Line("global::System.Span<float> g = _gradients;");
        w.Line("global::System.Span<float> ws = global::NetGen.CompilerServices.WorkspaceAccess.Buffer(workspace);");
        if (plan.ScratchLength > 0)
        {
            w.Line("global::System.Span<float> scratch = global::NetGen.CompilerServices.WorkspaceAccess.Scratch(workspace);");
        }

        int widest = plan.GradientOffsetB - plan.GradientOffsetA;
        w.Line($"global::System.Span<float> gradA = {Slot(plan.GradientOffsetA, widest)};");
        w.Line($"global::System.Span<float> gradB = {Slot(plan.GradientOffsetB, widest)};");
        w.Line();
        w.Line("// The activations the training forward kept.");
        string[] inputs = Inputs(plan.Steps.Items);
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            StepPlan step = plan.Steps[i];
            string source = step.Kind == StepKind.Flatten ? inputs[i] : Slot(step.OutputOffset, step.OutputLength);
            w.Line($"global::System.ReadOnlySpan<float> {Output(step)} = {source};");
        }

        StepPlan last = plan.Steps[plan.Steps.Count - 1];
        w.Line();
        w.Line($"// dL/d{Output(last)}, from the caller.");
        w.Line($"global::System.Span<float> {OutputGradient(last)} = gradA.Slice(0, {Int(plan.OutputLength)} * batch);");
        w.Line($"outputGradients.CopyTo({OutputGradient(last)});");
        bool inA = true;
        for (int i = plan.Steps.Count - 1; i >= 0; i--)
        {
            StepPlan step = plan.Steps[i];
            string input = inputs[i], output = Output(step), dOut = OutputGradient(step);
            string dIn = InputGradient(plan.Steps.Items, i);
            w.Line();
            switch (step.Kind)
            {
                case StepKind.Dense:
                {
                    string fused = step.Activation is null ? string.Empty : $" + {step.Activation}";
                    w.Line($"// Layer {step.LayerIndex}, {step.Title}{fused}:");
                    EmitActivationBackward(w, step, output, dOut);

                    w.Line($"//   dW += dzᵀ {input}{(step.HasBias ? ", db += Σ_rows dz" : string.Empty)}, {dIn} = dz W");
                    if (i > 0)
                    {
                        w.Line($"global::System.Span<float> {dIn} = {(inA ? "gradB" : "gradA")}.Slice(0, {Int(step.InputLength)} * batch);");
                    }

                    string weightGradient = $"g.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)})";
                    string biasGradient = step.HasBias ? $"g.Slice({Int(step.BiasOffset)}, {Int(step.Units)})" : "default";
                    w.Line($"{DenseEmitter.Kernel(step, "Backward")}(p.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)}), {weightGradient}, {biasGradient}, {input}, {dOut}, {dIn}, {Rows(step)}, workspace.Threads);");
                    inA = !inA;
                    continue;
                }

                case StepKind.Convolution or StepKind.MaxPool or StepKind.AvgPool:
                    ConvolutionEmitter.EmitBackwardStep(w, step, input, output, dOut, dIn, i > 0 ? (inA ? "gradB" : "gradA") : null);
                    inA = !inA;
                    continue;

                case StepKind.Activation:
                {
                    LayerKind kind = step.Activation!.Value;
                    w.Line($"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} ⊙ {ActivationFunction(kind, step.Scalar)}'({input}), in place");
                    w.Line("global::NetGen.CompilerServices." + ActivationBackward(kind, step.Scalar, output, input, dOut));
                    break;
                }

                case StepKind.Softmax:
                {
                    int lastAxis = step.OutputShape[step.OutputShape.Count - 1];
                    w.Line($"// Layer {step.LayerIndex}, Softmax: {dIn}[r, i] = {output}[r, i] ({dOut}[r, i] - Σ_j {dOut}[r, j] {output}[r, j]), in place");
                    w.Open($"for (int r = 0; r < {Int(step.OutputLength / lastAxis)} * batch; r++)");
                    w.Line($"global::System.Span<float> row = {dOut}.Slice(r * {Int(lastAxis)}, {Int(lastAxis)});");
                    w.Line($"global::NetGen.CompilerServices.Activations.SoftmaxBackward({output}.Slice(r * {Int(lastAxis)}, {Int(lastAxis)}), row, row);");
                    w.Close();
                    break;
                }

                case StepKind.Dropout:
                    w.Line($"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} ⊙ m, in place");
                    w.Line($"global::NetGen.CompilerServices.Dropout.Backward({Slot(step.MaskOffset, step.OutputLength)}, {dOut});");
                    break;
                case StepKind.Flatten:
                    w.Line($"// Layer {step.LayerIndex}, Flatten: {dIn} is {dOut}, read in the input's shape");
                    break;
                case StepKind.BatchNorm:
                    BatchNormEmitter.EmitBackward(w, step, input, dOut, dIn);
                    break;
            }

            // The element-wise steps above left the gradient in place.
            if (i > 0)
            {
                w.Line($"global::System.Span<float> {dIn} = {dOut};");
            }
            else
            {
                w.Open("if (!dx.IsEmpty)");
                w.Line($"{dOut}.CopyTo(dx);");
                w.Close();
            }
        }

        w.Close();
    }

    /// <summary>
    /// The fused activation's backward, when the step has one: <c>dz = dOut ⊙ act'(z)</c>, in place in
    /// <paramref name="dOut"/>, read from the step's output (or its kept pre-activation).
    /// </summary>
    internal static void EmitActivationBackward(CodeWriter w, StepPlan step, string output, string dOut)
    {
        if (step.Activation is not LayerKind kind)
        {
            return;
        }

        w.Line($"//   dz = {dOut} ⊙ {ActivationFunction(kind, step.Scalar)}'(z), in place");
        string pre = "z" + Int(step.LayerIndex);
        if (step.KeepsPreActivation)
        {
            w.Line($"global::System.ReadOnlySpan<float> {pre} = {Slot(step.PreActivationOffset, step.OutputLength)};");
        }

        w.Line("global::NetGen.CompilerServices." + ActivationBackward(kind, step.Scalar, output, pre, dOut));
    }
}
