using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics.Tensors;

namespace NetGen.CompilerServices;

/// <summary>
/// The kernels of an embedding layer (PyTorch's <c>nn.Embedding</c>), called by generated code: a table
/// <c>W: [V, D]</c> of V rows of D floats, one per token id, and a batch of token ids <c>[B, T]</c> (B samples of T
/// steps, sample after sample). Forward gathers rows, <c>y[b, t, :] = W[ids[b, t], :]</c>; backward scatter-adds the
/// output gradient into the rows it came from, <c>dW[ids[b, t], :] += dy[b, t, :]</c>.
/// </summary>
/// <remarks>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// <para>
/// Ids come as <see cref="int"/> (the network's <c>int</c> overloads) or as floats holding whole numbers (the
/// <see cref="INetwork"/> methods, so that the trainer and data sets work unchanged); a vocabulary has at most
/// <see cref="MaxVocabulary"/> = 2^24 rows, so every id is exact in a float. Every id is checked before anything is
/// written: a bad one throws <see cref="ArgumentException"/> naming the sample, the position and the value, with
/// <see cref="ArgumentException.ParamName"/> <c>tokens</c> (int ids) or <c>inputs</c> (float ids), and the
/// output (or the gradient) is left exactly as it was.
/// </para>
/// <para>
/// Both directions run on the calling thread in one fixed order (backward: token after token, batch-major), so a
/// result never depends on threads, and a row no token of the batch names gets exactly nothing added. The work is
/// a copy and an add of D floats per token, bound by memory rather than arithmetic.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class EmbeddingKernels
{
    /// <summary>The largest vocabulary: 2^24, the last count whose every id a float holds exactly.</summary>
    public const int MaxVocabulary = 1 << 24;

    private const string IntName = "tokens";
    private const string FloatName = "inputs";

    /// <summary>
    /// Throws unless every id of <paramref name="ids"/> (<c>[B, T]</c>, <paramref name="steps"/> = T) is in
    /// <c>[0, vocabulary)</c>. The message names the first bad id's sample and position: "token 4 of sample 2 is 31,
    /// outside [0, 28): the embedding has 28 rows". <see cref="ArgumentException.ParamName"/> is <c>tokens</c>.
    /// </summary>
    public static void Validate(ReadOnlySpan<int> ids, int vocabulary, int steps)
    {
        CheckShape(ids.Length, vocabulary, steps, IntName);
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)vocabulary)
            {
                throw BadToken(i, steps, ids[i].ToString(CultureInfo.InvariantCulture), vocabulary, IntName, whole: true);
            }
        }
    }

    /// <summary>
    /// Throws unless every float of <paramref name="ids"/> (<c>[B, T]</c>, <paramref name="steps"/> = T) is a whole
    /// number in <c>[0, vocabulary)</c> (NaN, infinities and fractions are refused), naming the first bad id's sample,
    /// position and value. <see cref="ArgumentException.ParamName"/> is <c>inputs</c>.
    /// </summary>
    public static void Validate(ReadOnlySpan<float> ids, int vocabulary, int steps)
    {
        CheckShape(ids.Length, vocabulary, steps, FloatName);
        for (int i = 0; i < ids.Length; i++)
        {
            float id = ids[i];
            if (!(id >= 0f && id < vocabulary && id == MathF.Floor(id)))
            {
                throw BadToken(i, steps, id.ToString(CultureInfo.InvariantCulture), vocabulary, FloatName, whole: id == MathF.Floor(id));
            }
        }
    }

    /// <summary>
    /// <c>output[b, t, :] = weight[ids[b, t], :]</c>: <paramref name="weight"/> is <c>[vocabulary, dimensions]</c>,
    /// <paramref name="ids"/> <c>[B, steps]</c>, <paramref name="output"/> <c>[B, steps, dimensions]</c>. Checks every
    /// id first (<see cref="Validate(ReadOnlySpan{int}, int, int)"/>); on a bad one nothing is written.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<int> ids, Span<float> output, int vocabulary, int dimensions, int steps)
    {
        Validate(ids, vocabulary, steps);
        CheckTable(weight.Length, output.Length, ids.Length, vocabulary, dimensions, nameof(weight), nameof(output));
        for (int i = 0; i < ids.Length; i++)
        {
            weight.Slice(ids[i] * dimensions, dimensions).CopyTo(output.Slice(i * dimensions, dimensions));
        }
    }

    /// <summary>
    /// The same as <see cref="Forward(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, int)"/> for ids
    /// stored as floats (the network's <see cref="INetwork"/> methods); every id must be a whole number.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> weight, ReadOnlySpan<float> ids, Span<float> output, int vocabulary, int dimensions, int steps)
    {
        Validate(ids, vocabulary, steps);
        CheckTable(weight.Length, output.Length, ids.Length, vocabulary, dimensions, nameof(weight), nameof(output));
        for (int i = 0; i < ids.Length; i++)
        {
            weight.Slice((int)ids[i] * dimensions, dimensions).CopyTo(output.Slice(i * dimensions, dimensions));
        }
    }

    /// <summary>
    /// <c>weightGradient[ids[b, t], :] += outputGradient[b, t, :]</c> for every token in order (b, then t), which
    /// is what PyTorch's autograd gives <c>nn.Embedding</c>'s weight: a token that appears k times gets its k output
    /// gradients added up, a row no token names gets nothing added (it stays exactly as it was). Adds into
    /// <paramref name="weightGradient"/> (<c>[vocabulary, dimensions]</c>), as every backward adds into the gradient
    /// buffer. Checks every id first; on a bad one nothing is written.
    /// </summary>
    public static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<float> outputGradient, Span<float> weightGradient, int vocabulary, int dimensions, int steps)
    {
        Validate(ids, vocabulary, steps);
        CheckTable(weightGradient.Length, outputGradient.Length, ids.Length, vocabulary, dimensions, nameof(weightGradient), nameof(outputGradient));
        for (int i = 0; i < ids.Length; i++)
        {
            Span<float> row = weightGradient.Slice(ids[i] * dimensions, dimensions);
            TensorPrimitives.Add(row, outputGradient.Slice(i * dimensions, dimensions), row);
        }
    }

    /// <summary>
    /// The same as <see cref="Backward(ReadOnlySpan{int}, ReadOnlySpan{float}, Span{float}, int, int, int)"/> for ids
    /// stored as floats.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> ids, ReadOnlySpan<float> outputGradient, Span<float> weightGradient, int vocabulary, int dimensions, int steps)
    {
        Validate(ids, vocabulary, steps);
        CheckTable(weightGradient.Length, outputGradient.Length, ids.Length, vocabulary, dimensions, nameof(weightGradient), nameof(outputGradient));
        for (int i = 0; i < ids.Length; i++)
        {
            Span<float> row = weightGradient.Slice((int)ids[i] * dimensions, dimensions);
            TensorPrimitives.Add(row, outputGradient.Slice(i * dimensions, dimensions), row);
        }
    }

    private static void CheckShape(int ids, int vocabulary, int steps, string name)
    {
        if (vocabulary < 1 || vocabulary > MaxVocabulary)
        {
            throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, $"An embedding has 1 to {MaxVocabulary} rows (2^24, so that every id is exact in a float).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (ids % steps != 0)
        {
            throw new ArgumentException($"{ids} token ids are not a whole number of sequences of {steps}.", name);
        }
    }

    private static void CheckTable(int table, int rows, int ids, int vocabulary, int dimensions, string tableName, string rowsName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (table != (long)vocabulary * dimensions)
        {
            throw new ArgumentException($"Expected {(long)vocabulary * dimensions} floats ({vocabulary} rows of {dimensions}), got {table}.", tableName);
        }

        if (rows != (long)ids * dimensions)
        {
            throw new ArgumentException($"Expected {(long)ids * dimensions} floats ({ids} tokens of {dimensions}), got {rows}.", rowsName);
        }
    }

    private static ArgumentException BadToken(int index, int steps, string value, int vocabulary, string name, bool whole)
    {
        string what = whole ? $"outside [0, {vocabulary})" : "not a whole number";
        return new ArgumentException(
            $"Token {index % steps} of sample {index / steps} is {value}, {what}: the embedding has {vocabulary} rows (token ids 0 to {vocabulary - 1}).",
            name);
    }
}
