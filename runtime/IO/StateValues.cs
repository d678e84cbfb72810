using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// Checks of the values a file brings, after decoding and before anything is committed. A weight file may hold
/// any float in a weight, NaN and infinities included, as PyTorch loads them; but no file may hold a negative
/// running variance or a count (<c>num_batches_tracked</c>) that is not a whole number, 0 or more. A checkpoint,
/// which training continues from, must in addition hold only finite values, and an optimizer's second moments
/// (Adam's <c>exp_avg_sq</c>, RMSprop's <c>square_avg</c>, AdaGrad's <c>sum</c>) must not be negative: any of
/// these would turn the next step to NaN. Each problem is a <see cref="WeightFormatException"/> naming the tensor.
/// </summary>
internal static class StateValues
{
    private const string VarianceSuffix = ".running_var";

    /// <summary>Checks a network tensor (parameter or buffer) loaded from a weight file.</summary>
    /// <param name="tensor">The network's tensor.</param>
    /// <param name="isBuffer">Whether it is a buffer (batch norm's running statistics) rather than a parameter.</param>
    /// <param name="values">Its decoded values.</param>
    public static void CheckWeights(ParameterTensor tensor, bool isBuffer, ReadOnlySpan<float> values) =>
        CheckNetworkTensor(tensor, isBuffer, values, finite: false);

    /// <summary>Checks a network tensor loaded from a checkpoint: as <see cref="CheckWeights"/>, and every value finite.</summary>
    public static void CheckCheckpointTensor(ParameterTensor tensor, bool isBuffer, ReadOnlySpan<float> values) =>
        CheckNetworkTensor(tensor, isBuffer, values, finite: true);

    /// <summary>
    /// Checks an optimizer state vector from a checkpoint: finite, and not negative where it is a second moment
    /// of <paramref name="optimizerKind"/> (<see cref="OptimizerDescription.Kind"/>).
    /// </summary>
    public static void CheckOptimizerState(string tensorName, string optimizerKind, string stateName, ReadOnlySpan<float> values)
    {
        int bad = IndexOfNonFinite(values);
        if (bad >= 0)
        {
            throw NotFinite(tensorName, bad, values[bad]);
        }

        string? what = (optimizerKind, stateName) switch
        {
            ("Adam" or "AdamW", "exp_avg_sq") or ("RmsProp", "square_avg") => "a mean of squared gradients",
            ("AdaGrad", "sum") => "a sum of squared gradients",
            _ => null,
        };
        if (what is not null && (bad = IndexOfNegative(values)) >= 0)
        {
            throw new WeightFormatException(
                $"Tensor '{tensorName}': element {bad} is {Text(values[bad])}; {optimizerKind}'s {stateName} is {what} and cannot be negative " +
                "(its square root would make the next step NaN).", tensorName);
        }
    }

    private static void CheckNetworkTensor(ParameterTensor tensor, bool isBuffer, ReadOnlySpan<float> values, bool finite)
    {
        if (tensor.IsCount)
        {
            for (int i = 0; i < values.Length; i++)
            {
                float v = values[i];
                if (!(v >= 0f) || float.IsInfinity(v) || v != MathF.Floor(v))
                {
                    throw new WeightFormatException(
                        $"Tensor '{tensor.Name}': element {i} is {Text(v)}; a count must be a whole number, 0 or more.", tensor.Name);
                }
            }

            return;
        }

        if (finite)
        {
            int bad = IndexOfNonFinite(values);
            if (bad >= 0)
            {
                throw NotFinite(tensor.Name, bad, values[bad]);
            }
        }

        if (isBuffer && tensor.Name.EndsWith(VarianceSuffix, StringComparison.Ordinal))
        {
            int bad = IndexOfNegative(values);
            if (bad >= 0)
            {
                throw new WeightFormatException(
                    $"Tensor '{tensor.Name}': element {bad} is {Text(values[bad])}; a variance cannot be negative " +
                    "(inference divides by its square root).", tensor.Name);
            }
        }
    }

    private static WeightFormatException NotFinite(string tensorName, int index, float value) =>
        new($"Tensor '{tensorName}': element {index} is {Text(value)}; a checkpoint must hold finite values only, since training " +
            "on from it would turn every value NaN. To inspect the file, load its weights alone with net.Load(path, strict: false).", tensorName);

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The first value below 0 (-0 is not); NaN is not negative here (the finite check reports it where it applies).</summary>
    private static int IndexOfNegative(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < 0f)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
