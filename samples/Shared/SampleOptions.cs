using System;
using System.IO;

namespace NetGen.Samples;

/// <summary>
/// A digit sample's command line: <c>--epochs N</c>, <c>--json PATH</c>, <c>--data DIR</c>, <c>--seed N</c>, <c>--weights PATH</c>,
/// <c>--patience N</c> (early stopping on the validation loss), <c>--validation F</c> (the fraction of the training digits held
/// out; 0.1 when <c>--patience</c> is given), <c>--threads N</c> and <c>--plots DIR</c> (the training history and the
/// test confusion matrix as SVG).
/// </summary>
internal sealed class SampleOptions
{
    private string _program = "Sample";

    public int Epochs { get; private set; } = 10;

    public string? JsonPath { get; private set; }

    /// <summary>Where to write the training history and the test confusion matrix as SVG (<c>--plots DIR</c>); null: nowhere.</summary>
    public string? PlotsDirectory { get; private set; }

    public string DataDirectory { get; private set; } = Path.Combine(AppContext.BaseDirectory, "data");

    public string WeightsPath { get; private set; } = "weights.safetensors";

    public ulong Seed { get; private set; }

    /// <summary>Epochs without a better validation loss before training stops; null: no early stopping.</summary>
    public int? Patience { get; private set; }

    /// <summary>The fraction of the training digits held out for validation; 0: none (0.1 by default with <see cref="Patience"/>).</summary>
    public double ValidationFraction { get; private set; }

    /// <summary>Threads the trainer splits each batch across.</summary>
    public int Threads { get; private set; } = 1;

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
                case "--patience" when int.TryParse(value, out int patience) && patience >= 0:
                    options.Patience = patience;
                    break;
                case "--patience":
                    return options.Fail($"--patience must be a whole number, 0 or more; got '{value}'.");
                case "--validation" when double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double fraction)
                    && fraction >= 0 && fraction < 1:
                    options.ValidationFraction = fraction;
                    break;
                case "--validation":
                    return options.Fail($"--validation must be a fraction from 0 (none) to below 1; got '{value}'.");
                case "--threads" when int.TryParse(value, out int threads) && threads >= 1:
                    options.Threads = threads;
                    break;
                case "--threads":
                    return options.Fail($"--threads must be a whole number, 1 or more; got '{value}'.");
                case "--plots":
                    options.PlotsDirectory = value;
                    break;
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

        if (options.Patience is not null && options.ValidationFraction == 0)
        {
            options.ValidationFraction = 0.1;
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
        $"Usage: {_program} [--epochs N (10)] [--json PATH] [--data DIR (bundled digits)] [--seed N (0)] [--weights PATH ({WeightsPath})]\n" +
        "       [--patience N (no early stopping)] [--validation FRACTION (0, or 0.1 with --patience)] [--threads N (1)] [--plots DIR]");
}
