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
        w.Line("global::System.ReadOnlySpan<float> p = _parameters.ReadOnly;");
        w.Line("global::System.Span<float> ws = global::NetGen.CompilerServices.WorkspaceAccess.Buffer(workspace);");
        if (plan.ScratchLength > 0)
        {
            w.Line("global::System.Span<float> scratch = global::NetGen.CompilerServices.WorkspaceAccess.Scratch(workspace);");
        }

        BatchNormEmitter.EmitForwardLocals(w, plan);
        int[] packedOffsets = PackedOffsets(plan, out int packedLength, out int fewestRows);
        if (packedLength > 0)
        {
            w.Line("// Each dense W as the batched product reads it, kept packed on the workspace between inference calls when it asks");
            w.Line("// (Workspace.ReusePackedWeights; empty otherwise, and in training, whose step is about to change W)");
            string rows = fewestRows == 1 ? "batch" : $"{Literals.Int(fewestRows)} * batch";
            w.Line($"global::NetGen.CompilerServices.PackedWeights packed = global::NetGen.CompilerServices.WorkspaceAccess.PackedWeights(workspace, _parameters, {Literals.Int(packedLength)}, training ? 0 : {rows});");
        }

        string[] inputs = Inputs(plan.Steps.Items);
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            Step step = plan.Steps[i];
            w.Line();
            StepEmitters.For(step).EmitForward(w, step, new ForwardNames(inputs[i], Output(step), packedOffsets[i]));
        }

        if (packedLength > 0)
        {
            w.Line();
            w.Line("global::NetGen.CompilerServices.WorkspaceAccess.PackedWeightsWritten(workspace, packed);");
        }

        w.Line();
        w.Line($"{(plan.Steps.Count == 0 ? "x" : Output(plan.Steps[plan.Steps.Count - 1]))}.CopyTo(output);");
        w.Close();
        w.Line();
    }

    /// <summary>
    /// The largest W kept packed, in floats: the runtime's <c>DenseKernels.MaxKeptPackedFloats</c> (a larger W comes from
    /// L3 either way and is no faster read from a kept copy, so it is packed a panel at a time on every call).
    /// </summary>
    private const int MaxKeptPackedFloats = 128 * 1024;

    /// <summary>
    /// Where each dense step's W starts in the packed weights (-1 for other steps and for a W past
    /// <see cref="MaxKeptPackedFloats"/>): one region of <c>Units · Inputs</c> floats per dense layer, in the order of the
    /// chain, each starting on a 64-byte boundary; and the fewest rows any of those layers multiplies per sample.
    /// </summary>
    private static int[] PackedOffsets(NetworkPlan plan, out int length, out int fewestRows)
    {
        int[] offsets = new int[plan.Steps.Count];
        length = 0;
        fewestRows = int.MaxValue;
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            if (plan.Steps[i] is DenseStep dense && (long)dense.Units * dense.Inputs <= MaxKeptPackedFloats)
            {
                offsets[i] = length;
                length = checked(length + (((dense.Units * dense.Inputs) + 15) / 16 * 16));
                fewestRows = System.Math.Min(fewestRows, dense.Rows);
            }
            else
            {
                offsets[i] = -1;
            }
        }

        return offsets;
    }
}
