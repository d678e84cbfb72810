using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>What the layers over a sequence <c>[T, d]</c> share: the check of their input and of their options.</summary>
internal static class SequenceShapes
{
    /// <summary>
    /// T and d of the input, reporting NG0045 when it is not <c>[T, d]</c> (unknown sizes are 0, and the check stays quiet
    /// while the rank is not known).
    /// </summary>
    public static (int Steps, int Features) Read(LayerDeclaration layer, string described, PlanBuilder b)
    {
        List<int> shape = b.Shape;
        if (shape.Count == 2)
        {
            return (shape[0], shape[1]);
        }

        if (b.RankKnown)
        {
            b.Report(Diagnostics.SequenceInputRank, DiagnosticSite.OfLayer(layer.Position), described, NetworkPlanner.Dimensions(shape), Fix(shape));
        }

        return (LayerSpec.Unknown, LayerSpec.Unknown);
    }

    private static string Fix(List<int> shape) => shape.Count switch
    {
        1 => "declare [Input(T, d)] with the tokens and their features, or start from token ids with [Input(T)] and [Embedding(vocabulary, d)]",
        _ => "make it [T, d] first: a sequence of T vectors of d features",
    };

    /// <summary>A probability option in [0, 1) (dropout), reporting NG0047 otherwise; 0 when it is wrong.</summary>
    public static float Probability(LayerDeclaration layer, string option, float fallback, string described, PlanBuilder b)
    {
        float p = layer.FloatOption(option) ?? fallback;
        if (!(p >= 0f && p < 1f))
        {
            b.Report(Diagnostics.AttentionOptionOutOfRange, DiagnosticSite.OfLayer(layer.Position, option), described, option, NetworkPlanner.Number(p), "a dropout probability is at least 0 and less than 1");
            return 0f;
        }

        return p;
    }

    /// <summary>An epsilon option greater than 0, reporting NG0047 otherwise; the default when it is wrong.</summary>
    public static float Epsilon(LayerDeclaration layer, string described, PlanBuilder b)
    {
        float epsilon = layer.FloatOption("Epsilon") ?? 1e-5f;
        if (!(epsilon > 0f) || float.IsInfinity(epsilon))
        {
            b.Report(Diagnostics.AttentionOptionOutOfRange, DiagnosticSite.OfLayer(layer.Position, "Epsilon"), described, "Epsilon", NetworkPlanner.Number(epsilon), "it keeps 1/sqrt(variance + Epsilon) finite, so it must be a finite number greater than 0, such as PyTorch's default 1e-5f");
            return 1e-5f;
        }

        return epsilon;
    }

    /// <summary>A count argument greater than 0 (heads, feed-forward units), reporting NG0047 otherwise; unknown when it is wrong.</summary>
    public static int Count(LayerDeclaration layer, int position, string argument, string what, string described, PlanBuilder b)
    {
        int value = position < layer.Sizes.Count ? layer.Sizes[position] : 0;
        if (value <= 0)
        {
            b.Report(Diagnostics.AttentionOptionOutOfRange, DiagnosticSite.OfLayer(layer.Position, argument), described, argument, value, what);
            return LayerSpec.Unknown;
        }

        return value;
    }

    /// <summary>Reports NG0046 when <paramref name="heads"/> does not divide <paramref name="features"/> (both known).</summary>
    public static void CheckHeads(LayerDeclaration layer, int features, int heads, string described, PlanBuilder b)
    {
        if (features == LayerSpec.Unknown || heads == LayerSpec.Unknown || features % heads == 0)
        {
            return;
        }

        int suggestion = heads;
        while (features % suggestion != 0)
        {
            suggestion--;
        }

        b.Report(Diagnostics.HeadsDoNotDivide, DiagnosticSite.OfLayer(layer.Position, "heads"), described, features, heads, suggestion);
    }
}
