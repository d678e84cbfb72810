using System;
using System.Threading;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="KernelThreads.ForEach{TState}"/> with <see cref="KernelThreads.TakeTurn"/>: every item runs once, and the items'
/// ordered parts run in item order whatever the thread count, even when a later item's own work is much shorter than an
/// earlier one's (so it would otherwise finish first).
/// </summary>
public sealed unsafe class KernelThreadsTurnTests
{
    private readonly struct State(int* turn, int* log, int* next)
    {
        public int* Turn { get; } = turn;

        public int* Log { get; } = log;

        public int* Next { get; } = next;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Ordered_parts_run_in_item_order(int threads)
    {
        const int Items = 40;
        var log = new int[Items];
        var ran = new float[Items];
        for (int round = 0; round < 20; round++)
        {
            Array.Fill(log, -1);
            Array.Clear(ran);
            int turn = 0, next = 0;
            fixed (int* l = log)
            {
                var state = new State(&turn, l, &next);
                KernelThreads.ForEach(threads, Items, new KernelSpans(default, default, default, ran, default), state,
                    static (in KernelSpans s, in State st, int start, int end) =>
                    {
                        for (int item = start; item < end; item++)
                        {
                            // even items work longer than odd ones, so a later item is often ready first
                            Thread.SpinWait(item % 2 == 0 ? 20_000 : 10);
                            s.Out0[item] += 1f;
                            KernelThreads.TakeTurn(st.Turn, item);
                            st.Log[(*st.Next)++] = item;
                            KernelThreads.EndTurn(st.Turn, item);
                        }
                    });
            }

            Assert.Equal(Items, turn);
            for (int i = 0; i < Items; i++)
            {
                Assert.Equal(i, log[i]);
                Assert.Equal(1f, ran[i]);
            }
        }
    }
}
