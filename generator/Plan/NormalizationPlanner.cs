using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;


namespace NetGen.Generator.Plan;

/// <summary>
/// What a batch-norm step needs beyond <see cref="StepPlan"/>: the channel layout of its input and where its
/// running statistics and its kept batch statistics live.
/// </summary>
/// <param name="Channels">C: the first axis of the input.</param>
/// <param name="Spatial">S: positions per channel (1 for [C], L for [C, L], H·W for [C, H, W]).</param>
/// <param name="Momentum">How far a training batch moves the running statistics.</param>
/// <param name="Epsilon">Added to the variance under the square root.</param>
/// <param name="StatisticsOffset">Workspace slot (per sample, 2C floats) whose first 2C floats keep the batch's μ and 1/σ for backward.</param>
/// <param name="MeanOffset">running_mean [C] in the buffer store; running_var [C] follows, then num_batches_tracked [].</param>
/// <param name="Prefix">The layer's name in tensor names (<c>1</c> or the user's <c>Name</c>).</param>
internal sealed record NormalizationPlan(
    int Channels,
    int Spatial,
    float Momentum,
    float Epsilon,
    int StatisticsOffset,
    int MeanOffset,
    string Prefix)
{
    public int VarianceOffset => MeanOffset + Channels;

    public int CountOffset => MeanOffset + (2 * Channels);

    /// <summary>Floats of buffers per layer: running mean and variance, and the batch count.</summary>
    public static int BufferLength(int channels) => (2 * channels) + 1;
}

/// <summary>Plans <c>[BatchNorm1D]</c> and <c>[BatchNorm2D]</c>: rank checks, options, parameters, buffers, workspace.</summary>
internal static class NormalizationPlanner
{
    private const float DefaultMomentum = 0.1f;
    private const float DefaultEpsilon = 1e-5f;

    /// <summary>The layer as written: <c>BatchNorm2D</c>, or <c>BatchNorm1D(Momentum = 0.01)</c> with the options given.</summary>
    public static string Title(LayerDeclaration layer)
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

    /// <summary>Adds the step and its tensors; returns the workspace offset of its output, the next layer's input.</summary>
    /// <remarks>With <paramref name="rankKnown"/> false (no readable [Input]) the rank checks stay quiet.</remarks>
    public static int PlanBatchNorm(
        LayerDeclaration layer, int index, List<int> shape, bool rankKnown, int current, ref long workspace, ref long parameterCount, ref long bufferCount,
        ref long flops, List<TensorPlan> tensors, List<TensorPlan> buffers, List<StepPlan> steps, List<LayerSummary> summary, List<DiagnosticInfo> diagnostics)
    {
        string title = Title(layer);
        string described = NetworkPlanner.Describe(layer, index);
        bool is2D = layer.Kind == LayerKind.BatchNorm2D;
        string input = NetworkPlanner.Dimensions(shape);
        if (!rankKnown)
        {
            // The rank is not known (the [Input] is wrong): nothing to check it against.
        }
        else if (!is2D && shape.Count > 2)
        {
            string channelCount = shape[0] != NetworkPlanner.Unknown ? shape[0].ToString(CultureInfo.InvariantCulture) + " " : string.Empty;
            string fix = shape.Count == 3
                ? $"for an image use [BatchNorm2D], which normalizes each of its {channelCount}channels over the batch and every pixel"
                : "give it a vector or a sequence, for example with [Flatten] before it";
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BatchNorm1DRank, DiagnosticSite.OfLayer(layer.Position), described, input, fix));
        }
        else if (is2D && shape.Count != 3)
        {
            string fix = shape.Count < 3
                ? $"for a vector [C] or a sequence [C, L] use [BatchNorm1D]"
                : "declare the input as channels-first [C, H, W]";
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BatchNorm2DRank, DiagnosticSite.OfLayer(layer.Position), described, input, fix));
        }

        float momentum = layer.FloatOption("Momentum") ?? DefaultMomentum;
        if (!(momentum >= 0f && momentum <= 1f))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MomentumOutOfRange, DiagnosticSite.OfLayer(layer.Position, "Momentum"), described, momentum.ToString("R", CultureInfo.InvariantCulture)));
            momentum = DefaultMomentum;
        }

        float epsilon = layer.FloatOption("Epsilon") ?? DefaultEpsilon;
        if (!(epsilon > 0f) || float.IsInfinity(epsilon))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.EpsilonNotPositive, DiagnosticSite.OfLayer(layer.Position, "Epsilon"), described, epsilon.ToString("R", CultureInfo.InvariantCulture)));
            epsilon = DefaultEpsilon;
        }

        int length = NetworkPlanner.Product(shape);
        int channels = shape[0];
        int spatial = channels > 0 ? length / channels : 0; // 0: a size upstream is wrong (reported there)
        string prefix = layer.Name ?? index.ToString(CultureInfo.InvariantCulture);
        var channelShape = new[] { channels }.ToEquatableArray();
        int weightOffset = (int)System.Math.Min(parameterCount, int.MaxValue);
        int biasOffset = (int)System.Math.Min(parameterCount + channels, int.MaxValue);
        if (parameterCount + (2L * channels) <= int.MaxValue)
        {
            tensors.Add(new TensorPlan(prefix + ".weight", weightOffset, channelShape, channels));
            tensors.Add(new TensorPlan(prefix + ".bias", biasOffset, channelShape, channels));
        }

        parameterCount += 2L * channels;
        int meanOffset = (int)System.Math.Min(bufferCount, int.MaxValue);
        if (bufferCount + NormalizationPlan.BufferLength(channels) <= int.MaxValue)
        {
            buffers.Add(new TensorPlan(prefix + ".running_mean", meanOffset, channelShape, channels));
            buffers.Add(new TensorPlan(prefix + ".running_var", meanOffset + channels, channelShape, channels));
            buffers.Add(new TensorPlan(prefix + ".num_batches_tracked", meanOffset + (2 * channels), EquatableArray<int>.Empty, 1, IsCount: true));
        }

        bufferCount += NormalizationPlan.BufferLength(channels);

        // y = x·a + b per element in inference: one multiply-add.
        long layerFlops = 2L * length;
        flops += layerFlops;
        var outShape = shape.ToEquatableArray();
        int output = NetworkPlanner.Reserve(ref workspace, length);
        int statistics = NetworkPlanner.Reserve(ref workspace, 2 * channels);
        var normalization = new NormalizationPlan(channels, spatial, momentum, epsilon, statistics, meanOffset, prefix);
        steps.Add(new StepPlan(
            StepKind.BatchNorm, index, title, null, -1, 0f, outShape, outShape, length, length, 0, 0, channels, true,
            prefix + ".weight", prefix + ".bias", weightOffset, biasOffset, current, output, -1, -1, layerFlops, Normalization: normalization));
        summary.Add(new LayerSummary(index, title, outShape, 2L * channels, layerFlops));
        return output;
    }
}
