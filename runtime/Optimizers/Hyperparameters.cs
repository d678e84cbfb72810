using System;
using System.Globalization;

namespace NetGen;

/// <summary>Argument checks and conversions the optimizers share.</summary>
internal static class Hyperparameters
{
    /// <summary>Throws unless <paramref name="value"/> is finite and 0 or more.</summary>
    public static float NonNegative(float value, string name)
    {
        if (!(value >= 0f) || float.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number, 0 or more.");
        }

        return value;
    }

    /// <summary>Throws unless 0 &lt;= <paramref name="value"/> &lt; 1 (or &lt;= 1 with <paramref name="oneAllowed"/>).</summary>
    public static float Fraction(float value, string name, bool oneAllowed = false)
    {
        bool inRange = value >= 0f && (oneAllowed ? value <= 1f : value < 1f);
        if (!inRange)
        {
            throw new ArgumentOutOfRangeException(name, value, oneAllowed
                ? $"{name} must be in [0, 1]."
                : $"{name} must be in [0, 1).");
        }

        return value;
    }

    /// <summary>
    /// The double nearest the shortest decimal that round-trips <paramref name="value"/>: 0.999f becomes
    /// 0.999, not 0.99901199... PyTorch takes hyperparameters as Python (double) floats and computes terms
    /// such as <c>1 - beta2</c> and <c>1 - beta2^t</c> in double before rounding them to float; widening the
    /// float exactly would make <c>1 - beta2</c> off by 1e-5 relative, so the optimizers widen this way
    /// (once, in the constructor) to compute the same constants PyTorch does.
    /// </summary>
    public static double Widen(float value)
        => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
}
