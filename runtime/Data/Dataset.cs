using System;
using System.Globalization;
using System.Numerics;

namespace NetGen;

/// <summary>
/// Samples in memory: each a flat input of <see cref="InputLength"/> floats and a target of
/// <see cref="TargetLength"/> floats (a class index as a float for classification).
/// </summary>
/// <remarks>
/// A data set reads its floats where they are: the constructors wrap the arrays or memory they are given without
/// copying (change them and the data set changes). Integer labels, of any width, are copied into floats, which is
/// what the losses read (a class index is exact in a float below 2^24). The loaders build data sets from files:
/// <see cref="Idx"/> (MNIST), <see cref="Csv"/> and <see cref="Npy"/> (NumPy <c>.npy</c> and <c>.npz</c>).
/// </remarks>
public sealed class Dataset
{
    /// <summary>2^24: token ids and class indices stored as floats stay below it, where a float holds every integer.</summary>
    private const int MaxTokenId = 1 << 24;

    private readonly ReadOnlyMemory<float> _inputs;
    private readonly ReadOnlyMemory<float> _targets;

    /// <summary>Wraps the arrays (not copied): <c>count = inputs.Length / inputLength</c>.</summary>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputLength"/> or <paramref name="targetLength"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The lengths do not make whole samples, or the targets are not <c>count × targetLength</c>.</exception>
    public Dataset(float[] inputs, int inputLength, float[] targets, int targetLength)
        : this(NotNull(inputs, nameof(inputs)), inputLength, NotNull(targets, nameof(targets)), targetLength)
    {
    }

    /// <summary>
    /// Wraps the memory (not copied): an array or a part of one (<c>array.AsMemory(start, length)</c>), or memory of
    /// your own (a <see cref="System.Buffers.MemoryManager{T}"/> over native or memory-mapped memory). <c>count =
    /// inputs.Length / inputLength</c>; the targets must be <c>count × targetLength</c> floats. The memory must not
    /// be changed while a trainer reads it.
    /// </summary>
    /// <remarks>
    /// A <see cref="ReadOnlySpan{T}"/> cannot be kept (it may live on the stack), so a data set takes memory; to build
    /// one from a span, copy it (<c>span.ToArray()</c>).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputLength"/> or <paramref name="targetLength"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The lengths do not make whole samples, or the targets are not <c>count × targetLength</c>.</exception>
    public Dataset(ReadOnlyMemory<float> inputs, int inputLength, ReadOnlyMemory<float> targets, int targetLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetLength, 1);
        if (inputs.Length % inputLength != 0)
        {
            throw new ArgumentException($"{inputs.Length} input floats are not a whole number of samples of {inputLength}.", nameof(inputs));
        }

        int count = inputs.Length / inputLength;
        if (targets.Length != (long)count * targetLength)
        {
            throw new ArgumentException($"{count} samples need {(long)count * targetLength} target floats ({targetLength} each), got {targets.Length}.", nameof(targets));
        }

        _inputs = inputs;
        _targets = targets;
        InputLength = inputLength;
        TargetLength = targetLength;
        Count = count;
    }

    /// <summary>A classification data set: one integer label per sample, kept as a float target.</summary>
    /// <remarks>The inputs are wrapped (not copied); the labels are copied into floats.</remarks>
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
    /// A classification data set: one class index per sample (PyTorch's <c>int64</c> targets of <c>cross_entropy</c>),
    /// checked against <paramref name="classes"/> and copied into float targets. The inputs are wrapped, not copied.
    /// </summary>
    /// <param name="inputs">The inputs, sample after sample: <c>labels.Length × inputLength</c> floats.</param>
    /// <param name="inputLength">Floats per input (the network's <c>InputLength</c>).</param>
    /// <param name="labels">One class index per sample, from 0 to <paramref name="classes"/> - 1.</param>
    /// <param name="classes">The number of classes (the network's outputs), when known, so that a label too large is
    /// refused here, naming its sample; by default only the largest, 2^24 (every index below it is exact in a float).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputLength"/> is below 1, or <paramref name="classes"/> is not from 1 to 2^24.</exception>
    /// <exception cref="ArgumentException">
    /// A label is outside <c>[0, classes)</c> (the message names the sample and the value), or the lengths do not match.
    /// </exception>
    public static Dataset FromLabels(ReadOnlyMemory<float> inputs, int inputLength, ReadOnlySpan<int> labels, int classes = MaxTokenId) =>
        FromLabels<int>(inputs, inputLength, labels, classes);

    /// <summary>
    /// A classification data set from 64-bit class indices (NumPy's and PyTorch's default integer); as the
    /// <see cref="FromLabels(ReadOnlyMemory{float}, int, ReadOnlySpan{int}, int)"/> overload.
    /// </summary>
    /// <param name="inputs">The inputs, sample after sample: <c>labels.Length × inputLength</c> floats.</param>
    /// <param name="inputLength">Floats per input.</param>
    /// <param name="labels">One class index per sample, from 0 to <paramref name="classes"/> - 1.</param>
    /// <param name="classes">The number of classes, when known; by default 2^24.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputLength"/> is below 1, or <paramref name="classes"/> is not from 1 to 2^24.</exception>
    /// <exception cref="ArgumentException">A label is outside <c>[0, classes)</c>, or the lengths do not match.</exception>
    public static Dataset FromLabels(ReadOnlyMemory<float> inputs, int inputLength, ReadOnlySpan<long> labels, int classes = MaxTokenId) =>
        FromLabels<long>(inputs, inputLength, labels, classes);

    /// <summary>
    /// A classification data set from class indices of any integer type (<c>byte</c>, <c>sbyte</c>, <c>short</c>,
    /// <c>ushort</c>, <c>int</c>, <c>uint</c>, <c>long</c>, <c>ulong</c>, ...): checked against
    /// <paramref name="classes"/> and copied into float targets; the inputs are wrapped, not copied. Called with a
    /// span, or with the type named: <c>Dataset.FromLabels&lt;ushort&gt;(inputs, 784, labels, classes: 10)</c>.
    /// </summary>
    /// <typeparam name="TLabel">The labels' integer type.</typeparam>
    /// <param name="inputs">The inputs, sample after sample: <c>labels.Length × inputLength</c> floats.</param>
    /// <param name="inputLength">Floats per input.</param>
    /// <param name="labels">One class index per sample, from 0 to <paramref name="classes"/> - 1.</param>
    /// <param name="classes">The number of classes, when known; by default 2^24.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputLength"/> is below 1, or <paramref name="classes"/> is not from 1 to 2^24.</exception>
    /// <exception cref="ArgumentException">A label is outside <c>[0, classes)</c>, or the lengths do not match.</exception>
    public static Dataset FromLabels<TLabel>(ReadOnlyMemory<float> inputs, int inputLength, ReadOnlySpan<TLabel> labels, int classes = MaxTokenId)
        where TLabel : unmanaged, IBinaryInteger<TLabel>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputLength, 1);
        float[] targets = ClassTargets(labels, classes, nameof(labels));
        return new Dataset(inputs, inputLength, targets, 1);
    }

    /// <summary>
    /// Checks every label against <c>[0, classes)</c> and copies them into floats. The message of a bad label names
    /// its sample (its index in <paramref name="labels"/>) and its value.
    /// </summary>
    internal static float[] ClassTargets<TLabel>(ReadOnlySpan<TLabel> labels, int classes, string paramName)
        where TLabel : unmanaged, IBinaryInteger<TLabel>
    {
        CheckClasses(classes);
        var targets = new float[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            long label = long.CreateSaturating(labels[i]);
            if (label < 0 || label >= classes)
            {
                throw new ArgumentException(
                    $"Sample {i} has label {labels[i].ToString(null, CultureInfo.InvariantCulture)}, outside [0, {classes}): {ClassRange(classes)}.", paramName);
            }

            targets[i] = label;
        }

        return targets;
    }

    /// <summary>"a label is a class index from 0 to 9 (10 classes)", or without the count when it is the default.</summary>
    internal static string ClassRange(int classes) => classes == MaxTokenId
        ? $"a label is a class index from 0 to {MaxTokenId - 1} (2^24, the largest exact in a float)"
        : $"a label is a class index from 0 to {classes - 1} ({classes} classes)";

    /// <summary>Checks a number of classes: 1 to 2^24.</summary>
    internal static void CheckClasses(int classes)
    {
        if (classes < 1 || classes > MaxTokenId)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"The number of classes must be from 1 to {MaxTokenId} (2^24, so that every class index is exact in a float).");
        }
    }

    /// <summary>The largest number of classes a data set's labels can name, 2^24.</summary>
    internal const int MaxClasses = MaxTokenId;

    private static ReadOnlyMemory<float> NotNull(float[] array, string name)
    {
        ArgumentNullException.ThrowIfNull(array, name);
        return array;
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
    public ReadOnlySpan<float> Inputs => _inputs.Span;

    /// <summary>All targets, sample after sample.</summary>
    public ReadOnlySpan<float> Targets => _targets.Span;

    /// <summary>All inputs, sample after sample, as the memory the data set wraps (not a copy).</summary>
    public ReadOnlyMemory<float> InputMemory => _inputs;

    /// <summary>All targets, sample after sample, as the memory the data set wraps (not a copy).</summary>
    public ReadOnlyMemory<float> TargetMemory => _targets;

    /// <summary>The input of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Input(int index) => _inputs.Span.Slice(index * InputLength, InputLength);

    /// <summary>The target of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Target(int index) => _targets.Span.Slice(index * TargetLength, TargetLength);
}
