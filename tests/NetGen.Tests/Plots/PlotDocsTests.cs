using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>The pictures checked in for the README and docs/plots.md are whole SVGs of what their captions say.</summary>
public sealed class PlotDocsTests
{
    private static string Repository(params string[] parts) => Path.Combine(new[] { NetGen.Tests.Data.TestDataPaths.RepositoryRoot }.Concat(parts).ToArray());

    [Fact]
    public void The_readme_shows_the_checked_in_history()
    {
        string readme = File.ReadAllText(Repository("README.md"));
        Assert.Contains("](docs/images/mnist-history.svg)", readme, StringComparison.Ordinal);
        Assert.Contains("[docs/plots.md](docs/plots.md)", readme, StringComparison.Ordinal);

        var history = SvgDocument.Parse(File.ReadAllText(Repository("docs", "images", "mnist-history.svg")));
        Assert.Equal(new[] { "loss", "accuracy" }, history.Charts.Select(c => c.Title));
        foreach (SvgDocument.Chart chart in history.Charts)
        {
            Assert.Equal(new[] { "training", "validation" }, chart.LegendNames);
            Assert.Equal(10, chart.Lines("training").Single().Length);
            Assert.Equal(10, chart.Lines("validation").Single().Length);
        }
    }

    [Fact]
    public void The_checked_in_confusion_matrix_counts_the_2000_test_digits()
    {
        string docs = File.ReadAllText(Repository("docs", "plots.md"));
        Assert.Contains("](images/mnist-confusion.svg)", docs, StringComparison.Ordinal);
        var matrix = SvgDocument.Parse(File.ReadAllText(Repository("docs", "images", "mnist-confusion.svg")));
        int[] counts = matrix.WithClass("cell").Select(c => int.Parse((string)c.Attribute("data-count")!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(100, counts.Length);
        Assert.Equal(2000, counts.Sum());
    }
}
