using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
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
    /// Seeded mutations of a valid file: each either loads or throws <see cref="WeightFormatException"/>, and a
    /// failure leaves the parameters exactly as they were.
    /// </summary>
    [Fact]
    public void Fuzzed_files_load_or_throw_weight_format_exception_and_failures_change_nothing()
    {
        byte[] valid = SafeTensorsFiles.Build(
            "{" + Metadata + "," + W + "," + Entry("0.bias", "F16", "3", 48, 54) + "," + Entry("2.weight", "BF16", "2,3", 54, 66) + "}",
            Concat(Ramp(100f, 12), U16(0x3C00, 0x4000, 0x4200), U16(0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0, 0x40C0)));
        var check = new FakeNetwork();
        SafeTensors.Load(check, valid); // the seed file itself is valid

        var random = new Random(20240905);
        var stopwatch = Stopwatch.StartNew();
        int loaded = 0;
        int rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] file = Mutate(valid, random);
            var net = new FakeNetwork(start: i);
            int[] before = net.Bits();
            try
            {
                bool strict = i % 2 == 0;
                switch (i % 3)
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

                loaded++;
            }
            catch (WeightFormatException)
            {
                rejected++;
                Assert.Equal(before, net.Bits());
            }
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"fuzzing took {stopwatch.Elapsed}");
        Assert.True(rejected > 1000, $"only {rejected} of 3000 mutations were rejected");
        Assert.True(loaded > 10, $"only {loaded} of 3000 mutations loaded");
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        switch (random.Next(6))
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

            case 2: // flip bytes in the header only
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

            default: // replace a number in the JSON with an edge value, keeping the length prefix consistent
            {
                string json = Encoding.UTF8.GetString(valid, 8, headerLength);
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

                string[] values = ["0", "1", "-1", "48", "66", "1e3", "9223372036854775807", "9223372036854775808", "18446744073709551615", "99999999999999999999999", "2147483648"];
                (int start, int length) = digits[random.Next(digits.Count)];
                string mutated = string.Concat(json.AsSpan(0, start), values[random.Next(values.Length)], json.AsSpan(start + length));
                return SafeTensorsFiles.Build(mutated.TrimEnd(' '), valid[(8 + headerLength)..]);
            }
        }
    }
}
