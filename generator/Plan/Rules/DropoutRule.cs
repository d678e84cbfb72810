using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary><c>[Dropout(p)]</c>: inverted dropout in training, the identity in inference; the mask kept for backward.</summary>
internal sealed class DropoutRule : LayerRule
{
    public override string Title(LayerDeclaration layer) => $"Dropout({NetworkPlanner.Number(layer.Scalar ?? 0f)})";

    public static DropoutSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
    {
        float p = layer.Scalar ?? 0f;
        if (!(p >= 0f && p < 1f))
        {
            b.Report(Diagnostics.DropoutOutOfRange, DiagnosticSite.OfLayer(layer.Position, "probability"), described, p.ToString("R", CultureInfo.InvariantCulture));
            p = 0f;
        }

        return new DropoutSpec(p);
    }

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        DropoutSpec spec = Read(layer, Describe(layer, index), b);
        int length = b.InputLength;
        int output = b.Reserve(length);
        int mask = b.Reserve(length);
        string title = Title(layer);
        b.Add(new DropoutStep(b.Frame(index, title, b.ShapeNow, output), spec.Probability, mask));
        b.Summarize(index, title);
    }
}
