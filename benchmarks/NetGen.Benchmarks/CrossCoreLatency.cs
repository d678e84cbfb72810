using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;

namespace NetGen.Benchmarks;

/// <summary>
/// <c>dotnet NetGen.Benchmarks.dll pingpong SECONDS</c>: the round trip of a cache line between two threads spinning on
/// the machine's two vCPUs, printed for every quarter of a second, then the median and the spread. It is the cost of
/// every hand-off in a split kernel (a worker's go, its done, the data one thread wrote and the other reads), and on the
/// project's shared hosts it switches between about 120 ns (the two vCPUs on one core or two near ones) and about 570 ns
/// (far apart) over seconds, which <c>peak.c</c>'s 2-thread figure does not show. A thread-scaling figure quoted without
/// it cannot be told from NetGen's own overhead.
/// </summary>
public static class CrossCoreLatency
{
    /// <summary>The two flags, each on its own 128 bytes (two cache lines, past the adjacent-line prefetcher).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 384)]
    private struct Flags
    {
        [FieldOffset(128)]
        public int Ping;

        [FieldOffset(256)]
        public int Pong;
    }

    private sealed class Shared
    {
        public Flags Flags;
        public volatile bool Stop;
    }

    public static void Run(double seconds)
    {
        var shared = new Shared();
        var echo = new Thread(() =>
        {
            // answers each ping with the same count
            int seen = 0;
            while (!shared.Stop)
            {
                int ping = Volatile.Read(ref shared.Flags.Ping);
                if (ping != seen)
                {
                    seen = ping;
                    Volatile.Write(ref shared.Flags.Pong, ping);
                }
            }
        })
        { IsBackground = true };
        echo.Start();

        var windows = new List<double>();
        int count = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            int trips = 0;
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < 0.25)
            {
                // 1,000 round trips between clock reads
                for (int i = 0; i < 1000; i++)
                {
                    count++;
                    Volatile.Write(ref shared.Flags.Ping, count);
                    while (Volatile.Read(ref shared.Flags.Pong) != count)
                    {
                    }
                }

                trips += 1000;
            }

            double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / trips;
            windows.Add(ns);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total.Elapsed.TotalSeconds,6:F2} s  round trip {ns,7:F1} ns"));
        }

        shared.Stop = true;
        echo.Join();
        windows.Sort();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"round trip over {windows.Count} windows: median {windows[windows.Count / 2]:F1} ns, fastest {windows[0]:F1}, slowest {windows[^1]:F1}"));
    }
}
