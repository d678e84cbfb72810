using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// A recurrent step (RNN, LSTM or GRU, stacked and bidirectional): one descriptor per stacked layer and direction, through
/// which the runtime's <c>RecurrentKernels</c> run with the shapes as constants, and the chains' calls under the cell's
/// math. Forward runs the stacked layers bottom up, each direction over the whole batch; backward runs them top down,
/// the forward direction first and the reverse one adding its dL/dx to it.
/// </summary>
internal sealed class RecurrentEmitter : StepEmitter<RecurrentStep>
{
    public override bool BackwardInPlace => false;

    public override bool HasDescriptor => true;

    /// <summary>The descriptor of one direction: <c>Lstm1Layer0</c>, <c>Lstm1Layer0Reverse</c>.</summary>
    public static string DescriptorName(RecurrentStep step, RecurrentDirectionPlan direction)
        => $"{Cell(step)}{step.Id}Layer{direction.Layer}{(direction.Reverse ? "Reverse" : string.Empty)}";

    private static string Cell(RecurrentStep step) => step.Spec.Cell switch
    {
        RecurrentCellKind.Lstm => "Lstm",
        RecurrentCellKind.Gru => "Gru",
        _ => "Rnn",
    };

    private static string Kernel(RecurrentStep step, RecurrentDirectionPlan direction, string method)
        => $"global::NetGen.CompilerServices.RecurrentKernels.{method}<global::NetGen.Generated.{DescriptorName(step, direction)}>";

    protected override void EmitDescriptor(CodeWriter w, RecurrentStep step)
    {
        bool first = true;
        foreach (RecurrentDirectionPlan direction in step.Directions)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            EmitDirectionDescriptor(w, step, direction);
        }
    }

    private static void EmitDirectionDescriptor(CodeWriter w, RecurrentStep step, RecurrentDirectionPlan d)
    {
        RecurrentSpec spec = step.Spec;
        int gateWidth = spec.Gates * spec.Hidden;
        string which = spec.Layers > 1 ? $", stacked layer {d.Layer}" : string.Empty;
        string direction = spec.Bidirectional ? (d.Reverse ? ", reverse direction (t = T−1 … 0)" : ", forward direction") : string.Empty;
        w.Line($"/// <summary>Layer {step.Label}, {Xml(step.Title)}{which}{direction}: W_ih [{gateWidth}, {d.Inputs}], W_hh [{gateWidth}, {spec.Hidden}]{(spec.Bias ? $", b_ih and b_hh [{gateWidth}]" : ", no biases")}.</summary>");
        w.Open($"file readonly struct {DescriptorName(step, d)} : global::NetGen.CompilerServices.IRecurrentLayer");
        w.Line($"public static int Inputs => {Int(d.Inputs)};");
        w.Line($"public static int Hidden => {Int(spec.Hidden)};");
        w.Line($"public static int Steps => {Int(step.Steps)};");
        w.Line($"public static bool HasBias => {Bool(spec.Bias)};");
        w.Line($"public static global::NetGen.CompilerServices.RecurrentCell Cell => global::NetGen.CompilerServices.RecurrentCell.{spec.Cell};");
        w.Line($"public static bool Reverse => {Bool(d.Reverse)};");
        w.Line($"public static int OutputStride => {Int(step.Width)};");
        w.Line($"public static int OutputOffset => {Int(d.Reverse ? spec.Hidden : 0)};");
        w.Line($"public static bool AddsInputGradient => {Bool(d.AddsInputGradient)};");
        w.Close();
    }

    protected override void EmitInitialize(CodeWriter w, RecurrentStep step)
    {
        string bound = Float((float)(1.0 / System.Math.Sqrt(step.Spec.Hidden)));
        w.Line($"// every parameter of layer {step.Label}: U(-1/√H, 1/√H), bound 1/√{step.Spec.Hidden}, as nn.{Cell(step).ToUpperInvariant()}");
        foreach (RecurrentDirectionPlan d in step.Directions)
        {
            foreach (ParameterSlot? slot in new[] { d.WeightIh, d.WeightHh, d.BiasIh, d.BiasHh })
            {
                if (slot is not null)
                {
                    w.Line($"global::NetGen.Initializers.Uniform({SliceOf("p", slot)}, {bound}, ref random);");
                }
            }
        }
    }

    protected override void EmitForward(CodeWriter w, RecurrentStep step, ForwardNames names)
    {
        RecurrentSpec spec = step.Spec;
        w.Line($"// Layer {step.Label}, {step.Title}: {NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}, for t = 0 … {step.Steps - 1}{(spec.Bidirectional ? " (and back, in the reverse direction)" : string.Empty)} from h = 0{(spec.Cell == RecurrentCellKind.Lstm ? ", c = 0" : string.Empty)}:");
        foreach (string line in CellMath(spec))
        {
            w.Line("//   " + line);
        }

        w.Line("//   the input products of all steps as one product over batch × T rows, then the recurrence step by step");
        string input = names.Input;
        for (int l = 0; l < spec.Layers; l++)
        {
            string sequence = SequenceName(step, l, names.Output);
            w.Line($"global::System.Span<float> {sequence} = {Slot(step.SequenceOffsets[l], step.Steps * step.Width)};");
            foreach (RecurrentDirectionPlan d in step.Directions.Where(d => d.Layer == l))
            {
                w.Line($"//   {Parameters(d)}");
                w.Line($"{Kernel(step, d, "Forward")}({SliceOf("p", d.WeightIh)}, {SliceOf("p", d.WeightHh)}, {SliceOf("p", d.BiasIh)}, {SliceOf("p", d.BiasHh)}, {input}, {sequence}, {Slot(d.StateOffset, d.StateLength)}, global::NetGen.CompilerServices.WorkspaceAccess.RecurrentCache<global::NetGen.Generated.{DescriptorName(step, d)}>(workspace), default, batch, workspace.Threads);");
            }

            input = sequence;
        }

        if (!spec.ReturnSequences)
        {
            string last = spec.Bidirectional ? $"[h_{step.Steps - 1} forward ; h_0 reverse]" : $"h_{step.Steps - 1}";
            w.Line($"//   {names.Output} = {last}, the last state{(spec.Bidirectional ? "s" : string.Empty)}");
            w.Line($"global::System.Span<float> {names.Output} = {Slot(step.OutputOffset, step.Width)};");
            w.Line($"global::NetGen.CompilerServices.SequenceKernels.LastStates({input}, {names.Output}, {Int(step.Steps)}, {Int(spec.Hidden)}, {Bool(spec.Bidirectional)}, batch);");
        }
    }

    protected override void EmitBackward(CodeWriter w, RecurrentStep step, BackwardNames names)
    {
        RecurrentSpec spec = step.Spec;
        w.Line($"// Layer {step.Label}, {step.Title}: backpropagation through time, from t = {step.Steps - 1} back to 0{(spec.Bidirectional ? " (the reverse direction from 0 up)" : string.Empty)};");
        w.Line("//   the gate gradients of every step, then dW_ih += dgatesᵀ x, dW_hh += dgatesᵀ h_prev, db += Σ dgates and");
        w.Line($"//   {names.InputGradient} = dgates W_ih as products over batch × T rows{(spec.Bidirectional ? "; the reverse direction adds its dx to the forward one's" : string.Empty)}");
        if (names.GradientBuffer is { } buffer)
        {
            w.Line($"global::System.Span<float> {names.InputGradient} = {buffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        // dL/d(top layer's sequence): the caller's, or the last states' gradient put back at their steps.
        string dy = names.OutputGradient;
        int free = 0;
        if (!spec.ReturnSequences)
        {
            string dSequence = "dSeq" + step.Id;
            w.Line($"//   d(sequence) = {names.OutputGradient} at the last step{(spec.Bidirectional ? "s (t = T−1 forward, t = 0 reverse)" : string.Empty)}, 0 elsewhere");
            w.Line($"global::System.Span<float> {dSequence} = {Slot(step.GradientOffsets[0], step.Steps * step.Width)};");
            w.Line($"global::NetGen.CompilerServices.SequenceKernels.LastStatesBackward({names.OutputGradient}, {dSequence}, {Int(step.Steps)}, {Int(spec.Hidden)}, {Bool(spec.Bidirectional)}, batch);");
            dy = dSequence;
            free = 1;
        }

        for (int l = spec.Layers - 1; l >= 0; l--)
        {
            string x = l == 0 ? names.Input : SequenceName(step, l - 1, names.Output);
            if (l > 0)
            {
                w.Line($"global::System.ReadOnlySpan<float> {x} = {Slot(step.SequenceOffsets[l - 1], step.Steps * step.Width)};");
            }

            string dx = names.InputGradient;
            if (l > 0)
            {
                dx = $"dSeq{step.Id}Layer{Int(l - 1)}";
                w.Line($"global::System.Span<float> {dx} = {Slot(step.GradientOffsets[free], step.Steps * step.Width)};");
                free = 1 - free;
            }

            foreach (RecurrentDirectionPlan d in step.Directions.Where(d => d.Layer == l))
            {
                w.Line($"{Kernel(step, d, "Backward")}({SliceOf("p", d.WeightIh)}, {SliceOf("p", d.WeightHh)}, {SliceOf("g", d.WeightIh)}, {SliceOf("g", d.WeightHh)}, {SliceOf("g", d.BiasIh)}, {SliceOf("g", d.BiasHh)}, {x}, {dy}, {Slot(d.StateOffset, d.StateLength)}, {dx}, {Slot(d.ScratchOffset, d.ScratchLength)}, batch, workspace.Threads);");
            }

            dy = dx;
        }
    }

    /// <summary>The span a stacked layer writes its output sequence into: the step's output for the top one when it returns sequences.</summary>
    private static string SequenceName(RecurrentStep step, int layer, string output)
        => layer == step.Spec.Layers - 1 && step.Spec.ReturnSequences ? output : $"seq{step.Id}Layer{Int(layer)}";

    private static string Parameters(RecurrentDirectionPlan d)
        => $"W_ih \"{d.WeightIh.Name}\", W_hh \"{d.WeightHh.Name}\"{(d.BiasIh is { } bi && d.BiasHh is { } bh ? $", b_ih \"{bi.Name}\", b_hh \"{bh.Name}\"" : string.Empty)}";

    private static IEnumerable<string> CellMath(RecurrentSpec spec) => spec.Cell switch
    {
        RecurrentCellKind.Lstm => new[]
        {
            "i, f, g, o = σ, σ, tanh, σ of the four blocks of W_ih x_t + b_ih + W_hh h + b_hh",
            "c = f ⊙ c + i ⊙ g, h = o ⊙ tanh(c)",
        },
        RecurrentCellKind.Gru => new[]
        {
            "r, z = σ of the first two blocks of W_ih x_t + b_ih + W_hh h + b_hh",
            "n = tanh(W_in x_t + b_in + r ⊙ (W_hn h + b_hn)), h = (1 − z) ⊙ n + z ⊙ h",
        },
        RecurrentCellKind.Relu => new[] { "h = relu(W_ih x_t + b_ih + W_hh h + b_hh)" },
        _ => new[] { "h = tanh(W_ih x_t + b_ih + W_hh h + b_hh)" },
    };
}
