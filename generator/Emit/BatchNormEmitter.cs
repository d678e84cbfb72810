using System.Linq;
using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// Writes what batch normalization adds to a network: the buffer store (running statistics, saved with the
/// weights, never seen by optimizers), its reset in <c>Initialize</c>, and the forward and backward steps, which
/// call <c>NetGen.BatchNorm</c> with the layer's shapes and options as constants.
/// </summary>
internal sealed class BatchNormEmitter : StepEmitter<BatchNormStep>
{
    /// <summary>The buffer store and its named tensors; nothing for a network without buffers.</summary>
    public static void EmitBuffers(CodeWriter w, NetworkPlan plan)
    {
        if (plan.BufferCount == 0)
        {
            return;
        }

        w.Line("/// <summary>Floats in the buffer store: running statistics, saved with the weights but not trained.</summary>");
        w.Line($"public const int BufferCount = {Int(plan.BufferCount)};");
        w.Line();
        w.Line("private static readonly global::NetGen.ParameterTensor[] s_buffers =");
        w.Line("{");
        foreach (TensorPlan tensor in plan.Buffers)
        {
            string shape = tensor.Shape.Count == 0 ? string.Empty : ", " + string.Join(", ", tensor.Shape.Select(d => Int(d)));
            string count = tensor.IsCount ? " { IsCount = true }" : string.Empty;
            w.Line($"    new global::NetGen.ParameterTensor({String(tensor.Name)}, {Int(tensor.Offset)}{shape}){count},");
        }

        w.Line("};");
        w.Line();
        w.Line("private readonly float[] _buffers = new float[BufferCount];");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Batch norm's running statistics and batch counts, in the order of <see cref=\"BufferTensors\"/>: updated by");
        w.Line("/// <see cref=\"ForwardTraining\"/>, read by <see cref=\"Forward\"/>, saved with the weights, never touched by optimizers.");
        w.Line("/// </summary>");
        w.Line("public global::System.Span<float> Buffers => _buffers;");
        w.Line();
        w.Line("/// <summary>The named tensors in <see cref=\"Buffers\"/>, named as PyTorch's state_dict names its buffers.</summary>");
        w.Line("public global::System.Collections.Generic.IReadOnlyList<global::NetGen.ParameterTensor> BufferTensors => s_buffers;");
        w.Line();
        foreach (TensorPlan tensor in plan.Buffers.Where(t => !t.IsCount))
        {
            w.Line($"/// <summary><c>{tensor.Name}</c>, {NetworkEmitter.ShapeText(tensor.Shape)}: a view into <see cref=\"Buffers\"/>.</summary>");
            w.Line($"public global::System.Span<float> {TensorNames.ViewName(tensor.Name)} => new global::System.Span<float>(_buffers, {Int(tensor.Offset)}, {Int(tensor.Length)});");
            w.Line();
        }
    }

    /// <summary>Inside <c>Initialize</c>: γ = 1, β = 0, running mean 0, running variance 1, count 0, as PyTorch resets them.</summary>
    public static void EmitInitialize(CodeWriter w, NetworkPlan plan)
    {
        if (plan.BufferCount == 0)
        {
            return;
        }

        foreach (BatchNormStep step in plan.Steps.OfType<BatchNormStep>())
        {
            NormalizationPlan n = step.Normalization;
            w.Line($"// {step.Weight.Name} = 1, {step.Bias.Name} = 0, {n.Prefix}.running_mean = 0, {n.Prefix}.running_var = 1, {n.Prefix}.num_batches_tracked = 0");
            w.Line($"p.Slice({Int(step.Weight.Offset)}, {Int(n.Channels)}).Fill(1f);");
            w.Line($"p.Slice({Int(step.Bias.Offset)}, {Int(n.Channels)}).Clear();");
        }

        w.Line("global::System.Array.Clear(_buffers);");
        foreach (BatchNormStep step in plan.Steps.OfType<BatchNormStep>())
        {
            NormalizationPlan n = step.Normalization;
            w.Line($"new global::System.Span<float>(_buffers, {Int(n.VarianceOffset)}, {Int(n.Channels)}).Fill(1f);");
        }
    }

    /// <summary>At the top of <c>Run</c>, when the network has buffers.</summary>
    public static void EmitForwardLocals(CodeWriter w, NetworkPlan plan)
    {
        if (plan.BufferCount > 0)
        {
            w.Line("global::System.Span<float> buffers = _buffers;");
        }
    }

    protected override void EmitForward(CodeWriter w, BatchNormStep step, ForwardNames names)
    {
        string input = names.Input, output = names.Output;
        NormalizationPlan n = step.Normalization;
        string c = Int(n.Channels), s = Int(n.Spatial), eps = Float(n.Epsilon), momentum = Float(n.Momentum);
        w.Line($"// Layer {step.Label}, {step.Title} over {NetworkEmitter.ShapeText(step.InputShape)} ({c} channels × {s} position{(n.Spatial == 1 ? string.Empty : "s")}):");
        w.Line($"//   {output} = γ ({input} − μ) / √(σ² + {eps}) + β per channel, γ: [{c}] \"{step.Weight.Name}\", β: [{c}] \"{step.Bias.Name}\"");
        string keep = (1m - (decimal)n.Momentum).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string move = ((decimal)n.Momentum).ToString(System.Globalization.CultureInfo.InvariantCulture);
        w.Line($"//   training: μ, σ² of the batch (biased); running ← {keep} running + {move} (μ, σ² unbiased)");
        w.Line($"//   inference: μ, σ² = \"{n.Prefix}.running_mean\", \"{n.Prefix}.running_var\"");
        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string weight = $"p.Slice({Int(step.Weight.Offset)}, {c})", bias = $"p.Slice({Int(step.Bias.Offset)}, {c})";
        string mean = $"buffers.Slice({Int(n.MeanOffset)}, {c})", variance = $"buffers.Slice({Int(n.VarianceOffset)}, {c})";
        w.Open("if (training)");
        w.Line($"global::NetGen.CompilerServices.BatchNorm.ForwardTraining({input}, {output}, {weight}, {bias}, {Statistics(n)}, {mean}, {variance}, buffers.Slice({Int(n.CountOffset)}, 1), {c}, {s}, {momentum}, {eps});");
        w.Close();
        w.Open("else");
        w.Line($"global::NetGen.CompilerServices.BatchNorm.Forward({input}, {output}, {weight}, {bias}, {mean}, {variance}, {c}, {s}, {eps});");
        w.Close();
    }

    protected override void EmitBackward(CodeWriter w, BatchNormStep step, BackwardNames names)
    {
        string input = names.Input, dOut = names.OutputGradient, dIn = names.InputGradient;
        NormalizationPlan n = step.Normalization;
        string c = Int(n.Channels), s = Int(n.Spatial);
        w.Line($"// Layer {step.Label}, {step.Title}: with x̂ = ({input} − μ)/σ, per channel over the batch × {s} position{(n.Spatial == 1 ? string.Empty : "s")}:");
        w.Line($"//   dγ += Σ {dOut} ⊙ x̂, dβ += Σ {dOut}, {dIn} = γ/σ ({dOut} − mean({dOut}) − x̂ mean({dOut} ⊙ x̂)), in place");
        w.Line($"global::NetGen.CompilerServices.BatchNorm.Backward({input}, {dOut}, p.Slice({Int(step.Weight.Offset)}, {c}), g.Slice({Int(step.Weight.Offset)}, {c}), g.Slice({Int(step.Bias.Offset)}, {c}), {Statistics(n)}, {c}, {s});");
    }

    /// <summary>The batch's μ and 1/σ, kept by the training forward at the start of the step's statistics slot.</summary>
    private static string Statistics(NormalizationPlan n)
        => n.StatisticsOffset == 0 ? $"ws.Slice(0, {Int(2 * n.Channels)})" : $"ws.Slice({Int(n.StatisticsOffset)} * batch, {Int(2 * n.Channels)})";
}
