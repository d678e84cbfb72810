using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// <c>[LayerNorm]</c>: a descriptor (features, ε, affine) and the runtime's <c>LayerNormKernels</c>, forward keeping each
/// row's μ and 1/σ, backward from them.
/// </summary>
internal sealed class LayerNormEmitter : StepEmitter<LayerNormStep>
{
    public override bool BackwardInPlace => false;

    public override bool HasDescriptor => true;

    public static string DescriptorName(LayerNormStep step) => $"LayerNorm{step.Id}";

    private static string Kernel(LayerNormStep step, string method)
        => $"global::NetGen.CompilerServices.LayerNormKernels.{method}<global::NetGen.Generated.{DescriptorName(step)}>";

    private static string Rows(LayerNormStep step) => step.Rows == 1 ? "batch" : $"{Int(step.Rows)} * batch";

    protected override void EmitDescriptor(CodeWriter w, LayerNormStep step)
    {
        w.Line($"/// <summary>Layer {step.Label}, {Xml(step.Title)}: rows of {step.Features} floats, ε = {Float(step.Epsilon)}{(step.Weight is null ? ", no γ or β" : string.Empty)}.</summary>");
        w.Open($"file readonly struct {DescriptorName(step)} : global::NetGen.CompilerServices.ILayerNormLayer");
        w.Line($"public static int Features => {Int(step.Features)};");
        w.Line($"public static float Epsilon => {Float(step.Epsilon)};");
        w.Line($"public static bool Affine => {Bool(step.Weight is not null)};");
        w.Close();
    }

    protected override void EmitInitialize(CodeWriter w, LayerNormStep step)
    {
        if (step.Weight is { } weight && step.Bias is { } bias)
        {
            w.Line($"// {weight.Name} = 1, {bias.Name} = 0, as nn.LayerNorm");
            w.Line($"{SliceOf("p", weight)}.Fill(1f);");
            w.Line($"{SliceOf("p", bias)}.Clear();");
        }
    }

    protected override void EmitForward(CodeWriter w, LayerNormStep step, ForwardNames names)
    {
        string affine = step.Weight is { } weight ? $" ⊙ γ + β   γ \"{weight.Name}\", β \"{step.Bias!.Name}\"" : string.Empty;
        w.Line($"// Layer {step.Label}, {step.Title}: each row r of {step.Features}, {names.Output}[r] = ({names.Input}[r] − μ_r) / √(σ²_r + {Float(step.Epsilon)}){affine}");
        w.Line($"//   μ_r, σ²_r: the row's mean and biased variance; μ_r and 1/σ_r kept for backward");
        w.Line($"global::System.Span<float> {names.Output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line($"{Kernel(step, "Forward")}({SliceOf("p", step.Weight)}, {SliceOf("p", step.Bias)}, {names.Input}, {names.Output}, {Slot(step.StatisticsOffset, 2 * step.Rows)}, {Rows(step)}, workspace.Threads);");
    }

    protected override void EmitBackward(CodeWriter w, LayerNormStep step, BackwardNames names)
    {
        string dOut = names.OutputGradient;
        w.Line($"// Layer {step.Label}, {step.Title}: with x̂ the normalized row and ĝ = {dOut}{(step.Weight is null ? string.Empty : " ⊙ γ")},");
        w.Line($"//   {(step.Weight is null ? string.Empty : $"dγ += Σ_rows {dOut} ⊙ x̂, dβ += Σ_rows {dOut}, ")}{names.InputGradient} = (ĝ − mean(ĝ) − x̂ mean(ĝ ⊙ x̂)) / σ");
        if (names.GradientBuffer is { } buffer)
        {
            w.Line($"global::System.Span<float> {names.InputGradient} = {buffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        w.Line($"{Kernel(step, "Backward")}({SliceOf("p", step.Weight)}, {names.Input}, {Slot(step.StatisticsOffset, 2 * step.Rows)}, {dOut}, {SliceOf("g", step.Weight)}, {SliceOf("g", step.Bias)}, {names.InputGradient}, {Rows(step)}, workspace.Threads);");
    }
}
