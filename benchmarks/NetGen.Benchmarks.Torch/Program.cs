using System;
using System.Linq;
using BenchmarkDotNet.Running;

namespace NetGen.Benchmarks.Torch;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/NetGen.Benchmarks.Torch -- --filter '*' --job short</c>.
/// The benchmarks always run in this process (<c>--inProcess</c> is added when missing): a process BenchmarkDotNet
/// builds for itself would get an unpatched copy of libLibTorchSharp.so from the NuGet cache, which does not load here.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (!args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) && !args.Contains("-i"))
        {
            args = args.Append("--inProcess").ToArray();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
