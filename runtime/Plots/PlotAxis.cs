using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>
/// A linear axis: its range and ticks at nice numbers (1, 2, 2.5 or 5 times a power of ten), each tick with its label
/// written culture-invariantly with as many decimals as the step needs.
/// </summary>
internal sealed class PlotAxis
{
    private const int TargetTicks = 5;

    private PlotAxis(double min, double max, double step, int decimals, bool scientific, List<double> ticks)
    {
        Min = min;
        Max = max;
        Step = step;
        _decimals = decimals;
        _scientific = scientific;
        Ticks = ticks;
    }

    private readonly int _decimals;
    private readonly bool _scientific;

    /// <summary>The value at the axis's start.</summary>
    public double Min { get; }

    /// <summary>The value at the axis's end.</summary>
    public double Max { get; }

    /// <summary>The distance between ticks.</summary>
    public double Step { get; }

    /// <summary>The tick values, increasing, all within [Min, Max].</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>
    /// An axis over the data range [<paramref name="low"/>, <paramref name="high"/>] (finite, low ≤ high).
    /// <paramref name="extend"/> widens the range to the ticks just outside it (a y axis), otherwise the range is the
    /// data's and the ticks fall inside (an x axis). <paramref name="integral"/> keeps the step a whole number (epochs).
    /// </summary>
    public static PlotAxis Create(double low, double high, bool extend, bool integral)
    {
        if (high - low <= 0 || !double.IsFinite(high - low))
        {
            double pad = low == 0 || integral || Math.Abs(low) < 1e-300 ? 0.5 : Math.Abs(low) * 0.1;
            if (!double.IsFinite(high - low))
            {
                // The data spans more than a double can hold as a difference: halve both ends.
                low /= 2;
                high /= 2;
                return Create(low, high, extend, integral).Scaled(2);
            }

            low -= pad;
            high += pad;
        }

        double raw = (high - low) / TargetTicks;
        int exponent = (int)Math.Floor(Math.Log10(raw));
        double magnitude = Math.Pow(10, exponent);
        double fraction = raw / magnitude;
        // A whole-number axis takes 2 where 2.5 would do (a step of 2.5 epochs is no step at all).
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? (integral && exponent == 0 ? 2 : 2.5) : fraction <= 5 ? 5 : 10;
        if (nice == 10)
        {
            nice = 1;
            exponent++;
            magnitude = Math.Pow(10, exponent);
        }

        double step = nice * magnitude;
        if (integral && step < 1)
        {
            step = 1;
            nice = 1;
            exponent = 0;
        }

        int decimals = Math.Max(0, -exponent + (nice == 2.5 ? 1 : 0));
        bool scientific = exponent < -6 || exponent > 7;

        const double Slack = 1e-9;
        double first = Math.Ceiling(low / step - Slack);
        double last = Math.Floor(high / step + Slack);
        double min = low, max = high;
        if (extend)
        {
            first = Math.Floor(low / step + Slack);
            last = Math.Ceiling(high / step - Slack);
            min = first * step;
            max = last * step;
        }

        var ticks = new List<double>();
        for (double k = first; k <= last; k++)
        {
            double value = k * step;
            if (!scientific && decimals <= 15)
            {
                value = Math.Round(value, decimals); // 3 × 0.2 is 0.6000000000000001
            }

            ticks.Add(value == 0 ? 0 : value); // no -0
        }

        return new PlotAxis(min, max, step, decimals, scientific, ticks);
    }

    /// <summary>Where <paramref name="value"/> falls between <paramref name="start"/> (at Min) and <paramref name="end"/> (at Max).</summary>
    public double Map(double value, double start, double end) => start + ((value - Min) / (Max - Min) * (end - start));

    /// <summary>A tick's label: fixed decimals, or scientific notation for very small or large steps; always invariant.</summary>
    public string Label(double tick) =>
        _scientific
            ? tick.ToString("0.###E+0", CultureInfo.InvariantCulture)
            : tick.ToString("F" + _decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private PlotAxis Scaled(double factor)
    {
        var ticks = new List<double>(Ticks.Count);
        foreach (double tick in Ticks)
        {
            ticks.Add(tick * factor);
        }

        return new PlotAxis(Min * factor, Max * factor, Step * factor, _decimals, true, ticks);
    }
}
