using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Runtime;

/// <summary>Parameters, gradients, workspaces and scratch start on a 64-byte boundary, and stay there through collections.</summary>
public sealed class AlignedFloatsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(100_003)]
    public void A_buffer_starts_on_a_cache_line_and_is_zeroed(int length)
    {
        var buffer = new AlignedFloats(length);
        Assert.Equal(length, buffer.Length);
        Assert.Equal(length, buffer.Span.Length);
        Assert.Equal(0, Address(buffer.Span) % 64);
        Assert.All(buffer.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_network_and_its_workspace_stay_aligned_through_collections()
    {
        var net = new LeNet5(seed: 1);
        Workspace workspace = net.CreateWorkspace(3);
        workspace.Threads = 2;
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Assert.Equal(0, Address(net.Parameters) % 64);
            Assert.Equal(0, Address(net.Gradients) % 64);
            Assert.Equal(0, Address(workspace.Buffer) % 64);
            Assert.Equal(0, Address(workspace.Scratch) % 64);
        }
    }

    [Fact]
    public void A_slice_is_bounds_checked()
    {
        var buffer = new AlignedFloats(8);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(4, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedFloats(-1));
    }

    private static unsafe long Address(Span<float> span) => (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
}
