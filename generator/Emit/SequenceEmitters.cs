using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>A position encoding added to <c>[T, d]</c>: the learned parameter, or the sinusoidal table kept in a static field.</summary>
internal sealed class PositionEmitter : StepEmitter<PositionStep>
{
    /// <summary>The static field that holds a sinusoidal table: <c>s_positions0</c>.</summary>
    private static string Table(PositionStep step) => $"s_positions{step.Id}";

    public override void EmitMembers(CodeWriter w, Step step)
    {
        var position = (PositionStep)step;
        if (!position.Learned)
        {
            w.Line($"/// <summary>Layer {position.Label}'s sinusoidal table [{position.Steps}, {position.Dimensions}]: PE[t, 2i] = sin(t / 10000^(2i/{position.Dimensions})), PE[t, 2i + 1] = cos(...).</summary>");
            w.Line($"private static readonly float[] {Table(position)} = global::NetGen.CompilerServices.PositionKernels.SinusoidalTable({Int(position.Steps)}, {Int(position.Dimensions)});");
            w.Line();
        }
    }

    protected override void EmitInitialize(CodeWriter w, PositionStep step)
    {
        if (step.Weight is { } weight)
        {
            w.Line($"// {weight.Name} = 0");
            w.Line($"{SliceOf("p", weight)}.Clear();");
        }
    }

    protected override void EmitForward(CodeWriter w, PositionStep step, ForwardNames names)
    {
        string positions = step.Weight is { } weight ? SliceOf("p", weight) : Table(step);
        string what = step.Weight is { } learned ? $"P [{step.Steps}, {step.Dimensions}] \"{learned.Name}\"" : "P the sinusoidal table";
        w.Line($"// Layer {step.Label}, {step.Title}: {names.Output}[t] = {names.Input}[t] + P[t], {what}");
        w.Line($"global::System.Span<float> {names.Output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line($"global::NetGen.CompilerServices.PositionKernels.Add({positions}, {names.Input}, {names.Output}, batch);");
    }

    protected override void EmitBackward(CodeWriter w, PositionStep step, BackwardNames names)
    {
        if (step.Weight is { } weight)
        {
            w.Line($"// Layer {step.Label}, {step.Title}: dP += Σ_samples {names.OutputGradient}; {names.InputGradient} = {names.OutputGradient}, in place");
            w.Line($"global::NetGen.CompilerServices.PositionKernels.AddBackward({names.OutputGradient}, {SliceOf("g", weight)}, batch);");
        }
        else
        {
            w.Line($"// Layer {step.Label}, {step.Title}: {names.InputGradient} = {names.OutputGradient} (the table is fixed)");
        }
    }
}

/// <summary><c>[SequenceMean]</c>: <c>[T, F]</c> to <c>[F]</c>; backward spreads <c>dy / T</c> over the tokens.</summary>
internal sealed class SequenceMeanEmitter : StepEmitter<SequenceMeanStep>
{
    public override bool BackwardInPlace => false;

    protected override void EmitForward(CodeWriter w, SequenceMeanStep step, ForwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: {names.Output} = (1/{step.Steps}) Σ_t {names.Input}[t], {NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}");
        w.Line($"global::System.Span<float> {names.Output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line($"global::NetGen.CompilerServices.SequenceMeanKernels.Forward({names.Input}, {names.Output}, {Int(step.Steps)}, {Int(step.Features)}, batch);");
    }

    protected override void EmitBackward(CodeWriter w, SequenceMeanStep step, BackwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: {names.InputGradient}[t] = {names.OutputGradient} / {step.Steps} for every token t");
        string call = $"global::NetGen.CompilerServices.SequenceMeanKernels.Backward({names.OutputGradient}, {names.InputGradient}, {Int(step.Steps)}, {Int(step.Features)}, batch);";
        if (names.GradientBuffer is { } buffer)
        {
            w.Line($"global::System.Span<float> {names.InputGradient} = {buffer}.Slice(0, {Int(step.InputLength)} * batch);");
            w.Line(call);
            return;
        }

        w.Open($"if (!{names.InputGradient}.IsEmpty)");
        w.Line(call);
        w.Close();
    }
}

/// <summary>The start of a residual block: nothing forward; backward adds the skip path's gradient kept by the block's end.</summary>
internal sealed class ResidualForkEmitter : StepEmitter<ResidualForkStep>
{
    protected override void EmitForward(CodeWriter w, ResidualForkStep step, ForwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: y = {names.Input} + f({names.Input}); f runs next, on {names.Output} = {names.Input}");
        w.Line($"global::System.ReadOnlySpan<float> {names.Output} = {names.Input};");
    }

    protected override void EmitBackward(CodeWriter w, ResidualForkStep step, BackwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: {names.InputGradient} = dL/dy (the skip path, kept) + {names.OutputGradient} (back through f), in place");
        w.Line($"global::NetGen.CompilerServices.ResidualKernels.Accumulate({Slot(step.SkipGradientOffset, step.OutputLength)}, {names.OutputGradient});");
    }
}

/// <summary>The end of a residual block: <c>y = x + f(x)</c>; backward passes dL/dy on to f in place and keeps a copy for the fork.</summary>
internal sealed class ResidualAddEmitter : StepEmitter<ResidualAddStep>
{
    protected override void EmitForward(CodeWriter w, ResidualAddStep step, ForwardNames names)
    {
        string x = "a" + step.ForkId;
        w.Line($"// Layer {step.Label}, {step.Title}: {names.Output} = {x} + {names.Input}, the block's input plus its output");
        w.Line($"global::System.Span<float> {names.Output} = {Slot(step.OutputOffset, step.OutputLength)};");
        w.Line($"global::NetGen.CompilerServices.ResidualKernels.Add({x}, {names.Input}, {names.Output});");
    }

    protected override void EmitBackward(CodeWriter w, ResidualAddStep step, BackwardNames names)
    {
        w.Line($"// Layer {step.Label}, {step.Title}: dL/d{names.Input} = {names.OutputGradient}, in place; the skip path's dL/d{"a" + step.ForkId} = {names.OutputGradient} too, kept for the block's start");
        w.Line($"{names.OutputGradient}.CopyTo({Slot(step.SkipGradientOffset, step.OutputLength)});");
    }
}
