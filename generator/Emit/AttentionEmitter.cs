using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// The heads of a <c>[MultiHeadAttention]</c> between its two projections (dense steps of their own): a descriptor
/// (T, d, heads, causal) and the runtime's <c>AttentionKernels</c>, forward keeping the attention weights, backward through
/// the softmax from them.
/// </summary>
internal sealed class AttentionEmitter : StepEmitter<AttentionStep>
{
    public override bool BackwardInPlace => false;

    public override bool HasDescriptor => true;

    public static string DescriptorName(AttentionStep step) => $"Attention{step.Frame.IdOf(step.LayerIndex)}";

    private static string Kernel(AttentionStep step, string method)
        => $"global::NetGen.CompilerServices.AttentionKernels.{method}<global::NetGen.Generated.{DescriptorName(step)}>";

    protected override void EmitDescriptor(CodeWriter w, AttentionStep step)
    {
        w.Line($"/// <summary>Layer {step.Label}, {Xml(step.Title)}: {step.Heads} head{(step.Heads == 1 ? string.Empty : "s")} of {step.Model / System.Math.Max(1, step.Heads)} features over {step.Steps} tokens{(step.Causal ? ", causal" : string.Empty)}.</summary>");
        w.Open($"file readonly struct {DescriptorName(step)} : global::NetGen.CompilerServices.IAttentionLayer");
        w.Line($"public static int Steps => {Int(step.Steps)};");
        w.Line($"public static int Model => {Int(step.Model)};");
        w.Line($"public static int Heads => {Int(step.Heads)};");
        w.Line($"public static bool Causal => {Bool(step.Causal)};");
        w.Close();
    }

    protected override void EmitForward(CodeWriter w, AttentionStep step, ForwardNames names)
    {
        int dk = step.Model / System.Math.Max(1, step.Heads);
        string input = names.Input, output = names.Output;
        w.Line($"// Layer {step.Label}, the heads: with [q | k | v] = {input}, for each head j over features {dk}·j … {dk}·j + {dk - 1},");
        w.Line($"//   P_j = softmax(q_j k_jᵀ / √{dk}){(step.Causal ? " over the keys j ≤ i of each query i (causal)" : string.Empty)}, {output}[:, head j] = P_j{(step.Dropout > 0f ? " ⊙ m" : string.Empty)} v_j");
        if (step.Dropout > 0f)
        {
            w.Line($"//   in training, m: dropout of the attention weights, 0 with probability {Float(step.Dropout)}, else 1/(1 − p)");
        }

        w.Line("//   P kept in the workspace for backward in training; in inference each head's P may stay in a scratch plane");
        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string weights = Slot(step.WeightsOffset, step.WeightsLength);
        if (step.Dropout > 0f)
        {
            w.Line($"global::System.Span<float> mask{step.Id} = {Slot(step.MaskOffset, step.WeightsLength)};");
            w.Open("if (training)");
            w.Line($"global::NetGen.CompilerServices.Dropout.Mask(mask{step.Id}, {Float(step.Dropout)}, ref workspace.Random);");
            w.Close();
            w.Line($"{Kernel(step, "Forward")}({input}, {output}, {weights}, training ? mask{step.Id} : default, batch, workspace.Threads, keepWeights: training);");
        }
        else
        {
            w.Line($"{Kernel(step, "Forward")}({input}, {output}, {weights}, default, batch, workspace.Threads, keepWeights: training);");
        }
    }

    protected override void EmitBackward(CodeWriter w, AttentionStep step, BackwardNames names)
    {
        string dOut = names.OutputGradient;
        w.Line($"// Layer {step.Label}, the heads: per head, dP = {dOut} vᵀ{(step.Dropout > 0f ? " ⊙ m" : string.Empty)}, dv = P{(step.Dropout > 0f ? "′" : string.Empty)}ᵀ {dOut}, dS = P ⊙ (dP − rowsum(dP ⊙ P)),");
        w.Line($"//   dq = dS k / √dk, dk = dSᵀ q / √dk, into {names.InputGradient} = [dq | dk | dv]");
        if (names.GradientBuffer is { } buffer)
        {
            w.Line($"global::System.Span<float> {names.InputGradient} = {buffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        string mask = step.Dropout > 0f ? Slot(step.MaskOffset, step.WeightsLength) : "default";
        string scratch = step.ScratchLength > 0 ? Slot(step.ScratchOffset, step.ScratchLength) : "default";
        w.Line($"{Kernel(step, "Backward")}({names.Input}, {Slot(step.WeightsOffset, step.WeightsLength)}, {mask}, {dOut}, {names.InputGradient}, {scratch}, batch, workspace.Threads);");
    }
}
