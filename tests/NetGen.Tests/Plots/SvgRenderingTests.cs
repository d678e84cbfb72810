using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>
/// A training history rendered by headless Chromium (one render): the curves' colours are on the screen where the
/// numbers and the axes' ticks say, and not in the plot's empty corner. Skipped when no Chromium is installed
/// (<see cref="ChromiumFactAttribute"/>).
/// </summary>
public sealed class SvgRenderingTests
{
    private static readonly float[] s_trainLoss = { 0.92f, 0.33f, 0.25f, 0.21f, 0.17f, 0.14f, 0.12f, 0.10f, 0.087f, 0.071f };
    private static readonly float[] s_validationLoss = { 0.38f, 0.27f, 0.25f, 0.22f, 0.20f, 0.21f, 0.22f, 0.20f, 0.19f, 0.17f };
    private static readonly float[] s_trainAccuracy = { 0.75f, 0.91f, 0.93f, 0.94f, 0.95f, 0.96f, 0.96f, 0.97f, 0.97f, 0.98f };
    private static readonly float[] s_validationAccuracy = { 0.895f, 0.92f, 0.926f, 0.936f, 0.944f, 0.938f, 0.933f, 0.937f, 0.941f, 0.951f };

    [ChromiumFact]
    public void The_curves_are_drawn_where_the_numbers_say()
    {
        string svg = SvgPlot.TrainingHistory(
            new[] { PlotSeries.PerEpoch("training", s_trainLoss), PlotSeries.PerEpoch("validation", s_validationLoss) },
            new[] { PlotSeries.PerEpoch("training", s_trainAccuracy), PlotSeries.PerEpoch("validation", s_validationAccuracy) });
        string file = Path.Combine(Path.GetTempPath(), $"netgen-history-{Environment.ProcessId}.svg");
        File.WriteAllText(file, svg);
        Png png;
        try
        {
            png = Png.Decode(Chromium.Screenshot(file, 960, 360));
        }
        finally
        {
            File.Delete(file);
        }

        Assert.Equal((960, 360), (png.Width, png.Height));
        var charts = SvgDocument.Parse(svg).Charts;
        SvgDocument.Chart loss = charts[0], accuracy = charts[1];
        (byte, byte, byte) blue = Rgb(SvgPlot.Palette[0]), orange = Rgb(SvgPlot.Palette[1]);

        // Epoch 1's losses: the dots, at the pixels the ticks give for (1, 0.92) and (1, 0.38).
        AssertColourAt(png, loss, 1, 0.92f, blue);
        AssertColourAt(png, loss, 1, s_validationLoss[0], orange);
        AssertColourAt(png, accuracy, 10, s_trainAccuracy[9], blue);
        AssertColourAt(png, accuracy, 1, s_trainAccuracy[0], blue);

        // Between the dots, on the line: halfway from epoch 1 to 2 of the training loss.
        AssertColourAt(png, loss, 1.5, (0.92 + 0.33) / 2, blue);

        // Nothing drawn in the loss plot's empty top-right corner (epochs 7 to 10, loss above 0.6), nor in the
        // accuracy plot's bottom-right (epochs 7 to 10, accuracy below 0.85): only background and grid there.
        AssertAbsent(png, loss, 7, 10, 0.6, 1.0, blue, orange);
        AssertAbsent(png, accuracy, 7, 10, 0.75, 0.85, blue, orange);
    }

    private static void AssertColourAt(Png png, SvgDocument.Chart chart, double epoch, double value, (byte, byte, byte) colour)
    {
        double x = chart.OffsetX + chart.Position("x-axis", epoch), y = chart.OffsetY + chart.Position("y-axis", value);

        // The nearest pixel, or one beside it (anti-aliasing at a line's edge), carries the colour.
        int best = int.MaxValue;
        for (int dy = -1; dy <= 1; dy++)
        {
            for (int dx = -1; dx <= 1; dx++)
            {
                best = Math.Min(best, Distance(png[(int)Math.Round(x) + dx, (int)Math.Round(y) + dy], colour));
            }
        }

        Assert.True(best <= 24, $"({epoch}, {value}) at pixel ({x:F1}, {y:F1}): the nearest colour is {best} away from {colour}, around {png[(int)Math.Round(x), (int)Math.Round(y)]}");
    }

    private static void AssertAbsent(Png png, SvgDocument.Chart chart, double x0, double x1, double y0, double y1, params (byte, byte, byte)[] colours)
    {
        int left = (int)Math.Ceiling(chart.OffsetX + chart.Position("x-axis", x0)), right = (int)Math.Floor(chart.OffsetX + chart.Position("x-axis", x1)) - 2;
        int top = (int)Math.Ceiling(chart.OffsetY + chart.Position("y-axis", y1)) + 2, bottom = (int)Math.Floor(chart.OffsetY + chart.Position("y-axis", y0));
        Assert.True(right - left > 50 && bottom - top > 30, $"the region {left}..{right} × {top}..{bottom} is too small to mean anything");
        int near = 0;
        for (int y = top; y <= bottom; y++)
        {
            for (int x = left; x <= right; x++)
            {
                near += colours.Any(c => Distance(png[x, y], c) <= 60) ? 1 : 0;
            }
        }

        Assert.Equal(0, near);
    }

    private static int Distance((byte R, byte G, byte B) a, (byte R, byte G, byte B) b) =>
        Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B)));

    private static (byte, byte, byte) Rgb(string hex) =>
        (Convert.ToByte(hex.Substring(1, 2), 16), Convert.ToByte(hex.Substring(3, 2), 16), Convert.ToByte(hex.Substring(5, 2), 16));
}
