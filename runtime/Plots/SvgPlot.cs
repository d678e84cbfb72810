using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NetGen;

/// <summary>
/// Pictures of training as SVG text, written by NetGen itself (no native code, no reflection, no dependency): line
/// charts of values per epoch (<see cref="LineChart"/>, <see cref="TrainingHistory(NetGen.TrainingHistory, string)"/> from a
/// trainer's history or from series of your own) and a confusion matrix as a heat map
/// (<see cref="ConfusionMatrix(NetGen.ConfusionMatrix, IReadOnlyList{string}, string)"/> from an evaluation, or from counts).
/// Each method returns a whole SVG document; save it with
/// <c>File.WriteAllText(path, svg)</c> and open it in a browser. Every number is written culture-invariantly (the
/// same bytes under any <see cref="CultureInfo.CurrentCulture"/>) and every text is XML-escaped.
/// </summary>
/// <remarks>
/// Axes are linear, with ticks at 1, 2, 2.5 or 5 times a power of ten (a whole step when every x is a whole number, as
/// epochs are). The y axis reaches from the tick at or below the smallest value to the tick at or above the largest;
/// the x axis spans the data exactly. Points whose x or y is NaN or infinite are skipped: the line breaks there and
/// they do not count towards the ranges (a chart with no finite point at all gets the range 0 to 1). Series take the
/// colours of <see cref="Palette"/> in order; each point is marked with a dot when a series has at most 30 points, and
/// a point standing alone between gaps (or a one-epoch history) always is. Text widths are estimated, not measured,
/// so very long titles or names may overrun. The elements carry classes (<c>chart</c>, <c>x-axis</c>, <c>y-axis</c>,
/// <c>tick</c>, <c>series</c>, <c>line</c>, <c>marker</c>, <c>legend</c>, <c>cell</c>, <c>count</c>) and data attributes
/// (<c>data-value</c>, <c>data-name</c>, <c>data-true</c>, <c>data-predicted</c>, <c>data-count</c>) for styling and for
/// tools that read the picture back.
/// </remarks>
public static partial class SvgPlot
{
    /// <summary>The default width of <see cref="LineChart"/>, in pixels.</summary>
    public const int DefaultWidth = 480;

    /// <summary>The default height of <see cref="LineChart"/>, in pixels.</summary>
    public const int DefaultHeight = 320;

    private const int MinimumWidth = 160;
    private const int MinimumHeight = 120;
    private const int MarkedPoints = 30;
    private const double TitleSize = 14, LegendSize = 12, TickSize = 11, LabelSize = 12;

    // matplotlib's "tab10", the colours people know from PyTorch and Keras plots.
    private static readonly string[] s_palette =
    {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    };

    /// <summary>The colours of series 0, 1, 2, ... (matplotlib's <c>tab10</c>), as <c>#rrggbb</c>; the 11th reuses the first.</summary>
    public static IReadOnlyList<string> Palette => s_palette;

    /// <summary>A line chart of one or more series on shared linear axes, with a legend above the plot.</summary>
    /// <param name="title">The chart's title, above it; empty for none.</param>
    /// <param name="xLabel">The x axis's label (for a history, <c>"epoch"</c>); empty for none.</param>
    /// <param name="yLabel">The y axis's label; empty for none.</param>
    /// <param name="series">The lines, drawn in order (later over earlier) in the colours of <see cref="Palette"/>.</param>
    /// <param name="width">The picture's width in pixels, at least 160.</param>
    /// <param name="height">The picture's height in pixels, at least 120.</param>
    /// <returns>An SVG document.</returns>
    /// <exception cref="ArgumentNullException">A text or <paramref name="series"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="series"/> is empty or holds a null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is too small.</exception>
    public static string LineChart(
        string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        CheckSeries(series, nameof(series));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, MinimumWidth);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, MinimumHeight);

        var svg = new StringBuilder();
        Open(svg, width, height);
        WriteChart(svg, 0, 0, width, height, title, xLabel, yLabel, series);
        return Close(svg);
    }

    /// <summary>
    /// A training history: the losses per epoch on the left (training and validation, say) and a metric per epoch
    /// (accuracy, MAE, ...) on the right, each against the epoch, under one title; as Keras users plot
    /// <c>history.history</c>. Make the series with <see cref="PlotSeries.PerEpoch(string, IReadOnlyList{float})"/>.
    /// </summary>
    /// <param name="losses">The loss curves, for example <c>"training"</c> and <c>"validation"</c>.</param>
    /// <param name="metrics">The metric's curves, on a second chart; null or empty for a loss chart alone.</param>
    /// <param name="metricTitle">The second chart's title and y label (<c>"accuracy"</c>, <c>"MAE"</c>, ...).</param>
    /// <param name="title">The title over both charts; empty for none.</param>
    /// <returns>An SVG document, 960 × 360 pixels with a metric chart, 480 × 360 without.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="losses"/> or a text is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="losses"/> is empty, or a list holds a null.</exception>
    public static string TrainingHistory(
        IReadOnlyList<PlotSeries> losses, IReadOnlyList<PlotSeries>? metrics = null, string metricTitle = "accuracy", string title = "Training history")
    {
        CheckSeries(losses, nameof(losses));
        ArgumentNullException.ThrowIfNull(metricTitle);
        ArgumentNullException.ThrowIfNull(title);
        bool twoCharts = metrics is not null && metrics.Count > 0;
        if (twoCharts)
        {
            CheckSeries(metrics!, nameof(metrics));
        }

        int top = title.Length == 0 ? 0 : 30;
        int width = twoCharts ? 2 * DefaultWidth : DefaultWidth, height = top + 330;
        var svg = new StringBuilder();
        Open(svg, width, height);
        if (title.Length != 0)
        {
            Text(svg, width / 2.0, 22, title, 16, "middle", "class=\"title\" font-weight=\"bold\"");
        }

        WriteChart(svg, 0, top, DefaultWidth, height - top, "loss", "epoch", "loss", losses);
        if (twoCharts)
        {
            WriteChart(svg, DefaultWidth, top, DefaultWidth, height - top, metricTitle, "epoch", metricTitle, metrics!);
        }

        return Close(svg);
    }

    /// <summary>
    /// A confusion matrix as a heat map: row <c>i</c> is the true class <c>i</c>, column <c>j</c> the predicted class
    /// <c>j</c> (scikit-learn's layout), each cell shaded from white (0) to dark blue (the largest count) with its count
    /// written in it, and a colour bar from 0 to the largest count.
    /// </summary>
    /// <param name="counts">The counts, square: <c>counts[true, predicted]</c>, none negative.</param>
    /// <param name="labels">The class names, one per row; null for 0, 1, 2, ...</param>
    /// <param name="title">The title above the matrix; empty for none.</param>
    /// <returns>An SVG document, sized to the matrix.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="counts"/> or <paramref name="title"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="counts"/> is empty, not square or holds a negative count, or <paramref name="labels"/> has
    /// another length than the matrix or holds a null.
    /// </exception>
    public static string ConfusionMatrix(int[,] counts, IReadOnlyList<string>? labels = null, string title = "Confusion matrix")
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(title);
        int n = counts.GetLength(0);
        if (n != counts.GetLength(1))
        {
            throw new ArgumentException($"A confusion matrix is square (true × predicted classes); got {n} × {counts.GetLength(1)}.", nameof(counts));
        }

        if (n == 0)
        {
            throw new ArgumentException("The confusion matrix is empty; it needs at least one class.", nameof(counts));
        }

        if (labels is not null && labels.Count != n)
        {
            throw new ArgumentException($"There are {labels.Count} labels for a {n} × {n} confusion matrix; give one per class.", nameof(labels));
        }

        var names = new string[n];
        for (int i = 0; i < n; i++)
        {
            names[i] = labels is null ? i.ToString(CultureInfo.InvariantCulture) : labels[i] ?? throw new ArgumentException($"Label {i} is null.", nameof(labels));
        }

        int max = 0, digits = 1, labelChars = 1;
        for (int i = 0; i < n; i++)
        {
            labelChars = Math.Max(labelChars, names[i].Length);
            for (int j = 0; j < n; j++)
            {
                int count = counts[i, j];
                if (count < 0)
                {
                    throw new ArgumentException($"Count [{i}, {j}] (true {names[i]}, predicted {names[j]}) is {count}; counts are 0 or more.", nameof(counts));
                }

                max = Math.Max(max, count);
                digits = Math.Max(digits, Digits(count));
            }
        }

        double cell = Math.Max(36, 10 + (7 * digits));
        double labelWidth = (labelChars * 7.0) + 8;
        bool rotate = labelChars * 7.0 > cell - 4;
        double columnLabels = rotate ? labelWidth + 4 : 18;
        double left = 24 + labelWidth, top = title.Length == 0 ? 12 : 36, grid = n * cell;
        double barLeft = left + grid + 16, barWidth = 12;
        double width = Math.Max(barLeft + barWidth + 8 + (7 * Digits(max)) + 12, (title.Length * TitleSize * 0.6) + 20);
        double height = top + grid + columnLabels + 30;

        var svg = new StringBuilder();
        Open(svg, width, height);
        svg.Append("<defs><linearGradient id=\"netgen-confusion-scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">")
           .Append("<stop offset=\"0\" stop-color=\"").Append(Shade(0)).Append("\"/>")
           .Append("<stop offset=\"1\" stop-color=\"").Append(Shade(1)).Append("\"/>")
           .Append("</linearGradient></defs>\n");
        if (title.Length != 0)
        {
            Text(svg, width / 2, 22, title, TitleSize, "middle", "class=\"title\" font-weight=\"bold\"");
        }

        svg.Append("<g class=\"matrix\">\n");
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int count = counts[i, j];
                double t = max == 0 ? 0 : (double)count / max;
                double x = left + (j * cell), y = top + (i * cell);
                string shade = Shade(t);
                svg.Append("<rect class=\"cell\" data-true=\"").Append(i.ToString(CultureInfo.InvariantCulture))
                   .Append("\" data-predicted=\"").Append(j.ToString(CultureInfo.InvariantCulture))
                   .Append("\" data-count=\"").Append(count.ToString(CultureInfo.InvariantCulture))
                   .Append("\" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y))
                   .Append("\" width=\"").Append(N(cell)).Append("\" height=\"").Append(N(cell))
                   .Append("\" fill=\"").Append(shade).Append("\" stroke=\"#ffffff\"><title>")
                   .Append(Escape($"true {names[i]}, predicted {names[j]}: {count.ToString(CultureInfo.InvariantCulture)}"))
                   .Append("</title></rect>\n");
                Text(svg, x + (cell / 2), y + (cell / 2) + 4, count.ToString(CultureInfo.InvariantCulture), TickSize, "middle",
                     "class=\"count\" fill=\"" + (t > 0.5 ? "#ffffff" : "#000000") + "\"");
            }
        }

        svg.Append("</g>\n<g class=\"labels\">\n");
        for (int i = 0; i < n; i++)
        {
            Text(svg, left - 6, top + (i * cell) + (cell / 2) + 4, names[i], TickSize, "end", "class=\"row-label\"");
            double cx = left + (i * cell) + (cell / 2), cy = top + grid + 14;
            if (rotate)
            {
                string at = N(cx + 4) + " " + N(top + grid + 6);
                Text(svg, cx + 4, top + grid + 6, names[i], TickSize, "end", "class=\"column-label\" transform=\"rotate(-90 " + at + ")\"");
            }
            else
            {
                Text(svg, cx, cy, names[i], TickSize, "middle", "class=\"column-label\"");
            }
        }

        Text(svg, left + (grid / 2), top + grid + columnLabels + 18, "predicted", LabelSize, "middle", "class=\"x-label\"");
        string middle = N(14) + " " + N(top + (grid / 2));
        Text(svg, 14, top + (grid / 2), "true", LabelSize, "middle", "class=\"y-label\" transform=\"rotate(-90 " + middle + ")\"");
        svg.Append("</g>\n<g class=\"colorbar\">\n");
        svg.Append("<rect x=\"").Append(N(barLeft)).Append("\" y=\"").Append(N(top)).Append("\" width=\"").Append(N(barWidth))
           .Append("\" height=\"").Append(N(grid)).Append("\" fill=\"url(#netgen-confusion-scale)\" stroke=\"#333333\"/>\n");
        Text(svg, barLeft + barWidth + 4, top + 8, max.ToString(CultureInfo.InvariantCulture), TickSize, "start", "class=\"colorbar-max\"");
        Text(svg, barLeft + barWidth + 4, top + grid, "0", TickSize, "start", "class=\"colorbar-min\"");
        svg.Append("</g>\n");
        return Close(svg);
    }

    /// <summary>The heat map's colour at <paramref name="t"/> in [0, 1]: white-blue to dark blue (matplotlib's "Blues" ends).</summary>
    internal static string Shade(double t)
    {
        // From #f7fbff to #08306b, straight in sRGB.
        int r = (int)Math.Round(247 + ((8 - 247) * t)), g = (int)Math.Round(251 + ((48 - 251) * t)), b = (int)Math.Round(255 + ((107 - 255) * t));
        return "#" + r.ToString("x2", CultureInfo.InvariantCulture) + g.ToString("x2", CultureInfo.InvariantCulture) + b.ToString("x2", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Replaces the five characters XML reserves with entities, and what XML 1.0 cannot hold at all (control characters
    /// other than tab, line feed and carriage return; U+FFFE, U+FFFF; unpaired surrogates) with U+FFFD.
    /// </summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&apos;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        escaped.Append(c).Append(text[++i]);
                    }
                    else if ((c < ' ' && c is not ('\t' or '\n' or '\r')) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
                    {
                        escaped.Append('\uFFFD');
                    }
                    else
                    {
                        escaped.Append(c);
                    }

                    break;
            }
        }

        return escaped.ToString();
    }

    private static void CheckSeries(IReadOnlyList<PlotSeries> series, string argument)
    {
        ArgumentNullException.ThrowIfNull(series, argument);
        if (series.Count == 0)
        {
            throw new ArgumentException("There are no series to draw; give at least one.", argument);
        }

        for (int i = 0; i < series.Count; i++)
        {
            if (series[i] is null)
            {
                throw new ArgumentException($"Series {i} is null.", argument);
            }
        }
    }

    private static void WriteChart(
        StringBuilder svg, double originX, double originY, double width, double height, string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series)
    {
        // The ranges of the finite points.
        double xLow = double.PositiveInfinity, xHigh = double.NegativeInfinity, yLow = double.PositiveInfinity, yHigh = double.NegativeInfinity;
        bool integral = true;
        foreach (PlotSeries line in series)
        {
            for (int i = 0; i < line.Count; i++)
            {
                double x = line.X[i], y = line.Y[i];
                if (double.IsFinite(x) && double.IsFinite(y))
                {
                    xLow = Math.Min(xLow, x);
                    xHigh = Math.Max(xHigh, x);
                    yLow = Math.Min(yLow, y);
                    yHigh = Math.Max(yHigh, y);
                    integral &= x == Math.Floor(x);
                }
            }
        }

        if (xLow > xHigh)
        {
            xLow = yLow = 0;
            xHigh = yHigh = 1;
        }

        PlotAxis xAxis = PlotAxis.Create(xLow, xHigh, extend: false, integral);
        PlotAxis yAxis = PlotAxis.Create(yLow, yHigh, extend: true, integral: false);

        // Layout: title, legend rows, plot, x ticks and label; y label and ticks on the left.
        int yChars = 1;
        foreach (double tick in yAxis.Ticks)
        {
            yChars = Math.Max(yChars, yAxis.Label(tick).Length);
        }

        double plotLeft = (yLabel.Length == 0 ? 10 : 28) + (yChars * TickSize * 0.6) + 8;
        double plotRight = width - 16;
        double legendTop = title.Length == 0 ? 18 : 40;
        var legendAt = new List<(double X, double Y)>();
        double itemX = plotLeft, itemY = legendTop;
        foreach (PlotSeries line in series)
        {
            double itemWidth = 24 + (line.Name.Length * LegendSize * 0.6) + 16;
            if (itemX > plotLeft && itemX + itemWidth - 16 > plotRight)
            {
                itemX = plotLeft;
                itemY += 16;
            }

            legendAt.Add((itemX, itemY));
            itemX += itemWidth;
        }

        double plotTop = itemY + 12;
        double plotBottom = height - (xLabel.Length == 0 ? 26 : 44);

        svg.Append("<svg class=\"chart\" x=\"").Append(N(originX)).Append("\" y=\"").Append(N(originY))
           .Append("\" width=\"").Append(N(width)).Append("\" height=\"").Append(N(height)).Append("\">\n");
        if (title.Length != 0)
        {
            Text(svg, width / 2, 22, title, TitleSize, "middle", "class=\"title\" font-weight=\"bold\"");
        }

        // Grid lines with the ticks' labels; then the frame over them.
        svg.Append("<g class=\"x-axis\">\n");
        foreach (double tick in xAxis.Ticks)
        {
            double x = xAxis.Map(tick, plotLeft, plotRight);
            svg.Append("<g class=\"tick\" data-value=\"").Append(R(tick)).Append("\"><line x1=\"").Append(N(x)).Append("\" y1=\"").Append(N(plotTop))
               .Append("\" x2=\"").Append(N(x)).Append("\" y2=\"").Append(N(plotBottom + 5)).Append("\" stroke=\"#e3e3e3\"/>");
            Text(svg, x, plotBottom + 17, xAxis.Label(tick), TickSize, "middle", null, newLine: false);
            svg.Append("</g>\n");
        }

        if (xLabel.Length != 0)
        {
            Text(svg, (plotLeft + plotRight) / 2, height - 8, xLabel, LabelSize, "middle", "class=\"x-label\"");
        }

        svg.Append("</g>\n<g class=\"y-axis\">\n");
        foreach (double tick in yAxis.Ticks)
        {
            double y = yAxis.Map(tick, plotBottom, plotTop);
            svg.Append("<g class=\"tick\" data-value=\"").Append(R(tick)).Append("\"><line x1=\"").Append(N(plotLeft - 5)).Append("\" y1=\"").Append(N(y))
               .Append("\" x2=\"").Append(N(plotRight)).Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"#e3e3e3\"/>");
            Text(svg, plotLeft - 8, y + 4, yAxis.Label(tick), TickSize, "end", null, newLine: false);
            svg.Append("</g>\n");
        }

        if (yLabel.Length != 0)
        {
            double middle = (plotTop + plotBottom) / 2;
            Text(svg, 16, middle, yLabel, LabelSize, "middle", "class=\"y-label\" transform=\"rotate(-90 " + N(16) + " " + N(middle) + ")\"");
        }

        svg.Append("</g>\n");
        svg.Append("<rect class=\"frame\" x=\"").Append(N(plotLeft)).Append("\" y=\"").Append(N(plotTop)).Append("\" width=\"").Append(N(plotRight - plotLeft))
           .Append("\" height=\"").Append(N(plotBottom - plotTop)).Append("\" fill=\"none\" stroke=\"#333333\"/>\n");

        // The series: a polyline per run of drawable points, dots where the points are few or alone.
        var points = new StringBuilder();
        for (int s = 0; s < series.Count; s++)
        {
            PlotSeries line = series[s];
            string colour = s_palette[s % s_palette.Length];
            svg.Append("<g class=\"series\" data-name=\"").Append(Escape(line.Name)).Append("\" stroke=\"").Append(colour).Append("\" fill=\"").Append(colour).Append("\">\n");
            bool markAll = line.Count <= MarkedPoints;
            int start = 0;
            while (start < line.Count)
            {
                while (start < line.Count && !Drawable(line, start))
                {
                    start++;
                }

                int end = start;
                while (end < line.Count && Drawable(line, end))
                {
                    end++;
                }

                if (end - start >= 2)
                {
                    points.Clear();
                    for (int i = start; i < end; i++)
                    {
                        points.Append(i == start ? "" : " ")
                              .Append(N(xAxis.Map(line.X[i], plotLeft, plotRight))).Append(',')
                              .Append(N(yAxis.Map(line.Y[i], plotBottom, plotTop)));
                    }

                    svg.Append("<polyline class=\"line\" points=\"").Append(points).Append("\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n");
                }

                for (int i = start; i < end; i++)
                {
                    if (markAll || end - start == 1)
                    {
                        svg.Append("<circle class=\"marker\" cx=\"").Append(N(xAxis.Map(line.X[i], plotLeft, plotRight)))
                           .Append("\" cy=\"").Append(N(yAxis.Map(line.Y[i], plotBottom, plotTop))).Append("\" r=\"3\" stroke=\"none\"/>\n");
                    }
                }

                start = end;
            }

            svg.Append("</g>\n");
        }

        // The legend, above the plot.
        svg.Append("<g class=\"legend\">\n");
        for (int s = 0; s < series.Count; s++)
        {
            (double x, double y) = legendAt[s];
            string colour = s_palette[s % s_palette.Length];
            svg.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(N(y - 4)).Append("\" x2=\"").Append(N(x + 18)).Append("\" y2=\"").Append(N(y - 4))
               .Append("\" stroke=\"").Append(colour).Append("\" stroke-width=\"2\"/>");
            Text(svg, x + 24, y, series[s].Name, LegendSize, "start", null);
        }

        svg.Append("</g>\n</svg>\n");
    }

    private static bool Drawable(PlotSeries line, int i) => double.IsFinite(line.X[i]) && double.IsFinite(line.Y[i]);

    private static void Open(StringBuilder svg, double width, double height)
    {
        string w = N(Math.Ceiling(width)), h = N(Math.Ceiling(height));
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(w).Append("\" height=\"").Append(h)
           .Append("\" viewBox=\"0 0 ").Append(w).Append(' ').Append(h)
           .Append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"#000000\">\n")
           .Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    }

    private static string Close(StringBuilder svg) => svg.Append("</svg>\n").ToString();

    private static void Text(StringBuilder svg, double x, double y, string text, double size, string anchor, string? attributes, bool newLine = true)
    {
        svg.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" font-size=\"").Append(N(size))
           .Append("\" text-anchor=\"").Append(anchor).Append('"');
        if (attributes is not null)
        {
            svg.Append(' ').Append(attributes);
        }

        svg.Append('>').Append(Escape(text)).Append("</text>");
        if (newLine)
        {
            svg.Append('\n');
        }
    }

    private static int Digits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;

    /// <summary>A coordinate: at most two decimals, invariant.</summary>
    private static string N(double value)
    {
        double rounded = Math.Round(value, 2);
        return rounded == 0 ? "0" : rounded.ToString("0.##", CultureInfo.InvariantCulture); // never "-0"
    }

    /// <summary>A value, round-trippable, invariant.</summary>
    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
