using System;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>
/// <see cref="SvgPlot.ConfusionMatrix"/> read back: a cell per (true, predicted) pair with its count written in it,
/// shades darkening as counts grow, labels on both axes, escaping, and the argument checks.
/// </summary>
public sealed class ConfusionMatrixPlotTests
{
    private static readonly int[,] s_counts =
    {
        { 50, 2, 0 },
        { 5, 41, 9 },
        { 1, 14, 30 },
    };

    [Fact]
    public void Each_cell_holds_its_count_and_the_rows_are_the_true_classes()
    {
        var document = SvgDocument.Parse(SvgPlot.ConfusionMatrix(s_counts, new[] { "cat", "dog", "<bird>" }, "Pets"));
        XElement[] cells = document.WithClass("cell").ToArray();
        XElement[] texts = document.WithClass("count").ToArray();
        Assert.Equal(9, cells.Length);
        Assert.Equal(9, texts.Length);
        double size = SvgDocument.Number(cells[0], "width");
        double left = SvgDocument.Number(cells[0], "x"), top = SvgDocument.Number(cells[0], "y");
        for (int k = 0; k < 9; k++)
        {
            int i = int.Parse((string)cells[k].Attribute("data-true")!, CultureInfo.InvariantCulture);
            int j = int.Parse((string)cells[k].Attribute("data-predicted")!, CultureInfo.InvariantCulture);
            Assert.Equal((k / 3, k % 3), (i, j)); // row by row
            Assert.Equal(s_counts[i, j].ToString(CultureInfo.InvariantCulture), texts[k].Value);
            Assert.Equal(s_counts[i, j].ToString(CultureInfo.InvariantCulture), (string?)cells[k].Attribute("data-count"));

            // Column j across, row i down; the count centred in its cell.
            Assert.Equal(left + (j * size), SvgDocument.Number(cells[k], "x"), 0.011);
            Assert.Equal(top + (i * size), SvgDocument.Number(cells[k], "y"), 0.011);
            Assert.Equal(left + ((j + 0.5) * size), SvgDocument.Number(texts[k], "x"), 0.011);
        }

        XNamespace ns = SvgDocument.Ns;
        Assert.Equal("true dog, predicted <bird>: 9", cells[5].Element(ns + "title")!.Value);
        Assert.Equal(new[] { "cat", "dog", "<bird>" }, document.WithClass("row-label").Select(e => e.Value));
        Assert.Equal(new[] { "cat", "dog", "<bird>" }, document.WithClass("column-label").Select(e => e.Value));
        Assert.Equal("predicted", document.WithClass("x-label").Single().Value);
        Assert.Equal("true", document.WithClass("y-label").Single().Value);
        Assert.Equal("Pets", document.WithClass("title").Single().Value);
        Assert.Equal("50", document.WithClass("colorbar-max").Single().Value);
    }

    [Fact]
    public void Shades_darken_as_counts_grow_and_the_text_stays_readable()
    {
        var document = SvgDocument.Parse(SvgPlot.ConfusionMatrix(s_counts));
        var cells = document.WithClass("cell")
            .Select(c => (Count: int.Parse((string)c.Attribute("data-count")!, CultureInfo.InvariantCulture), Fill: (string)c.Attribute("fill")!))
            .OrderBy(c => c.Count)
            .ToArray();
        Assert.Equal("#f7fbff", cells[0].Fill);  // 0: near white
        Assert.Equal("#08306b", cells[^1].Fill); // the largest: dark blue
        for (int k = 1; k < cells.Length; k++)
        {
            Assert.True(Luminance(cells[k].Fill) < Luminance(cells[k - 1].Fill), $"{cells[k].Count} ({cells[k].Fill}) is not darker than {cells[k - 1].Count} ({cells[k - 1].Fill})");
        }

        // Interpolated in sRGB: 30 of 50 is 60 % of the way.
        Assert.Equal(SvgPlot.Shade(0.6), cells.Single(c => c.Count == 30).Fill);
        Assert.Equal("#6881a6", SvgPlot.Shade(0.6)); // 247 - 0.6·239 = 104, 251 - 0.6·203 = 129, 255 - 0.6·148 = 166

        // White text on the dark half, black on the light.
        var texts = document.WithClass("count").ToDictionary(e => e.Value, e => (string)e.Attribute("fill")!);
        Assert.Equal("#ffffff", texts["50"]);
        Assert.Equal("#ffffff", texts["30"]);
        Assert.Equal("#000000", texts["14"]);
        Assert.Equal(new[] { "0", "1", "2" }, document.WithClass("row-label").Select(e => e.Value)); // default labels
    }

    [Fact]
    public void An_all_zero_matrix_is_white()
    {
        var document = SvgDocument.Parse(SvgPlot.ConfusionMatrix(new int[2, 2]));
        Assert.All(document.WithClass("cell"), c => Assert.Equal("#f7fbff", (string?)c.Attribute("fill")));
    }

    [Fact]
    public void Long_labels_turn_upright_under_the_columns()
    {
        var document = SvgDocument.Parse(SvgPlot.ConfusionMatrix(new[,] { { 1, 0 }, { 0, 1 } }, new[] { "sandal", "sneaker" }));
        Assert.All(document.WithClass("column-label"), e => Assert.StartsWith("rotate(-90 ", (string?)e.Attribute("transform"), StringComparison.Ordinal));
        document = SvgDocument.Parse(SvgPlot.ConfusionMatrix(new[,] { { 1, 0 }, { 0, 1 } }, new[] { "a", "b" }));
        Assert.All(document.WithClass("column-label"), e => Assert.Null(e.Attribute("transform")));
    }

    [Fact]
    public void Bad_matrices_and_labels_are_rejected_naming_the_argument()
    {
        var e = Assert.Throws<ArgumentException>(() => SvgPlot.ConfusionMatrix(new int[2, 3]));
        Assert.Equal("counts", e.ParamName);
        Assert.StartsWith("A confusion matrix is square (true × predicted classes); got 2 × 3.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => SvgPlot.ConfusionMatrix(new int[0, 0]));
        Assert.StartsWith("The confusion matrix is empty; it needs at least one class.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => SvgPlot.ConfusionMatrix(new[,] { { 1, -2 }, { 0, 1 } }, new[] { "a", "b" }));
        Assert.Equal("counts", e.ParamName);
        Assert.StartsWith("Count [0, 1] (true a, predicted b) is -2; counts are 0 or more.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => SvgPlot.ConfusionMatrix(new int[2, 2], new[] { "a" }));
        Assert.Equal("labels", e.ParamName);
        Assert.StartsWith("There are 1 labels for a 2 × 2 confusion matrix; give one per class.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => SvgPlot.ConfusionMatrix(new int[2, 2], new[] { "a", null! }));
        Assert.StartsWith("Label 1 is null.", e.Message, StringComparison.Ordinal);

        Assert.Equal("counts", Assert.Throws<ArgumentNullException>(() => SvgPlot.ConfusionMatrix((int[,])null!)).ParamName);
    }

    private static double Luminance(string hex)
    {
        int r = Convert.ToInt32(hex.Substring(1, 2), 16), g = Convert.ToInt32(hex.Substring(3, 2), 16), b = Convert.ToInt32(hex.Substring(5, 2), 16);
        return (0.2126 * r) + (0.7152 * g) + (0.0722 * b);
    }
}
