using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;


namespace NetGen.Generator.Plan.Rules;

/// <summary><c>[BatchNorm1D]</c> and <c>[BatchNorm2D]</c>: rank checks, options, parameters, buffers, workspace.</summary>
internal sealed class BatchNormRule : LayerRule
{
    private const float DefaultMomentum = 0.1f;
    private const float DefaultEpsilon = 1e-5f;

    /// <summary>The layer as written: <c>BatchNorm2D</c>, or <c>BatchNorm1D(Momentum = 0.01)</c> with the options given.</summary>
    public override string Title(LayerDeclaration layer)
    {
        var options = new List<string>();
        foreach (string name in new[] { "Momentum", "Epsilon" })
        {
            if (layer.FloatOption(name) is float value)
            {
                options.Add($"{name} = {value.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        string kind = layer.Kind.ToString();
        return options.Count == 0 ? kind : $"{kind}({string.Join(", ", options)})";
    }

    public static BatchNormSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
    {
        float momentum = layer.FloatOption("Momentum") ?? DefaultMomentum;
        if (!(momentum >= 0f && momentum <= 1f))
        {
            b.Report(Diagnostics.MomentumOutOfRange, DiagnosticSite.OfLayer(layer.Position, "Momentum"), described, momentum.ToString("R", CultureInfo.InvariantCulture));
            momentum = DefaultMomentum;
        }

        float epsilon = layer.FloatOption("Epsilon") ?? DefaultEpsilon;
        if (!(epsilon > 0f) || float.IsInfinity(epsilon))
        {
            b.Report(Diagnostics.EpsilonNotPositive, DiagnosticSite.OfLayer(layer.Position, "Epsilon"), described, epsilon.ToString("R", CultureInfo.InvariantCulture));
            epsilon = DefaultEpsilon;
        }

        return new BatchNormSpec(layer.Kind == LayerKind.BatchNorm2D, momentum, epsilon);
    }

    /// <remarks>With the rank unknown (no readable [Input]) the rank checks stay quiet.</remarks>
    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string title = Title(layer);
        string described = Describe(layer, index);
        List<int> shape = b.Shape;
        bool is2D = layer.Kind == LayerKind.BatchNorm2D;
        string input = NetworkPlanner.Dimensions(shape);
        if (!b.RankKnown)
        {
            // The rank is not known (the [Input] is wrong): nothing to check it against.
        }
        else if (!is2D && shape.Count > 2)
        {
            string channelCount = shape[0] != LayerSpec.Unknown ? shape[0].ToString(CultureInfo.InvariantCulture) + " " : string.Empty;
            string fix = shape.Count == 3
                ? $"for an image use [BatchNorm2D], which normalizes each of its {channelCount}channels over the batch and every pixel"
                : "give it a vector or a sequence, for example with [Flatten] before it";
            b.Report(Diagnostics.BatchNorm1DRank, DiagnosticSite.OfLayer(layer.Position), described, input, fix);
        }
        else if (is2D && shape.Count != 3)
        {
            string fix = shape.Count < 3
                ? $"for a vector [C] or a sequence [C, L] use [BatchNorm1D]"
                : "declare the input as channels-first [C, H, W]";
            b.Report(Diagnostics.BatchNorm2DRank, DiagnosticSite.OfLayer(layer.Position), described, input, fix);
        }

        BatchNormSpec spec = Read(layer, described, b);
        int length = b.InputLength;
        int channels = shape[0];
        int spatial = channels > 0 ? length / channels : 0; // 0: a size upstream is wrong (reported there)
        string prefix = b.Prefix(layer, index);
        int[] channelShape = { channels };
        bool listed = b.ParametersFit(2L * channels);
        ParameterSlot weight = b.Parameter(prefix + ".weight", channelShape, channels, listed);
        ParameterSlot bias = b.Parameter(prefix + ".bias", channelShape, channels, listed);

        bool buffersListed = b.BuffersFit(NormalizationPlan.BufferLength(channels));
        int meanOffset = b.Buffer(prefix + ".running_mean", channelShape, channels, buffersListed);
        b.Buffer(prefix + ".running_var", channelShape, channels, buffersListed);
        b.Buffer(prefix + ".num_batches_tracked", System.Array.Empty<int>(), 1, buffersListed, isCount: true);

        // y = x·a + b per element in inference: one multiply-add.
        long layerFlops = 2L * length;
        b.AddFlops(layerFlops);
        int output = b.Reserve(length);
        int statistics = b.Reserve(2 * channels);
        var normalization = new NormalizationPlan(channels, spatial, spec.Momentum, spec.Epsilon, statistics, meanOffset, prefix);
        b.Add(new BatchNormStep(b.Frame(index, title, b.ShapeNow, output), layerFlops, weight, bias, normalization));
        b.Summarize(index, title, 2L * channels, layerFlops);
    }
}
