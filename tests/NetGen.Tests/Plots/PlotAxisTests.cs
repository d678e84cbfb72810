using System.Linq;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>The axes' nice ticks and their labels, range by range.</summary>
public sealed class PlotAxisTests
{
    [Theory]
    [InlineData(0.0, 1.0, true, false, 0.0, 1.0, "0.0 0.2 0.4 0.6 0.8 1.0")]
    [InlineData(0.0712, 0.9231, true, false, 0.0, 1.0, "0.0 0.2 0.4 0.6 0.8 1.0")]
    [InlineData(0.7494, 0.9814, true, false, 0.7, 1.0, "0.70 0.75 0.80 0.85 0.90 0.95 1.00")]
    [InlineData(0.0, 12.5, true, false, 0.0, 12.5, "0.0 2.5 5.0 7.5 10.0 12.5")]
    [InlineData(-3.0, 7.0, true, false, -4.0, 8.0, "-4 -2 0 2 4 6 8")]
    [InlineData(120.0, 980.0, true, false, 0.0, 1000.0, "0 200 400 600 800 1000")]
    [InlineData(0.0012, 0.0041, true, false, 0.001, 0.005, "0.001 0.002 0.003 0.004 0.005")]
    [InlineData(1.0, 10.0, false, true, 1.0, 10.0, "2 4 6 8 10")]
    [InlineData(1.0, 3.0, false, true, 1.0, 3.0, "1 2 3")]
    [InlineData(1.0, 100.0, false, true, 1.0, 100.0, "20 40 60 80 100")]
    [InlineData(1.0, 13.0, false, true, 1.0, 13.0, "2 4 6 8 10 12")]
    [InlineData(5.0, 5.0, false, true, 4.5, 5.5, "5")]
    [InlineData(2e-9, 7e-9, true, false, 2e-9, 7e-9, "2E-9 3E-9 4E-9 5E-9 6E-9 7E-9")]
    public void Ticks_and_labels(double low, double high, bool extend, bool integral, double min, double max, string labels)
    {
        PlotAxis axis = PlotAxis.Create(low, high, extend, integral);
        Assert.Equal(min, axis.Min, 12);
        Assert.Equal(max, axis.Max, 12);
        Assert.Equal(labels, string.Join(" ", axis.Ticks.Select(axis.Label)));
        Assert.All(axis.Ticks, t => Assert.InRange(t, axis.Min - 1e-12, axis.Max + 1e-12));
    }

    [Fact]
    public void Map_is_linear_from_min_to_max()
    {
        PlotAxis axis = PlotAxis.Create(0, 2, extend: true, integral: false);
        Assert.Equal(300.0, axis.Map(0, 300, 100));
        Assert.Equal(100.0, axis.Map(2, 300, 100));
        Assert.Equal(250.0, axis.Map(0.5, 300, 100));
    }

    [Fact]
    public void Tick_values_carry_no_floating_point_noise()
    {
        PlotAxis axis = PlotAxis.Create(0, 1, extend: true, integral: false);
        Assert.Equal(new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 }, axis.Ticks); // 3 × 0.2 would be 0.6000000000000001
    }
}
