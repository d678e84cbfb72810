using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using NetGen;
using Xunit;
using static NetGen.Tests.IO.SafeTensorsFiles;

namespace NetGen.Tests.IO;

public sealed class SafeTensorsValidationTests
{
    private const string Metadata = "\"__metadata__\":{\"format\":\"pt\"}";
    private static readonly string W = Entry("0.weight", "F32", "3,4", 0, 48);
    private static readonly string B = Entry("0.bias", "F32", "3", 48, 60);
    private static readonly string W2 = Entry("2.weight", "F32", "2,3", 60, 84);

    private static byte[] Header(string json) => Build(json, Ramp(100f, 21));

    private static byte[] WithLength(ulong headerLength, byte[] file)
    {
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, headerLength);
        return copy;
    }

    public static IEnumerable<object[]> BadFiles()
    {
        byte[] valid = Valid();
        yield return ["empty file", Array.Empty<byte>()];
        yield return ["truncated length prefix", valid[..5]];
        yield return ["truncated header", valid[..40]];
        yield return ["header length past the end", WithLength((ulong)valid.Length, valid)];
        yield return ["header length over 100 MB", WithLength(100_000_001, valid)];
        yield return ["header length 2^64 - 1", WithLength(ulong.MaxValue, valid)];
        yield return ["header length zero", WithLength(0, valid)];
        yield return ["truncated data", valid[..^1]];
        yield return ["trailing bytes after the data", Concat(valid, [0])];
        yield return ["invalid JSON", Header("{\"0.weight\":{\"dtype\":\"F32\",")];
        yield return ["header not an object", Header("[1,2,3]")];
        yield return ["text after the header object", Header("{" + W + "," + B + "," + W2 + "} x")];
        yield return ["trailing comma", Header("{" + W + "," + B + "," + W2 + ",}")];
        yield return ["comment", Header("{/* hi */" + W + "," + B + "," + W2 + "}")];
        yield return ["invalid UTF-8", Concat(Header("{" + W + "," + B + "," + W2 + "}")[..8], [0xFF], Header("{" + W + "," + B + "," + W2 + "}")[9..])];
        yield return ["lone surrogate escape", Header("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}")];
        yield return ["unknown dtype", Header("{" + Entry("0.weight", "F99", "3,4", 0, 48) + "," + B + "," + W2 + "}")];
        yield return ["dtype the network cannot take", Build("{" + Entry("0.weight", "I64", "3,4", 0, 96) + "," + Entry("0.bias", "F32", "3", 96, 108) + "," + Entry("2.weight", "F32", "2,3", 108, 132) + "}", Ramp(0, 33))];
        yield return ["dtype not a string", Header("{\"0.weight\":{\"dtype\":4,\"shape\":[3,4],\"data_offsets\":[0,48]}," + B + "," + W2 + "}")];
        yield return ["tensor not an object", Header("{\"0.weight\":[0,48]," + B + "," + W2 + "}")];
        yield return ["missing field", Header("{\"0.weight\":{\"dtype\":\"F32\",\"data_offsets\":[0,48]}," + B + "," + W2 + "}")];
        yield return ["unknown field", Header("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48],\"x\":1}," + B + "," + W2 + "}")];
        yield return ["duplicate field", Header("{\"0.weight\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}," + B + "," + W2 + "}")];
        yield return ["negative shape", Header("{" + Entry("0.weight", "F32", "-3,-4", 0, 48) + "," + B + "," + W2 + "}")];
        yield return ["fractional shape", Header("{" + Entry("0.weight", "F32", "3.0,4", 0, 48) + "," + B + "," + W2 + "}")];
        yield return ["shape not an array", Header("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":12,\"data_offsets\":[0,48]}," + B + "," + W2 + "}")];
        yield return ["shape overflows", Header("{" + Entry("0.weight", "F32", "4294967296,4294967296", 0, 48) + "," + B + "," + W2 + "}")];
        yield return ["shape mismatch", Header("{" + Entry("0.weight", "F32", "4,3", 0, 48) + "," + B + "," + W2 + "}")];
        yield return ["rank mismatch", Header("{" + Entry("0.weight", "F32", "12", 0, 48) + "," + B + "," + W2 + "}")];
        yield return ["three data offsets", Header("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48,60]}," + B + "," + W2 + "}")];
        yield return ["offsets disagree with shape", Header("{" + Entry("0.weight", "F32", "3,4", 0, 44) + "," + B + "," + W2 + "}")];
        yield return ["offsets end before they begin", Header("{" + Entry("0.weight", "F32", "3,4", 48, 0) + "," + B + "," + W2 + "}")];
        yield return ["offsets past the data", Header("{" + W + "," + B + "," + Entry("2.weight", "F32", "2,3", 80, 104) + "}")];
        yield return ["offsets beyond 2^63", Header("{" + Entry("0.weight", "F32", "3,4", 0, 48) + "," + B + ",\"2.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[18446744073709551600,18446744073709551624]}}")];
        yield return ["overlapping tensors", Header("{" + W + "," + Entry("0.bias", "F32", "3", 40, 52) + "," + Entry("2.weight", "F32", "2,3", 60, 84) + "}")];
        yield return ["same offsets twice", Header("{" + W + "," + Entry("0.bias", "F32", "3", 60, 72) + "," + Entry("2.weight", "F32", "2,3", 60, 84) + "}")];
        yield return ["missing tensor (strict)", Build("{" + W + "," + B + "}", Ramp(100f, 15))];
        yield return ["extra tensor (strict)", Build("{" + W + "," + B + "," + W2 + "," + Entry("3.weight", "F32", "1", 84, 88) + "}", Ramp(100f, 22))];
        yield return ["duplicate tensor name", Header("{" + W + "," + B + "," + W2 + "," + Entry("0.bias", "F32", "3", 48, 60) + "}")];
        yield return ["duplicate __metadata__", Header("{" + Metadata + "," + Metadata + "," + W + "," + B + "," + W2 + "}")];
        yield return ["__metadata__ not strings", Header("{\"__metadata__\":{\"format\":1}," + W + "," + B + "," + W2 + "}")];
        yield return ["__metadata__ not an object", Header("{\"__metadata__\":\"pt\"," + W + "," + B + "," + W2 + "}")];
        yield return ["nested arrays in __metadata__", Header("{\"__metadata__\":" + new string('[', 5000) + new string(']', 5000) + "}")];
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Every_bad_file_throws_weight_format_exception_and_changes_nothing(string why, byte[] file)
    {
        AssertRejected(why, net => SafeTensors.Load(net, file));
        AssertRejected(why, net => SafeTensors.Load(net, new MemoryStream(file)));
        AssertRejected(why, net => SafeTensors.Load(net, new TrickleStream(file)));
    }

    private static void AssertRejected(string why, Action<FakeNetwork> load)
    {
        var net = new FakeNetwork();
        int[] before = net.Bits();
        var e = Assert.Throws<WeightFormatException>(() => load(net));
        Assert.False(string.IsNullOrWhiteSpace(e.Message), why);
        Assert.Equal(before, net.Bits());
    }

    [Fact]
    public void The_valid_baseline_of_those_cases_loads()
    {
        var net = new FakeNetwork();
        SafeTensors.Load(net, Header("{" + Metadata + "," + W + "," + B + "," + W2 + "}"));
        Assert.Equal(120f, net[20]);
    }

    [Fact]
    public void Messages_say_which_tensor_and_what_was_expected()
    {
        var net = new FakeNetwork();
        var e = Assert.Throws<WeightFormatException>(() =>
            SafeTensors.Load(net, Header("{" + Entry("0.weight", "F32", "3,4", 0, 44) + "," + B + "," + W2 + "}")));
        Assert.Equal("0.weight", e.TensorName);
        Assert.Contains("need 48 bytes", e.Message);
        Assert.Contains("span 44", e.Message);

        e = Assert.Throws<WeightFormatException>(() =>
            SafeTensors.Load(net, Header("{" + W + "," + Entry("0.bias", "F32", "3", 40, 52) + "," + W2 + "}")));
        Assert.Contains("overlap", e.Message);
        Assert.Contains("'0.weight'", e.Message);

        e = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, WithLength(ulong.MaxValue, Valid())));
        Assert.Contains("header length", e.Message);
    }

    /// <summary>
    /// Seeded mutations of a valid file (<see cref="FileMutator"/>: truncation, flipped bytes, huge header
    /// lengths, edge numbers, offsets out of range or overlapping, wrong dtypes, missing, extra and renamed
    /// tensors), through all three load paths: each either loads or throws <see cref="WeightFormatException"/>,
    /// and a failure leaves the parameters exactly as they were.
    /// </summary>
    [Fact]
    public void Fuzzed_files_load_or_throw_weight_format_exception_and_failures_change_nothing()
    {
        const int Cases = 6000;
        byte[] valid = SafeTensorsFiles.Build(
            "{" + Metadata + "," + W + "," + Entry("0.bias", "F16", "3", 48, 54) + "," + Entry("2.weight", "BF16", "2,3", 54, 66) + "}",
            Concat(Ramp(100f, 12), U16(0x3C00, 0x4000, 0x4200), U16(0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0, 0x40C0)));
        var check = new FakeNetwork();
        SafeTensors.Load(check, valid); // the seed file itself is valid

        var random = new Random(20240905);
        var stopwatch = Stopwatch.StartNew();
        var loaded = new int[FileMutator.Kinds];
        var rejected = new int[FileMutator.Kinds];
        for (int i = 0; i < Cases; i++)
        {
            int kind = i % FileMutator.Kinds;
            byte[] file = FileMutator.Mutate(valid, random, kind);
            var net = new FakeNetwork(start: i);
            int[] before = net.Bits();
            try
            {
                bool strict = random.Next(2) == 0;
                switch (random.Next(3))
                {
                    case 0:
                        SafeTensors.Load(net, new TrickleStream(file), strict);
                        break;
                    case 1:
                        SafeTensors.Load(net, new MemoryStream(file), strict);
                        break;
                    default:
                        SafeTensors.Load(net, file, strict);
                        break;
                }

                loaded[kind]++;
            }
            catch (WeightFormatException)
            {
                rejected[kind]++;
                Assert.Equal(before, net.Bits());
            }
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"fuzzing took {stopwatch.Elapsed}");
        for (int kind = 0; kind < FileMutator.Kinds; kind++)
        {
            if (kind == FileMutator.MetadataKind)
            {
                continue; // a weights file's __metadata__ is free-form
            }

            Assert.True(rejected[kind] > 0, $"no mutation of kind {kind} was rejected");
        }

        Assert.True(rejected.Sum() > Cases / 2, $"only {rejected.Sum()} of {Cases} mutations were rejected");
        Assert.True(loaded.Sum() > 10, $"only {loaded.Sum()} of {Cases} mutations loaded");
    }
}
