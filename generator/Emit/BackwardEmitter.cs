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
        w.Open($"private void RunBackward(global::System.ReadOnlySpan<float> x, {(NetworkEmitter.TakesTokens(plan) ? "global::System.ReadOnlySpan<int> tokens, " : string.Empty)}global::System.ReadOnlySpan<float> outputGradients, global::System.Span<float> dx, global::NetGen.Workspace workspace, int batch)");
        if (plan.Steps.Count == 0)
        {
            w.Line("// No layers: the output is the input.");
            w.Open("if (!dx.IsEmpty)");
            w.Line("outputGradients.CopyTo(dx);");
            w.Close();
            w.Close();
            return;
        }

        w.Line("global::System.ReadOnlySpan<float> p = _parameters.ReadOnly;");
        w.Line("global::System.Span<float> g = _gradients;");
        w.Line("global::System.Span<float> ws = global::NetGen.CompilerServices.WorkspaceAccess.Buffer(workspace);");
        EmitOverwrite(w, plan);
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
            Step step = plan.Steps[i];
            string source = step.OutputIsInput ? inputs[i] : Slot(step.OutputOffset, step.OutputLength);
            w.Line($"global::System.ReadOnlySpan<float> {Output(step)} = {source};");
        }

        Step last = plan.Steps[plan.Steps.Count - 1];
        w.Line();
        w.Line($"// dL/d{Output(last)}, from the caller.");
        w.Line($"global::System.Span<float> {OutputGradient(last)} = gradA.Slice(0, {Int(plan.OutputLength)} * batch);");
        w.Line($"outputGradients.CopyTo({OutputGradient(last)});");
        bool inA = true;
        for (int i = plan.Steps.Count - 1; i >= 0; i--)
        {
            Step step = plan.Steps[i];
            string dOut = OutputGradient(step), dIn = InputGradient(plan.Steps.Items, i);
            StepEmitter emitter = StepEmitters.For(step);
            w.Line();
            if (!emitter.BackwardInPlace)
            {
                // The step writes dIn into the other gradient buffer (or, first, into the caller's dx).
                emitter.EmitBackward(w, step, new BackwardNames(
                    inputs[i], Output(step), dOut, dIn, i > 0 ? (inA ? "gradB" : "gradA") : null,
                    FusesInputRelu: FusesRelu(plan.Steps.Items, i), ActivationDoneAfter: FusesRelu(plan.Steps.Items, i + 1),
                    WritesGradients: step is DenseStep));
                inA = !inA;
                continue;
            }

            emitter.EmitBackward(w, step, new BackwardNames(inputs[i], Output(step), dOut, dIn, null, WritesGradients: step is DenseStep));

            // The element-wise steps leave the gradient in place.
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
    /// The trainer's step asks for the gradients to be written rather than added (<c>WorkspaceAccess.TakeOverwriteGradients</c>):
    /// then every dense layer writes its own (the planner gives each tensor its own slot, so no two layers write one), and
    /// every other range of the gradients, which the other layers add into, is cleared first.
    /// </summary>
    private static void EmitOverwrite(CodeWriter w, NetworkPlan plan)
    {
        var written = new System.Collections.Generic.List<ParameterSlot>();
        foreach (Step step in plan.Steps.Items)
        {
            if (step is DenseStep d)
            {
                written.Add(d.Weight);
                if (d.Bias is { } bias)
                {
                    written.Add(bias);
                }
            }
        }

        written.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var cleared = new System.Collections.Generic.List<(int Offset, int Length)>();
        int next = 0;
        foreach (ParameterSlot slot in written)
        {
            if (slot.Offset > next)
            {
                cleared.Add((next, slot.Offset - next));
            }

            next = System.Math.Max(next, slot.Offset + slot.Length);
        }

        if (plan.ParameterCount > next)
        {
            cleared.Add((next, plan.ParameterCount - next));
        }

        string what = written.Count == 0 ? "no layer writes its gradients, so all are cleared"
            : cleared.Count == 0 ? "the dense layers write all of them"
            : "the dense layers write theirs, the other layers' are cleared for them to add into";
        w.Line($"// Gradients written rather than added when the trainer asks (its step clears nothing first): {what}.");
        w.Line("bool overwrite = global::NetGen.CompilerServices.WorkspaceAccess.TakeOverwriteGradients(workspace);");
        if (cleared.Count > 0)
        {
            w.Open("if (overwrite)");
            foreach ((int offset, int length) in cleared)
            {
                w.Line($"g.Slice({Int(offset)}, {Int(length)}).Clear();");
            }

            w.Close();
        }
    }

    /// <summary>
    /// Whether step <paramref name="i"/> is a max pooling right after a convolution with a fused ReLU (whose output it alone
    /// reads): its backward then applies the ReLU's backward too, <c>dIn[winner] = a[winner] &gt; 0 ? dOut : 0</c>, in the
    /// same pass, and the convolution's backward skips it.
    /// </summary>
    private static bool FusesRelu(System.Collections.Generic.IReadOnlyList<Step> steps, int i)
        => i > 0 && i < steps.Count
            && steps[i] is PoolingStep { IsMax: true }
            && steps[i - 1] is ConvolutionStep { Activation: { Kind: NetGen.Generator.Model.LayerKind.ReLU } };
}
