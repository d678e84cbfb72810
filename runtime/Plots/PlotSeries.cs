using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// One named line of a chart for <see cref="SvgPlot"/>: its points as (x, y) pairs, copied when the series is made.
/// A point whose x or y is NaN or infinite is not drawn and breaks the line there (a gap), as matplotlib does; such
/// points do not count towards the axes' ranges either.
/// </summary>
public sealed class PlotSeries
{
    private readonly double[] _x;
    private readonly double[] _y;

    /// <summary>Makes a series from its x and y values, pair by pair.</summary>
    /// <param name="name">The name the legend shows (any text; it is escaped).</param>
    /// <param name="x">The x values.</param>
    /// <param name="y">The y values, as many as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="x"/> and <paramref name="y"/> differ in length, or they are empty (a series needs a point).
    /// </exception>
    public PlotSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"Series '{name}' has {x.Count} x values but {y.Count} y values; they go in pairs.", nameof(y));
        }

        if (y.Count == 0)
        {
            throw new ArgumentException($"Series '{name}' has no points; a series needs at least one.", nameof(y));
        }

        Name = name;
        _x = new double[x.Count];
        _y = new double[y.Count];
        for (int i = 0; i < _x.Length; i++)
        {
            _x[i] = x[i];
            _y[i] = y[i];
        }
    }

    /// <summary>The name the legend shows.</summary>
    public string Name { get; }

    /// <summary>The x values (a copy made when the series was).</summary>
    public IReadOnlyList<double> X => _x;

    /// <summary>The y values, one per x.</summary>
    public IReadOnlyList<double> Y => _y;

    /// <summary>The number of points, drawable or not.</summary>
    public int Count => _y.Length;

    /// <summary>
    /// A series of one value per epoch: the value at index <c>i</c> is drawn at x = <c>i + 1</c> (epochs count from
    /// 1, as <see cref="EpochResult.Epoch"/> does).
    /// </summary>
    /// <param name="name">The legend's name for the series.</param>
    /// <param name="values">The value of each epoch, the first epoch's first; NaN for an epoch without one.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static PlotSeries PerEpoch(string name, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new PlotSeries(name, Epochs(values.Count), values);
    }

    /// <inheritdoc cref="PerEpoch(string, IReadOnlyList{double})"/>
    public static PlotSeries PerEpoch(string name, IReadOnlyList<float> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var widened = new double[values.Count];
        for (int i = 0; i < widened.Length; i++)
        {
            widened[i] = values[i];
        }

        return new PlotSeries(name, Epochs(widened.Length), widened);
    }

    private static double[] Epochs(int count)
    {
        var x = new double[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = i + 1;
        }

        return x;
    }
}
