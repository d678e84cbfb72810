using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace NetGen;

/// <summary>One tensor entry of a safetensors header, validated on its own (offsets not yet against the others).</summary>
internal sealed class SafeTensorsEntry
{
    public SafeTensorsEntry(string name, string dtype, int elementSize, long[] shape, long begin, long end, int index)
    {
        Name = name;
        DType = dtype;
        ElementSize = elementSize;
        Shape = shape;
        Begin = begin;
        End = end;
        Index = index;
    }

    /// <summary>The name as written in the file.</summary>
    public string Name { get; }

    /// <summary>The dtype as written in the file (one of the safetensors dtypes).</summary>
    public string DType { get; }

    /// <summary>Bytes per element of <see cref="DType"/>.</summary>
    public int ElementSize { get; }

    public long[] Shape { get; }

    /// <summary>First byte, relative to the start of the data section.</summary>
    public long Begin { get; }

    /// <summary>One past the last byte, relative to the start of the data section.</summary>
    public long End { get; }

    /// <summary>The position of the entry in the header, tensors only.</summary>
    public int Index { get; }

    public long ByteLength => End - Begin;

    /// <summary>Whether this entry's values can be converted to float (F32, F16, BF16).</summary>
    public bool IsSupported => DType is "F32" or "F16" or "BF16";

    public string ShapeText => SafeTensorsHeader.FormatShape(Shape);
}

/// <summary>
/// The parsed and validated JSON header of a safetensors file. Parsing treats the bytes as untrusted: every
/// problem becomes a <see cref="WeightFormatException"/>.
/// </summary>
internal sealed class SafeTensorsHeader
{
    private const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(List<SafeTensorsEntry> tensors, Dictionary<string, string> metadata, long dataLength)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataLength = dataLength;
    }

    /// <summary>The tensors, in the order of their data (by begin offset, then end, then header position).</summary>
    public List<SafeTensorsEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map, empty when the file has none.</summary>
    public Dictionary<string, string> Metadata { get; }

    /// <summary>The largest end offset: the length the data section must have.</summary>
    public long DataLength { get; }

    /// <summary>The bytes per element of every dtype the safetensors format defines (whole-byte ones).</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" => 8,
        _ => 0,
    };

    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            throw new WeightFormatException("The safetensors header is not valid UTF-8.");
        }

        try
        {
            return ParseJson(json);
        }
        catch (JsonException e)
        {
            throw new WeightFormatException($"The safetensors header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on an escape that is not valid UTF-16 (a lone surrogate).
            throw new WeightFormatException($"The safetensors header holds an invalid string: {e.Message}", e);
        }
    }

    private static SafeTensorsHeader ParseJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = 8,
        });

        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WeightFormatException($"The safetensors header must be a JSON object; found {Describe(ref reader)}.");
        }

        var tensors = new List<SafeTensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var integers = new List<long>(); // reused for every shape and data_offsets
        while (true)
        {
            Next(ref reader, Expect.TensorNameOrEnd);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string name = reader.GetString()!;
            if (!seen.Add(name))
            {
                throw new WeightFormatException($"The safetensors header names '{Clip(name)}' twice; names must be unique.", name);
            }

            if (name == MetadataKey)
            {
                ParseMetadata(ref reader, metadata);
            }
            else
            {
                tensors.Add(ParseTensor(ref reader, name, tensors.Count, integers));
            }
        }

        if (reader.Read())
        {
            throw new WeightFormatException($"The safetensors header has {Describe(ref reader)} after its closing brace.");
        }

        long dataLength = CheckLayout(tensors);
        return new SafeTensorsHeader(tensors, metadata, dataLength);
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        Next(ref reader, Expect.MetadataObject);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WeightFormatException($"__metadata__ must be an object of strings; found {Describe(ref reader)}.");
        }

        while (true)
        {
            Next(ref reader, Expect.MetadataKey);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            string key = reader.GetString()!;
            Next(ref reader, Expect.MetadataValue);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new WeightFormatException($"__metadata__ value of '{Clip(key)}' must be a string; found {Describe(ref reader)}.");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new WeightFormatException($"__metadata__ names the key '{Clip(key)}' twice.");
            }
        }
    }

    private static SafeTensorsEntry ParseTensor(ref Utf8JsonReader reader, string name, int index, List<long> integers)
    {
        // Messages are built only when one is thrown: a header may hold millions of tensors.
        Next(ref reader, Expect.TensorDescription, name);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new WeightFormatException(
                $"Tensor '{Clip(name)}': expected an object with dtype, shape and data_offsets; found {Describe(ref reader)}.", name);
        }

        string? dtype = null;
        long[]? shape = null;
        long begin = -1;
        long end = -1;
        bool hasOffsets = false;
        while (true)
        {
            Next(ref reader, Expect.TensorField, name);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype" when dtype is null:
                    Next(ref reader, Expect.Value, name, "dtype");
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new WeightFormatException($"Tensor '{Clip(name)}': dtype must be a string; found {Describe(ref reader)}.", name);
                    }

                    dtype = KnownDType(ref reader) ?? reader.GetString()!;
                    break;
                case "shape" when shape is null:
                    ReadIntegers(ref reader, name, "shape", integers);
                    shape = integers.ToArray();
                    break;
                case "data_offsets" when !hasOffsets:
                    ReadIntegers(ref reader, name, "data_offsets", integers);
                    if (integers.Count != 2)
                    {
                        throw new WeightFormatException(
                            $"Tensor '{Clip(name)}': data_offsets must hold two integers [begin, end]; found {integers.Count}.", name);
                    }

                    (begin, end, hasOffsets) = (integers[0], integers[1], true);
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw new WeightFormatException($"Tensor '{Clip(name)}': the field '{field}' appears twice.", name);
                default:
                    throw new WeightFormatException(
                        $"Tensor '{Clip(name)}': unexpected field '{Clip(field)}'; expected dtype, shape and data_offsets.", name);
            }
        }

        if (dtype is null || shape is null || !hasOffsets)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw new WeightFormatException($"Tensor '{Clip(name)}': the field '{missing}' is missing.", name);
        }

        int elementSize = ElementSize(dtype);
        if (elementSize == 0)
        {
            throw new WeightFormatException(
                $"Tensor '{Clip(name)}': unknown dtype '{Clip(dtype)}'; expected a safetensors dtype such as F32, F16 or BF16.", name);
        }

        long[] dims = shape;
        long bytes;
        try
        {
            long count = 1;
            foreach (long d in dims)
            {
                count = checked(count * d);
            }

            bytes = checked(count * elementSize);
        }
        catch (OverflowException)
        {
            throw new WeightFormatException($"Tensor '{Clip(name)}': shape {FormatShape(dims)} is too large.", name);
        }

        if (end < begin)
        {
            throw new WeightFormatException($"Tensor '{Clip(name)}': data_offsets [{begin}, {end}] end before they begin.", name);
        }

        if (end - begin != bytes)
        {
            throw new WeightFormatException(
                $"Tensor '{Clip(name)}': dtype {dtype} and shape {FormatShape(dims)} need {bytes} bytes, " +
                $"but data_offsets [{begin}, {end}] span {end - begin}.", name);
        }

        return new SafeTensorsEntry(name, dtype, elementSize, dims, begin, end, index);
    }

    private static void ReadIntegers(ref Utf8JsonReader reader, string name, string field, List<long> values)
    {
        values.Clear();
        Next(ref reader, Expect.Value, name, field);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new WeightFormatException($"Tensor '{Clip(name)}': {field} must be an array of integers; found {Describe(ref reader)}.", name);
        }

        while (true)
        {
            Next(ref reader, Expect.Element, name, field);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                throw new WeightFormatException(
                    $"Tensor '{Clip(name)}': {field} must hold non-negative integers below 2^63; found {Describe(ref reader)}.", name);
            }

            values.Add(value);
        }
    }

    /// <summary>
    /// Sorts by data offset, rejects tensors whose bytes overlap and returns the largest end offset, which the
    /// data section's length must equal. Gaps between tensors are allowed; empty tensors occupy no bytes.
    /// </summary>
    private static long CheckLayout(List<SafeTensorsEntry> tensors)
    {
        tensors.Sort(static (a, b) =>
        {
            int c = a.Begin.CompareTo(b.Begin);
            if (c == 0)
            {
                c = a.End.CompareTo(b.End);
            }

            return c != 0 ? c : a.Index.CompareTo(b.Index);
        });

        long maxEnd = 0;
        SafeTensorsEntry? last = null; // the non-empty tensor reaching furthest so far
        foreach (SafeTensorsEntry t in tensors)
        {
            maxEnd = Math.Max(maxEnd, t.End);
            if (t.ByteLength == 0)
            {
                continue;
            }

            if (last is not null && t.Begin < last.End)
            {
                throw new WeightFormatException(
                    $"Tensor '{Clip(t.Name)}': data_offsets [{t.Begin}, {t.End}] overlap those of '{Clip(last.Name)}' " +
                    $"[{last.Begin}, {last.End}].", t.Name);
            }

            last = t;
        }

        return maxEnd;
    }

    /// <summary>What the parser expects next, for the message if the header ends there.</summary>
    private enum Expect
    {
        TensorNameOrEnd,
        MetadataObject,
        MetadataKey,
        MetadataValue,
        TensorDescription,
        TensorField,
        Value,
        Element,
    }

    private static void Next(ref Utf8JsonReader reader, Expect expected, string? name = null, string? field = null)
    {
        if (!reader.Read())
        {
            throw new WeightFormatException($"The safetensors header ends where {Expected(expected, name, field)} should be.");
        }
    }

    private static string Expected(Expect expected, string? name, string? field) => expected switch
    {
        Expect.TensorNameOrEnd => "a tensor name or the end of the header",
        Expect.MetadataObject => "the __metadata__ object",
        Expect.MetadataKey => "a __metadata__ key",
        Expect.MetadataValue => "a __metadata__ value",
        Expect.TensorDescription => $"the description of tensor '{Clip(name!)}'",
        Expect.TensorField => $"a field of tensor '{Clip(name!)}'",
        Expect.Value => $"the {field} of tensor '{Clip(name!)}'",
        _ => $"an element of the {field} of tensor '{Clip(name!)}'",
    };

    private static readonly string[] DTypeNames = ["F32", "F16", "BF16", "I64", "F64", "I32", "I16", "I8", "U8", "U16", "U32", "U64", "BOOL", "F8_E5M2", "F8_E4M3"];

    /// <summary>The current string token as a shared instance when it is a common dtype, so a header of many tensors does not allocate one per tensor.</summary>
    private static string? KnownDType(ref Utf8JsonReader reader)
    {
        foreach (string name in DTypeNames)
        {
            if (reader.ValueTextEquals(name))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The current token, for a message: its kind and, for scalars, its clipped text.</summary>
    private static string Describe(ref Utf8JsonReader reader)
    {
        return reader.TokenType switch
        {
            JsonTokenType.None => "nothing",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.String => $"the string \"{Clip(reader.GetString()!)}\"",
            JsonTokenType.Number => $"the number {Clip(Encoding.UTF8.GetString(reader.ValueSpan[..Math.Min(reader.ValueSpan.Length, 80)]))}",
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.Null => "null",
            _ => reader.TokenType.ToString(),
        };
    }

    /// <summary>Keeps messages short when a hostile file holds huge names or numbers.</summary>
    internal static string Clip(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 61), "...");

    internal static string FormatShape(ReadOnlySpan<long> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            if (i == 16)
            {
                sb.Append("...");
                break;
            }

            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }

    internal static string FormatShape(ReadOnlySpan<int> shape)
    {
        long[] wide = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            wide[i] = shape[i];
        }

        return FormatShape(wide);
    }
}
