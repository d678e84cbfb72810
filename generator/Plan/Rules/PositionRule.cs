using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// <c>[PositionalEmbedding]</c> (a learned <c>[T, d]</c> parameter, <c>{i}.weight</c>) and <c>[SinusoidalPositions]</c> (the
/// fixed table): added to a sequence <c>[T, d]</c>, token t getting row t.
/// </summary>
internal sealed class PositionRule : LayerRule
{
    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        var inShape = b.ShapeNow;
        (int steps, int dimensions) = SequenceShapes.Read(layer, described, b);
        bool learned = layer.Kind == LayerKind.PositionalEmbedding;
        long parameters = learned ? (long)steps * dimensions : 0;
        ParameterSlot? weight = learned
            ? b.Parameter(b.Prefix(layer, index) + ".weight", new[] { steps, dimensions }, parameters, b.ParametersFit(parameters))
            : null;
        string title = Title(layer);
        b.Summarize(index, title, parameters);
        int output = b.Reserve(b.InputLength);
        b.Add(new PositionStep(b.Frame(index, title, inShape, output), steps, dimensions, weight));
    }
}
