using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// <c>[LayerNorm]</c>: PyTorch's <c>nn.LayerNorm(d)</c> over the last axis, every row normalized on its own (biased
/// variance, ε inside the square root), then γ and β; each row's μ and 1/σ kept for backward.
/// </summary>
internal sealed class LayerNormRule : LayerRule
{
    public override string Title(LayerDeclaration layer) => TitleWithArguments(layer);

    public static LayerNormSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
        => new(SequenceShapes.Epsilon(layer, described, b), layer.FlagOption("Affine") ?? true);

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        LayerNormSpec spec = Read(layer, described, b);
        var inShape = b.ShapeNow;
        int features = b.Shape[b.Shape.Count - 1];
        int length = b.InputLength;
        int rows = features > 0 ? length / features : 0;
        string prefix = b.Prefix(layer, index);
        long parameters = spec.Affine ? 2L * features : 0;
        bool listed = b.ParametersFit(parameters);
        ParameterSlot? weight = spec.Affine ? b.Parameter(prefix + ".weight", new[] { features }, features, listed) : null;
        ParameterSlot? bias = spec.Affine ? b.Parameter(prefix + ".bias", new[] { features }, features, listed) : null;
        string title = Title(layer);
        b.Summarize(index, title, parameters);
        int output = b.Reserve(length);
        int statistics = b.Reserve(2 * rows);
        b.Add(new LayerNormStep(b.Frame(index, title, inShape, output), 0, features, rows, spec.Epsilon, weight, bias, statistics));
    }
}
