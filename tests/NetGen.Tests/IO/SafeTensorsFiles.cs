using System;
using System.Buffers.Binary;
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
