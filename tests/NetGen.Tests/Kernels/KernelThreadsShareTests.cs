using System;
using System.Threading;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="KernelThreads.For(int, int, int, in KernelSpans, KernelThreads.Body)"/> claiming by share: each thread takes the
/// pieces of its own share of the range first, then the ends of the others' shares; every item of every call runs exactly once
/// whatever the piece counts of the calls before it.
/// </summary>
public sealed class KernelThreadsShareTests
{
    [Fact]
    public void A_thread_takes_its_own_share_from_its_start_then_the_highest_piece_left()
    {
        // 8 pieces over 2 threads: the caller's share is 0-3, the worker's 4-7
        Assert.Equal(0, KernelThreads.PickPiece(0b1111_1111, preferred: 0, parts: 2, pieces: 8));
        Assert.Equal(4, KernelThreads.PickPiece(0b1111_1111, preferred: 1, parts: 2, pieces: 8));
        Assert.Equal(2, KernelThreads.PickPiece(0b1111_1100, preferred: 0, parts: 2, pieces: 8));

        // own share gone: the end of the other share, so the owner, working up from its start, meets the thief last
        Assert.Equal(7, KernelThreads.PickPiece(0b1111_0000, preferred: 0, parts: 2, pieces: 8));
        Assert.Equal(3, KernelThreads.PickPiece(0b0000_1111, preferred: 1, parts: 2, pieces: 8));
        Assert.Equal(5, KernelThreads.PickPiece(0b0011_0000, preferred: 0, parts: 2, pieces: 8));

        // uneven shares (5 pieces, 2 threads: p · 2 / 5 gives shares 0-2 and 3-4), and 3 threads over 32 pieces
        Assert.Equal(3, KernelThreads.PickPiece(0b1_1111, preferred: 1, parts: 2, pieces: 5));
        Assert.Equal(2, KernelThreads.PickPiece(0b1_0100, preferred: 0, parts: 2, pieces: 5));
        Assert.Equal(11, KernelThreads.PickPiece(uint.MaxValue, preferred: 1, parts: 3, pieces: 32));
        Assert.Equal(22, KernelThreads.PickPiece(uint.MaxValue, preferred: 2, parts: 3, pieces: 32));
        Assert.Equal(31, KernelThreads.PickPiece(0x8000_0001, preferred: 1, parts: 3, pieces: 32));

        // a worker beyond the call's threads (a machine with more cores than the call uses) owns nothing
        Assert.Equal(6, KernelThreads.PickPiece(0b0100_0001, preferred: 2, parts: 2, pieces: 8));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_item_of_every_call_runs_once_as_piece_counts_change_between_calls(int threads)
    {
        // calls of 1 to 32 pieces in turn, some long and some empty-handed, so workers that arrive late for one call meet the
        // next with another piece count: a claim of the old call must not run or count anything of the new one
        var counts = new float[301];
        var rng = new Random(7);
        for (int call = 0; call < 3000; call++)
        {
            int count = 1 + rng.Next(counts.Length - 1);
            int grain = 1 + rng.Next(12);
            Array.Clear(counts);
            KernelThreads.For(threads, count, grain, new KernelSpans(default, default, default, counts, default),
                static (in KernelSpans s, int start, int end) =>
                {
                    Assert.True(KernelThreads.Slot < KernelThreads.MaxThreads);
                    if (start % 3 == 0)
                    {
                        Thread.SpinWait(200);
                    }

                    for (int i = start; i < end; i++)
                    {
                        s.Out0[i] += 1f;
                    }
                });

            for (int i = 0; i < counts.Length; i++)
            {
                Assert.Equal(i < count ? 1f : 0f, counts[i]);
            }
        }
    }
}
