using System;

namespace NetGen;

/// <summary>
/// Samples in memory: each a flat input of <see cref="InputLength"/> floats and a target of
/// <see cref="TargetLength"/> floats (a class index as a float for classification).
/// </summary>
public sealed class Dataset
{
    private readonly float[] _inputs;
    private readonly float[] _targets;

    /// <summary>Wraps the arrays (not copied): <c>count = inputs.Length / inputLength</c>.</summary>
    public Dataset(float[] inputs, int inputLength, float[] targets, int targetLength)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetLength, 1);
        if (inputs.Length % inputLength != 0)
        {
            throw new ArgumentException($"{inputs.Length} input floats are not a whole number of samples of {inputLength}.", nameof(inputs));
        }

        int count = inputs.Length / inputLength;
        if (targets.Length != count * targetLength)
        {
            throw new ArgumentException($"{count} samples need {count * targetLength} target floats ({targetLength} each), got {targets.Length}.", nameof(targets));
        }

        _inputs = inputs;
        _targets = targets;
        InputLength = inputLength;
        TargetLength = targetLength;
        Count = count;
    }

    /// <summary>A classification data set: one integer label per sample, kept as a float target.</summary>
    public static Dataset FromLabels(float[] inputs, int inputLength, ReadOnlySpan<byte> labels)
    {
        var targets = new float[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            targets[i] = labels[i];
        }

        return new Dataset(inputs, inputLength, targets, 1);
    }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>Floats per input.</summary>
    public int InputLength { get; }

    /// <summary>Floats per target.</summary>
    public int TargetLength { get; }

    /// <summary>All inputs, sample after sample.</summary>
    public ReadOnlySpan<float> Inputs => _inputs;

    /// <summary>All targets, sample after sample.</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>The input of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Input(int index) => _inputs.AsSpan(index * InputLength, InputLength);

    /// <summary>The target of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Target(int index) => _targets.AsSpan(index * TargetLength, TargetLength);
}
