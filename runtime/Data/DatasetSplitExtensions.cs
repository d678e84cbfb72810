using System;

namespace NetGen;

/// <summary>Holding part of a data set out for validation.</summary>
public static class DatasetSplitExtensions
{
    /// <summary>
    /// Splits <paramref name="data"/> at random into a training part and a validation part of
    /// <c>⌈validationFraction × Count⌉</c> samples (scikit-learn's <c>train_test_split(test_size=validationFraction)</c> sizes),
    /// the same for the same <paramref name="seed"/>. Each part keeps its samples in their original order; both are copies.
    /// </summary>
    /// <remarks>
    /// The samples are chosen by shuffling the indices <c>0 .. Count - 1</c> with <see cref="Rng"/>(<paramref name="seed"/>) and
    /// taking the first <c>⌈validationFraction × Count⌉</c> for validation. It is not stratified: with few samples of a class,
    /// a part may hold none. Keras' <c>validation_split</c> takes the last samples without shuffling instead; for that, build the
    /// two data sets from slices of your arrays.
    /// </remarks>
    /// <returns>The training part and the validation part; each holds at least one sample.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not above 0 and below 1.</exception>
    /// <exception cref="ArgumentException">A part would be empty (fewer than 2 samples, or a fraction too near 0 or 1 for the count).</exception>
    public static (Dataset Train, Dataset Validation) Split(this Dataset data, double validationFraction, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be above 0 and below 1.");
        }

        int count = data.Count;
        long held = (long)Math.Ceiling(validationFraction * count);
        if (held < 1 || held >= count)
        {
            throw new ArgumentException(
                $"Holding out {validationFraction} of {count} samples leaves {(held >= count ? "nothing to train on" : "no validation sample")}: each part needs at least one.",
                nameof(data));
        }

        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var rng = new Rng(seed);
        rng.Shuffle(order.AsSpan());
        int validationCount = (int)held;
        Array.Sort(order, 0, validationCount);
        Array.Sort(order, validationCount, count - validationCount);
        Dataset validation = Gather(data, order.AsSpan(0, validationCount));
        Dataset train = Gather(data, order.AsSpan(validationCount));
        return (train, validation);
    }

    /// <summary>A copy of the samples at <paramref name="indices"/>, in that order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <c>[0, Count)</c>.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is empty.</exception>
    public static Dataset Subset(this Dataset data, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (indices.IsEmpty)
        {
            throw new ArgumentException("A data set needs at least one sample.", nameof(indices));
        }

        foreach (int i in indices)
        {
            if ((uint)i >= (uint)data.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"A sample index is from 0 to {data.Count - 1}.");
            }
        }

        return Gather(data, indices);
    }

    private static Dataset Gather(Dataset data, ReadOnlySpan<int> indices)
    {
        int inLength = data.InputLength, targetLength = data.TargetLength;
        var inputs = new float[checked(indices.Length * inLength)];
        var targets = new float[checked(indices.Length * targetLength)];
        for (int k = 0; k < indices.Length; k++)
        {
            data.Input(indices[k]).CopyTo(inputs.AsSpan(k * inLength, inLength));
            data.Target(indices[k]).CopyTo(targets.AsSpan(k * targetLength, targetLength));
        }

        return new Dataset(inputs, inLength, targets, targetLength);
    }
}
