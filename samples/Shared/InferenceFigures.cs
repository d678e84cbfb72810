using System;
using System.Diagnostics;

namespace NetGen.Samples;

/// <summary>Batch-1 inference latency (median over rounds) and bytes allocated per call.</summary>
internal readonly record struct InferenceFigures(double MedianMicroseconds, long AllocatedBytesPerCall)
{
    private const int Rounds = 31;

    /// <summary>
    /// Times one-digit inference with a workspace of its own (as one thread of a server would) that keeps the dense
    /// weights packed (<see cref="Workspace.ReusePackedWeights"/>: the weights do not change here), in rounds of
    /// about 0.4 GFLOP each so a small and a large network are timed over similar spans.
    /// </summary>
    public static InferenceFigures Measure<TNetwork>(TNetwork net, Dataset data)
        where TNetwork : INetwork
    {
        int callsPerRound = (int)Math.Clamp(400_000_000 / Math.Max(1, net.FlopsPerSample), 100, 2_000);
        float[] logits = new float[net.OutputLength];
        Workspace workspace = net.CreateWorkspace();
        workspace.ReusePackedWeights = true;

        // Warm up long enough for tiered compilation to reach its optimized code.
        for (int i = 0; i < 15 * callsPerRound; i++)
        {
            net.Forward(data.Input(i % data.Count), logits, workspace);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < callsPerRound; i++)
        {
            net.Forward(data.Input(i % data.Count), logits, workspace);
        }

        long allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / callsPerRound;

        var perCall = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < callsPerRound; i++)
            {
                net.Forward(data.Input(i % data.Count), logits, workspace);
            }

            perCall[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / callsPerRound;
        }

        Array.Sort(perCall);
        return new InferenceFigures(perCall[Rounds / 2], allocated);
    }
}
