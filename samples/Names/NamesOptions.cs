using System;
using System.Globalization;
using System.IO;

namespace NetGen.Samples.Names;

/// <summary>The model: a recurrent cell, or the causal Transformer (a tiny GPT).</summary>
internal enum Cell
{
    Lstm,
    Gru,
    Rnn,
    Transformer,
}

/// <summary>
/// The sample's command line: <c>--cell lstm|gru|rnn|transformer</c>, <c>--epochs N</c>, <c>--seed N</c>, <c>--temperature T</c>,
/// <c>--json PATH</c>, <c>--data DIR</c>, <c>--patience N</c> (stop when the held-out loss has not improved for N epochs).
/// </summary>
internal sealed class NamesOptions
{
    public Cell Cell { get; private set; } = Cell.Lstm;

    public int Epochs { get; private set; } = 30;

    public ulong Seed { get; private set; }

    public float Temperature { get; private set; } = 0.8f;

    public string? JsonPath { get; private set; }

    /// <summary>Epochs without a better held-out loss before training stops (the best epoch's weights put back); null: never.</summary>
    public int? Patience { get; private set; }

    public string DataDirectory { get; private set; } = Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>Parses the arguments, or prints the problem and usage and returns null.</summary>
    public static NamesOptions? Parse(string[] args)
    {
        var options = new NamesOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                PrintUsage();
                return null;
            }

            if (i + 1 >= args.Length)
            {
                return Fail($"{name} needs a value.");
            }

            string value = args[++i];
            switch (name)
            {
                case "--cell" when Enum.TryParse(value, ignoreCase: true, out Cell cell) && Enum.IsDefined(cell) && !char.IsDigit(value[0]):
                    options.Cell = cell;
                    break;
                case "--cell":
                    return Fail($"--cell must be lstm, gru, rnn or transformer; got '{value}'.");
                case "--epochs" when int.TryParse(value, out int epochs) && epochs >= 1:
                    options.Epochs = epochs;
                    break;
                case "--epochs":
                    return Fail($"--epochs must be a whole number, 1 or more; got '{value}'.");
                case "--seed" when ulong.TryParse(value, out ulong seed):
                    options.Seed = seed;
                    break;
                case "--seed":
                    return Fail($"--seed must be a whole number, 0 or more; got '{value}'.");
                case "--temperature" when float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float t) && t > 0 && float.IsFinite(t):
                    options.Temperature = t;
                    break;
                case "--temperature":
                    return Fail($"--temperature must be a number above 0; got '{value}'.");
                case "--patience" when int.TryParse(value, out int patience) && patience >= 0:
                    options.Patience = patience;
                    break;
                case "--patience":
                    return Fail($"--patience must be a whole number, 0 or more; got '{value}'.");
                case "--json":
                    options.JsonPath = value;
                    break;
                case "--data":
                    options.DataDirectory = value;
                    break;
                default:
                    return Fail($"Unknown option '{name}'.");
            }
        }

        return options;
    }

    private static NamesOptions? Fail(string message)
    {
        Console.Error.WriteLine(message);
        PrintUsage();
        return null;
    }

    private static void PrintUsage() => Console.Error.WriteLine(
        "Usage: Names [--cell lstm|gru|rnn|transformer (lstm)] [--epochs N (30)] [--seed N (0)] [--temperature T (0.8)] [--json PATH] [--data DIR (bundled names)] [--patience N (none)]");
}
