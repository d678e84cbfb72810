using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary><c>[Dense(units)]</c>: <c>y = W x + b</c> on the last axis, PyTorch's <c>nn.Linear</c>, an activation after it fused in.</summary>
internal sealed class DenseRule : LayerRule
{
    public override string Title(LayerDeclaration layer)
        => layer.Bias ? $"Dense({NetworkPlanner.Join(layer.Sizes)})" : $"Dense({NetworkPlanner.Join(layer.Sizes)}, bias: false)";

    public static DenseSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
    {
        int units = layer.Sizes.Count > 0 ? layer.Sizes[0] : 0;
        if (units <= 0)
        {
            b.Report(Diagnostics.NonPositiveSize, DiagnosticSite.OfLayer(layer.Position, "units"), described, "units", units);
            units = LayerSpec.Unknown;
        }

        return new DenseSpec(units, layer.Bias);
    }

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        DenseSpec spec = Read(layer, described, b);
        List<int> shape = b.Shape;
        int inLength = b.InputLength;
        var inShape = b.ShapeNow;
        int units = spec.Units;
        int fanIn = shape[shape.Count - 1];
        int rows = fanIn > 0 ? inLength / fanIn : 0;
        if (b.RankKnown && shape.Count >= 3)
        {
            var wouldBe = new List<int>(shape) { [shape.Count - 1] = units };
            string outputs = units != LayerSpec.Unknown ? $" and an output of [{units.ToString(CultureInfo.InvariantCulture)}]" : string.Empty;
            string fix = inLength != LayerSpec.Unknown ? $" to give it {inLength.ToString(CultureInfo.InvariantCulture)} inputs{outputs}" : string.Empty;
            b.Report(Diagnostics.DenseOnImage, DiagnosticSite.OfLayer(layer.Position), described, NetworkPlanner.ShapeText(shape), NetworkPlanner.ShapeText(wouldBe), fix);
        }

        shape[shape.Count - 1] = units;
        long weightLength = (long)units * fanIn;
        long layerParams = weightLength + (spec.Bias ? units : 0);
        string prefix = b.Prefix(layer, index);
        bool listed = b.ParametersFit(layerParams);
        ParameterSlot weight = b.Parameter(prefix + ".weight", new[] { units, fanIn }, weightLength, listed);
        ParameterSlot? bias = spec.Bias ? b.Parameter(prefix + ".bias", new[] { units }, units, listed) : null;

        long layerFlops = 2L * rows * units * fanIn;
        b.AddFlops(layerFlops);
        string title = Title(layer);
        b.Summarize(index, title, layerParams, layerFlops);

        int outLength = b.InputLength;
        int output = b.Reserve(outLength);
        FusedActivationPlan? activation = b.FuseNextActivation(index, outLength);
        b.Add(new DenseStep(b.Frame(index, title, inShape, output), layerFlops, fanIn, units, rows, weight, bias, activation));
    }

    public override void PlanUnreadable(LayerDeclaration layer, PlanBuilder b) => b.Shape[b.Shape.Count - 1] = LayerSpec.Unknown;
}
