using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary><c>[Flatten]</c>: the input's memory read as a vector; no step of its own at run time.</summary>
internal sealed class FlattenRule : LayerRule
{
    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        if (b.RankKnown && b.Shape.Count == 1)
        {
            b.Report(Diagnostics.FlattenOnFlat, DiagnosticSite.OfLayer(layer.Position), Describe(layer, index), NetworkPlanner.ShapeText(b.Shape));
        }

        var inShape = b.ShapeNow;
        Flat(b);
        string title = Title(layer);
        b.Add(new FlattenStep(b.Frame(index, title, inShape, b.Current)));
        b.Summarize(index, title);
    }

    public override void PlanUnreadable(LayerDeclaration layer, PlanBuilder b) => Flat(b);

    private static void Flat(PlanBuilder b)
    {
        int length = b.InputLength;
        b.RankKnown = true;
        b.Shape.Clear();
        b.Shape.Add(length);
    }
}
