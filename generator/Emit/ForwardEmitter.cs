using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>Writes <c>Run</c>, the forward chain: one commented group of statements per step.</summary>
internal static class ForwardEmitter
{
    public static void Emit(CodeWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>The forward chain. Every activation gets its own workspace slot, so backward finds them all.</summary>");
        w.Open($"private void Run(global::System.ReadOnlySpan<float> x, {(NetworkEmitter.TakesTokens(plan) ? "global::System.ReadOnlySpan<int> tokens, " : string.Empty)}global::System.Span<float> output, global::NetGen.Workspace workspace, int batch, bool training)");
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
            Step step = plan.Steps[i];
            w.Line();
            StepEmitters.For(step).EmitForward(w, step, new ForwardNames(inputs[i], Output(step)));
        }

        w.Line();
        w.Line($"{(plan.Steps.Count == 0 ? "x" : Output(plan.Steps[plan.Steps.Count - 1]))}.CopyTo(output);");
        w.Close();
        w.Line();
    }
}
