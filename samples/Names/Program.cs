// The names sample: a character-level language model on 8,422 English first names. Trains Embedding(54, 32) →
// LSTM(128) (or GRU / RNN, or a causal Transformer: --cell transformer) → Dense(54) at every step, reports the held-out loss in nats per character after each
// epoch, then generates names. Run: dotnet run -c Release --project samples/Names -- --cell lstm
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using NetGen;
using NetGen.Samples.Names;

NamesOptions? options = NamesOptions.Parse(args);
if (options is null)
{
    return 2;
}

return options.Cell switch
{
    Cell.Gru => NamesSample.Run(options, seed => new NamesGru(seed)),
    Cell.Rnn => NamesSample.Run(options, seed => new NamesRnn(seed)),
    Cell.Transformer => NamesSample.Run(options, seed => new NamesTransformer(seed)),
    _ => NamesSample.Run(options, seed => new NamesLstm(seed)),
};

/// <summary>What the sample does, whatever the cell.</summary>
internal static class NamesSample
{
    private const int BatchSize = 64;
    private const float LearningRate = 3e-3f;
    private const int GeneratedNames = 20;

    public static int Run<TNetwork>(NamesOptions options, Func<ulong, TNetwork> create)
        where TNetwork : INetwork, ITokenModel
    {
        string directory = options.DataDirectory;
        NameData data = NameData.Load(directory);
        Console.WriteLine($"NetGen names sample: data from {Path.GetFullPath(directory)}");
        Console.WriteLine(
            $"{data.All.Length:N0} unique names: {data.Train.Length:N0} to train on, {data.HeldOut.Length:N0} held out " +
            $"({NameData.CountedPositions(data.Train):N0} / {NameData.CountedPositions(data.HeldOut):N0} characters, each name's end counted as one)");
        Console.WriteLine(
            $"Vocabulary: {data.Characters.Length} characters + the boundary token = {data.Vocabulary}; a uniform guess costs ln {data.Vocabulary} = {Math.Log(data.Vocabulary):F3} nats/char");

        TNetwork net = create(options.Seed);
        if (net.OutputLength != NameData.Steps * data.Vocabulary)
        {
            Console.Error.WriteLine($"The network predicts {net.OutputLength / NameData.Steps} classes per step; the data has {data.Vocabulary}.");
            return 1;
        }

        Dataset train = data.ToDataset(data.Train);
        Dataset heldOut = data.ToDataset(data.HeldOut);
        Console.WriteLine();
        Console.WriteLine(net.Info.Summary);
        Console.WriteLine();
        Console.WriteLine($"Adam {LearningRate}, batch {BatchSize}, {options.Epochs} epochs, seed {options.Seed}; vector width {Simd.ActiveVectorBits} bits, 1 thread");

        Loss loss = Loss.SequenceCrossEntropy(data.Vocabulary, NameData.IgnoreIndex);
        var trainer = new Trainer<TNetwork>(net, new Adam(LearningRate), loss, seed: options.Seed);
        // One Fit for the whole run: the held-out names are its validation set, evaluated after every epoch, and each epoch's
        // line is printed as the epoch ends (EpochEnded). With --patience the run stops when the held-out loss has not improved
        // for that many epochs, and the best epoch's weights are put back.
        var progress = new NamesProgress(options.Epochs);
        var reporter = new NamesReporter(progress);
        FitResult fit = trainer.Fit(train, new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = BatchSize,
            Validation = heldOut,
            BatchEnded = reporter,
            EpochEnded = reporter,
            EarlyStopping = options.Patience is int patience ? new EarlyStopping { Patience = patience } : null,
        });
        var perEpoch = new List<float>();
        var training = TimeSpan.Zero;
        foreach (EpochResult epoch in fit.Epochs)
        {
            perEpoch.Add(epoch.Validation!.Value.Loss);
            training += epoch.Elapsed;
        }

        Evaluation last = fit.Epochs[^1].Validation!.Value;
        if (fit.StopReason == StopReason.EarlyStopped)
        {
            last = trainer.Evaluate(heldOut);
            Console.WriteLine(
                $"Stopped early after epoch {fit.Epochs[^1].Epoch}: the held-out loss has not improved for {options.Patience} epochs; " +
                $"the weights of epoch {fit.BestEpoch} ({fit.BestValue:F4} nats/char) are restored");
        }

        double trainSeconds = training.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine(
            $"Held out: {last.Loss:F4} nats/char ({last.Loss / Math.Log(2):F3} bits), next character right {last.Accuracy:P1}; " +
            $"training took {trainSeconds:F1} s ({trainSeconds / fit.Epochs.Count:F2} s per epoch, held-out evaluation not included)");

        var rng = new Rng(options.Seed);
        var names = new List<string>();
        var known = new HashSet<string>(data.Train, StringComparer.Ordinal);
        Console.WriteLine();
        Console.WriteLine($"{GeneratedNames} names sampled at temperature {options.Temperature} (* = in the training names):");
        for (int i = 0; i < GeneratedNames; i++)
        {
            string name = Generate(net, data, options.Temperature, ref rng);
            names.Add(name);
            Console.WriteLine($"  {name}{(known.Contains(name) ? " *" : string.Empty)}");
        }

        if (options.JsonPath is string json)
        {
            WriteJson(json, options, net, trainSeconds, last, perEpoch, names, known);
            Console.WriteLine($"Figures written to {Path.GetFullPath(json)}");
        }

        return 0;
    }

    /// <summary>
    /// One name: from the boundary token, run the network on the prefix (padded to 16 steps) and sample the next
    /// character from the logits at the prefix's last position, until the boundary token comes up or the name
    /// has 15 characters.
    /// </summary>
    private static string Generate<TNetwork>(TNetwork net, NameData data, float temperature, ref Rng rng)
        where TNetwork : ITokenModel
    {
        int vocabulary = data.Vocabulary;
        Span<int> tokens = stackalloc int[NameData.Steps];
        Span<float> logits = stackalloc float[NameData.Steps * vocabulary];
        Span<double> weights = stackalloc double[vocabulary];
        tokens.Fill(NameData.Boundary);
        var name = new StringBuilder();
        for (int position = 0; position < NameData.MaxLength; position++)
        {
            net.Forward(tokens, logits);
            int next = Sample(logits.Slice(position * vocabulary, vocabulary), temperature, weights, ref rng);
            if (next == NameData.Boundary)
            {
                break;
            }

            tokens[position + 1] = next;
            name.Append(data.CharacterOf(next));
        }

        return name.ToString();
    }

    /// <summary>A token drawn from softmax(logits / temperature).</summary>
    private static int Sample(ReadOnlySpan<float> logits, float temperature, Span<double> weights, ref Rng rng)
    {
        float max = float.NegativeInfinity;
        foreach (float l in logits)
        {
            max = Math.Max(max, l);
        }

        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            weights[i] = Math.Exp((logits[i] - max) / temperature);
            sum += weights[i];
        }

        double u = (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53)) * sum;
        for (int i = 0; i < logits.Length; i++)
        {
            u -= weights[i];
            if (u < 0)
            {
                return i;
            }
        }

        return logits.Length - 1;
    }

    private static void WriteJson(
        string path, NamesOptions options, INetwork net, double trainSeconds, Evaluation heldOut, List<float> perEpoch,
        List<string> names, HashSet<string> known)
    {
        using FileStream stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("cell", options.Cell.ToString().ToLowerInvariant());
        writer.WriteNumber("epochs", options.Epochs);
        writer.WriteNumber("seed", options.Seed);
        writer.WriteNumber("parameters", net.ParameterCount);
        writer.WriteNumber("heldOutNatsPerChar", Math.Round(heldOut.Loss, 6));
        writer.WriteNumber("heldOutAccuracy", Math.Round(heldOut.Accuracy, 6));
        writer.WriteNumber("trainSeconds", Math.Round(trainSeconds, 3));
        writer.WriteNumber("threads", 1);
        writer.WriteStartArray("heldOutNatsPerCharByEpoch");
        foreach (float l in perEpoch)
        {
            writer.WriteNumberValue(Math.Round(l, 6));
        }

        writer.WriteEndArray();
        writer.WriteNumber("temperature", options.Temperature);
        writer.WriteStartArray("generated");
        foreach (string n in names)
        {
            writer.WriteStringValue(n);
        }

        writer.WriteEndArray();
        writer.WriteNumber("generatedInTrainingNames", names.Count(known.Contains));
        writer.WriteEndObject();
    }
}

/// <summary>The trainer's callbacks, written on the training thread: the bar after each batch, the finished line after each epoch.</summary>
internal sealed class NamesReporter : IProgress<TrainingProgress>, IProgress<EpochResult>
{
    private readonly NamesProgress _progress;

    public NamesReporter(NamesProgress progress) => _progress = progress;

    public void Report(TrainingProgress value) => _progress.Report(value);

    public void Report(EpochResult value) => _progress.Finish(value, value.Validation!.Value);
}
