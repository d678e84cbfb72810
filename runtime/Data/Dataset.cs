using System;

namespace NetGen;

/// <summary>
/// Samples in memory: each a flat input of <see cref="InputLength"/> floats and a target of
/// <see cref="TargetLength"/> floats (a class index as a float for classification).
/// </summary>
public sealed class Dataset
{
    /// <summary>2^24: token ids and class indices stored as floats stay below it, where a float holds every integer.</summary>
    private const int MaxTokenId = 1 << 24;

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

    /// <summary>
    /// A data set of token sequences with a target at every step, for a network that starts with
    /// <c>[Embedding]</c> and a per-step loss (<see cref="Loss.SequenceCrossEntropy"/>): a language model, whose target
    /// at step t is the token at step t + 1. <paramref name="tokens"/> holds <c>count × steps</c> ids, sequence after
    /// sequence; <paramref name="targets"/> as many class indices, <paramref name="ignoreIndex"/> marking a step that
    /// does not count (padding). Both are copied, stored as floats (ids are whole numbers below 2^24, exact in a
    /// float), which is what the network's <see cref="INetwork"/> methods and the trainer read.
    /// </summary>
    /// <param name="tokens">Token ids, <c>[count, steps]</c>: each from 0 to <paramref name="vocabulary"/> - 1.</param>
    /// <param name="steps">T, the tokens of one sequence (the network's <c>[Input(T)]</c>).</param>
    /// <param name="targets">One target per token, <c>[count, steps]</c>: a class index (0 or more) or <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">The target of a step that does not count; the loss's, PyTorch's default -100.</param>
    /// <param name="vocabulary">
    /// The embedding's rows, when known, so that an id too large is refused here, naming its sequence, rather than in
    /// the middle of training; by default only the largest vocabulary, 2^24, is checked.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="steps"/> is below 1, <paramref name="vocabulary"/> is not from 1 to 2^24, or
    /// <paramref name="ignoreIndex"/> is not from -2^24 to 2^24.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// The lengths do not make whole sequences of <paramref name="steps"/>, a token id is outside
    /// <c>[0, vocabulary)</c>, or a target is negative (other than the ignore index) or 2^24 or more; the message names
    /// the sequence, the step and the value.
    /// </exception>
    public static Dataset FromTokens(ReadOnlySpan<int> tokens, int steps, ReadOnlySpan<int> targets, int ignoreIndex = -100, int vocabulary = MaxTokenId)
    {
        int count = TokenCount(tokens, steps, vocabulary);
        if (ignoreIndex < -MaxTokenId || ignoreIndex > MaxTokenId)
        {
            throw new ArgumentOutOfRangeException(nameof(ignoreIndex), ignoreIndex, $"The ignore index must be from {-MaxTokenId} to {MaxTokenId}, so that it is exact in a float target.");
        }

        if (targets.Length != tokens.Length)
        {
            throw new ArgumentException(
                $"{count} sequences of {steps} tokens need {tokens.Length} targets (one per step), got {targets.Length}.", nameof(targets));
        }

        var stored = new float[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (t != ignoreIndex && (t < 0 || t >= MaxTokenId))
            {
                throw new ArgumentException(
                    $"Target {i % steps} of sequence {i / steps} (targets[{i}]) is {t}; a target is a class index from 0 to {MaxTokenId - 1}, or {ignoreIndex} (the ignore index) for a step that does not count.",
                    nameof(targets));
            }

            stored[i] = t;
        }

        return new Dataset(TokenFloats(tokens), steps, stored, steps);
    }

    /// <summary>
    /// A data set of token sequences with one class label per sequence (classification of a sentence), for a network
    /// that starts with <c>[Embedding]</c> and ends in one set of logits (<see cref="Loss.SoftmaxCrossEntropy"/>).
    /// <paramref name="tokens"/> holds <c>labels.Length × steps</c> ids; both are copied and stored as floats.
    /// </summary>
    /// <param name="tokens">Token ids, <c>[count, steps]</c>: each from 0 to <paramref name="vocabulary"/> - 1.</param>
    /// <param name="steps">T, the tokens of one sequence (the network's <c>[Input(T)]</c>).</param>
    /// <param name="labels">One class index (0 or more) per sequence.</param>
    /// <param name="vocabulary">The embedding's rows, when known (see <see cref="FromTokens"/>); by default 2^24.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is below 1, or <paramref name="vocabulary"/> is not from 1 to 2^24.</exception>
    /// <exception cref="ArgumentException">
    /// The lengths do not match, a token id is outside <c>[0, vocabulary)</c>, or a label is negative or 2^24 or more;
    /// the message names the sequence (and the step) and the value.
    /// </exception>
    public static Dataset FromTokenLabels(ReadOnlySpan<int> tokens, int steps, ReadOnlySpan<int> labels, int vocabulary = MaxTokenId)
    {
        int count = TokenCount(tokens, steps, vocabulary);
        if (labels.Length != count)
        {
            throw new ArgumentException($"{count} sequences of {steps} tokens need {count} labels (one per sequence), got {labels.Length}.", nameof(labels));
        }

        var stored = new float[count];
        for (int i = 0; i < count; i++)
        {
            if (labels[i] < 0 || labels[i] >= MaxTokenId)
            {
                throw new ArgumentException(
                    $"Label {i} (of sequence {i}) is {labels[i]}; a label is a class index from 0 to {MaxTokenId - 1}.", nameof(labels));
            }

            stored[i] = labels[i];
        }

        return new Dataset(TokenFloats(tokens), steps, stored, 1);
    }

    /// <summary>Checks the ids (all of them, before anything is copied) and returns the number of sequences.</summary>
    private static int TokenCount(ReadOnlySpan<int> tokens, int steps, int vocabulary)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (vocabulary < 1 || vocabulary > MaxTokenId)
        {
            throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, $"An embedding has 1 to {MaxTokenId} rows (2^24, so that every id is exact in a float).");
        }

        if (tokens.Length % steps != 0)
        {
            throw new ArgumentException($"{tokens.Length} tokens are not a whole number of sequences of {steps}.", nameof(tokens));
        }

        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)vocabulary)
            {
                throw new ArgumentException(
                    $"Token {i % steps} of sequence {i / steps} (tokens[{i}]) is {tokens[i]}, outside [0, {vocabulary}): token ids are from 0 to {vocabulary - 1}.",
                    nameof(tokens));
            }
        }

        return tokens.Length / steps;
    }

    private static float[] TokenFloats(ReadOnlySpan<int> tokens)
    {
        var stored = new float[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            stored[i] = tokens[i];
        }

        return stored;
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
