using System;
using Xunit;

namespace NetGen.Tests;

/// <summary>
/// "Allocates nothing after warm-up", measured with the exact per-thread counter. Tiered compilation can
/// allocate a few bytes on the calling thread when it swaps in an optimized method body, once, at a moment
/// the test does not control (the call-count threshold, a delay after the last tier-0 call). So the
/// measurement is taken up to three times and passes on a round of zero bytes; an allocation in the code
/// under test shows in every round and fails.
/// </summary>
internal static class AllocationAssert
{
    public static void Zero(Action action, int warmup = 30, int repeats = 5)
    {
        for (int i = 0; i < warmup; i++)
        {
            action();
        }

        var rounds = new long[3];
        for (int round = 0; round < rounds.Length; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < repeats; i++)
            {
                action();
            }

            rounds[round] = GC.GetAllocatedBytesForCurrentThread() - before;
            if (rounds[round] == 0)
            {
                return;
            }
        }

        Assert.Fail($"Allocated {string.Join(", ", rounds)} bytes in three rounds of {repeats} calls after {warmup} warm-up calls.");
    }
}
