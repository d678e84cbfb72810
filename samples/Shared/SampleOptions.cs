using System;
using System.IO;

namespace NetGen.Samples;

/// <summary>A digit sample's command line: <c>--epochs N</c>, <c>--json PATH</c>, <c>--data DIR</c>, <c>--seed N</c>, <c>--weights PATH</c>.</summary>
internal sealed class SampleOptions
{
    private string _program = "Sample";

    public int Epochs { get; private set; } = 10;

    public string? JsonPath { get; private set; }

    public string DataDirectory { get; private set; } = Path.Combine(AppContext.BaseDirectory, "data");

    public string WeightsPath { get; private set; } = "weights.safetensors";

    public ulong Seed { get; private set; }

    /// <summary>Parses the arguments of <paramref name="program"/>, or prints the problem and usage and returns null.</summary>
    public static SampleOptions? Parse(string[] args, string program, string defaultWeights)
    {
        var options = new SampleOptions { _program = program, WeightsPath = defaultWeights };
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                options.PrintUsage();
                return null;
            }

            if (i + 1 >= args.Length)
            {
                return options.Fail($"{name} needs a value.");
            }

            string value = args[++i];
            switch (name)
            {
                case "--epochs" when int.TryParse(value, out int epochs) && epochs >= 1:
                    options.Epochs = epochs;
                    break;
                case "--epochs":
                    return options.Fail($"--epochs must be a whole number, 1 or more; got '{value}'.");
                case "--seed" when ulong.TryParse(value, out ulong seed):
                    options.Seed = seed;
                    break;
                case "--seed":
                    return options.Fail($"--seed must be a whole number, 0 or more; got '{value}'.");
                case "--json":
                    options.JsonPath = value;
                    break;
                case "--data":
                    options.DataDirectory = value;
                    break;
                case "--weights":
                    options.WeightsPath = value;
                    break;
                default:
                    return options.Fail($"Unknown option '{name}'.");
            }
        }

        return options;
    }

    private SampleOptions? Fail(string message)
    {
        Console.Error.WriteLine(message);
        PrintUsage();
        return null;
    }

    private void PrintUsage() => Console.Error.WriteLine(
        $"Usage: {_program} [--epochs N (10)] [--json PATH] [--data DIR (bundled digits)] [--seed N (0)] [--weights PATH ({WeightsPath})]");
}
