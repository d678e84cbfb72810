using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace NetGen.Tests.IO;

/// <summary>
/// Seeded mutations of a valid safetensors file, for fuzzing loaders. Byte-level: truncation, flipped bytes
/// anywhere or in the header, edge values of the header length, edge values for numbers in the JSON.
/// Structural (the header re-written as JSON, the length prefix kept consistent): a tensor's dtype changed,
/// a tensor renamed (one missing, one extra), dropped, added, given another's offsets (overlap), its offsets
/// shifted or pushed past the data, its shape permuted, and a <c>__metadata__</c> value replaced.
/// </summary>
internal static class FileMutator
{
    private static readonly string[] DTypes = ["F64", "I64", "I32", "F16", "BF16", "U8", "BOOL", "F8_E4M3", "f32", "", "F32 ", "complex64"];

    private static readonly string[] Numbers =
        ["0", "1", "-1", "48", "66", "1e3", "9223372036854775807", "9223372036854775808", "18446744073709551615", "99999999999999999999999", "2147483648"];

    private static readonly string[] MetadataValues =
        ["", "0", "1", "-1", "2", "x", "1.5", "NaN", "Infinity", "-0", "2147483648", "9223372036854775808", "99999999999999999999",
         "0000000000000000 0000000000000000 0000000000000000 0000000000000000", "ffffffffffffffff", "Sgd", "Adam", "1e-3", " 1"];

    /// <summary>The kinds of mutation <see cref="Mutate"/> chooses from.</summary>
    public const int Kinds = 13;

    /// <summary>The kind that changes only <c>__metadata__</c>, which a plain weights file may hold freely.</summary>
    public const int MetadataKind = 12;

    public static byte[] Mutate(byte[] valid, Random random) => Mutate(valid, random, random.Next(Kinds));

    public static byte[] Mutate(byte[] valid, Random random, int kind)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        switch (kind)
        {
            case 0: // truncate anywhere
                return valid[..random.Next(valid.Length)];
            case 1: // flip bytes anywhere
            {
                byte[] file = (byte[])valid.Clone();
                int flips = 1 + random.Next(4);
                for (int k = 0; k < flips; k++)
                {
                    file[random.Next(file.Length)] ^= (byte)(1 + random.Next(255));
                }

                return file;
            }

            case 2: // overwrite a byte in the header only
            {
                byte[] file = (byte[])valid.Clone();
                file[8 + random.Next(headerLength)] = (byte)random.Next(256);
                return file;
            }

            case 3: // overwrite the header length
            {
                byte[] file = (byte[])valid.Clone();
                ulong[] lengths = [0, 1, 7, (ulong)headerLength - 1, (ulong)headerLength + 1, 100_000_000, 100_000_001, long.MaxValue, ulong.MaxValue];
                BinaryPrimitives.WriteUInt64LittleEndian(file, lengths[random.Next(lengths.Length)]);
                return file;
            }

            case 4: // replace a number in the JSON with an edge value
            {
                string json = Json(valid, headerLength);
                var digits = new List<(int Start, int Length)>();
                for (int p = 0; p < json.Length; p++)
                {
                    if (char.IsAsciiDigit(json[p]) && (p == 0 || !char.IsAsciiDigit(json[p - 1])))
                    {
                        int q = p;
                        while (q < json.Length && char.IsAsciiDigit(json[q]))
                        {
                            q++;
                        }

                        digits.Add((p, q - p));
                    }
                }

                (int start, int length) = digits[random.Next(digits.Count)];
                string mutated = string.Concat(json.AsSpan(0, start), Numbers[random.Next(Numbers.Length)], json.AsSpan(start + length));
                return SafeTensorsFiles.Build(mutated, Data(valid, headerLength));
            }

            default:
                return Structural(valid, headerLength, random, kind - 5);
        }
    }

    private static byte[] Structural(byte[] valid, int headerLength, Random random, int kind)
    {
        JsonObject header = JsonNode.Parse(Json(valid, headerLength))!.AsObject();
        byte[] data = Data(valid, headerLength);
        List<string> names = header.Select(p => p.Key).Where(k => k != "__metadata__").ToList();
        string name = names[random.Next(names.Count)];
        JsonObject tensor = header[name]!.AsObject();
        JsonArray offsets = tensor["data_offsets"]!.AsArray();
        long begin = (long)offsets[0]!, end = (long)offsets[1]!;
        switch (kind)
        {
            case 0: // wrong dtype
                tensor["dtype"] = DTypes[random.Next(DTypes.Length)];
                break;
            case 1: // renamed: the network's tensor is missing and an unknown one is there
            {
                header.Remove(name);
                header[random.Next(2) == 0 ? name + "_" : "x." + name] = tensor;
                break;
            }

            case 2: // a tensor dropped (its bytes stay, as a gap or a tail the header does not describe)
                header.Remove(name);
                break;
            case 3: // an extra tensor, at the end of the data or inside another's bytes
            {
                long length = 4 * (1 + random.Next(4));
                bool atEnd = random.Next(2) == 0;
                long at = atEnd ? data.Length : begin;
                header["extra." + random.Next(100)] = new JsonObject
                {
                    ["dtype"] = "F32",
                    ["shape"] = new JsonArray(length / 4),
                    ["data_offsets"] = new JsonArray(at, at + length),
                };
                if (atEnd)
                {
                    data = [.. data, .. new byte[length]];
                }

                break;
            }

            case 4: // another tensor's offsets: overlapping bytes
            {
                string other = names[random.Next(names.Count)];
                tensor["data_offsets"] = header[other]!["data_offsets"]!.DeepClone();
                break;
            }

            case 5: // offsets shifted, or past the end of the data
            {
                long shift = random.Next(3) switch { 0 => 4 * (random.Next(5) - 2), 1 => data.Length, _ => 1 };
                tensor["data_offsets"] = new JsonArray(begin + shift, end + shift);
                break;
            }

            case 6: // shape permuted or flattened (same element count)
            {
                long[] shape = tensor["shape"]!.AsArray().Select(n => (long)n!).ToArray();
                long count = shape.Aggregate(1L, (a, b) => a * b);
                tensor["shape"] = random.Next(2) == 0 || shape.Length < 2
                    ? new JsonArray(count)
                    : new JsonArray(shape.Reverse().Select(d => (JsonNode?)d).ToArray());
                break;
            }

            default: // a __metadata__ value replaced, or a key added or removed
            {
                if (header["__metadata__"] is not JsonObject metadata || metadata.Count == 0)
                {
                    tensor["dtype"] = DTypes[random.Next(DTypes.Length)];
                    break;
                }

                string key = metadata.Select(p => p.Key).ElementAt(random.Next(metadata.Count));
                switch (random.Next(4))
                {
                    case 0:
                        metadata.Remove(key);
                        break;
                    case 1:
                        metadata["unknown." + random.Next(10)] = "1";
                        break;
                    default:
                        metadata[key] = MetadataValues[random.Next(MetadataValues.Length)];
                        break;
                }

                break;
            }
        }

        return SafeTensorsFiles.Build(header.ToJsonString(), data);
    }

    private static string Json(byte[] file, int headerLength) => Encoding.UTF8.GetString(file, 8, headerLength).TrimEnd(' ');

    private static byte[] Data(byte[] file, int headerLength) => file[(8 + headerLength)..];
}
