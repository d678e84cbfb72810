using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// <c>[Embedding(vocabulary, dimensions)]</c>, PyTorch's <c>nn.Embedding</c>: the first layer of a network whose input is
/// T token ids, <c>[T]</c> in, <c>[T, D]</c> out; the parameter <c>{i}.weight</c> <c>[V, D]</c>.
/// </summary>
internal sealed class EmbeddingRule : LayerRule
{
    /// <summary>The largest vocabulary whose ids are all exact as floats (2^24), how <c>INetwork</c> and data sets carry them.</summary>
    internal const int MaxVocabulary = 1 << 24;

    public override string Title(LayerDeclaration layer) => $"Embedding({NetworkPlanner.Join(layer.Sizes)})";

    public static EmbeddingSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
    {
        int vocabulary = Size(layer, 0, "vocabulary", described, b);
        int dimensions = Size(layer, 1, "dimensions", described, b);
        if (vocabulary > MaxVocabulary)
        {
            b.Report(Diagnostics.VocabularyTooLarge, DiagnosticSite.OfLayer(layer.Position, "vocabulary"), described, vocabulary.ToString("N0", CultureInfo.InvariantCulture));
        }

        return new EmbeddingSpec(vocabulary, dimensions);
    }

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        if (index > 0)
        {
            b.Report(Diagnostics.EmbeddingNotFirst, DiagnosticSite.OfLayer(layer.Position), described, Describe(b.Layers[0], 0));
        }

        EmbeddingSpec spec = Read(layer, described, b);
        var inShape = b.ShapeNow;
        int steps = b.Shape.Count == 1 ? b.Shape[0] : LayerSpec.Unknown;
        if (b.RankKnown && b.Shape.Count != 1)
        {
            int example = b.Shape[0] != LayerSpec.Unknown ? b.Shape[0] : 16;
            b.Report(Diagnostics.EmbeddingInputRank, DiagnosticSite.OfLayer(layer.Position), described, NetworkPlanner.Dimensions(b.Shape), example);
        }

        b.RankKnown = true;
        b.Shape.Clear();
        b.Shape.Add(steps);
        b.Shape.Add(spec.Dimensions);

        long length = (long)spec.Vocabulary * spec.Dimensions;
        string prefix = b.Prefix(layer, index);
        ParameterSlot weight = b.Parameter(prefix + ".weight", new[] { spec.Vocabulary, spec.Dimensions }, length, b.ParametersFit(length));
        string title = Title(layer);
        b.Summarize(index, title, length);
        int output = b.Reserve(b.InputLength);
        b.Add(new EmbeddingStep(b.Frame(index, title, inShape, output), spec.Vocabulary, spec.Dimensions, steps, weight));
    }

    public override void PlanUnreadable(LayerDeclaration layer, PlanBuilder b)
    {
        int steps = b.Shape.Count == 1 ? b.Shape[0] : LayerSpec.Unknown;
        b.RankKnown = true;
        b.Shape.Clear();
        b.Shape.Add(steps);
        b.Shape.Add(LayerSpec.Unknown);
    }

    private static int Size(LayerDeclaration layer, int position, string argument, string described, PlanBuilder b)
    {
        int value = position < layer.Sizes.Count ? layer.Sizes[position] : 0;
        if (value > 0)
        {
            return value;
        }

        b.Report(Diagnostics.NonPositiveSize, DiagnosticSite.OfLayer(layer.Position, argument), described, argument, value);
        return LayerSpec.Unknown;
    }
}
