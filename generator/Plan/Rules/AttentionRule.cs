using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// <c>[MultiHeadAttention(heads)]</c>: PyTorch's <c>nn.MultiheadAttention</c> as self-attention on <c>[T, d]</c>, planned as
/// three steps: the packed input projection <c>[q | k | v] = x W_inᵀ + b_in</c> (a dense step, <c>[T, 3d]</c>), the
/// heads' scaled dot-product attention (<c>[T, d]</c>, the weights kept for backward), and the output projection (a
/// dense step). Parameters in PyTorch's names and order: <c>in_proj_weight</c>, <c>in_proj_bias</c>,
/// <c>out_proj.weight</c>, <c>out_proj.bias</c>.
/// </summary>
internal sealed class AttentionRule : LayerRule
{
    public override string Title(LayerDeclaration layer) => TitleWithArguments(layer);

    public static AttentionSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
        => new(
            SequenceShapes.Count(layer, 0, "heads", "use 1 or more heads (each attends over d / heads features)", described, b),
            layer.FlagOption("Causal") ?? false,
            SequenceShapes.Probability(layer, "Dropout", 0f, described, b),
            layer.Bias);

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        AttentionSpec spec = Read(layer, described, b);
        (int steps, int d) = SequenceShapes.Read(layer, described, b);
        SequenceShapes.CheckHeads(layer, d, spec.Heads, described, b);
        Plan(spec, index, Title(layer), steps, d, b.Prefix(layer, index), b);
    }

    /// <summary>Plans the three steps of an attention layer over <c>[steps, d]</c>, its parameters under <paramref name="prefix"/>.</summary>
    public static void Plan(AttentionSpec spec, int index, string title, int steps, int d, string prefix, PlanBuilder b)
    {
        int heads = spec.Heads;
        long parameters = (3L * d * d) + ((long)d * d) + (spec.Bias ? 4L * d : 0);
        bool listed = b.ParametersFit(parameters);
        ParameterSlot inWeight = b.Parameter(prefix + ".in_proj_weight", new[] { 3 * d, d }, 3L * d * d, listed);
        ParameterSlot? inBias = spec.Bias ? b.Parameter(prefix + ".in_proj_bias", new[] { 3 * d }, 3L * d, listed) : null;
        ParameterSlot outWeight = b.Parameter(prefix + ".out_proj.weight", new[] { d, d }, (long)d * d, listed);
        ParameterSlot? outBias = spec.Bias ? b.Parameter(prefix + ".out_proj.bias", new[] { d }, d, listed) : null;

        // Scores and the weighted sum: T·T·d multiply-adds each, half of them (with the diagonal) when causal.
        long pairs = spec.Causal ? (long)steps * (steps + 1) / 2 : (long)steps * steps;
        long projectionFlops = 2L * steps * 3 * d * d, attentionFlops = 2L * 2 * pairs * d, outputFlops = 2L * steps * d * d;
        b.AddFlops(projectionFlops + attentionFlops + outputFlops);
        b.Summarize(index, title, parameters, projectionFlops + attentionFlops + outputFlops);

        var inShape = b.ShapeNow;
        b.Shape[b.Shape.Count - 1] = 3 * d;
        int qkv = b.Reserve(steps * 3 * d);
        b.Add(new DenseStep(b.Frame(index, title, inShape, qkv, "qkv"), projectionFlops, d, 3 * d, steps, inWeight, inBias, null, DenseInitialization.XavierZeroBias));

        var qkvShape = b.ShapeNow;
        b.Shape[b.Shape.Count - 1] = d;
        int headsOutput = b.Reserve(steps * d);
        int weights = b.Reserve(heads * steps * steps);
        int mask = spec.Dropout > 0f ? b.Reserve(heads * steps * steps) : -1;
        int scratchLength = BackwardScratchLength(steps, d, heads);
        int scratch = scratchLength > 0 ? b.Reserve(scratchLength) : -1;
        b.Add(new AttentionStep(b.Frame(index, title, qkvShape, headsOutput, "heads"), attentionFlops, steps, d, heads, spec.Causal, spec.Dropout, weights, mask, scratch, scratchLength));

        var headsShape = b.ShapeNow;
        int output = b.Reserve(steps * d);
        b.Add(new DenseStep(b.Frame(index, title, headsShape, output), outputFlops, d, d, steps, outWeight, outBias, null, DenseInitialization.LinearZeroBias));
    }

    /// <summary>
    /// Floats per sample of the attention kernel's backward scratch: the runtime's
    /// <c>AttentionKernels.BackwardScratchLength</c>, which the planner must know as a constant (a test holds the two equal).
    /// </summary>
    public static int BackwardScratchLength(int steps, int d, int heads)
        => heads > 0 ? (2 * steps * steps) + (d / heads * steps) + (steps * d) : 0;
}
