using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>
/// <see cref="SvgPlot.LineChart"/> and <see cref="SvgPlot.TrainingHistory"/> read back as XML: the ticks at nice
/// numbers with their labels, every point where the axes' ticks say its numbers are, gaps for NaN and infinities,
/// one-point series, escaping, the legend, culture invariance and the argument checks.
/// </summary>
public sealed class LineChartTests
{
    private const double Pixel = 0.011; // coordinates are written with two decimals

    private static readonly double[] s_loss = { 2.0, 1.0, 0.5, 0.25 };

    [Fact]
    public void Ticks_sit_at_nice_numbers_with_invariant_labels()
    {
        var chart = SvgDocument.Parse(SvgPlot.LineChart("t", "epoch", "loss", new[] { PlotSeries.PerEpoch("training", s_loss) })).Charts.Single();

        // y: 0.25 to 2 in about five steps is a step of 0.5, reaching out to the ticks at or beyond the data.
        Assert.Equal(new[] { "0.0", "0.5", "1.0", "1.5", "2.0" }, chart.Ticks("y-axis").Select(t => t.Label));
        Assert.Equal(new[] { 0, 0.5, 1, 1.5, 2 }, chart.Ticks("y-axis").Select(t => t.Value));

        // x: epochs 1 to 4, whole steps, the data's range exactly.
        Assert.Equal(new[] { "1", "2", "3", "4" }, chart.Ticks("x-axis").Select(t => t.Label));

        // Linear, evenly spaced, y growing upwards; the end ticks on the frame's edges.
        XElement frame = chart.Frame;
        double left = SvgDocument.Number(frame, "x"), top = SvgDocument.Number(frame, "y");
        double right = left + SvgDocument.Number(frame, "width"), bottom = top + SvgDocument.Number(frame, "height");
        double[] ys = chart.Ticks("y-axis").Select(t => t.Position).ToArray();
        double[] xs = chart.Ticks("x-axis").Select(t => t.Position).ToArray();
        Assert.Equal(bottom, ys[0], Pixel);
        Assert.Equal(top, ys[^1], Pixel);
        Assert.Equal(left, xs[0], Pixel);
        Assert.Equal(right, xs[^1], Pixel);
        for (int i = 1; i < ys.Length; i++)
        {
            Assert.Equal((top - bottom) / 4, ys[i] - ys[i - 1], 2 * Pixel);
        }

        for (int i = 1; i < xs.Length; i++)
        {
            Assert.Equal((right - left) / 3, xs[i] - xs[i - 1], 2 * Pixel);
        }
    }

    [Fact]
    public void Each_point_is_where_the_ticks_say_its_numbers_are()
    {
        var series = new[]
        {
            PlotSeries.PerEpoch("training", s_loss),
            new PlotSeries("validation", new double[] { 1, 2, 3, 4 }, new double[] { 1.75, 1.25, 0.75, 0.625 }),
        };
        var chart = SvgDocument.Parse(SvgPlot.LineChart("Loss", "epoch", "loss", series)).Charts.Single();

        // Epoch 3, loss 0.5: on the x tick labelled 3 and the y tick labelled 0.5.
        (double X, double Y)[] training = chart.Lines("training").Single();
        double x3 = chart.Ticks("x-axis").Single(t => t.Label == "3").Position;
        double y05 = chart.Ticks("y-axis").Single(t => t.Label == "0.5").Position;
        Assert.Equal(x3, training[2].X, Pixel);
        Assert.Equal(y05, training[2].Y, Pixel);

        // Every point of both series, through the axes' transform.
        foreach ((string name, double[] values) in new[] { ("training", s_loss), ("validation", new[] { 1.75, 1.25, 0.75, 0.625 }) })
        {
            (double X, double Y)[] points = chart.Lines(name).Single();
            Assert.Equal(4, points.Length);
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(chart.Position("x-axis", i + 1), points[i].X, Pixel);
                Assert.Equal(chart.Position("y-axis", values[i]), points[i].Y, Pixel);
            }

            // Four points are few: each has a dot at the same place.
            Assert.Equal(points, chart.Markers(name));
        }

        Assert.Equal(new[] { "training", "validation" }, chart.LegendNames);
        Assert.Equal(SvgPlot.Palette[0], (string?)chart.Series("training").Attribute("stroke"));
        Assert.Equal(SvgPlot.Palette[1], (string?)chart.Series("validation").Attribute("stroke"));
        Assert.Equal("Loss", chart.Title);
    }

    [Fact]
    public void Non_finite_values_are_skipped_and_break_the_line()
    {
        double[] y = { 1.0, double.NaN, 0.5, 0.4, double.PositiveInfinity, 0.3, 0.2, double.NegativeInfinity };
        var chart = SvgDocument.Parse(SvgPlot.LineChart("", "epoch", "", new[] { PlotSeries.PerEpoch("loss", y) })).Charts.Single();

        // Runs: [1.0] alone, [0.5, 0.4], [0.3, 0.2]; the infinities do not stretch the y axis.
        IReadOnlyList<(double X, double Y)[]> lines = chart.Lines("loss");
        Assert.Equal(2, lines.Count);
        Assert.Equal(new[] { 3.0, 4.0 }, lines[0].Select(p => Math.Round(Value(chart, "x-axis", p.X), 2)));
        Assert.Equal(new[] { 0.5, 0.4 }, lines[0].Select(p => Math.Round(Value(chart, "y-axis", p.Y), 2)));
        Assert.Equal(new[] { 6.0, 7.0 }, lines[1].Select(p => Math.Round(Value(chart, "x-axis", p.X), 2)));
        Assert.Equal(new[] { "0.2", "0.4", "0.6", "0.8", "1.0" }, chart.Ticks("y-axis").Select(t => t.Label));
        Assert.Equal(new[] { 1.0, 3, 4, 6, 7 }, chart.Markers("loss").Select(p => Math.Round(Value(chart, "x-axis", p.X), 2)));

        // With more than 30 points only a point standing alone gets a dot.
        double[] many = Enumerable.Range(0, 40).Select(i => i == 20 || i == 22 ? double.NaN : 1.0 / (i + 1)).ToArray();
        chart = SvgDocument.Parse(SvgPlot.LineChart("", "epoch", "", new[] { PlotSeries.PerEpoch("loss", many) })).Charts.Single();
        Assert.Equal(new[] { 20, 17 }, chart.Lines("loss").Select(l => l.Length));
        Assert.Equal(22.0, Math.Round(Value(chart, "x-axis", chart.Markers("loss").Single().X), 2)); // epoch 22 (index 21)
    }

    [Fact]
    public void A_series_without_any_finite_point_draws_nothing_on_a_unit_range()
    {
        var chart = SvgDocument.Parse(SvgPlot.LineChart("", "", "", new[] { PlotSeries.PerEpoch("diverged", new[] { double.NaN, double.NaN }) })).Charts.Single();
        Assert.Empty(chart.Lines("diverged"));
        Assert.Empty(chart.Markers("diverged"));
        Assert.Equal(new[] { "0.0", "0.2", "0.4", "0.6", "0.8", "1.0" }, chart.Ticks("y-axis").Select(t => t.Label));
        Assert.Equal(new[] { "diverged" }, chart.LegendNames);
    }

    [Fact]
    public void A_one_epoch_history_is_a_dot_on_the_epoch_tick()
    {
        var chart = SvgDocument.Parse(SvgPlot.LineChart("", "epoch", "loss", new[] { PlotSeries.PerEpoch("training", new[] { 0.7f }) })).Charts.Single();
        Assert.Empty(chart.Lines("training"));
        (double x, double y) = chart.Markers("training").Single();
        Assert.Equal(new[] { "1" }, chart.Ticks("x-axis").Select(t => t.Label));
        Assert.Equal(chart.Ticks("x-axis")[0].Position, x, Pixel);

        // 0.7 ± 10 % in steps of 0.05; the float 0.7f is drawn as itself.
        Assert.Equal(new[] { "0.60", "0.65", "0.70", "0.75", "0.80" }, chart.Ticks("y-axis").Select(t => t.Label));
        Assert.Equal(chart.Position("y-axis", 0.7f), y, Pixel);
    }

    [Fact]
    public void Negative_and_fractional_values_get_ticks_of_their_own()
    {
        var series = new PlotSeries("s", new[] { 0.5, 1.5, 2.5 }, new[] { -3.0, 7.0, 1.0 });
        var chart = SvgDocument.Parse(SvgPlot.LineChart("", "x", "y", new[] { series })).Charts.Single();
        Assert.Equal(new[] { "-4", "-2", "0", "2", "4", "6", "8" }, chart.Ticks("y-axis").Select(t => t.Label));

        // The x values are not whole, so the step may be a fraction; the axis spans 0.5 to 2.5 and ticks fall inside.
        Assert.Equal(new[] { "0.5", "1.0", "1.5", "2.0", "2.5" }, chart.Ticks("x-axis").Select(t => t.Label));
        (double X, double Y)[] line = chart.Lines("s").Single();
        Assert.Equal(chart.Position("y-axis", -3), line[0].Y, Pixel);
        Assert.Equal(chart.Position("x-axis", 1.5), line[1].X, Pixel);
    }

    [Fact]
    public void Text_is_escaped_and_reads_back_as_given()
    {
        const string Title = "<loss> & \"accuracy\" 'per' epoch";
        string name = "train\u0001ing ∑ 😀";
        string svg = SvgPlot.LineChart(Title, "x < y", "a & b", new[] { PlotSeries.PerEpoch(name, s_loss) });
        var document = SvgDocument.Parse(svg);
        SvgDocument.Chart chart = document.Charts.Single();
        Assert.Equal(Title, chart.Title);
        Assert.Equal("train\uFFFDing ∑ 😀", chart.LegendNames.Single()); // U+0001 cannot be in XML at all
        Assert.NotNull(chart.Element.Elements(SvgDocument.Ns + "g").Single(e => (string?)e.Attribute("data-name") == "train\uFFFDing ∑ 😀"));
        Assert.Equal("x < y", document.WithClass("x-label").Single().Value);
        Assert.Equal("a & b", document.WithClass("y-label").Single().Value);
        Assert.Contains("&lt;loss&gt; &amp; &quot;accuracy&quot; &apos;per&apos; epoch", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void The_picture_is_the_same_under_a_culture_with_a_comma_and_another_minus()
    {
        var series = new[] { new PlotSeries("s", new[] { -1.5, 0.25, 2.75 }, new[] { -0.125, 1.5, -2.25 }) };
        string Draw() => SvgPlot.LineChart("t", "x", "y", series) + SvgPlot.TrainingHistory(series, series) + SvgPlot.ConfusionMatrix(new[,] { { 1200, 3 }, { 4, 5 } });
        string invariant = Draw();

        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NegativeSign = "\u2212";
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        Assert.Equal("\u22121,5", (-1.5).ToString(culture)); // the culture does change formatting here
        CultureInfo saved = CultureInfo.CurrentCulture;
        string local;
        try
        {
            CultureInfo.CurrentCulture = culture;
            local = Draw();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        Assert.Equal(invariant, local);
        Assert.DoesNotContain("\u2212", local, StringComparison.Ordinal);
        Assert.Contains(">-3</text>", local, StringComparison.Ordinal); // a y tick's label, with a hyphen-minus
    }

    [Fact]
    public void A_training_history_puts_losses_left_and_the_metric_right()
    {
        PlotSeries[] losses = { PlotSeries.PerEpoch("training", new[] { 0.9f, 0.4f, 0.3f }), PlotSeries.PerEpoch("validation", new[] { 0.5f, 0.45f, 0.4f }) };
        PlotSeries[] accuracy = { PlotSeries.PerEpoch("training", new[] { 0.75f, 0.9f, 0.93f }), PlotSeries.PerEpoch("validation", new[] { 0.89f, 0.91f, 0.92f }) };
        var document = SvgDocument.Parse(SvgPlot.TrainingHistory(losses, accuracy, "accuracy", "MNIST"));
        Assert.Equal("960", (string?)document.Root.Attribute("width"));
        Assert.Equal("360", (string?)document.Root.Attribute("height"));
        Assert.Equal("MNIST", document.Root.Elements(SvgDocument.Ns + "text").Single().Value);

        IReadOnlyList<SvgDocument.Chart> charts = document.Charts;
        Assert.Equal(2, charts.Count);
        Assert.Equal(("loss", 0.0, 30.0), (charts[0].Title, charts[0].OffsetX, charts[0].OffsetY));
        Assert.Equal(("accuracy", 480.0, 30.0), (charts[1].Title, charts[1].OffsetX, charts[1].OffsetY));
        Assert.Equal(new[] { "0.75", "0.80", "0.85", "0.90", "0.95" }, charts[1].Ticks("y-axis").Select(t => t.Label));
        Assert.Equal(charts[1].Position("y-axis", 0.9f), charts[1].Lines("training").Single()[1].Y, Pixel);
        Assert.Equal(charts[0].Position("y-axis", 0.45f), charts[0].Lines("validation").Single()[1].Y, Pixel);

        // Without a metric: the loss chart alone, 480 wide.
        document = SvgDocument.Parse(SvgPlot.TrainingHistory(losses));
        Assert.Equal("480", (string?)document.Root.Attribute("width"));
        Assert.Equal("loss", document.Charts.Single().Title);
        Assert.Equal("Training history", document.Root.Elements(SvgDocument.Ns + "text").Single().Value);
    }

    [Fact]
    public void Empty_or_mismatched_series_are_rejected_naming_the_argument()
    {
        var e = Assert.Throws<ArgumentException>(() => new PlotSeries("validation", Array.Empty<double>(), Array.Empty<double>()));
        Assert.Equal("y", e.ParamName);
        Assert.StartsWith("Series 'validation' has no points; a series needs at least one.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => PlotSeries.PerEpoch("loss", Array.Empty<float>()));
        Assert.StartsWith("Series 'loss' has no points", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => new PlotSeries("s", new double[] { 1, 2 }, new double[] { 1 }));
        Assert.Equal("y", e.ParamName);
        Assert.StartsWith("Series 's' has 2 x values but 1 y values; they go in pairs.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => SvgPlot.LineChart("t", "x", "y", Array.Empty<PlotSeries>()));
        Assert.Equal("series", e.ParamName);
        Assert.StartsWith("There are no series to draw; give at least one.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => SvgPlot.LineChart("t", "x", "y", new PlotSeries[] { PlotSeries.PerEpoch("a", s_loss), null! }));
        Assert.StartsWith("Series 1 is null.", e.Message, StringComparison.Ordinal);

        Assert.Equal("losses", Assert.Throws<ArgumentException>(() => SvgPlot.TrainingHistory(Array.Empty<PlotSeries>())).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => PlotSeries.PerEpoch(null!, s_loss)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentNullException>(() => SvgPlot.LineChart("t", "x", "y", null!)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => SvgPlot.LineChart("t", "x", "y", new[] { PlotSeries.PerEpoch("a", s_loss) }, width: 100)).ParamName);
    }

    [Fact]
    public void A_series_copies_its_values()
    {
        double[] values = { 1, 2 };
        PlotSeries series = PlotSeries.PerEpoch("s", values);
        values[0] = 9;
        Assert.Equal(new[] { 1.0, 2.0 }, series.Y);
        Assert.Equal(new[] { 1.0, 2.0 }, series.X);
        Assert.Equal(2, series.Count);
    }

    /// <summary>The axis value at a position, inverting <see cref="SvgDocument.Chart.Position"/>.</summary>
    private static double Value(SvgDocument.Chart chart, string axis, double position)
    {
        IReadOnlyList<SvgDocument.Tick> ticks = chart.Ticks(axis);
        SvgDocument.Tick a = ticks[0], b = ticks[^1];
        return a.Value + ((position - a.Position) / (b.Position - a.Position) * (b.Value - a.Value));
    }
}
