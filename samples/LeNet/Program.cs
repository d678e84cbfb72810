// The LeNet sample: train LeNet-5 (two convolutions with max pooling, three dense layers) on the MNIST sample's
// real digits, report test accuracy, save and reload the weights, and measure batch-1 inference.
// Run: dotnet run -c Release --project samples/LeNet -f net10.0
using System;
using System.Diagnostics;
using System.IO;
using System.Numerics.Tensors;
using System.Text.Json;
using NetGen;
using NetGen.Samples.LeNet;

var options = SampleOptions.Parse(args);
if (options is null)
{
    return 2;
}

string data = options.DataDirectory;
Console.WriteLine($"NetGen LeNet-5 sample: data from {Path.GetFullPath(data)}");
Dataset train = Idx.LoadMnist(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"));
Dataset test = Idx.LoadMnist(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"));
Console.WriteLine($"{train.Count:N0} training digits, {test.Count:N0} held-out test digits; vector width {Simd.ActiveVectorBits} bits");
Console.WriteLine();
Console.WriteLine(LeNet5.Summary);
Console.WriteLine();

var net = new LeNet5(seed: options.Seed);
var trainer = new Trainer<LeNet5>(net, new Adam(learningRate: 1e-3f), Loss.SoftmaxCrossEntropy, seed: options.Seed);
var progress = new ProgressBar();
var clock = Stopwatch.StartNew();
foreach (EpochResult epoch in trainer.Fit(train, options.Epochs, batchSize: 64, progress: progress.Report))
{
    progress.Finish(epoch);
}

double trainSeconds = clock.Elapsed.TotalSeconds;
Evaluation result = trainer.Evaluate(test);
Console.WriteLine();
Console.WriteLine($"Test accuracy: {result.Accuracy:P2} on {result.Count:N0} held-out digits (loss {result.Loss:F4}); training took {trainSeconds:F1} s");

// Save, load into a fresh network, and check that nothing was lost on the way.
string weights = Path.GetFullPath(options.WeightsPath);
net.Save(weights);
var reloaded = new LeNet5();
reloaded.Load(weights);
bool identical = net.Parameters.SequenceEqual(reloaded.Parameters);
Console.WriteLine($"Saved {LeNet5.ParameterCount:N0} parameters to {weights} ({new FileInfo(weights).Length:N0} bytes); reloaded: {(identical ? "bit-identical" : "DIFFERENT")}");
if (!identical)
{
    return 1;
}

// Inference on single digits with the reloaded network.
Span<float> logits = stackalloc float[LeNet5.OutputLength];
Console.Write("First test digits, predicted/actual:");
for (int i = 0; i < 8; i++)
{
    reloaded.Forward(test.Input(i), logits);
    Console.Write($" {TensorPrimitives.IndexOfMax(logits)}/{test.Target(i)[0]}");
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

static void WriteJson(string path, float accuracy, double trainSeconds, InferenceFigures inference)
{
    using var stream = File.Create(path);
    using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
    writer.WriteStartObject();
    writer.WriteNumber("testAccuracy", Math.Round(accuracy, 6));
    writer.WriteNumber("trainSeconds", Math.Round(trainSeconds, 3));
    writer.WriteNumber("inferenceMicroseconds", Math.Round(inference.MedianMicroseconds, 3));
    writer.WriteNumber("inferenceAllocatedBytes", inference.AllocatedBytesPerCall);
    writer.WriteEndObject();
}
