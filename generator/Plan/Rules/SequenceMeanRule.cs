using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary><c>[SequenceMean]</c>: <c>[T, d]</c> to <c>[d]</c>, the mean over the tokens (PyTorch's <c>x.mean(dim=1)</c> on a batch).</summary>
internal sealed class SequenceMeanRule : LayerRule
{
    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        var inShape = b.ShapeNow;
        (int steps, int features) = SequenceShapes.Read(layer, described, b);
        b.RankKnown = true;
        b.Shape.Clear();
        b.Shape.Add(features);
        string title = Title(layer);
        b.Summarize(index, title);
        int output = b.Reserve(b.InputLength);
        b.Add(new SequenceMeanStep(b.Frame(index, title, inShape, output), steps, features));
    }

    public override void PlanUnreadable(LayerDeclaration layer, PlanBuilder b)
    {
        b.Shape.Clear();
        b.Shape.Add(LayerSpec.Unknown);
    }
}
