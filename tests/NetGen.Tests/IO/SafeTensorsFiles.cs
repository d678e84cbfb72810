using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace NetGen.Tests.IO;

/// <summary>Builds safetensors bytes by hand, independent of the code under test.</summary>
internal static class SafeTensorsFiles
{
    /// <summary>8-byte little-endian length, the header (space-padded to a multiple of 8 when asked), the data.</summary>
    public static byte[] Build(string header, byte[] data, bool pad = true)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        int padding = pad ? (8 - (json.Length % 8)) % 8 : 0;
        var file = new byte[8 + json.Length + padding + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)(json.Length + padding));
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padding).Fill((byte)' ');
        data.CopyTo(file, 8 + json.Length + padding);
        return file;
    }

    /// <summary>Little-endian F32 bytes.</summary>
    public static byte[] F32(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    /// <summary>Little-endian 16-bit words (F16 or BF16 bit patterns).</summary>
    public static byte[] U16(params ushort[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        }

        return bytes;
    }

    public static byte[] Concat(params byte[][] parts)
    {
        var all = new MemoryStream();
        foreach (byte[] p in parts)
        {
            all.Write(p);
        }

        return all.ToArray();
    }

    /// <summary>Floats start, start + 1, ... as F32 bytes.</summary>
    public static byte[] Ramp(float start, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = start + i;
        }

        return F32(values);
    }

    /// <summary>A header entry: <c>"name":{"dtype":..,"shape":[..],"data_offsets":[b,e]}</c>.</summary>
    public static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{shape}],\"data_offsets\":[{begin},{end}]}}";

    /// <summary>A valid file for <see cref="FakeNetwork"/> in network order, values start, start + 1, ...</summary>
    public static byte[] Valid(float start = 100f) => Build(
        "{" + Entry("0.weight", "F32", "3,4", 0, 48) + "," + Entry("0.bias", "F32", "3", 48, 60) + "," +
        Entry("2.weight", "F32", "2,3", 60, 84) + "}",
        Ramp(start, 21));
}

/// <summary>A read-only stream over bytes that cannot seek and hands out few bytes per read.</summary>
internal sealed class TrickleStream : Stream
{
    private readonly byte[] _bytes;
    private int _position;

    public TrickleStream(byte[] bytes) => _bytes = bytes;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(Math.Min(count, 7), _bytes.Length - _position);
        Array.Copy(_bytes, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Edits of a valid safetensors file through its JSON header, keeping the length prefix consistent.</summary>
internal static class SafeTensorsEdit
{
    /// <summary>The file with element <paramref name="index"/> of the F32 tensor <paramref name="tensor"/> set to <paramref name="value"/>.</summary>
    public static byte[] SetFloat(byte[] file, string tensor, int index, float value)
    {
        (System.Text.Json.Nodes.JsonObject header, int dataStart) = Header(file);
        var entry = header[tensor]!.AsObject();
        if ((string)entry["dtype"]! != "F32")
        {
            throw new ArgumentException($"'{tensor}' is not F32.", nameof(tensor));
        }

        long begin = (long)entry["data_offsets"]![0]!;
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(dataStart + (int)begin + (4 * index)), value);
        return copy;
    }

    /// <summary>The file with the 8-byte I64 tensor <paramref name="tensor"/> (a count) set to <paramref name="value"/>.</summary>
    public static byte[] SetInt64(byte[] file, string tensor, long value)
    {
        (System.Text.Json.Nodes.JsonObject header, int dataStart) = Header(file);
        long begin = (long)header[tensor]!["data_offsets"]![0]!;
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(dataStart + (int)begin), value);
        return copy;
    }

    /// <summary>The file with <c>__metadata__[key]</c> set to <paramref name="value"/>.</summary>
    public static byte[] SetMetadata(byte[] file, string key, string value)
    {
        (System.Text.Json.Nodes.JsonObject header, int dataStart) = Header(file);
        header["__metadata__"]![key] = value;
        return SafeTensorsFiles.Build(header.ToJsonString(), file[dataStart..]);
    }

    /// <summary>
    /// The file without the tensors whose names end with <paramref name="suffix"/>, their bytes removed and the
    /// other tensors' offsets moved down, as a tool that drops them would write it.
    /// </summary>
    public static byte[] RemoveTensors(byte[] file, string suffix)
    {
        (System.Text.Json.Nodes.JsonObject header, int dataStart) = Header(file);
        byte[] data = file[dataStart..];
        var kept = new MemoryStream();
        var rebuilt = new System.Text.Json.Nodes.JsonObject();
        var entries = new List<(string Name, System.Text.Json.Nodes.JsonNode Node, long Begin, long End)>();
        foreach (KeyValuePair<string, System.Text.Json.Nodes.JsonNode?> pair in header)
        {
            if (pair.Key == "__metadata__")
            {
                rebuilt[pair.Key] = pair.Value!.DeepClone();
                continue;
            }

            long begin = (long)pair.Value!["data_offsets"]![0]!, end = (long)pair.Value!["data_offsets"]![1]!;
            entries.Add((pair.Key, pair.Value!, begin, end));
        }

        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        foreach ((string name, System.Text.Json.Nodes.JsonNode node, long begin, long end) in entries)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                continue;
            }

            var copy = node.DeepClone().AsObject();
            copy["data_offsets"] = new System.Text.Json.Nodes.JsonArray(kept.Length, kept.Length + (end - begin));
            kept.Write(data, (int)begin, (int)(end - begin));
            rebuilt[name] = copy;
        }

        return SafeTensorsFiles.Build(rebuilt.ToJsonString(), kept.ToArray());
    }

    private static (System.Text.Json.Nodes.JsonObject Header, int DataStart) Header(byte[] file)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string json = Encoding.UTF8.GetString(file, 8, length).TrimEnd(' ');
        return (System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject(), 8 + length);
    }
}
