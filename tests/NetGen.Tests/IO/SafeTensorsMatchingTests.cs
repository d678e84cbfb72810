using System;
using System.Collections.Generic;
using System.Text;
using NetGen;
using Xunit;
using static NetGen.Tests.IO.SafeTensorsFiles;

namespace NetGen.Tests.IO;

public sealed class SafeTensorsMatchingTests
{
    /// <summary>
    /// The bytes <c>safetensors.torch.save_file(model.state_dict(), path)</c> writes for the network's twin: compact
    /// JSON with <c>__metadata__</c> first, tensors sorted by name (all F32, so dtype does not reorder them), data
    /// in that order, and the header padded with spaces to a multiple of 8 (219 bytes of JSON + 5 spaces).
    /// </summary>
    private static byte[] PythonFile()
    {
        const string Header =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}," +
            "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[12,60]}," +
            "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[60,84]}}";
        Assert.Equal(219, Encoding.UTF8.GetByteCount(Header));

        var file = new List<byte>();
        file.AddRange(BitConverter.GetBytes(224UL)); // 219 rounded up to a multiple of 8 (little-endian host)
        file.AddRange(Encoding.UTF8.GetBytes(Header));
        file.AddRange(Encoding.ASCII.GetBytes("     "));
        file.AddRange(F32(-1f, -2f, -3f));                                           // 0.bias
        file.AddRange(F32(0f, 0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f, 4f, 4.5f, 5f, 5.5f)); // 0.weight
        file.AddRange(F32(10f, 20f, 30f, 40f, 50f, 60f));                            // 2.weight
        Assert.Equal(8 + 224 + 84, file.Count);
        return file.ToArray();
    }

    [Fact]
    public void A_file_laid_out_by_the_python_library_loads_by_name()
    {
        var net = new FakeNetwork();
        SafeTensors.Load(net, PythonFile());

        float[] expected =
        [
            0f, 0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f, 4f, 4.5f, 5f, 5.5f,
            -1f, -2f, -3f,
            10f, 20f, 30f, 40f, 50f, 60f,
        ];
        Assert.Equal(expected, net.Parameters.ToArray());
    }

    [Fact]
    public void F16_and_bf16_widen_exactly_to_float()
    {
        string header = "{\"__metadata__\":{\"format\":\"pt\"}," +
            Entry("0.weight", "F16", "3,4", 0, 24) + "," + Entry("0.bias", "BF16", "3", 24, 30) + "," +
            Entry("2.weight", "F32", "2,3", 30, 54) + "}";
        byte[] data = Concat(
            U16(
                0x3C00, // 1
                0xC000, // -2
                0x7BFF, // 65504, the largest half
                0x0001, // 2^-24, the smallest subnormal
                0x03FF, // 1023 * 2^-24, the largest subnormal
                0x3555, // 1/3 rounded to half: 0.333251953125
                0x2E66, // 0.1 rounded to half: 0.0999755859375
                0x4248, // pi rounded to half: 3.140625
                0x7C00, // +inf
                0xFC00, // -inf
                0x8000, // -0
                0x7E00), // NaN
            U16(
                0x3F80, // 1
                0x4049, // pi in bf16: 3.140625
                0xC2F7), // -123.5
            F32(1f, 2f, 3f, 4f, 5f, 6f));
        var net = new FakeNetwork();
        SafeTensors.Load(net, Build(header, data));

        float[] expected =
        [
            1f, -2f, 65504f, MathF.Pow(2, -24), 1023 * MathF.Pow(2, -24), 0.333251953125f, 0.0999755859375f, 3.140625f,
            float.PositiveInfinity, float.NegativeInfinity, -0f, float.NaN,
            1f, 3.140625f, -123.5f,
            1f, 2f, 3f, 4f, 5f, 6f,
        ];
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]))
            {
                Assert.True(float.IsNaN(net[i]), $"element {i}");
            }
            else
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(net[i]));
            }
        }

        // The same through a stream that trickles bytes (the chunked decode path).
        var fromStream = new FakeNetwork();
        SafeTensors.Load(fromStream, new TrickleStream(Build(header, data)));
        Assert.Equal(net.Bits(), fromStream.Bits());
    }

    private static byte[] FileWith(params (string Name, string Shape, int Count)[] tensors)
    {
        var header = new StringBuilder("{");
        var data = new List<byte>();
        float value = 100f;
        foreach ((string name, string shape, int count) in tensors)
        {
            header.Append(header.Length > 1 ? "," : "").Append(Entry(name, "F32", shape, data.Count, data.Count + (4 * count)));
            data.AddRange(Ramp(value, count));
            value += count;
        }

        return Build(header.Append('}').ToString(), data.ToArray());
    }

    [Fact]
    public void Strict_load_rejects_a_missing_tensor_and_names_it()
    {
        var net = new FakeNetwork();
        int[] before = net.Bits();
        byte[] file = FileWith(("0.weight", "3,4", 12), ("2.weight", "2,3", 6));

        var e = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, file));
        Assert.Contains("'0.bias' [3]", e.Message);
        Assert.Equal("0.bias", e.TensorName);
        Assert.Equal(before, net.Bits());
    }

    [Fact]
    public void Non_strict_load_keeps_missing_tensors_and_ignores_extra_ones()
    {
        var net = new FakeNetwork();
        byte[] file = FileWith(("0.weight", "3,4", 12), ("extra.running_var", "7", 7), ("2.weight", "2,3", 6));

        Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, file, strict: true));
        SafeTensors.Load(net, file, strict: false);

        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(100f + i, net[i]);
        }

        Assert.Equal([12f, 13f, 14f], net.Parameters[12..15].ToArray()); // 0.bias kept
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(119f + i, net[15 + i]);
        }
    }

    [Fact]
    public void Non_strict_load_ignores_extra_tensors_of_dtypes_it_cannot_convert()
    {
        string header = "{" + Entry("0.weight", "F32", "3,4", 0, 48) + "," + Entry("num_batches_tracked", "I64", "", 48, 56) + "}";
        var net = new FakeNetwork();
        SafeTensors.Load(net, Build(header, Ramp(100f, 14)), strict: false);
        Assert.Equal(100f, net[0]);
    }

    [Fact]
    public void Shape_mismatch_fails_even_when_not_strict_and_says_both_shapes()
    {
        var net = new FakeNetwork();
        int[] before = net.Bits();
        byte[] file = FileWith(("0.weight", "4,3", 12));

        var e = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, file, strict: false));
        Assert.Contains("'0.weight'", e.Message);
        Assert.Contains("expected shape [3, 4]", e.Message);
        Assert.Contains("found [4, 3]", e.Message);
        Assert.Equal(before, net.Bits());
    }

    [Fact]
    public void Rename_maps_file_names_onto_network_names()
    {
        byte[] file = FileWith(("fc1.weight", "3,4", 12), ("fc1.bias", "3", 3), ("fc2.weight", "2,3", 6));
        var rename = new Dictionary<string, string>
        {
            ["fc1.weight"] = "0.weight",
            ["fc1.bias"] = "0.bias",
            ["fc2.weight"] = "2.weight",
        };
        var net = new FakeNetwork();
        Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, file));

        SafeTensors.Load(net, file, new SafeTensorsLoadOptions { Rename = rename });
        for (int i = 0; i < FakeNetwork.Count; i++)
        {
            Assert.Equal(100f + i, net[i]);
        }
    }

    [Fact]
    public void Rename_onto_a_name_the_file_already_loads_fails()
    {
        byte[] file = FileWith(("0.weight", "3,4", 12), ("old.weight", "3,4", 12), ("0.bias", "3", 3), ("2.weight", "2,3", 6));
        var net = new FakeNetwork();
        int[] before = net.Bits();
        var options = new SafeTensorsLoadOptions { Rename = new Dictionary<string, string> { ["old.weight"] = "0.weight" } };

        var e = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, file, options));
        Assert.Contains("both load into '0.weight'", e.Message);
        Assert.Equal(before, net.Bits());
    }

    [Fact]
    public void By_order_maps_the_files_tensors_in_data_order_onto_the_networks()
    {
        // Header lists them out of data order; data order is what counts.
        string header = "{" + Entry("c", "F32", "2,3", 60, 84) + "," + Entry("a", "F32", "3,4", 0, 48) + "," +
            Entry("b", "F32", "3", 48, 60) + "}";
        var net = new FakeNetwork();
        SafeTensors.Load(net, Build(header, Ramp(100f, 21)), new SafeTensorsLoadOptions { ByOrder = true });
        for (int i = 0; i < FakeNetwork.Count; i++)
        {
            Assert.Equal(100f + i, net[i]);
        }
    }

    [Fact]
    public void By_order_checks_shapes_and_counts()
    {
        var net = new FakeNetwork();
        int[] before = net.Bits();
        var byOrder = new SafeTensorsLoadOptions { ByOrder = true };

        // The Python layout sorts by name, so 0.bias [3] comes first and meets 0.weight [3, 4].
        var e = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, PythonFile(), byOrder));
        Assert.Contains("expected shape [3, 4], found [3]", e.Message);

        byte[] two = FileWith(("a", "3,4", 12), ("b", "3", 3));
        Assert.Throws<WeightFormatException>(() => SafeTensors.Load(net, two, byOrder));
        Assert.Equal(before, net.Bits());

        SafeTensors.Load(net, two, new SafeTensorsLoadOptions { ByOrder = true, Strict = false });
        Assert.Equal(100f, net[0]);
        Assert.Equal(112f, net[12]);
        Assert.Equal(15f, net[15]); // 2.weight kept
    }

    [Fact]
    public void Rename_and_by_order_together_are_an_argument_error()
    {
        var options = new SafeTensorsLoadOptions { ByOrder = true, Rename = new Dictionary<string, string>() };
        Assert.Throws<ArgumentException>(() => SafeTensors.Load(new FakeNetwork(), Valid(), options));
    }
}
