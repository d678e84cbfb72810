using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>An element-wise activation on its own (not right after a dense layer or a convolution), or softmax.</summary>
internal sealed class ActivationRule : LayerRule
{
    public override string Title(LayerDeclaration layer) => layer.Kind == LayerKind.LeakyReLU
        ? $"LeakyReLU({NetworkPlanner.Number(layer.Scalar ?? 0.01f)})"
        : layer.Kind.ToString();

    public static ActivationSpec Read(LayerDeclaration layer) => new(layer.Kind, layer.Scalar ?? 0f);

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        ActivationSpec spec = Read(layer);
        if (index == 0)
        {
            b.Report(Diagnostics.ActivationFirst, DiagnosticSite.OfLayer(layer.Position), described);
        }

        NetworkPlanner.CheckActivationFollower(b.Layers, index, b.Diagnostics);
        if (spec.Kind == LayerKind.Softmax && index != b.Layers.Count - 1)
        {
            b.Report(Diagnostics.SoftmaxNotLast, DiagnosticSite.OfLayer(layer.Position), described);
        }

        // A standalone activation's input is kept anyway (it is the previous layer's output), so GELU's backward reads
        // it there instead of needing a slot of its own.
        int output = b.Reserve(b.InputLength);
        string title = Title(layer);
        StepFrame frame = b.Frame(index, title, b.ShapeNow, output);
        b.Add(spec.Kind == LayerKind.Softmax ? new SoftmaxStep(frame) : new ActivationStep(frame, spec.Kind, spec.Slope));
        b.Summarize(index, title);
    }
}
