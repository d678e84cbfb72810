using System;
using System.Threading;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="KernelThreads.For(int, int, int, in KernelSpans, KernelThreads.Body)"/> claiming by share: each thread takes the
/// pieces of its own share of the range first (each share's pieces in a word of its own), then the ends of the others' shares;
/// every item of every call runs exactly once whatever the piece counts of the calls before it.
/// </summary>
public sealed class KernelThreadsShareTests
{
    [Fact]
    public void A_share_is_the_contiguous_run_of_pieces_p_with_p_times_parts_over_pieces_equal_to_it()
    {
        // 8 pieces over 2 threads: the caller's share is 0-3, the worker's 4-7
        Assert.Equal(0b0000_1111u, KernelThreads.ShareBits(0, parts: 2, pieces: 8));
        Assert.Equal(0b1111_0000u, KernelThreads.ShareBits(1, parts: 2, pieces: 8));

        // uneven shares (5 pieces, 2 threads: p · 2 / 5 gives shares 0-2 and 3-4), and 3 threads over 32 pieces
        Assert.Equal(0b0_0111u, KernelThreads.ShareBits(0, parts: 2, pieces: 5));
        Assert.Equal(0b1_1000u, KernelThreads.ShareBits(1, parts: 2, pieces: 5));
        Assert.Equal(0x0000_07FFu, KernelThreads.ShareBits(0, parts: 3, pieces: 32));
        Assert.Equal(0x003F_F800u, KernelThreads.ShareBits(1, parts: 3, pieces: 32));
        Assert.Equal(0xFFC0_0000u, KernelThreads.ShareBits(2, parts: 3, pieces: 32));
    }

    [Fact]
    public void The_shares_of_a_call_hold_every_piece_once()
    {
        for (int parts = 1; parts <= 8; parts++)
        {
            for (int pieces = parts; pieces <= 32; pieces++)
            {
                uint all = 0;
                for (int share = 0; share < parts; share++)
                {
                    uint bits = KernelThreads.ShareBits(share, parts, pieces);
                    Assert.Equal(0u, all & bits);
                    Assert.NotEqual(0u, bits);
                    for (int p = 0; p < pieces; p++)
                    {
                        Assert.Equal(p * parts / pieces == share, (bits >> p & 1) != 0);
                    }

                    all |= bits;
                }

                Assert.Equal(pieces == 32 ? uint.MaxValue : (1u << pieces) - 1, all);
            }
        }
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
