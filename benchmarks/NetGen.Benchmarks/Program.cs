using BenchmarkDotNet.Running;

namespace NetGen.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*Mlp*'</c>.
/// With no arguments BenchmarkDotNet asks which benchmarks to run.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            QuickTimer.Run(args[1..]);
            return;
        }

        if (args.Length == 4 && args[0] == "loop")
        {
            QuickTimer.Loop(args[1], args[2], double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        if (args.Length == 2 && args[0] == "pingpong")
        {
            CrossCoreLatency.Run(double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
