using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen;

/// <summary>
/// Reads NumPy's files: <c>.npy</c> (one array, as <c>np.save</c> writes it; format versions 1.0, 2.0 and 3.0) and
/// <c>.npz</c> (a zip of <c>.npy</c> files, as <c>np.savez</c> and <c>np.savez_compressed</c> write it, stored or
/// deflated), and builds a <see cref="Dataset"/> from a features array and a labels array.
/// </summary>
/// <remarks>
/// <para>
/// Element types: <c>bool</c>, <c>int8</c>, <c>uint8</c>, <c>int16</c>, <c>uint16</c>, <c>int32</c>, <c>uint32</c>,
/// <c>int64</c>, <c>uint64</c>, <c>float16</c>, <c>float32</c> and <c>float64</c> (<see cref="NpyType"/>), little- or
/// big-endian (big-endian data is converted as it is read). Shapes of any rank, including 0 (a scalar) and sizes of
/// 0. Arrays must be in C order (NumPy's default): a Fortran-order array of 2 or more dimensions is refused (save
/// <c>np.ascontiguousarray(a)</c>). Object arrays (<c>dtype=object</c>, pickled), strings, complex numbers,
/// dates and structured dtypes are refused.
/// </para>
/// <para>
/// Files are treated as untrusted, as <see cref="Idx"/> treats them: the magic, the version, the header and every
/// size are checked, nothing is allocated beyond what the data can fill (a header that claims more than the file
/// holds is an error before any allocation; a compressed entry's buffer grows only as data arrives), and data past
/// what the header accounts for is an error. Problems throw <see cref="InvalidDataException"/> naming the file and,
/// in an archive, the array.
/// </para>
/// </remarks>
public static class Npy
{
    /// <summary>The largest header this reader accepts, 1 MiB (NumPy's own limit is 10,000 bytes by default).</summary>
    private const int MaxHeaderLength = 1 << 20;

    private const int InitialBufferBytes = 1 << 20;

    private static ReadOnlySpan<byte> Magic => new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Reads a <c>.npy</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The array, named after the file (without its extension).</returns>
    /// <exception cref="InvalidDataException">The file is not a well-formed <c>.npy</c> file of a supported type, or is truncated.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = OpenRead(path);
        return Read(stream, Path.GetFileNameWithoutExtension(path), $"'{path}'");
    }

    /// <summary>
    /// Reads one <c>.npy</c> array from <paramref name="stream"/> to its end; the stream is left open.
    /// <paramref name="name"/> names the array (and the source in error messages).
    /// </summary>
    /// <param name="stream">The data.</param>
    /// <param name="name">The array's name; "array" by default.</param>
    /// <exception cref="InvalidDataException">The data is not a well-formed <c>.npy</c> array of a supported type, or is truncated.</exception>
    public static NpyArray Read(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, name ?? "array", name is null ? "the .npy stream" : $"array '{name}'");
    }

    /// <summary>
    /// Reads every array of an <c>.npz</c> archive (<c>np.savez</c> or <c>np.savez_compressed</c>), keyed as NumPy
    /// keys them: the entry's name without <c>.npy</c> (<c>np.savez(f, x=a)</c> gives key <c>x</c>; positional arrays
    /// are <c>arr_0</c>, <c>arr_1</c>, ...). Entries that are not <c>.npy</c> files are skipped.
    /// </summary>
    /// <param name="path">The archive.</param>
    /// <returns>The arrays by key, in the archive's order.</returns>
    /// <exception cref="InvalidDataException">The file is not a zip archive, or an array in it is malformed, truncated or of an unsupported type.</exception>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = OpenRead(path);
        return ReadNpz(stream, $"'{path}'", only: null);
    }

    /// <summary>Reads every array of an <c>.npz</c> archive from <paramref name="stream"/> (left open); <paramref name="name"/> names it in error messages.</summary>
    /// <param name="stream">The archive's bytes; it must be seekable, as zip archives are read from their end.</param>
    /// <param name="name">What error messages call the archive; "the .npz stream" by default.</param>
    /// <returns>The arrays by key, in the archive's order.</returns>
    /// <exception cref="ArgumentException">The stream cannot seek.</exception>
    /// <exception cref="InvalidDataException">The data is not a zip archive, or an array in it is malformed, truncated or of an unsupported type.</exception>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("An .npz archive is read from its end (its zip directory), so the stream must be seekable.", nameof(stream));
        }

        return ReadNpz(stream, name is null ? "the .npz stream" : $"'{name}'", only: null);
    }

    /// <summary>
    /// Loads a data set from two arrays of an <c>.npz</c> archive (reading only those two): the first dimension of
    /// each is the samples, and the rest of the features array is one flat input per sample. Integer (or bool)
    /// labels are class indices, of any width; float labels are float targets (regression), as PyTorch's losses
    /// read <c>int64</c> and <c>float32</c> targets.
    /// </summary>
    /// <param name="npzPath">The archive, as <c>np.savez(path, x=features, y=labels)</c> writes it.</param>
    /// <param name="features">The features array's key: shape <c>(samples, ...)</c>, any numeric type (converted to float; float32 is used as read, not copied again).</param>
    /// <param name="labels">The labels array's key: shape <c>(samples,)</c> or <c>(samples, ...)</c>.</param>
    /// <param name="classes">For integer labels, the number of classes (the network's outputs), so that a label too large is refused naming its sample; by default 2^24.</param>
    /// <exception cref="ArgumentException">The archive has no array <paramref name="features"/> or <paramref name="labels"/> (the message lists its keys), or <paramref name="classes"/> is given for float labels.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not from 1 to 2^24.</exception>
    /// <exception cref="InvalidDataException">An array is malformed or unsupported, the two arrays hold different numbers of samples, or a label is not a class index.</exception>
    public static Dataset LoadDataset(string npzPath, string features, string labels, int classes = Dataset.MaxClasses)
    {
        ArgumentException.ThrowIfNullOrEmpty(npzPath);
        ArgumentException.ThrowIfNullOrEmpty(features);
        ArgumentException.ThrowIfNullOrEmpty(labels);
        Dataset.CheckClasses(classes);
        using FileStream stream = OpenRead(npzPath);
        string source = $"'{npzPath}'";
        IReadOnlyDictionary<string, NpyArray> arrays = ReadNpz(stream, source, only: new[] { features, labels });
        NpyArray x = Get(arrays, features, source, nameof(features));
        NpyArray y = Get(arrays, labels, source, nameof(labels));
        return LoadDataset(x, y, classes);
    }

    /// <summary>
    /// A data set from a features array and a labels array (from two <c>.npy</c> files, say:
    /// <c>Npy.LoadDataset(Npy.Read("x.npy"), Npy.Read("y.npy"), classes: 10)</c>); as
    /// <see cref="LoadDataset(string, string, string, int)"/>.
    /// </summary>
    /// <param name="features">Shape <c>(samples, ...)</c>, any numeric type; float32 features are wrapped, not copied.</param>
    /// <param name="labels">Shape <c>(samples,)</c> or <c>(samples, ...)</c>: integers (or bools) as class indices, floats as float targets.</param>
    /// <param name="classes">For integer labels, the number of classes; by default 2^24.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not from 1 to 2^24.</exception>
    /// <exception cref="ArgumentException"><paramref name="classes"/> is given for float labels.</exception>
    /// <exception cref="InvalidDataException">An array is 0-dimensional or empty per sample, the two hold different numbers of samples, or a label is not a class index.</exception>
    public static Dataset LoadDataset(NpyArray features, NpyArray labels, int classes = Dataset.MaxClasses)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        Dataset.CheckClasses(classes);
        int inputLength = PerSample(features, "features");
        int targetLength = PerSample(labels, "labels");
        if (features.Shape[0] != labels.Shape[0])
        {
            throw new InvalidDataException(
                $"The features, {features.Source} of shape {features.ShapeText}, hold {features.Shape[0]} samples, but the labels, {labels.Source} of shape {labels.ShapeText}, hold {labels.Shape[0]}; the first dimension of both is the samples.");
        }

        if (!labels.IsInteger)
        {
            if (classes != Dataset.MaxClasses)
            {
                throw new ArgumentException(
                    $"The labels, {labels.Source}, are {TypeName(labels.Type)}: float targets (regression), not class indices, so they take no number of classes. Class indices are integers, as PyTorch's cross_entropy takes int64 targets: save labels.astype(np.int64).",
                    nameof(classes));
            }

            return new Dataset(features.FloatMemory, inputLength, labels.FloatMemory, targetLength);
        }

        var targets = new float[labels.Length];
        ReadOnlySpan<byte> bytes = labels.Bytes;
        for (int i = 0; i < targets.Length; i++)
        {
            long label = labels.Type == NpyType.UInt64 && BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8 * i)) > long.MaxValue
                ? long.MaxValue
                : labels.Integer(bytes, i);
            if (label < 0 || label >= classes)
            {
                string where = targetLength == 1 ? $"sample {i}" : $"sample {i / targetLength}, position {i % targetLength}";
                string value = labels.Type == NpyType.UInt64
                    ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8 * i)).ToString(CultureInfo.InvariantCulture)
                    : label.ToString(CultureInfo.InvariantCulture);
                throw new InvalidDataException($"The labels, {labels.Source}, have {value} at {where}, outside [0, {classes}): {Dataset.ClassRange(classes)}.");
            }

            targets[i] = label;
        }

        return new Dataset(features.FloatMemory, inputLength, targets, targetLength);
    }

    private static int PerSample(NpyArray array, string role)
    {
        if (array.Rank == 0)
        {
            throw new InvalidDataException($"The {role}, {array.Source}, are a 0-dimensional array (a scalar); a data set's arrays have the samples as their first dimension.");
        }

        long perSample = 1;
        for (int d = 1; d < array.Rank; d++)
        {
            perSample *= array.Shape[d];
        }

        if (perSample == 0)
        {
            throw new InvalidDataException($"The {role}, {array.Source}, have shape {array.ShapeText}: no values per sample.");
        }

        return (int)perSample;
    }

    private static NpyArray Get(IReadOnlyDictionary<string, NpyArray> arrays, string key, string source, string paramName)
    {
        if (arrays.TryGetValue(key, out NpyArray? array))
        {
            return array;
        }

        throw new ArgumentException($"{source} has no array '{key}'; its arrays are {Keys(arrays)}.", paramName);
    }

    private static string Keys(IReadOnlyDictionary<string, NpyArray> arrays)
    {
        if (arrays.Count == 0)
        {
            return "none";
        }

        var s = new StringBuilder();
        foreach (string key in arrays.Keys)
        {
            s.Append(s.Length == 0 ? "" : ", ").Append('\'').Append(key).Append('\'');
        }

        return s.ToString();
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);

    /// <summary>
    /// Reads the archive's arrays; with <paramref name="only"/> (the features' and the labels' keys), just those two
    /// are read, and a missing one is an <see cref="ArgumentException"/> that lists every key of the archive.
    /// </summary>
    private static IReadOnlyDictionary<string, NpyArray> ReadNpz(Stream stream, string source, string[]? only)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source} is not an .npz file (a zip archive of .npy files): {e.Message}", e);
        }

        using (zip)
        {
            var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            var skipped = new List<string>();
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                {
                    continue;
                }

                string key = entry.FullName.Substring(0, entry.FullName.Length - 4);
                if (only is not null && Array.IndexOf(only, key) < 0)
                {
                    skipped.Add(key);
                    continue;
                }

                string where = $"array '{key}' of {source}";
                try
                {
                    using Stream data = entry.Open();
                    arrays[key] = Read(data, key, where);
                }
                catch (InvalidDataException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal))
                {
                    // The zip layer's own errors (a bad deflate stream, a wrong CRC) name neither file nor array.
                    throw new InvalidDataException($"{where} cannot be read from the archive: {e.Message}", e);
                }
            }

            if (only is not null && (!arrays.ContainsKey(only[0]) || !arrays.ContainsKey(only[1])))
            {
                // For the message: every key the archive has, read or not.
                var names = new StringBuilder();
                foreach (string key in arrays.Keys)
                {
                    names.Append(names.Length == 0 ? "" : ", ").Append('\'').Append(key).Append('\'');
                }

                foreach (string key in skipped)
                {
                    names.Append(names.Length == 0 ? "" : ", ").Append('\'').Append(key).Append('\'');
                }

                string missing = !arrays.ContainsKey(only[0]) ? only[0] : only[1];
                string param = !arrays.ContainsKey(only[0]) ? "features" : "labels";
                throw new ArgumentException($"{source} has no array '{missing}'; its arrays are {(names.Length == 0 ? "none" : names.ToString())}.", param);
            }

            return arrays;
        }
    }

    private static NpyArray Read(Stream stream, string name, string source)
    {
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : null;

        // Magic, version, header length.
        Span<byte> preamble = stackalloc byte[12];
        int got = ReadUpTo(stream, preamble.Slice(0, 8));
        if (got < 8 || !preamble.Slice(0, 6).SequenceEqual(Magic))
        {
            if (got >= 2 && preamble[0] == (byte)'P' && preamble[1] == (byte)'K')
            {
                throw new InvalidDataException($"{source} is a zip archive (an .npz file?), not a .npy array; read it with Npy.ReadNpz.");
            }

            if (got >= 6 || !preamble.Slice(0, got).SequenceEqual(Magic.Slice(0, got)))
            {
                throw new InvalidDataException($"{source} is not a .npy file: it does not start with the magic bytes \\x93NUMPY that np.save writes.");
            }

            throw new InvalidDataException($"{source} is truncated: it ends after {got} bytes, inside the .npy preamble.");
        }

        byte major = preamble[6], minor = preamble[7];
        if (major is not (1 or 2 or 3) || minor != 0)
        {
            throw new InvalidDataException($"{source} is a .npy file of format version {major}.{minor}; this reader reads versions 1.0, 2.0 and 3.0.");
        }

        int lengthBytes = major == 1 ? 2 : 4;
        if (ReadUpTo(stream, preamble.Slice(8, lengthBytes)) < lengthBytes)
        {
            throw new InvalidDataException($"{source} is truncated: it ends inside the .npy preamble, before the header's length.");
        }

        uint headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(preamble.Slice(8)) : BinaryPrimitives.ReadUInt32LittleEndian(preamble.Slice(8));
        if (headerLength > MaxHeaderLength)
        {
            throw new InvalidDataException($"{source} claims a .npy header of {headerLength} bytes; this reader accepts at most {MaxHeaderLength}.");
        }

        int preambleLength = 8 + lengthBytes;
        if (remaining is long r0 && r0 - preambleLength < headerLength)
        {
            throw new InvalidDataException($"{source} is truncated: its .npy header is {headerLength} bytes long but only {Math.Max(0, r0 - preambleLength)} bytes follow the preamble.");
        }

        var headerBytes = new byte[headerLength];
        int headerGot = ReadUpTo(stream, headerBytes);
        if (headerGot < headerLength)
        {
            throw new InvalidDataException($"{source} is truncated: its .npy header is {headerLength} bytes long but the data ends after {headerGot}.");
        }

        string header;
        try
        {
            header = major == 3 ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{source} has a .npy version 3.0 header that is not valid UTF-8.");
        }

        (string descr, bool fortran, int[] shape) = ParseHeader(header, source);
        (NpyType type, bool bigEndian) = ParseDescr(descr, source);
        if (fortran && shape.Length >= 2)
        {
            throw new InvalidDataException(
                $"{source} is in Fortran order (column-major, shape {FormatShape(shape)}); this reader reads C order (row-major), NumPy's default: save np.ascontiguousarray(a) instead.");
        }

        int size = SizeOf(type);
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;                                      // each below 2^31, and checked against the limit as it grows
            if (count * size > Array.MaxLength)
            {
                throw new InvalidDataException($"{source} claims shape {FormatShape(shape)} of {TypeName(type)}, more than {Array.MaxLength} bytes; this reader holds an array in one .NET array.");
            }
        }

        long total = count * size;
        if (remaining is long r)
        {
            long available = r - preambleLength - headerLength;
            if (available < total)
            {
                throw new InvalidDataException(
                    $"{source} is truncated: its header claims shape {FormatShape(shape)} of {TypeName(type)} ({total} bytes) but only {available} bytes follow the header.");
            }

            if (available > total)
            {
                throw new InvalidDataException(
                    $"{source} has {available - total} bytes after the {total} that its header (shape {FormatShape(shape)} of {TypeName(type)}) accounts for.");
            }
        }

        string claim = $"shape {FormatShape(shape)} of {TypeName(type)} ({total} bytes)";
        if (type == NpyType.Float32)
        {
            float[] floats = ReadData<float>(stream, (int)count, source, claim);
            if (bigEndian)
            {
                Span<uint> words = MemoryMarshal.Cast<float, uint>(floats.AsSpan());
                BinaryPrimitives.ReverseEndianness(words, words);
            }

            return new NpyArray(name, source, type, shape, (int)count, null, floats);
        }

        byte[] bytes = ReadData<byte>(stream, (int)total, source, claim);
        if (bigEndian)
        {
            switch (size)
            {
                case 2:
                    Span<ushort> halves = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());
                    BinaryPrimitives.ReverseEndianness(halves, halves);
                    break;
                case 4:
                    Span<uint> words = MemoryMarshal.Cast<byte, uint>(bytes.AsSpan());
                    BinaryPrimitives.ReverseEndianness(words, words);
                    break;
                case 8:
                    Span<ulong> longs = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan());
                    BinaryPrimitives.ReverseEndianness(longs, longs);
                    break;
            }
        }

        return new NpyArray(name, source, type, shape, (int)count, bytes, null);
    }

    /// <summary>Reads exactly <paramref name="count"/> elements, growing the buffer as data arrives, then checks the data ends there.</summary>
    private static T[] ReadData<T>(Stream stream, int count, string source, string claim)
        where T : unmanaged
    {
        int elementSize = Unsafe.SizeOf<T>();
        long total = (long)count * elementSize;
        var data = new T[Math.Min(count, InitialBufferBytes / elementSize)];
        long filled = 0;
        while (filled < total)
        {
            if (filled == (long)data.Length * elementSize)
            {
                Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
            }

            Span<byte> free = MemoryMarshal.AsBytes(data.AsSpan()).Slice((int)filled);
            int n = stream.Read(free);
            if (n == 0)
            {
                throw new InvalidDataException($"{source} is truncated: its header claims {claim} but only {filled} bytes of data follow.");
            }

            filled += n;
        }

        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) != 0)
        {
            throw new InvalidDataException($"{source} has more data after the {total} bytes that its header ({claim}) accounts for.");
        }

        return data;
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = stream.Read(buffer.Slice(filled));
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    /// <summary>Parses the header's Python dict literal: <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.</summary>
    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string source)
    {
        var parser = new LiteralParser(header, source);
        object? value = parser.ParseDocument();
        if (value is not Dictionary<string, object?> dict)
        {
            throw new InvalidDataException($"{source} has a .npy header that is not a dict: {Quote(header)}.");
        }

        if (!dict.TryGetValue("descr", out object? descrValue) || !dict.TryGetValue("fortran_order", out object? fortranValue) || !dict.TryGetValue("shape", out object? shapeValue))
        {
            throw new InvalidDataException($"{source} has a .npy header without the keys 'descr', 'fortran_order' and 'shape': {Quote(header)}.");
        }

        if (descrValue is List<object?> fields)
        {
            throw new InvalidDataException(
                $"{source} has a structured dtype (records of {fields.Count} fields); this reader reads arrays of numbers: save each field as its own array.");
        }

        if (descrValue is not string descr)
        {
            throw new InvalidDataException($"{source} has a .npy header whose 'descr' is not a dtype string: {Quote(header)}.");
        }

        if (fortranValue is not bool fortran)
        {
            throw new InvalidDataException($"{source} has a .npy header whose 'fortran_order' is not True or False: {Quote(header)}.");
        }

        if (shapeValue is not Tuple tuple)
        {
            throw new InvalidDataException($"{source} has a .npy header whose 'shape' is not a tuple: {Quote(header)}.");
        }

        var shape = new int[tuple.Items.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (tuple.Items[i] is not long d || d < 0 || d > int.MaxValue)
            {
                throw new InvalidDataException($"{source} has a .npy header whose shape has an invalid size at dimension {i}: {Quote(header)}.");
            }

            shape[i] = (int)d;
        }

        return (descr, fortran, shape);
    }

    private static (NpyType Type, bool BigEndian) ParseDescr(string descr, string source)
    {
        ReadOnlySpan<char> d = descr;
        bool bigEndian = false;
        if (d.Length > 0 && d[0] is '<' or '>' or '|' or '=')
        {
            bigEndian = d[0] == '>' && BitConverter.IsLittleEndian || d[0] is '<' && !BitConverter.IsLittleEndian;
            d = d.Slice(1);
        }

        NpyType? type = d switch
        {
            "b1" or "?" => NpyType.Bool,
            "i1" or "b" => NpyType.Int8,
            "u1" or "B" => NpyType.UInt8,
            "i2" or "h" => NpyType.Int16,
            "u2" or "H" => NpyType.UInt16,
            "i4" or "i" => NpyType.Int32,
            "u4" or "I" => NpyType.UInt32,
            "i8" or "q" => NpyType.Int64,
            "u8" or "Q" => NpyType.UInt64,
            "f2" or "e" => NpyType.Float16,
            "f4" or "f" => NpyType.Float32,
            "f8" or "d" => NpyType.Float64,
            _ => null,
        };

        if (type is NpyType t)
        {
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("The .npy reader runs on little-endian machines.");
            }

            return (t, bigEndian && SizeOf(t) > 1);
        }

        char kind = d.Length > 0 ? d[0] : '?';
        string what = kind switch
        {
            'O' => "Python objects (dtype=object), which np.save pickles; save a numeric array instead (a.astype(np.float32))",
            'U' => "unicode strings",
            'S' or 'a' => "byte strings",
            'c' => "complex numbers",
            'M' => "dates (datetime64)",
            'm' => "time spans (timedelta64)",
            'V' => "raw records (void)",
            'f' or 'g' => "floats of a size this reader does not read (long double?)",
            _ => "an unknown type",
        };
        throw new InvalidDataException(
            $"{source} has dtype '{descr}': {what}. This reader reads bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float16, float32 and float64.");
    }

    /// <summary>Bytes per element of <paramref name="type"/>.</summary>
    internal static int SizeOf(NpyType type) => type switch
    {
        NpyType.Bool or NpyType.Int8 or NpyType.UInt8 => 1,
        NpyType.Int16 or NpyType.UInt16 or NpyType.Float16 => 2,
        NpyType.Int32 or NpyType.UInt32 or NpyType.Float32 => 4,
        _ => 8,
    };

    /// <summary>NumPy's name of <paramref name="type"/>: <c>float32</c>, <c>int64</c>, <c>bool</c>.</summary>
    internal static string TypeName(NpyType type) => type switch
    {
        NpyType.Bool => "bool",
        NpyType.Int8 => "int8",
        NpyType.UInt8 => "uint8",
        NpyType.Int16 => "int16",
        NpyType.UInt16 => "uint16",
        NpyType.Int32 => "int32",
        NpyType.UInt32 => "uint32",
        NpyType.Int64 => "int64",
        NpyType.UInt64 => "uint64",
        NpyType.Float16 => "float16",
        NpyType.Float32 => "float32",
        _ => "float64",
    };

    /// <summary>A shape as Python prints a tuple: <c>(3, 4)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    internal static string FormatShape(IReadOnlyList<int> shape) => shape.Count switch
    {
        0 => "()",
        1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
        _ => "(" + string.Join(", ", ToStrings(shape)) + ")",
    };

    private static IEnumerable<string> ToStrings(IReadOnlyList<int> shape)
    {
        foreach (int d in shape)
        {
            yield return d.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string Quote(string header)
    {
        string trimmed = header.TrimEnd(' ', '\n', '\0');
        return trimmed.Length <= 200 ? trimmed : string.Concat(trimmed.AsSpan(0, 200), "...");
    }

    /// <summary>A Python tuple in the header (the shape), told apart from a list (a structured dtype's fields).</summary>
    private sealed class Tuple
    {
        public Tuple(List<object?> items) => Items = items;

        public List<object?> Items { get; }
    }

    /// <summary>
    /// The subset of Python literals a .npy header uses: dicts, strings, True/False/None, integers (with Python 2's
    /// <c>L</c> suffix), tuples and lists.
    /// </summary>
    private ref struct LiteralParser
    {
        private readonly string _text;
        private readonly string _source;
        private int _at;

        public LiteralParser(string text, string source)
        {
            _text = text;
            _source = source;
            _at = 0;
        }

        public object? ParseDocument()
        {
            object? value = ParseValue(0);
            SkipSpace();
            if (_at != _text.Length)
            {
                throw Error("text after the dict");
            }

            return value;
        }

        private object? ParseValue(int depth)
        {
            if (depth > 32)
            {
                throw Error("nesting too deep");
            }

            SkipSpace();
            if (_at >= _text.Length)
            {
                throw Error("it ends early");
            }

            char c = _text[_at];
            switch (c)
            {
                case '{':
                {
                    _at++;
                    var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                    while (true)
                    {
                        SkipSpace();
                        if (Peek() == '}')
                        {
                            _at++;
                            return dict;
                        }

                        if (ParseValue(depth + 1) is not string key)
                        {
                            throw Error("a key that is not a string");
                        }

                        SkipSpace();
                        Expect(':');
                        dict[key] = ParseValue(depth + 1);
                        SkipSpace();
                        if (Peek() == ',')
                        {
                            _at++;
                        }
                        else if (Peek() != '}')
                        {
                            throw Error("a missing ',' or '}'");
                        }
                    }
                }

                case '(':
                case '[':
                {
                    char close = c == '(' ? ')' : ']';
                    _at++;
                    var items = new List<object?>();
                    while (true)
                    {
                        SkipSpace();
                        if (Peek() == close)
                        {
                            _at++;
                            return c == '(' ? new Tuple(items) : items;
                        }

                        items.Add(ParseValue(depth + 1));
                        SkipSpace();
                        if (Peek() == ',')
                        {
                            _at++;
                        }
                        else if (Peek() != close)
                        {
                            throw Error($"a missing ',' or '{close}'");
                        }
                    }
                }

                case '\'':
                case '"':
                {
                    int end = _text.IndexOf(c, _at + 1);
                    if (end < 0)
                    {
                        throw Error("a string that is not closed");
                    }

                    string s = _text.Substring(_at + 1, end - _at - 1);
                    _at = end + 1;
                    return s;
                }

                default:
                    if (char.IsAsciiDigit(c) || c == '-')
                    {
                        int start = _at;
                        _at++;
                        while (_at < _text.Length && char.IsAsciiDigit(_text[_at]))
                        {
                            _at++;
                        }

                        if (!long.TryParse(_text.AsSpan(start, _at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                        {
                            throw Error("an integer out of range");
                        }

                        if (_at < _text.Length && _text[_at] is 'L' or 'l')
                        {
                            _at++;
                        }

                        return n;
                    }

                    foreach ((string word, object? value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
                    {
                        if (string.CompareOrdinal(_text, _at, word, 0, word.Length) == 0)
                        {
                            _at += word.Length;
                            return value;
                        }
                    }

                    throw Error($"an unexpected '{c}'");
            }
        }

        private readonly char Peek() => _at < _text.Length ? _text[_at] : '\0';

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw Error($"a missing '{c}'");
            }

            _at++;
        }

        private void SkipSpace()
        {
            while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r' or '\0')
            {
                _at++;
            }
        }

        private readonly InvalidDataException Error(string what) =>
            new($"{_source} has a .npy header that cannot be parsed ({what} at character {_at}): {Quote(_text)}.");
    }
}
