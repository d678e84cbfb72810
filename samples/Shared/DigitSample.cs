using System;
using System.Diagnostics;
using System.IO;
using System.Numerics.Tensors;
using System.Text.Json;

namespace NetGen.Samples;

/// <summary>
/// What the digit samples do, whatever the network: train on the bundled MNIST digits with Adam (lr 1e-3, batch
/// 64), report test accuracy, save the weights and load them back, classify a few digits, and time batch-1
/// inference. Each sample's Program.cs names its network and calls <see cref="Run"/>.
/// </summary>
internal static class DigitSample
{
    /// <returns>The process exit code: 0, 1 when the reloaded weights differ, 2 for a bad command line.</returns>
    public static int Run<TNetwork>(string[] args, string program, string title, Func<ulong, TNetwork> create)
        where TNetwork : INetwork
    {
        SampleOptions? options = SampleOptions.Parse(args, program, program.ToLowerInvariant() + ".safetensors");
        if (options is null)
        {
            return 2;
        }

        string data = options.DataDirectory;
        Console.WriteLine($"{title}: data from {Path.GetFullPath(data)}");
        Dataset train = Idx.LoadMnist(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"));
        Dataset test = Idx.LoadMnist(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"));
        Console.WriteLine($"{train.Count:N0} training digits, {test.Count:N0} held-out test digits; vector width {Simd.ActiveVectorBits} bits");
        Console.WriteLine();

        TNetwork net = create(options.Seed);
        Console.WriteLine(net.Info.Summary);
        Console.WriteLine();

        // With --patience (or --validation), part of the training digits is held out, evaluated after every epoch, and
        // training stops when its loss has not improved for that many epochs, with the best epoch's weights put back.
        Dataset fitOn = train;
        Dataset? validation = null;
        if (options.ValidationFraction > 0)
        {
            (fitOn, validation) = train.Split(options.ValidationFraction, options.Seed);
            Console.WriteLine($"Holding out {validation.Count:N0} of the training digits for validation; training on {fitOn.Count:N0}");
        }

        var trainer = new Trainer<TNetwork>(net, new Adam(learningRate: 1e-3f), Loss.SoftmaxCrossEntropy, seed: options.Seed)
        {
            Threads = options.Threads,
        };
        var progress = new ProgressBar();
        var clock = Stopwatch.StartNew();
        FitResult fit = trainer.Fit(fitOn, new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = 64,
            Validation = validation,
            BatchEnded = progress,
            EpochEnded = progress,
            EarlyStopping = options.Patience is int patience ? new EarlyStopping { Patience = patience } : null,
        });
        double trainSeconds = clock.Elapsed.TotalSeconds;
        if (fit.StopReason == StopReason.EarlyStopped)
        {
            Console.WriteLine(
                $"Stopped early after epoch {fit.Epochs[^1].Epoch}: the validation loss has not improved for {options.Patience} epochs; " +
                $"the weights of epoch {fit.BestEpoch} (validation loss {fit.BestValue:F4}) are restored");
        }

        Evaluation result = trainer.Evaluate(test);
        Console.WriteLine();
        Console.WriteLine($"Test accuracy: {result.Accuracy:P2} on {result.Count:N0} held-out digits (loss {result.Loss:F4}); training took {trainSeconds:F1} s");
        Console.WriteLine();
        Console.WriteLine("Test confusion matrix (rows: the digit, columns: the prediction):");
        Console.WriteLine(result.Confusion);
        if (options.PlotsDirectory is string plots && result.Confusion is ConfusionMatrix confusion)
        {
            (string historyFile, string confusionFile) = SamplePlots.Write(plots, trainer.History, confusion);
            Console.WriteLine($"Pictures: {historyFile}, {confusionFile}");
        }

        // Save, load into a fresh network, and check that nothing was lost on the way.
        string weights = Path.GetFullPath(options.WeightsPath);
        net.Save(weights);
        TNetwork reloaded = create(0);
        reloaded.Load(weights);
        bool identical = net.Parameters.SequenceEqual(reloaded.Parameters) && net.Buffers.SequenceEqual(reloaded.Buffers);
        Console.WriteLine($"Saved {net.ParameterCount:N0} parameters to {weights} ({new FileInfo(weights).Length:N0} bytes); reloaded: {(identical ? "bit-identical" : "DIFFERENT")}");
        if (!identical)
        {
            return 1;
        }

        // Inference on single digits with the reloaded network, whose weights no longer change: the workspace keeps its
        // dense weights packed, and each digit reads them as one row of the batched product.
        float[] logits = new float[reloaded.OutputLength];
        Workspace workspace = reloaded.CreateWorkspace();
        workspace.ReusePackedWeights = true;
        Console.Write("First test digits, predicted/actual:");
        for (int i = 0; i < 8; i++)
        {
            reloaded.Forward(test.Input(i), logits, workspace);
            Console.Write($" {TensorPrimitives.IndexOfMax<float>(logits)}/{test.Target(i)[0]}");
        }

        Console.WriteLine();
        InferenceFigures inference = InferenceFigures.Measure(reloaded, test);
        Console.WriteLine($"Batch-1 inference: median {inference.MedianMicroseconds:F2} µs, {inference.AllocatedBytesPerCall} bytes allocated per inference");

        if (options.JsonPath is string json)
        {
            WriteJson(json, result.Accuracy, trainSeconds, inference);
            Console.WriteLine($"Figures written to {Path.GetFullPath(json)}");
        }

        return 0;
    }

    private static void WriteJson(string path, float accuracy, double trainSeconds, InferenceFigures inference)
    {
        using FileStream stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteNumber("testAccuracy", Math.Round(accuracy, 6));
        writer.WriteNumber("trainSeconds", Math.Round(trainSeconds, 3));
        writer.WriteNumber("inferenceMicroseconds", Math.Round(inference.MedianMicroseconds, 3));
        writer.WriteNumber("inferenceAllocatedBytes", inference.AllocatedBytesPerCall);
        writer.WriteEndObject();
    }
}
