using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace NetGen.Benchmarks;

/// <summary>
/// A quick timer for a loaded machine, beside BenchmarkDotNet: <c>dotnet NetGen.Benchmarks.dll quick mlp lenet wide lstm</c>
/// runs each network's batch-1, batch-64 and training-step rows in interleaved rounds and prints the 10th percentile of
/// the per-call times, which other processes on the machine disturb far less than a mean or a median. For comparing two
/// builds back to back when the machine is not quiet, or NetGen with ONNX Runtime in one process (<c>quick lstm ort-lstm</c>);
/// BenchmarkDotNet stays the source of the figures the docs quote.
/// </summary>
public static class QuickTimer
{
    public static void Run(string[] names)
    {
        // NETGEN_BENCH_THREADS: one count or several ("1,2"); every count's rows run in the same rounds, so a ratio
        // of two thread counts is measured as one of two builds is
        string[] counts = (Environment.GetEnvironmentVariable("NETGEN_BENCH_THREADS") ?? "1").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // every named network's rows in the same rounds, so a slow phase of the machine falls on all of them alike
        var rows = new List<(string Network, string Row, int Threads, Func<float> Call)>();
        foreach (string count in counts)
        {
            int threads = int.Parse(count, NumberStyles.None, CultureInfo.InvariantCulture);
            foreach (string name in names)
            {
                foreach ((string row, Func<float> call) in Rows(name, threads))
                {
                    rows.Add((name, row, threads, call));
                }
            }
        }

        var times = new List<double>[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            times[i] = new List<double>();
            for (int w = 0; w < 50; w++)
            {
                rows[i].Call();
            }
        }

        for (int round = 0; round < 60; round++)
        {
            for (int i = 0; i < rows.Count; i++)
            {
                // calls in a round: about 2 ms of work
                long start = Stopwatch.GetTimestamp();
                int calls = 0;
                do
                {
                    rows[i].Call();
                    calls++;
                }
                while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < 2);
                times[i].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls);
            }
        }

        for (int i = 0; i < rows.Count; i++)
        {
            times[i].Sort();
            double p10 = times[i][times[i].Count / 10];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows[i].Network,-12} {rows[i].Row,-16} threads {rows[i].Threads}  p10 {p10,10:F2} µs  median {times[i][times[i].Count / 2],10:F2} µs"));
        }
    }

    /// <summary>
    /// One row of one network called over and over for <paramref name="seconds"/>, for a profiler to watch:
    /// <c>perf record -g dotnet NetGen.Benchmarks.dll loop lstm Batch64 10</c> (threads from NETGEN_BENCH_THREADS, first count).
    /// </summary>
    public static void Loop(string name, string row, double seconds)
    {
        string count = (Environment.GetEnvironmentVariable("NETGEN_BENCH_THREADS") ?? "1").Split(',')[0];
        int threads = int.Parse(count, NumberStyles.None, CultureInfo.InvariantCulture);
        Func<float> call = Array.Find(Rows(name, threads), r => r.Item1 == row).Item2
            ?? throw new ArgumentException($"Network \"{name}\" has no row \"{row}\".");
        long start = Stopwatch.GetTimestamp();
        long calls = 0;
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
        {
            call();
            calls++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {row} threads {threads}: {calls} calls, mean {Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls:F2} µs"));
    }

    private static (string, Func<float>)[] Rows(string name, int threads)
    {
        return name switch
        {
            "mlp" => Of(new MlpBenchmarks { Threads = threads }),
            "lenet" => Of(new LeNetBenchmarks { Threads = threads }),
            "wide" => Of(new WideBenchmarks { Threads = threads }),
            "lstm" => Of(new LstmBenchmarks { Threads = threads }),
            "transformer" => Of(new TransformerBenchmarks { Threads = threads }),
            "ort-lstm" => Of(new OrtLstmBenchmarks()),
            "ort-mlp" => Of(new OrtMlpBenchmarks()),
            "ort-wide" => Of(new OrtWideBenchmarks()),
            "ort-lenet" => Of(new OrtLeNetBenchmarks()),
            "ort-transformer" => Of(new OrtTransformerBenchmarks()),
            _ => throw new ArgumentException($"Unknown network \"{name}\"; expected mlp, lenet, wide, lstm, transformer, or ort- and one of those."),
        };
    }

    private static (string, Func<float>)[] Of(OrtBenchmarks b)
    {
        b.Setup();
        return [("OrtBatch1", b.Batch1), ("OrtBatch64", b.Batch64)];
    }

    private static (string, Func<float>)[] Of<T>(NetworkBenchmarks<T> b)
        where T : INetwork
    {
        b.Setup();
        return [("Batch1", b.Batch1), ("Batch1Packed", b.Batch1Packed), ("Batch64", b.Batch64), ("Batch64Packed", b.Batch64Packed), ("TrainStep64Sgd", b.TrainStep64Sgd), ("TrainStep64Adam", b.TrainStep64Adam), ("TrainerStep64Sgd", b.TrainerStep64Sgd), ("TrainerStep64Adam", b.TrainerStep64Adam)];
    }
}
