using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using NetGen;
using Xunit;

namespace NetGen.Tests.IO;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netgen-io-" + Guid.NewGuid().ToString("N"));

    public SafeTensorsRoundTripTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Bit patterns a float round trip must keep: NaN payloads, signed zeros, subnormals, infinities.</summary>
    private static readonly uint[] Awkward =
    [
        0x7FC00000, 0x7FC00001, 0xFFC12345, 0x7F800001, // quiet NaNs with payloads, a signalling NaN
        0x80000000, 0x00000000,                         // -0, +0
        0x00000001, 0x807FFFFF, 0x00400000,             // subnormals
        0x7F800000, 0xFF800000, 0x7F7FFFFF, 0x00800000, // ±inf, max, min normal
        0x3F800000, 0xBDCCCCCD, 0x40490FDB,             // 1, -0.1, pi
        0x12345678, 0x9ABCDEF0, 0x3EAAAAAB, 0xC2F6E979, 0x0000FFFF,
    ];

    private static FakeNetwork AwkwardNetwork()
    {
        var net = new FakeNetwork();
        for (int i = 0; i < FakeNetwork.Count; i++)
        {
            net.Parameters[i] = BitConverter.Int32BitsToSingle(unchecked((int)Awkward[i]));
        }

        return net;
    }

    [Fact]
    public void Stream_round_trip_is_bit_identical()
    {
        FakeNetwork source = AwkwardNetwork();
        var stream = new MemoryStream();
        SafeTensors.Save(source, stream);

        var target = new FakeNetwork(start: -50f);
        stream.Position = 0;
        SafeTensors.Load(target, stream);

        Assert.Equal(source.Bits(), target.Bits());
    }

    [Fact]
    public void Span_and_non_seekable_stream_round_trips_are_bit_identical()
    {
        FakeNetwork source = AwkwardNetwork();
        var stream = new MemoryStream();
        SafeTensors.Save(source, stream);
        byte[] bytes = stream.ToArray();

        var fromSpan = new FakeNetwork(start: -50f);
        SafeTensors.Load(fromSpan, bytes);
        Assert.Equal(source.Bits(), fromSpan.Bits());

        var fromTrickle = new FakeNetwork(start: -50f);
        SafeTensors.Load(fromTrickle, new TrickleStream(bytes));
        Assert.Equal(source.Bits(), fromTrickle.Bits());
    }

    [Fact]
    public void File_round_trip_through_extension_methods_is_bit_identical()
    {
        FakeNetwork source = AwkwardNetwork();
        string path = Path.Combine(_directory, "net.safetensors");
        source.Save(path);

        var target = new FakeNetwork(start: -50f);
        target.Load(path);

        Assert.Equal(source.Bits(), target.Bits());
    }

    [Fact]
    public void Saved_layout_is_the_python_librarys_with_tensors_in_network_order()
    {
        var stream = new MemoryStream();
        SafeTensors.Save(new FakeNetwork(), stream);
        byte[] bytes = stream.ToArray();

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        const string Expected =
            "{\"__metadata__\":{\"format\":\"pt\",\"generator\":\"NetGen\"}," +
            "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}," +
            "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]}," +
            "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[60,84]}}";
        Assert.Equal(Expected, header.TrimEnd(' '));
        Assert.Equal(Expected.Length + ((8 - (Expected.Length % 8)) % 8), header.Length);
        Assert.Equal(8 + (int)n + 84, bytes.Length);
        Assert.Equal(SafeTensorsFiles.Ramp(0f, 21), bytes.AsSpan(8 + (int)n).ToArray());
    }

    [Fact]
    public void Atomic_save_replaces_an_existing_file_and_leaves_no_temporary_files()
    {
        string path = Path.Combine(_directory, "net.safetensors");
        File.WriteAllText(path, "an older, shorter or longer file that is not safetensors at all");

        var source = new FakeNetwork(start: 7f);
        SafeTensors.Save(source, path);

        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
        var target = new FakeNetwork(start: -50f);
        SafeTensors.Load(target, path);
        Assert.Equal(source.Bits(), target.Bits());
    }

    [Fact]
    public void Failed_save_keeps_the_old_file_and_deletes_its_temporary_file()
    {
        string path = Path.Combine(_directory, "net.safetensors");
        var good = new FakeNetwork(start: 3f);
        SafeTensors.Save(good, path);
        byte[] before = File.ReadAllBytes(path);

        // Two tensors with one name: Save refuses after it has created the temporary file.
        var broken = new FakeNetwork(tensors: [new ParameterTensor("0.weight", 0, 3, 4), new ParameterTensor("0.weight", 12, 3)]);
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Save(broken, path));

        Assert.Equal(new[] { path }, Directory.GetFiles(_directory));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Loading_a_missing_file_throws_file_not_found_and_changes_nothing()
    {
        var net = new FakeNetwork();
        int[] before = net.Bits();
        Assert.Throws<FileNotFoundException>(() => net.Load(Path.Combine(_directory, "absent.safetensors")));
        Assert.Equal(before, net.Bits());
    }
}
