using System;
using System.Diagnostics;

namespace NetGen.Samples.LeNet;

/// <summary>Batch-1 inference latency (median over rounds) and bytes allocated per call.</summary>
internal readonly record struct InferenceFigures(double MedianMicroseconds, long AllocatedBytesPerCall)
{
    private const int Rounds = 21;
    private const int CallsPerRound = 200;

    public static InferenceFigures Measure(LeNet5 net, NetGen.Dataset data)
    {
        Span<float> logits = stackalloc float[LeNet5.OutputLength];

        // Warm up long enough for tiered compilation to reach its optimized code.
        for (int i = 0; i < 2_000; i++)
        {
            net.Forward(data.Input(i % data.Count), logits);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < CallsPerRound; i++)
        {
            net.Forward(data.Input(i % data.Count), logits);
        }

        long allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / CallsPerRound;

        var perCall = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < CallsPerRound; i++)
            {
                net.Forward(data.Input(i % data.Count), logits);
            }

            perCall[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / CallsPerRound;
        }

        Array.Sort(perCall);
        return new InferenceFigures(perCall[Rounds / 2], allocated);
    }
}
