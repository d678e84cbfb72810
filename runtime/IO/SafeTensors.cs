using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NetGen;

/// <summary>
/// Saves and loads a network's parameters as <a href="https://github.com/huggingface/safetensors">safetensors</a>,
/// the format PyTorch users exchange weights in: an 8-byte little-endian header length, a UTF-8 JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data. Names and shapes are the
/// network's <see cref="INetwork.ParameterTensors"/>, which follow the twin <c>nn.Sequential</c>'s
/// <c>state_dict</c>, so <c>safetensors.torch.save_file(model.state_dict(), path)</c> writes a file this loads.
/// </summary>
/// <remarks>
/// Loading treats the file as untrusted. Any problem, in the file or in how it matches the network, throws a
/// <see cref="WeightFormatException"/> and leaves the network's parameters exactly as they were: values are
/// decoded into a copy and written back in one step only when everything has been checked.
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest JSON header accepted, in bytes (the limit of the reference implementation).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const int ChunkBytes = 1 << 16;

    // ---------------------------------------------------------------- save

    /// <summary>
    /// Writes the parameters of <paramref name="network"/> to the file <paramref name="path"/> as F32
    /// safetensors. The write is atomic: the bytes go to a temporary file beside the target, are flushed to
    /// disk and then replace it, so a crash leaves either the old file or the new one. What was at the path is
    /// kept: a symbolic link is followed (to the end of a chain) and its target replaced, the link left as it is;
    /// the new file gets the replaced file's mode and, where this process may set them (as root), its owner and
    /// group; temporary files that killed saves of the same target left behind are deleted.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="IOException">
    /// The file cannot be written, or the path is (or a link leads to) something other than a regular file: a
    /// directory, FIFO, device or socket, which is left untouched.
    /// </exception>
    public static void Save(INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        WriteAtomically(path, stream => Save(network, stream));
    }

    /// <summary>Writes a file atomically, keeping what was at the path (see <see cref="WeightFiles.WriteAtomically"/>).</summary>
    internal static void WriteAtomically(string path, Action<Stream> write) => WeightFiles.WriteAtomically(path, write);

    /// <summary>
    /// Writes the parameters of <paramref name="network"/> to <paramref name="stream"/> as F32 safetensors, in the
    /// order of <see cref="INetwork.ParameterTensors"/>, with the header padded with spaces to a multiple of 8
    /// bytes and <c>__metadata__</c> <c>{"format": "pt", "generator": "NetGen"}</c>. The stream is left open.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written.</exception>
    /// <exception cref="InvalidOperationException">The network's tensor list is inconsistent (a duplicate name or a tensor outside the parameter buffer).</exception>
    public static void Save(INetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream cannot be written.", nameof(stream));
        }

        List<ParameterTensor> tensors = StateTensors(network);
        WriteHeader(stream, tensors, metadata: null);

        ReadOnlySpan<float> parameters = network.Parameters;
        ReadOnlySpan<float> buffers = network.Buffers;
        foreach (ParameterTensor t in tensors)
        {
            ReadOnlySpan<float> values = t.Offset < parameters.Length
                ? parameters.Slice(t.Offset, t.Length)
                : buffers.Slice(t.Offset - parameters.Length, t.Length);
            if (t.IsCount)
            {
                WriteCounts(stream, values);
            }
            else
            {
                WriteFloats(stream, values);
            }
        }

        stream.Flush();
    }

    /// <summary>
    /// Writes the 8-byte length and the header for F32 <paramref name="tensors"/> stored back to back in list
    /// order (their <see cref="ParameterTensor.Offset"/> is not used); <paramref name="metadata"/> follows
    /// <c>format</c> and <c>generator</c> in <c>__metadata__</c>. The caller then writes each tensor's floats.
    /// </summary>
    internal static void WriteHeader(Stream stream, IReadOnlyList<ParameterTensor> tensors, IReadOnlyList<KeyValuePair<string, string>>? metadata)
    {
        byte[] header = BuildHeader(tensors, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
    }

    /// <summary>The compact JSON header, space-padded to a multiple of 8 bytes, as the Python library lays it out.</summary>
    private static byte[] BuildHeader(IReadOnlyList<ParameterTensor> tensors, IReadOnlyList<KeyValuePair<string, string>>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (tensors.Count * 96));
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // names stay readable; still valid JSON
            Indented = false,
        }))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteString("generator", "NetGen");
            if (metadata is not null)
            {
                foreach (KeyValuePair<string, string> pair in metadata)
                {
                    json.WriteString(pair.Key, pair.Value);
                }
            }

            json.WriteEndObject();

            long offset = 0;
            foreach (ParameterTensor t in tensors)
            {
                long end = offset + ((t.IsCount ? 8L : 4L) * t.Length);
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.IsCount ? "I64" : "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }

            json.WriteEndObject();
        }

        int length = buffer.WrittenCount;
        int padded = (length + 7) & ~7;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    /// <summary>Writes counts kept as floats (batch norm's num_batches_tracked) as little-endian int64, PyTorch's dtype for them.</summary>
    private static void WriteCounts(Stream stream, ReadOnlySpan<float> values)
    {
        Span<byte> bytes = stackalloc byte[8];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, (long)v);
            stream.Write(bytes);
        }
    }

    internal static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (!values.IsEmpty)
            {
                int n = Math.Min(values.Length, ChunkBytes / 4);
                for (int i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(4 * i), values[i]);
                }

                stream.Write(chunk, 0, 4 * n);
                values = values[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    // ---------------------------------------------------------------- load: public surface

    /// <summary>
    /// Loads the safetensors file <paramref name="path"/> into <paramref name="network"/>'s parameters, matching
    /// tensors by name. F32, F16 and BF16 tensors are accepted (F16 and BF16 widen to float exactly).
    /// </summary>
    /// <param name="network">The network whose parameters receive the values.</param>
    /// <param name="path">The file to read.</param>
    /// <param name="strict">
    /// <see langword="true"/>: every network tensor must be in the file and nothing else may be.
    /// <see langword="false"/>: missing tensors keep their values and extra ones are ignored. Shapes must match either way.
    /// </param>
    /// <exception cref="WeightFormatException">The file is malformed or does not match the network; the parameters are unchanged.</exception>
    /// <exception cref="IOException">
    /// The file cannot be opened or read (for example <see cref="FileNotFoundException"/>), or the path is a
    /// directory, FIFO, device or socket rather than a regular file (checked before opening, so a FIFO does not block).
    /// </exception>
    public static void Load(INetwork network, string path, bool strict = true) =>
        Load(network, path, strict ? SafeTensorsLoadOptions.Default : new SafeTensorsLoadOptions { Strict = false });

    /// <summary>Loads the safetensors file <paramref name="path"/> into <paramref name="network"/> as <paramref name="options"/> say.</summary>
    /// <exception cref="WeightFormatException">The file is malformed or does not match the network; the parameters are unchanged.</exception>
    /// <exception cref="IOException">The file cannot be opened or read, or the path is not a regular file.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> sets both <see cref="SafeTensorsLoadOptions.Rename"/> and <see cref="SafeTensorsLoadOptions.ByOrder"/>.</exception>
    public static void Load(INetwork network, string path, SafeTensorsLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckOptions(options);
        using FileStream file = WeightFiles.OpenRead(path);
        LoadFromStream(network, file, options);
    }

    /// <summary>
    /// Loads safetensors from <paramref name="stream"/>, which is read from its current position to its end,
    /// into <paramref name="network"/>. The stream need not be seekable; it is left open.
    /// </summary>
    /// <param name="network">The network whose parameters receive the values.</param>
    /// <param name="stream">The bytes of a safetensors file.</param>
    /// <param name="strict">As in <see cref="Load(INetwork, string, bool)"/>.</param>
    /// <exception cref="WeightFormatException">The bytes are malformed or do not match the network; the parameters are unchanged.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static void Load(INetwork network, Stream stream, bool strict = true) =>
        Load(network, stream, strict ? SafeTensorsLoadOptions.Default : new SafeTensorsLoadOptions { Strict = false });

    /// <summary>Loads safetensors from <paramref name="stream"/> into <paramref name="network"/> as <paramref name="options"/> say.</summary>
    /// <exception cref="WeightFormatException">The bytes are malformed or do not match the network; the parameters are unchanged.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read, or <paramref name="options"/> sets both Rename and ByOrder.</exception>
    public static void Load(INetwork network, Stream stream, SafeTensorsLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        CheckOptions(options);
        LoadFromStream(network, stream, options);
    }

    /// <summary>Loads the safetensors file held in <paramref name="bytes"/> into <paramref name="network"/>.</summary>
    /// <param name="network">The network whose parameters receive the values.</param>
    /// <param name="bytes">The whole file.</param>
    /// <param name="strict">As in <see cref="Load(INetwork, string, bool)"/>.</param>
    /// <exception cref="WeightFormatException">The bytes are malformed or do not match the network; the parameters are unchanged.</exception>
    public static void Load(INetwork network, ReadOnlySpan<byte> bytes, bool strict = true) =>
        Load(network, bytes, strict ? SafeTensorsLoadOptions.Default : new SafeTensorsLoadOptions { Strict = false });

    /// <summary>Loads the safetensors file held in <paramref name="bytes"/> into <paramref name="network"/> as <paramref name="options"/> say.</summary>
    /// <exception cref="WeightFormatException">The bytes are malformed or do not match the network; the parameters are unchanged.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> sets both Rename and ByOrder.</exception>
    public static void Load(INetwork network, ReadOnlySpan<byte> bytes, SafeTensorsLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        CheckOptions(options);

        SafeTensorsHeader header = ParseFile(bytes, out int dataStart);
        ReadOnlySpan<byte> data = bytes[dataStart..];
        List<Assignment> plan = Match(network, header, options, out List<ParameterTensor> zeroed);

        float[] scratch = Snapshot(network);
        foreach (Assignment a in plan)
        {
            Decode(data.Slice((int)a.Entry.Begin, (int)a.Entry.ByteLength), a.Entry.DType, scratch.AsSpan(a.Target.Offset, a.Target.Length));
        }

        Finish(network, plan, zeroed, scratch);
        Commit(network, scratch);
    }

    /// <summary>
    /// Validates the whole file held in <paramref name="bytes"/>: the header length, the header, and a data
    /// section exactly as long as the header's tensors need. Returns the header; the data section starts at
    /// <paramref name="dataStart"/>.
    /// </summary>
    internal static SafeTensorsHeader ParseFile(ReadOnlySpan<byte> bytes, out int dataStart)
    {
        if (bytes.Length < 8)
        {
            throw new WeightFormatException(
                $"The file is {bytes.Length} bytes long; a safetensors file starts with an 8-byte header length.");
        }

        int headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(bytes), bytes.Length - 8L);
        SafeTensorsHeader header = SafeTensorsHeader.Parse(bytes.Slice(8, headerLength));
        dataStart = 8 + headerLength;
        CheckDataLength(header, bytes.Length - dataStart);
        return header;
    }

    // ---------------------------------------------------------------- load: streams

    private static void LoadFromStream(INetwork network, Stream stream, SafeTensorsLoadOptions options)
    {
        long? remaining = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;

        Span<byte> prefix = stackalloc byte[8];
        int got = ReadFully(stream, prefix);
        if (got < 8)
        {
            throw new WeightFormatException($"The file is {got} bytes long; a safetensors file starts with an 8-byte header length.");
        }

        if (remaining < 8)
        {
            // The stream delivered more than its Length says (a device such as /dev/zero): its length tells nothing.
            remaining = null;
        }

        int headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(prefix), remaining is long r ? r - 8 : null);
        byte[] headerBytes = ReadHeader(stream, headerLength);
        SafeTensorsHeader header = SafeTensorsHeader.Parse(headerBytes);
        if (remaining is long total)
        {
            CheckDataLength(header, total - 8 - headerLength);
        }

        List<Assignment> plan = Match(network, header, options, out List<ParameterTensor> zeroed);
        var targets = new Dictionary<SafeTensorsEntry, ParameterTensor>(plan.Count, ReferenceEqualityComparer.Instance);
        foreach (Assignment a in plan)
        {
            targets.Add(a.Entry, a.Target);
        }

        float[] scratch = Snapshot(network);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long position = 0; // within the data section
            foreach (SafeTensorsEntry entry in header.Tensors) // in data order
            {
                if (entry.ByteLength == 0)
                {
                    continue;
                }

                Skip(stream, entry.Begin - position, chunk, header.DataLength);
                position = entry.Begin;
                if (targets.TryGetValue(entry, out ParameterTensor? target))
                {
                    ReadTensor(stream, entry, scratch.AsSpan(target.Offset, target.Length), chunk, header.DataLength);
                }
                else
                {
                    Skip(stream, entry.ByteLength, chunk, header.DataLength);
                }

                position = entry.End;
            }

            Skip(stream, header.DataLength - position, chunk, header.DataLength);
            if (remaining is null && stream.Read(chunk, 0, 1) != 0)
            {
                throw new WeightFormatException(
                    $"The data section is longer than the {header.DataLength} bytes the header describes.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        Finish(network, plan, zeroed, scratch);
        Commit(network, scratch);
    }

    /// <summary>
    /// After decoding, before committing: sets the counts the file lacks to 0 (see <see cref="Match"/>) and checks
    /// the loaded values (<see cref="StateValues.CheckWeights"/>).
    /// </summary>
    private static void Finish(INetwork network, List<Assignment> plan, List<ParameterTensor> zeroed, float[] scratch)
    {
        foreach (ParameterTensor t in zeroed)
        {
            scratch.AsSpan(t.Offset, t.Length).Clear();
        }

        int parameters = network.Parameters.Length;
        foreach (Assignment a in plan)
        {
            StateValues.CheckWeights(a.Target, a.Target.Offset >= parameters, scratch.AsSpan(a.Target.Offset, a.Target.Length));
        }
    }

    /// <summary>Reads the header, growing the buffer as bytes arrive so a lying length cannot force a huge allocation.</summary>
    private static byte[] ReadHeader(Stream stream, int length)
    {
        byte[] buffer = new byte[Math.Min(length, 1 << 20)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, 2L * buffer.Length));
            }

            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                throw new WeightFormatException(
                    $"The file ends {filled} bytes into a header that should be {length} bytes long.");
            }

            filled += n;
        }

        return buffer;
    }

    private static void ReadTensor(Stream stream, SafeTensorsEntry entry, Span<float> target, byte[] chunk, long dataLength)
    {
        if (entry.DType == "F32" && BitConverter.IsLittleEndian)
        {
            Span<byte> bytes = MemoryMarshal.AsBytes(target);
            int got = ReadFully(stream, bytes);
            if (got < bytes.Length)
            {
                throw Truncated(entry.Begin + got, dataLength);
            }

            return;
        }

        int perChunk = ChunkBytes / entry.ElementSize;
        while (!target.IsEmpty)
        {
            int count = Math.Min(target.Length, perChunk);
            Span<byte> bytes = chunk.AsSpan(0, count * entry.ElementSize);
            int got = ReadFully(stream, bytes);
            if (got < bytes.Length)
            {
                throw Truncated(entry.End - (target.Length * (long)entry.ElementSize) + got, dataLength);
            }

            Decode(bytes, entry.DType, target[..count]);
            target = target[count..];
        }
    }

    private static void Skip(Stream stream, long count, byte[] chunk, long dataLength)
    {
        if (count <= 0)
        {
            return;
        }

        if (stream.CanSeek)
        {
            // The length was checked against the header before any data was read.
            stream.Seek(count, SeekOrigin.Current);
            return;
        }

        long left = count;
        while (left > 0)
        {
            int n = stream.Read(chunk, 0, (int)Math.Min(left, chunk.Length));
            if (n == 0)
            {
                throw Truncated(dataLength - left, dataLength);
            }

            left -= n;
        }
    }

    internal static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static WeightFormatException Truncated(long at, long expected) =>
        new($"The data section ends after about {at} bytes; the header describes {expected}.");

    // ---------------------------------------------------------------- load: checks and matching

    private static int CheckHeaderLength(ulong length, long? available)
    {
        if (length < 2)
        {
            throw new WeightFormatException(
                $"The header length is {length} bytes; a safetensors header is a JSON object, at least 2 bytes. The file is not safetensors or is corrupt.");
        }

        if (length > MaxHeaderLength)
        {
            throw new WeightFormatException(
                $"The header length is {length} bytes, more than the limit of {MaxHeaderLength}; the file is not safetensors or is corrupt.");
        }

        if (available is long a && (long)length > a)
        {
            throw new WeightFormatException(
                $"The header length is {length} bytes, but only {a} bytes follow it; the file is truncated or corrupt.");
        }

        return (int)length;
    }

    private static void CheckDataLength(SafeTensorsHeader header, long actual)
    {
        if (actual != header.DataLength)
        {
            throw new WeightFormatException(
                $"The data section is {actual} bytes, but the header's tensors end at byte {header.DataLength}; " +
                (actual < header.DataLength ? "the file is truncated." : "the file has bytes no tensor describes."));
        }
    }

    private static void CheckOptions(SafeTensorsLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ByOrder && options.Rename is not null)
        {
            throw new ArgumentException("Rename and ByOrder cannot be combined: by order, names are ignored.", nameof(options));
        }
    }

    /// <summary>
    /// The network's parameters and buffers as one list in state_dict order (a layer's buffers right after its
    /// parameters, as a PyTorch module lists them), with buffer offsets moved past the parameters: loading,
    /// saving and checkpoints see the concatenation [Parameters, Buffers] as one buffer (see <see cref="Snapshot"/>).
    /// </summary>
    internal static List<ParameterTensor> StateTensors(INetwork network)
    {
        IReadOnlyList<ParameterTensor> parameters = network.ParameterTensors;
        IReadOnlyList<ParameterTensor> buffers = network.BufferTensors;
        var names = new HashSet<string>(StringComparer.Ordinal);
        CheckTensors(parameters, network.Parameters.Length, "parameters", names);
        CheckTensors(buffers, network.Buffers.Length, "buffers", names);
        var state = new List<ParameterTensor>(parameters.Count + buffers.Count);
        state.AddRange(parameters);
        int shift = network.Parameters.Length;
        foreach (ParameterTensor b in buffers)
        {
            string layer = LayerOf(b.Name);
            int last = state.FindLastIndex(t => LayerOf(t.Name) == layer);
            state.Insert(last < 0 ? state.Count : last + 1, new ParameterTensor(b.Name, shift + b.Offset, b.Shape.ToArray()) { IsCount = b.IsCount });
        }

        return state;
    }

    /// <summary><c>1.running_mean</c> → <c>1</c>: the module a tensor belongs to.</summary>
    private static string LayerOf(string name) => name.LastIndexOf('.') is int dot and >= 0 ? name[..dot] : string.Empty;

    /// <summary>A copy of [Parameters, Buffers], to load into before anything in the network changes.</summary>
    internal static float[] Snapshot(INetwork network)
    {
        Span<float> parameters = network.Parameters;
        float[] scratch = new float[parameters.Length + network.Buffers.Length];
        parameters.CopyTo(scratch);
        network.Buffers.CopyTo(scratch.AsSpan(parameters.Length));
        return scratch;
    }

    /// <summary>Copies a fully checked <see cref="Snapshot"/> back into the network.</summary>
    internal static void Commit(INetwork network, float[] scratch)
    {
        Span<float> parameters = network.Parameters;
        scratch.AsSpan(0, parameters.Length).CopyTo(parameters);
        scratch.AsSpan(parameters.Length).CopyTo(network.Buffers);
    }

    private static void CheckTensors(IReadOnlyList<ParameterTensor> tensors, int length, string store, HashSet<string> names)
    {
        foreach (ParameterTensor t in tensors)
        {
            if (!names.Add(t.Name))
            {
                throw new InvalidOperationException($"The network names two tensors '{t.Name}'.");
            }

            if (t.Offset < 0 || t.Offset > length - t.Length)
            {
                throw new InvalidOperationException(
                    $"The network's tensor '{t.Name}' ({t.Length} floats at {t.Offset}) lies outside its {length} {store}.");
            }
        }
    }

    private readonly record struct Assignment(SafeTensorsEntry Entry, ParameterTensor Target);

    /// <summary>
    /// Pairs file tensors with network tensors and checks shapes, dtypes and (when strict) coverage. Strict loading
    /// accepts a file that lacks a count (batch norm's <c>num_batches_tracked</c>), as PyTorch 1.13's
    /// <c>_NormBase._load_from_state_dict</c> does: such counts are returned in <paramref name="zeroed"/> and set to 0.
    /// </summary>
    private static List<Assignment> Match(INetwork network, SafeTensorsHeader header, SafeTensorsLoadOptions options, out List<ParameterTensor> zeroed)
    {
        zeroed = new List<ParameterTensor>();
        List<ParameterTensor> tensors = StateTensors(network);
        var plan = new List<Assignment>(tensors.Count);

        if (options.ByOrder)
        {
            List<SafeTensorsEntry> entries = header.Tensors; // already in data order
            if (options.Strict && entries.Count != tensors.Count)
            {
                throw new WeightFormatException(
                    $"By order: the file holds {entries.Count} tensors and the network {tensors.Count}; strict loading needs the same number.");
            }

            int n = Math.Min(entries.Count, tensors.Count);
            for (int i = 0; i < n; i++)
            {
                CheckPair(entries[i], tensors[i], new Origin(entries[i], tensors[i].Name, renamed: false, i));
                plan.Add(new Assignment(entries[i], tensors[i]));
            }

            return plan;
        }

        var byName = new Dictionary<string, ParameterTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (ParameterTensor t in tensors)
        {
            byName.Add(t.Name, t);
        }

        var loaded = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        var extra = new List<string>();
        foreach (SafeTensorsEntry entry in SortedByHeaderPosition(header.Tensors))
        {
            string name = entry.Name;
            bool isRenamed = false;
            if (options.Rename is not null && options.Rename.TryGetValue(entry.Name, out string? renamed))
            {
                name = renamed;
                isRenamed = true;
            }

            if (!byName.TryGetValue(name, out ParameterTensor? target))
            {
                extra.Add(name);
                continue;
            }

            if (loaded.TryGetValue(name, out SafeTensorsEntry? first))
            {
                throw new WeightFormatException(
                    $"File tensors '{SafeTensorsHeader.Clip(first.Name)}' and '{SafeTensorsHeader.Clip(entry.Name)}' both load into '{name}'.", name);
            }

            CheckPair(entry, target, new Origin(entry, name, isRenamed, -1));
            loaded.Add(name, entry);
            plan.Add(new Assignment(entry, target));
        }

        if (options.Strict)
        {
            var missing = new List<string>();
            string? firstMissing = null;
            foreach (ParameterTensor t in tensors)
            {
                if (loaded.ContainsKey(t.Name))
                {
                    continue;
                }

                if (t.IsCount)
                {
                    zeroed.Add(t); // PyTorch fills in a missing num_batches_tracked with 0
                    continue;
                }

                missing.Add($"'{t.Name}' {SafeTensorsHeader.FormatShape(t.Shape)}");
                firstMissing ??= t.Name;
            }

            if (missing.Count > 0)
            {
                throw new WeightFormatException(
                    $"The file lacks {Plural(missing.Count, "network tensor")}: {Join(missing)}. " +
                    "Load with strict: false to keep the current values of missing tensors.",
                    firstMissing);
            }

            if (extra.Count > 0)
            {
                var quoted = extra.ConvertAll(e => $"'{SafeTensorsHeader.Clip(e)}'");
                throw new WeightFormatException(
                    $"The file holds {Plural(extra.Count, "tensor")} the network does not have: {Join(quoted)}. " +
                    "Load with strict: false to ignore them, or rename them.",
                    extra[0]);
            }
        }

        return plan;
    }

    /// <summary>Where a file tensor goes, for a message; formatted only when one is thrown.</summary>
    private readonly struct Origin
    {
        private readonly SafeTensorsEntry _entry;
        private readonly string _target;
        private readonly bool _renamed;
        private readonly int _orderIndex;

        public Origin(SafeTensorsEntry entry, string target, bool renamed, int orderIndex)
        {
            _entry = entry;
            _target = target;
            _renamed = renamed;
            _orderIndex = orderIndex;
        }

        public override string ToString() =>
            _orderIndex >= 0 ? $"File tensor #{_orderIndex} '{SafeTensorsHeader.Clip(_entry.Name)}' (by order, into '{_target}')"
            : _renamed ? $"File tensor '{SafeTensorsHeader.Clip(_entry.Name)}' (renamed to '{SafeTensorsHeader.Clip(_target)}')"
            : $"Tensor '{SafeTensorsHeader.Clip(_entry.Name)}'";
    }

    private static void CheckPair(SafeTensorsEntry entry, ParameterTensor target, Origin how)
    {
        ReadOnlySpan<int> shape = target.Shape;
        bool same = shape.Length == entry.Shape.Length;
        for (int i = 0; same && i < shape.Length; i++)
        {
            same = shape[i] == entry.Shape[i];
        }

        if (!same)
        {
            throw new WeightFormatException(
                $"{how}: expected shape {SafeTensorsHeader.FormatShape(shape)}, found {entry.ShapeText} in the file.", target.Name);
        }

        if (!entry.IsSupported && !(target.IsCount && entry.DType == "I64"))
        {
            throw new WeightFormatException(
                $"{how}: expected dtype F32, F16 or BF16, found {entry.DType}.", target.Name);
        }
    }

    private static List<SafeTensorsEntry> SortedByHeaderPosition(List<SafeTensorsEntry> entries)
    {
        var sorted = new List<SafeTensorsEntry>(entries);
        sorted.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return sorted;
    }

    internal static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    internal static string Join(List<string> items)
    {
        const int Shown = 8;
        var sb = new StringBuilder();
        for (int i = 0; i < items.Count && i < Shown; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append(items[i]);
        }

        if (items.Count > Shown)
        {
            sb.Append(", and ").Append(items.Count - Shown).Append(" more");
        }

        return sb.ToString();
    }

    // ---------------------------------------------------------------- decoding

    /// <summary>Converts little-endian F32, F16 or BF16 values to floats; F16 and BF16 widen exactly.</summary>
    internal static void Decode(ReadOnlySpan<byte> source, string dtype, Span<float> target)
    {
        switch (dtype)
        {
            case "F32":
                if (BitConverter.IsLittleEndian)
                {
                    source.CopyTo(MemoryMarshal.AsBytes(target));
                }
                else
                {
                    for (int i = 0; i < target.Length; i++)
                    {
                        target[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                    }
                }

                break;
            case "F16":
                if (BitConverter.IsLittleEndian)
                {
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), target);
                }
                else
                {
                    for (int i = 0; i < target.Length; i++)
                    {
                        target[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                    }
                }

                break;
            case "BF16":
                // bfloat16 is the upper half of a float32.
                for (int i = 0; i < target.Length; i++)
                {
                    target[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                }

                break;
            case "I64":
                // A count (num_batches_tracked); exact as a float up to 2^24.
                for (int i = 0; i < target.Length; i++)
                {
                    target[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(8 * i)..]);
                }

                break;
            default:
                throw new WeightFormatException($"Dtype {dtype} cannot be converted to float.");
        }
    }
}
