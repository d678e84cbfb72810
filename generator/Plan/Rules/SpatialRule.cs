using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;


namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// Convolution and pooling layers: reads their arguments (square or per-axis kernel, stride, padding, dilation) into a
/// <see cref="SpatialSpec"/>, checks them against the input's shape, infers the output shape with PyTorch's floor
/// rounding, and lays out parameters and workspace. A 1-D layer is planned as a 2-D one of height 1.
/// </summary>
internal sealed class SpatialRule : LayerRule
{
    private const int Unknown = LayerSpec.Unknown;

    public override string Title(LayerDeclaration layer) => TitleOf(layer);

    /// <summary>Reads the layer's window and options; each wrong value is reported and leaves its axis unknown.</summary>
    public static SpatialSpec Read(LayerDeclaration layer, string title, List<DiagnosticInfo> diagnostics, int inHeight, int inWidth)
    {
        bool twoD = layer.Kind is LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D;
        bool global = layer.Kind == LayerKind.GlobalAvgPool;
        bool conv = layer.Kind is LayerKind.Conv1D or LayerKind.Conv2D;
        bool max = layer.Kind is LayerKind.MaxPool1D or LayerKind.MaxPool2D;
        int filters = conv ? Positive(layer, 0, "filters", title, diagnostics) : Unknown;

        SpatialAxis rows, columns;
        if (global)
        {
            rows = new SpatialAxis(inHeight, string.Empty, 1, string.Empty, 0, string.Empty, 1, string.Empty);
            columns = new SpatialAxis(inWidth, string.Empty, 1, string.Empty, 0, string.Empty, 1, string.Empty);
        }
        else
        {
            int first = conv ? 1 : 0;
            bool perAxisKernel = twoD && layer.Sizes.Count == first + 2;
            string kernelHeightName = perAxisKernel ? "kernelHeight" : "kernel";
            string kernelWidthName = perAxisKernel ? "kernelWidth" : "kernel";
            int kernelWidth = Positive(layer, perAxisKernel ? first + 1 : first, kernelWidthName, title, diagnostics);
            int kernelHeight = twoD ? (perAxisKernel ? Positive(layer, first, kernelHeightName, title, diagnostics) : kernelWidth) : 1;
            rows = twoD
                ? ReadAxis(layer, title, kernelHeight, kernelHeightName, "Height", conv, diagnostics)
                : new SpatialAxis(1, string.Empty, 1, string.Empty, 0, string.Empty, 1, string.Empty);
            columns = ReadAxis(layer, title, kernelWidth, kernelWidthName, twoD ? "Width" : string.Empty, conv, diagnostics);
        }

        return new SpatialSpec(conv, twoD, global, max, filters, layer.Bias, rows, columns);
    }

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string title = Describe(layer, index);
        List<int> shape = b.Shape;
        List<DiagnosticInfo> diagnostics = b.Diagnostics;
        var inShape = b.ShapeNow;
        int inLength = b.InputLength;
        bool twoD = layer.Kind is LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D;
        bool global = layer.Kind == LayerKind.GlobalAvgPool;
        bool conv = layer.Kind is LayerKind.Conv1D or LayerKind.Conv2D;
        bool rankKnown = b.RankKnown;
        b.RankKnown = true;
        if (rankKnown && !RankFits(layer, shape, diagnostics, title))
        {
            // The output has the layer's own rank; its sizes (but a convolution's filters) depend on the wrong input.
            int outChannels = conv && layer.Sizes.Count > 0 && layer.Sizes[0] > 0 ? layer.Sizes[0] : Unknown;
            shape.Clear();
            shape.Add(outChannels);
            shape.AddRange(Enumerable.Repeat(Unknown, global ? 0 : twoD ? 2 : 1));
            b.Summarize(index, Title(layer));
            return;
        }

        // An input of unknown rank has sizes that are all unknown.
        int channels = rankKnown ? shape[0] : Unknown;
        int inHeight = !rankKnown ? (twoD ? Unknown : 1) : shape.Count == 3 ? shape[1] : 1;
        int inWidth = rankKnown ? shape[shape.Count - 1] : Unknown;
        SpatialSpec spec = Read(layer, title, diagnostics, inHeight, inWidth);
        int filters = conv ? spec.Filters : channels;
        SpatialAxis rows = spec.Rows, columns = spec.Columns;

        int outHeight = OutputSize(layer, title, inHeight, rows, twoD ? "rows" : string.Empty, conv, diagnostics);
        int outWidth = OutputSize(layer, title, inWidth, columns, twoD ? "columns" : "positions", conv, diagnostics);

        shape.Clear();
        shape.Add(filters);
        if (twoD)
        {
            shape.Add(outHeight);
        }

        if (!global)
        {
            shape.Add(outWidth);
        }

        int outLength = NetworkPlanner.Product(shape);
        int output = b.Reserve(outLength);
        string prefix = b.Prefix(layer, index);
        if (conv)
        {
            // One sample's im2col matrix and, with padding, the padded image: the scratch a thread needs.
            long columnLength = (long)channels * rows.Kernel * columns.Kernel * outHeight * outWidth;
            if (rows.Padding > 0 || columns.Padding > 0)
            {
                columnLength += (long)channels * (inHeight + (2L * rows.Padding)) * (inWidth + (2L * columns.Padding));
            }

            if (columnLength > MaxColumnLength)
            {
                // The im2col matrix (and the weights) would not fit one buffer; the network-wide check cannot
                // see it when the products below overflow, so stop here.
                b.Report(Diagnostics.TooLarge, DiagnosticSite.OfLayer(layer.Position), title, columnLength, "its scratch per thread (one sample's im2col matrix and padded image)", MaxColumnLength, string.Empty);
                b.MoveTo(output);
                return;
            }

            int fanIn = channels * rows.Kernel * columns.Kernel;
            bool identityColumns = rows.Kernel == 1 && columns.Kernel == 1 && rows.Stride == 1 && columns.Stride == 1 && rows.Padding == 0 && columns.Padding == 0;
            int positions = outHeight * outWidth;
            var geometry = Geometry(layer, channels, inHeight, inWidth, filters, outHeight, outWidth, rows, columns, !identityColumns);
            b.NeedScratch(geometry.ScratchLength);

            // An element-wise activation right after is fused into this step's output pass, as for Dense.
            FusedActivationPlan? activation = b.FuseNextActivation(index, outLength);

            long weightLength = (long)filters * fanIn;
            long layerParams = weightLength + (spec.Bias ? filters : 0);
            bool listed = b.ParametersFit(layerParams);
            int[] weightShape = twoD ? new[] { filters, channels, rows.Kernel, columns.Kernel } : new[] { filters, channels, columns.Kernel };
            ParameterSlot weight = b.Parameter(prefix + ".weight", weightShape, weightLength, listed);
            ParameterSlot? bias = spec.Bias ? b.Parameter(prefix + ".bias", new[] { filters }, filters, listed) : null;

            long layerFlops = 2L * filters * fanIn * positions;
            b.AddFlops(layerFlops);
            b.Add(new ConvolutionStep(b.Frame(index, Title(layer), inShape, output), layerFlops, geometry, weight, bias, activation));
            b.Summarize(index, Title(layer), layerParams, layerFlops);
        }
        else
        {
            int mask = spec.IsMax ? b.Reserve(outLength) : -1;
            var geometry = Geometry(layer, channels, inHeight, inWidth, channels, outHeight, outWidth, rows, columns, usesColumns: false);
            long layerFlops = (long)outLength * rows.Kernel * columns.Kernel;
            b.AddFlops(layerFlops);
            b.Add(new PoolingStep(b.Frame(index, Title(layer), inShape, output), layerFlops, spec.IsMax, geometry, mask));
            b.Summarize(index, Title(layer), 0, layerFlops);
        }
    }

    /// <summary>A convolution or pooling layer has its own output rank even when its arguments cannot be read: every size unknown.</summary>
    public override void PlanUnreadable(LayerDeclaration layer, PlanBuilder b)
    {
        int rank = layer.Kind switch
        {
            LayerKind.GlobalAvgPool => 1,
            LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D => 3,
            _ => 2,
        };
        b.Shape.Clear();
        b.Shape.AddRange(Enumerable.Repeat(Unknown, rank));
        b.RankKnown = true;
    }

    /// <summary>The largest im2col matrix a layer may need (floats): a quarter of one buffer.</summary>
    private const long MaxColumnLength = 0x7FFFFFC7 / 4;

    private static ConvolutionGeometry Geometry(LayerDeclaration layer, int channels, int inHeight, int inWidth, int outChannels, int outHeight, int outWidth, SpatialAxis rows, SpatialAxis columns, bool usesColumns)
        => new(
            layer.Kind is LayerKind.Conv1D or LayerKind.MaxPool1D or LayerKind.AvgPool1D || (layer.Kind == LayerKind.GlobalAvgPool && inHeight == 1) ? 1 : 2,
            channels, inHeight, inWidth, outChannels, outHeight, outWidth,
            rows.Kernel, columns.Kernel, rows.Stride, columns.Stride, rows.Padding, columns.Padding, rows.Dilation, columns.Dilation,
            usesColumns);

    private static bool RankFits(LayerDeclaration layer, List<int> shape, List<DiagnosticInfo> diagnostics, string title)
    {
        bool twoD = layer.Kind is LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D;
        bool global = layer.Kind == LayerKind.GlobalAvgPool;
        bool fits = global ? shape.Count is 2 or 3 : shape.Count == (twoD ? 3 : 2);
        if (fits)
        {
            return true;
        }

        string expected = global ? "[C, H, W] or [C, W]" : twoD ? "[C, H, W]" : "[C, W]";
        string oneD = layer.Kind.ToString().Replace("2D", "1D");
        string fix;
        if (shape.Count > 3)
        {
            fix = "samples have no batch axis in NetGen: drop the batch dimension from [Input]";
        }
        else if (shape.Count == 1)
        {
            // An example input only from a known size, never from a made-up one.
            int n = shape[0];
            int side = (int)System.Math.Round(System.Math.Sqrt(n));
            fix = global
                ? "a vector has no positions to average over; remove [GlobalAvgPool]"
                : twoD
                    ? n != Unknown && side * side == n
                        ? $"give the input its channel and spatial axes, e.g. [Input(1, {side}, {side})] for a one-channel {side}×{side} image"
                        : "give the input its channel and spatial axes: [Input(channels, height, width)]"
                    : n != Unknown
                        ? $"give the input a channel axis, e.g. [Input(1, {n})]"
                        : "give the input a channel axis: [Input(channels, width)]";
        }
        else if (twoD)
        {
            fix = $"for a sequence [C, W] use [{oneD}(...)]; for an image declare [Input(channels, height, width)]";
        }
        else
        {
            fix = $"for an image [C, H, W] use [{layer.Kind.ToString().Replace("1D", "2D")}(...)]";
        }

        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.SpatialInputRank, DiagnosticSite.OfLayer(layer.Position), title, expected, NetworkPlanner.Dimensions(shape), fix));
        return false;
    }

    private static int Positive(LayerDeclaration layer, int position, string argument, string title, List<DiagnosticInfo> diagnostics)
    {
        int value = position < layer.Sizes.Count ? layer.Sizes[position] : 0;
        if (value > 0)
        {
            return value;
        }

        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NonPositiveSize, DiagnosticSite.OfLayer(layer.Position, argument), title, argument, value));
        return Unknown;
    }

    /// <summary>Stride, padding and dilation of one axis: the per-axis property (<c>StrideHeight</c>) wins over the two-axis one (<c>Stride</c>).</summary>
    private static SpatialAxis ReadAxis(LayerDeclaration layer, string title, int kernel, string kernelArgument, string suffix, bool conv, List<DiagnosticInfo> diagnostics)
    {
        // Pooling windows step by their own size unless told otherwise, as in PyTorch (an unknown kernel: an unknown stride).
        (int stride, string strideArgument) = Option(layer, "Stride", suffix, conv ? 1 : kernel);
        bool known = kernel != Unknown;

        if (stride < 1 && layer.IntOption(strideArgument) is not null)
        {
            AddOnce(diagnostics, DiagnosticInfo.Create(Diagnostics.NonPositiveStride, DiagnosticSite.OfLayer(layer.Position, strideArgument), title, strideArgument, stride));
        }

        if (stride < 1)
        {
            stride = 1;
            known = false;
        }

        int padding = 0, dilation = 1;
        string paddingArgument = string.Empty, dilationArgument = string.Empty;
        if (conv)
        {
            (padding, paddingArgument) = Option(layer, "Padding", suffix, 0);
            if (padding < 0)
            {
                AddOnce(diagnostics, DiagnosticInfo.Create(Diagnostics.NegativePadding, DiagnosticSite.OfLayer(layer.Position, paddingArgument), title, paddingArgument, padding));
                padding = 0;
                known = false;
            }

            (dilation, dilationArgument) = Option(layer, "Dilation", suffix, 1);
            if (dilation < 1)
            {
                AddOnce(diagnostics, DiagnosticInfo.Create(Diagnostics.NonPositiveStride, DiagnosticSite.OfLayer(layer.Position, dilationArgument), title, dilationArgument, dilation));
                dilation = 1;
                known = false;
            }
        }

        return new SpatialAxis(kernel, kernelArgument, stride, strideArgument, padding, paddingArgument, dilation, dilationArgument, known);
    }

    /// <summary>The per-axis option (<c>StrideHeight</c>), else the two-axis one (<c>Stride</c>), else the default; and which was read.</summary>
    private static (int Value, string Argument) Option(LayerDeclaration layer, string name, string suffix, int fallback)
    {
        if (suffix.Length > 0 && layer.IntOption(name + suffix) is int perAxis)
        {
            return (perAxis, name + suffix);
        }

        return (layer.IntOption(name) ?? fallback, name);
    }

    /// <summary><c>⌊(n + 2p - d(k - 1) - 1) / s⌋ + 1</c>, after checking that the window fits and (pooling) warning about rows left out.</summary>
    /// <remarks>Unknown, with no check, when the input's size or one of the axis's settings is unknown.</remarks>
    private static int OutputSize(LayerDeclaration layer, string title, int size, SpatialAxis axis, string axisName, bool conv, List<DiagnosticInfo> diagnostics)
    {
        if (size == Unknown || !axis.Known)
        {
            return Unknown;
        }

        // In long: a kernel, dilation or padding near int.MaxValue must give an error, not wrap around into a fit.
        long span = ((long)axis.Dilation * (axis.Kernel - 1)) + 1;
        long padded = size + (2L * axis.Padding);
        if (span > padded)
        {
            string padding = axis.Padding > 0 ? $" ({size.ToString(CultureInfo.InvariantCulture)} + 2 × {axis.Padding.ToString(CultureInfo.InvariantCulture)} padding)" : string.Empty;
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelLargerThanInput,
                DiagnosticSite.OfLayer(layer.Position, axis.KernelArgument.Length > 0 ? axis.KernelArgument : null),
                title, span, axisName, padded, padding, conv ? ", or more padding" : string.Empty));
            return Unknown;
        }

        int output = (int)System.Math.Min(((padded - span) / axis.Stride) + 1, int.MaxValue);
        long reached = ((output - 1L) * axis.Stride) + span;
        if (!conv && reached < padded && axis.KernelArgument.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.PoolingDropsEdge,
                DiagnosticSite.OfLayer(layer.Position, axis.KernelArgument),
                title, axis.Kernel, axis.Stride, reached, padded, axisName, padded - reached));
        }

        return output;
    }

    /// <summary>A two-axis option (<c>Stride = 0</c>) is read for both axes; its problem is reported once.</summary>
    private static void AddOnce(List<DiagnosticInfo> diagnostics, DiagnosticInfo diagnostic)
    {
        if (!diagnostics.Contains(diagnostic))
        {
            diagnostics.Add(diagnostic);
        }
    }

    private static string Join(IEnumerable<int> values) => string.Join(", ", values.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The layer as written: <c>Conv2D(6, 5, Padding = 2)</c>, <c>MaxPool2D(2)</c>, <c>GlobalAvgPool</c>.</summary>
    public static string TitleOf(LayerDeclaration layer)
    {
        if (layer.Kind == LayerKind.GlobalAvgPool)
        {
            return "GlobalAvgPool";
        }

        var parts = new List<string>(layer.Sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        foreach (LayerOption option in layer.Options)
        {
            if (option.Integer is int value)
            {
                parts.Add($"{option.Name} = {value.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (!layer.Bias)
        {
            parts.Add("Bias = false");
        }

        return $"{layer.Kind}({string.Join(", ", parts)})";
    }
}
