using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.IO;

/// <summary>
/// A process killed while it saves a checkpoint never leaves a damaged one. The child is this test assembly
/// started again (<see cref="Program"/>): it resumes from the checkpoint if there is one, then takes a training
/// step and saves, in a loop, printing each saved step. The test kills it at random moments, two dozen times,
/// and after every kill loads the checkpoint: it must load, and hold the last step the child reported or the
/// one after (a kill between the rename and the print). A kill inside a save leaves that save's temporary file;
/// the next child's first save deletes it (its process is gone), so at most one is ever there.
/// </summary>
public sealed class CheckpointKillTests : IDisposable
{
    public const string ChildCommand = "checkpoint-writer";

    private const int Kills = 24;
    private const int Chains = 2;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netgen-kill-" + Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _output;

    public CheckpointKillTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_checkpoint_killed_mid_save_is_always_the_previous_or_the_new_one_and_loads()
    {
        // Two chains of children, each on its own file, run side by side: most of a child's life is its start-up.
        var clock = Stopwatch.StartNew();
        var results = new (long Steps, int MidSave)[Chains];
        System.Threading.Tasks.Parallel.For(0, Chains, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Chains },
            chain => results[chain] = KillChain(Path.Combine(_directory, $"run{chain}.ckpt"), Kills / Chains, seed: 1234 + chain));

        int midSave = results.Sum(r => r.MidSave);
        _output.WriteLine(
            $"{Kills} kills in {clock.Elapsed.TotalSeconds:F1} s, {string.Join(" + ", results.Select(r => r.Steps))} steps saved; " +
            $"{midSave} kills landed inside a save (each left a temporary file, which the next child's save deleted)");
        Assert.True(midSave > 0, "no kill landed inside a save, so the test proved little");
    }

    /// <summary>
    /// Kills <paramref name="kills"/> children in turn, each resuming from <paramref name="path"/>; after each
    /// kill the checkpoint must load and hold exactly the values of its step, replayed here.
    /// </summary>
    private static (long Steps, int MidSave) KillChain(string path, int kills, int seed)
    {
        var random = new Random(seed);
        long lastStep = 0;
        int midSave = 0;
        string directory = Path.GetDirectoryName(path)!;
        string name = Path.GetFileName(path);
        Trainer<Mlp> replay = NewTrainer(); // the same steps in this process, to compare the saved values with
        (float[] x, float[] label) = ChildBatch();
        for (int kill = 0; kill < kills; kill++)
        {
            long reported = RunAndKill(path, delay: TimeSpan.FromMilliseconds(random.Next(80)));
            Assert.True(reported > lastStep, $"{path}, kill {kill}: the child reported step {reported} after resuming from {lastStep}");

            Trainer<Mlp> trainer = NewTrainer();
            trainer.LoadCheckpoint(path); // intact: every check of the format passes
            Assert.InRange(trainer.StepCount, reported, reported + 1);
            while (replay.StepCount < trainer.StepCount)
            {
                replay.TrainStep(x, label);
            }

            Assert.True(replay.Network.Parameters.SequenceEqual(trainer.Network.Parameters), $"{path}, kill {kill}: the parameters of step {trainer.StepCount} differ");
            Assert.True(replay.Optimizer.GetState().SequenceEqual(trainer.Optimizer.GetState()), $"{path}, kill {kill}: the optimizer state differs");
            lastStep = trainer.StepCount;

            // Only this kill's temporary file, if it landed inside a save: earlier ones were cleaned up.
            string[] leftovers = Directory.GetFiles(directory, name + ".tmp-*");
            Assert.True(leftovers.Length <= 1, $"{path}, kill {kill}: {leftovers.Length} temporary files left: {string.Join(", ", leftovers.Select(Path.GetFileName))}");
            Assert.Equal(leftovers.Length + 1, Directory.GetFiles(directory, name + "*").Length);
            midSave += leftovers.Length;
        }

        return (lastStep, midSave);
    }

    /// <summary>Starts the child, waits for its first save, waits <paramref name="delay"/> more, kills it; returns the last step it reported.</summary>
    private static long RunAndKill(string path, TimeSpan delay)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CheckpointKillTests).Assembly.Location);
        start.ArgumentList.Add(ChildCommand);
        start.ArgumentList.Add(path);
        start.Environment["DOTNET_TieredPGO"] = "0";

        long reported = 0;
        using var firstSave = new ManualResetEventSlim();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && long.TryParse(line, out long step))
            {
                Interlocked.Exchange(ref reported, step);
                firstSave.Set();
            }
        };
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (!firstSave.Wait(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"The child saved nothing in 60 s. Its errors: {errors}");
            }

            Thread.Sleep(delay);
            Assert.False(process.HasExited, $"The child exited with {(process.HasExited ? process.ExitCode : 0)}: {errors}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        return Interlocked.Read(ref reported);
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static Trainer<Mlp> NewTrainer() => new(new Mlp(seed: 1), new Adam(), Loss.SoftmaxCrossEntropy, seed: 1);

    private static (float[] Inputs, float[] Labels) ChildBatch()
    {
        var rng = new Rng(7);
        var x = new float[Mlp.InputLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextFloat();
        }

        return (x, [3f]);
    }

    /// <summary>
    /// The child: resume if there is a checkpoint, then step and save until killed, printing each saved step.
    /// It gives up by itself after 60 s, so a test host that dies first leaves no process running for long.
    /// </summary>
    public static int RunChild(string path)
    {
        long deadline = Environment.TickCount64 + 60_000;
        Trainer<Mlp> trainer = NewTrainer();
        if (File.Exists(path))
        {
            trainer.LoadCheckpoint(path);
        }

        (float[] x, float[] label) = ChildBatch();
        while (Environment.TickCount64 < deadline)
        {
            trainer.TrainStep(x, label);
            trainer.SaveCheckpoint(path);
            Console.Out.WriteLine(trainer.StepCount);
            Console.Out.Flush();
        }

        return 1;
    }
}
