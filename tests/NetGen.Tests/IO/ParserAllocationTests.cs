using System;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.IO;

/// <summary>
/// Parsing a large header allocates in proportion to what it keeps, not to the messages it might need: error
/// messages are built only when an error is thrown. Measured on this thread with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
public sealed class ParserAllocationTests
{
    private readonly ITestOutputHelper _output;

    public ParserAllocationTests(ITestOutputHelper output) => _output = output;

    /// <summary>
    /// 60,000 one-float tensors (a 4 MB header) the network does not have, loaded non-strictly (they are ignored).
    /// What parsing must keep per tensor (its name, shape, offsets and entry) is about 5 times its 64 bytes of JSON.
    /// </summary>
    [Fact]
    public void A_header_of_many_tensors_allocates_a_small_multiple_of_its_length()
    {
        const int Tensors = 60_000;
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        for (int i = 0; i < Tensors; i++)
        {
            json.Append(",\"layer").Append(i).Append(".weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[")
                .Append(4 * i).Append(',').Append((4 * i) + 4).Append("]}");
        }

        byte[] file = SafeTensorsFiles.Build(json.Append('}').ToString(), new byte[4 * Tensors]);
        AssertAllocationsBelow(file, perHeaderByte: 8);
    }

    /// <summary>
    /// One tensor whose shape lists 300,000 ones: only the shape is kept, 8 bytes per dimension for 2 bytes of JSON,
    /// and the list it is read into grows by doubling (about 20 bytes per byte in all; 66 before messages were lazy).
    /// </summary>
    [Fact]
    public void A_header_with_a_very_long_shape_allocates_a_small_multiple_of_its_length()
    {
        var json = new StringBuilder("{\"x\":{\"dtype\":\"F32\",\"shape\":[1");
        for (int i = 1; i < 300_000; i++)
        {
            json.Append(",1");
        }

        byte[] file = SafeTensorsFiles.Build(json.Append("],\"data_offsets\":[0,4]}}").ToString(), new byte[4]);
        AssertAllocationsBelow(file, perHeaderByte: 24);
    }

    private void AssertAllocationsBelow(byte[] file, int perHeaderByte)
    {
        long headerLength = file.Length;
        var options = new SafeTensorsLoadOptions { Strict = false };
        SafeTensors.Load(new FakeNetwork(), file, options); // warm up: JIT and static caches
        long before = GC.GetAllocatedBytesForCurrentThread();
        SafeTensors.Load(new FakeNetwork(), file, options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _output.WriteLine($"{allocated:N0} bytes allocated for a {headerLength:N0}-byte file: {(double)allocated / headerLength:F1} per byte");
        Assert.True(allocated < perHeaderByte * headerLength,
            $"parsing a {headerLength:N0}-byte file allocated {allocated:N0} bytes, more than {perHeaderByte} per byte");
    }
}
