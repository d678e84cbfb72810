using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace NetGen;

/// <summary>
/// Reads IDX files, the format of MNIST and its relatives (Fashion-MNIST, EMNIST): a big-endian header
/// (magic number, then one 32-bit size per dimension) followed by the data. Supports unsigned-byte images
/// (magic 2051: count, rows, columns) and labels (magic 2049: count), plain or gzipped (recognized by the
/// gzip magic bytes 1f 8b, whatever the file is called).
/// </summary>
/// <remarks>
/// Files are treated as untrusted: the magic, every size and the amount of data are checked, nothing is
/// allocated beyond what the data can fill (a header claiming more bytes than a file holds is an error before
/// any allocation; a gzipped stream's buffer grows only as data arrives), and data past what the header
/// accounts for is an error. Problems throw <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </remarks>
public static class Idx
{
    /// <summary>The magic number of an IDX file of unsigned-byte images: type 0x08, 3 dimensions.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of an IDX file of unsigned-byte labels: type 0x08, 1 dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    private const int InitialBufferBytes = 1 << 20;

    /// <summary>Reads an images file (magic 2051), gzipped or not.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX images file.</exception>
    public static IdxImages ReadImages(string path)
    {
        using FileStream stream = OpenRead(path);
        return ReadImages(stream, $"'{path}'");
    }

    /// <summary>
    /// Reads images (magic 2051), gzipped or not, from <paramref name="stream"/> to its end; the stream is left
    /// open. <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX images file.</exception>
    public static IdxImages ReadImages(Stream stream, string? name = null)
    {
        (int[] sizes, byte[] data) = Read(stream, name ?? "the IDX stream", ImagesMagic);
        return new IdxImages(sizes[0], sizes[1], sizes[2], data);
    }

    /// <summary>Reads a labels file (magic 2049), gzipped or not: one byte per sample.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX labels file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using FileStream stream = OpenRead(path);
        return ReadLabels(stream, $"'{path}'");
    }

    /// <summary>
    /// Reads labels (magic 2049), gzipped or not, from <paramref name="stream"/> to its end; the stream is left
    /// open. <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX labels file.</exception>
    public static byte[] ReadLabels(Stream stream, string? name = null) => Read(stream, name ?? "the IDX stream", LabelsMagic).Data;

    /// <summary>
    /// Loads an MNIST-style pair of files as a classification <see cref="Dataset"/>: inputs are the pixels scaled
    /// to [0, 1] as torchvision's <c>ToTensor</c> does (<c>p / 255</c>), one flat input of rows × columns per
    /// image, and targets are the labels.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is malformed, or the two files hold different numbers of samples.</exception>
    public static Dataset LoadMnist(string imagesPath, string labelsPath)
    {
        IdxImages images = ReadImages(imagesPath);
        byte[] labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
        {
            throw new InvalidDataException($"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels; they must be the same samples.");
        }

        return Dataset.FromLabels(images.ToFloats(), images.PixelsPerImage, labels);
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    private static (int[] Sizes, byte[] Data) Read(Stream stream, string name, int magic)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int dimensions = magic & 0xFF;
        string kind = magic == ImagesMagic ? "images" : "labels";

        // Sniff for gzip; the bytes read are handed back in front of the rest of the stream.
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : null;
        var start = new byte[2];
        int sniffed = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        Stream source = new PrefixedStream(start.AsSpan(0, sniffed).ToArray(), stream);
        bool gzipped = sniffed == 2 && start[0] == 0x1F && start[1] == 0x8B;
        if (gzipped)
        {
            source = new GZipStream(source, CompressionMode.Decompress);
            remaining = null;
        }

        using (source)
        {
            // Header: magic, then one big-endian size per dimension.
            var header = new byte[4 + 4 * dimensions];
            int got = ReadUpTo(source, header, name, gzipped);
            if (got < 4)
            {
                throw new InvalidDataException($"{name} is not an IDX {kind} file: it is only {got} bytes long{(gzipped ? " after decompression" : "")}.");
            }

            CheckMagic(header, magic, name, kind);
            if (got < header.Length)
            {
                throw new InvalidDataException($"{name} is truncated: its IDX {kind} header needs {header.Length} bytes but the file ends after {got}.");
            }

            var sizes = new int[dimensions];
            long total = 1;
            for (int d = 0; d < dimensions; d++)
            {
                uint size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 + 4 * d));
                if (size > int.MaxValue || (d > 0 && size == 0))
                {
                    throw new InvalidDataException($"{name} has an invalid size {size} for {DimensionName(magic, d)} in its IDX header.");
                }

                sizes[d] = (int)size;
            }

            foreach (int size in sizes)
            {
                total *= size;                               // at most 2^31 · 2^31 before the check: no overflow
                if (total > Array.MaxLength)
                {
                    throw new InvalidDataException($"{name} claims {Describe(sizes, magic)}, more than {Array.MaxLength} bytes; this reader holds a file's data in one array.");
                }
            }

            if (remaining is long known)
            {
                long available = known - header.Length;
                if (available < total)
                {
                    throw new InvalidDataException($"{name} is truncated: its header claims {Describe(sizes, magic)} ({total} bytes) but only {available} bytes follow the header.");
                }

                if (available > total)
                {
                    throw new InvalidDataException($"{name} has {available - total} bytes after the {total} that its header ({Describe(sizes, magic)}) accounts for.");
                }
            }

            byte[] data = ReadData(source, (int)total, name, gzipped, sizes, magic);
            return (sizes, data);
        }
    }

    private static void CheckMagic(byte[] header, int magic, string name, string kind)
    {
        int found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found == magic)
        {
            return;
        }

        string expected = $"IDX {kind} start with magic {magic} (0x{magic:X8})";
        if (header[0] != 0 || header[1] != 0)
        {
            throw new InvalidDataException($"{name} is not an IDX file: it starts with 0x{found:X8}; {expected}.");
        }

        if (header[2] != 0x08)
        {
            throw new InvalidDataException($"{name} is an IDX file of element type 0x{header[2]:X2}, not unsigned bytes (0x08); {expected}.");
        }

        string hint = found == ImagesMagic ? " (it looks like an images file)" : found == LabelsMagic ? " (it looks like a labels file)" : "";
        throw new InvalidDataException($"{name} is an IDX file with {header[3]} dimensions, magic {found}{hint}; {expected}.");
    }

    /// <summary>Reads exactly <paramref name="total"/> bytes, then checks the stream ends there.</summary>
    private static byte[] ReadData(Stream source, int total, string name, bool gzipped, int[] sizes, int magic)
    {
        // Grow as data arrives, so a header that lies about its size cannot make us allocate gigabytes up front.
        var data = new byte[Math.Min(total, InitialBufferBytes)];
        int filled = 0;
        while (filled < total)
        {
            if (filled == data.Length)
            {
                Array.Resize(ref data, (int)Math.Min(total, 2L * data.Length));
            }

            int n = ReadSome(source, data.AsSpan(filled), name, gzipped);
            if (n == 0)
            {
                throw new InvalidDataException($"{name} is truncated: its header claims {Describe(sizes, magic)} ({total} bytes) but only {filled} bytes of data follow{(gzipped ? " after decompression" : "")}.");
            }

            filled += n;
        }

        Span<byte> probe = stackalloc byte[1];
        if (ReadSome(source, probe, name, gzipped) != 0)
        {
            throw new InvalidDataException($"{name} has more data after the {total} bytes that its header ({Describe(sizes, magic)}) accounts for.");
        }

        return data;
    }

    private static int ReadUpTo(Stream source, byte[] buffer, string name, bool gzipped)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = ReadSome(source, buffer.AsSpan(filled), name, gzipped);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    private static int ReadSome(Stream source, Span<byte> buffer, string name, bool gzipped)
    {
        try
        {
            return source.Read(buffer);
        }
        catch (InvalidDataException e) when (gzipped)
        {
            throw new InvalidDataException($"{name} is not valid gzip data: {e.Message}", e);
        }
    }

    private static string Describe(int[] sizes, int magic) => magic == ImagesMagic
        ? $"{sizes[0]} images of {sizes[1]}x{sizes[2]}"
        : $"{sizes[0]} labels";

    private static string DimensionName(int magic, int dimension) => magic == ImagesMagic
        ? dimension switch { 0 => "the image count", 1 => "the rows", _ => "the columns" }
        : "the label count";

    /// <summary>A read-only stream that returns some bytes already read from another stream, then the rest of it.</summary>
    private sealed class PrefixedStream : Stream
    {
        private readonly byte[] _prefix;
        private readonly Stream _inner;
        private int _position;

        public PrefixedStream(byte[] prefix, Stream inner)
        {
            _prefix = prefix;
            _inner = inner;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position < _prefix.Length && !buffer.IsEmpty)
            {
                int n = Math.Min(buffer.Length, _prefix.Length - _position);
                _prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            return _inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes, row-major.</summary>
public sealed class IdxImages
{
    internal IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        Count = count;
        Rows = rows;
        Columns = columns;
        Pixels = pixels;
    }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>Rows per image.</summary>
    public int Rows { get; }

    /// <summary>Columns per image.</summary>
    public int Columns { get; }

    /// <summary>Bytes per image: <see cref="Rows"/> × <see cref="Columns"/>.</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>All pixels, image after image, each row-major (0 = background for MNIST).</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>Every pixel as <c>p / 255f</c>, in [0, 1]: bit for bit what torchvision's <c>ToTensor</c> gives.</summary>
    public float[] ToFloats()
    {
        var result = new float[Pixels.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Pixels[i] / 255f;
        }

        return result;
    }

    /// <summary>Every pixel as <c>p × <paramref name="scale"/></c>.</summary>
    public float[] ToFloats(float scale)
    {
        var result = new float[Pixels.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Pixels[i] * scale;
        }

        return result;
    }
}
