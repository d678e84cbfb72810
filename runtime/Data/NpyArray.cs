using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen;

/// <summary>The element types <see cref="Npy"/> reads: NumPy's numeric dtypes and <c>bool</c>.</summary>
public enum NpyType
{
    /// <summary><c>bool</c> (<c>|b1</c>): one byte, 0 or 1.</summary>
    Bool,

    /// <summary><c>int8</c> (<c>|i1</c>).</summary>
    Int8,

    /// <summary><c>uint8</c> (<c>|u1</c>): images, usually.</summary>
    UInt8,

    /// <summary><c>int16</c> (<c>&lt;i2</c>).</summary>
    Int16,

    /// <summary><c>uint16</c> (<c>&lt;u2</c>).</summary>
    UInt16,

    /// <summary><c>int32</c> (<c>&lt;i4</c>).</summary>
    Int32,

    /// <summary><c>uint32</c> (<c>&lt;u4</c>).</summary>
    UInt32,

    /// <summary><c>int64</c> (<c>&lt;i8</c>): NumPy's default integer, and PyTorch's class targets.</summary>
    Int64,

    /// <summary><c>uint64</c> (<c>&lt;u8</c>).</summary>
    UInt64,

    /// <summary><c>float16</c> (<c>&lt;f2</c>), half precision.</summary>
    Float16,

    /// <summary><c>float32</c> (<c>&lt;f4</c>): what a network computes in.</summary>
    Float32,

    /// <summary><c>float64</c> (<c>&lt;f8</c>): NumPy's default float.</summary>
    Float64,
}

/// <summary>
/// An array read from a <c>.npy</c> file or an <c>.npz</c> archive by <see cref="Npy"/>: its
/// <see cref="Shape"/>, its element <see cref="Type"/> and its elements in C order (the last index fastest), held in
/// little-endian byte order whatever the file's (big-endian files are converted when read).
/// </summary>
public sealed class NpyArray
{
    private readonly byte[]? _bytes;
    private readonly float[]? _floats;
    private readonly int[] _shape;

    internal NpyArray(string name, string source, NpyType type, int[] shape, int length, byte[]? bytes, float[]? floats)
    {
        Name = name;
        Source = source;
        Type = type;
        _shape = shape;
        Length = length;
        _bytes = bytes;
        _floats = floats;
    }

    /// <summary>
    /// The array's name: its key in an <c>.npz</c> archive (the entry's name without <c>.npy</c>, as NumPy's
    /// <c>np.load(path)[key]</c>), or the file's name without its extension for a <c>.npy</c> file.
    /// </summary>
    public string Name { get; }

    /// <summary>Where the array came from, as error messages name it: <c>'x.npy'</c>, <c>array 'x' of 'data.npz'</c>.</summary>
    internal string Source { get; }

    /// <summary>The element type.</summary>
    public NpyType Type { get; }

    /// <summary>The size of each dimension, outermost first; empty for a 0-dimensional array (one element).</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a 0-dimensional array).</summary>
    public int Length { get; }

    /// <summary>Bytes per element: 1, 2, 4 or 8.</summary>
    public int ElementSize => Npy.SizeOf(Type);

    /// <summary>The elements' bytes, C order, little-endian: <see cref="Length"/> × <see cref="ElementSize"/> bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _floats is not null ? MemoryMarshal.AsBytes(_floats.AsSpan()) : _bytes;

    /// <summary>The shape as NumPy prints it: <c>(3, 4)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    public string ShapeText => Npy.FormatShape(_shape);

    /// <summary>
    /// Every element as a float, in a new array: integers and bools as their values (those beyond 2^24 rounded to the
    /// nearest float), float16 exactly, float64 rounded to the nearest float (as NumPy's <c>astype(np.float32)</c>
    /// and PyTorch's <c>.float()</c>).
    /// </summary>
    public float[] ToFloats()
    {
        if (_floats is not null)
        {
            return (float[])_floats.Clone();
        }

        var result = new float[Length];
        ReadOnlySpan<byte> b = _bytes;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Type switch
            {
                NpyType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(b.Slice(8 * i)),
                NpyType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b.Slice(2 * i)),
                NpyType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(8 * i)),
                _ => Integer(b, i),
            };
        }

        return result;
    }

    /// <summary>Every element as a double, in a new array (integers beyond 2^53 rounded to the nearest double).</summary>
    public double[] ToDoubles()
    {
        var result = new double[Length];
        ReadOnlySpan<byte> b = Bytes;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Type switch
            {
                NpyType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(b.Slice(8 * i)),
                NpyType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(b.Slice(4 * i)),
                NpyType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(b.Slice(2 * i)),
                NpyType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(8 * i)),
                _ => Integer(b, i),
            };
        }

        return result;
    }

    /// <summary>Every element of an integer or bool array as a <c>long</c>, in a new array.</summary>
    /// <exception cref="InvalidOperationException">
    /// The array holds floats (convert with <see cref="ToFloats"/>), or a uint64 element is above <c>long.MaxValue</c>.
    /// </exception>
    public long[] ToInt64s()
    {
        RequireIntegers(nameof(ToInt64s));
        var result = new long[Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Integer(Bytes, i);
        }

        return result;
    }

    /// <summary>Every element of an integer or bool array as an <c>int</c>, in a new array (token ids, for <see cref="Dataset.FromTokens"/>).</summary>
    /// <exception cref="InvalidOperationException">The array holds floats, or an element is outside the range of <c>int</c>.</exception>
    public int[] ToInt32s()
    {
        RequireIntegers(nameof(ToInt32s));
        var result = new int[Length];
        for (int i = 0; i < result.Length; i++)
        {
            long value = Integer(Bytes, i);
            if (value < int.MinValue || value > int.MaxValue)
            {
                throw new InvalidOperationException($"Element {i} of {Source} is {value.ToString(CultureInfo.InvariantCulture)}, outside the range of int.");
            }

            result[i] = (int)value;
        }

        return result;
    }

    /// <summary>Whether the elements are integers (or bools) rather than floats.</summary>
    public bool IsInteger => Type is not (NpyType.Float16 or NpyType.Float32 or NpyType.Float64);

    /// <summary>The float32 elements where they are (no copy), or a converted copy of any other type.</summary>
    internal ReadOnlyMemory<float> FloatMemory => _floats ?? (ReadOnlyMemory<float>)ToFloats();

    /// <summary>Element <paramref name="i"/> of an integer or bool array.</summary>
    internal long Integer(ReadOnlySpan<byte> b, int i)
    {
        switch (Type)
        {
            case NpyType.Bool:
                return b[i] != 0 ? 1 : 0;
            case NpyType.Int8:
                return (sbyte)b[i];
            case NpyType.UInt8:
                return b[i];
            case NpyType.Int16:
                return BinaryPrimitives.ReadInt16LittleEndian(b.Slice(2 * i));
            case NpyType.UInt16:
                return BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(2 * i));
            case NpyType.Int32:
                return BinaryPrimitives.ReadInt32LittleEndian(b.Slice(4 * i));
            case NpyType.UInt32:
                return BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(4 * i));
            case NpyType.Int64:
                return BinaryPrimitives.ReadInt64LittleEndian(b.Slice(8 * i));
            case NpyType.UInt64:
                ulong u = BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(8 * i));
                if (u > long.MaxValue)
                {
                    throw new InvalidOperationException($"Element {i} of {Source} is {u.ToString(CultureInfo.InvariantCulture)}, above the largest long.");
                }

                return (long)u;
            default:
                throw new InvalidOperationException($"{Source} holds {Npy.TypeName(Type)} values, not integers.");
        }
    }

    private void RequireIntegers(string method)
    {
        if (!IsInteger)
        {
            throw new InvalidOperationException(
                $"{Source} holds {Npy.TypeName(Type)} values; {method} reads integer and bool arrays (read floats with ToFloats or ToDoubles).");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => new StringBuilder().Append(Name).Append(": ").Append(Npy.TypeName(Type)).Append(' ').Append(ShapeText).ToString();
}
