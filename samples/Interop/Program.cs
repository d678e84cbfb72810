// Weights across the language boundary, both ways. See README.md for the four steps.
//   dotnet run -c Release --project samples/Interop -- compare DIR   load DIR/torch_model.safetensors, compare with DIR/torch_io.json
//   dotnet run -c Release --project samples/Interop -- train DIR     train here, write DIR/netgen_model.safetensors and DIR/netgen_io.json
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen;
using NetGen.Samples.Interop;

if (args.Length != 2 || args[0] is not ("compare" or "train"))
{
    Console.Error.WriteLine("usage: Interop compare DIR | Interop train DIR   (see samples/Interop/README.md)");
    return 2;
}

string directory = args[1];
return args[0] == "compare" ? Compare(directory) : Train(directory);

// PyTorch trained and exported; load its weights into the twin and run the inputs it ran.
static int Compare(string directory)
{
    var net = new SpiralNet();
    string weights = Path.Combine(directory, "torch_model.safetensors");
    net.Load(weights); // strict: every tensor by name, shapes checked
    Console.WriteLine($"Loaded {weights}: {SpiralNet.ParameterCount} parameters in {net.ParameterTensors.Count} tensors");

    using JsonDocument io = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "torch_io.json")));
    float[] inputs = io.RootElement.GetProperty("inputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    float[] expected = io.RootElement.GetProperty("outputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    int count = inputs.Length / SpiralNet.InputLength;
    var outputs = new float[count * SpiralNet.OutputLength];
    net.Forward(inputs, outputs, net.CreateWorkspace(count));

    double worst = Outputs.WorstRelativeError(outputs, expected, SpiralNet.OutputLength);
    Console.WriteLine($"{count} inputs: largest error relative to each sample's largest PyTorch output {worst:E2}");
    bool ok = worst <= 1e-5;
    Console.WriteLine(ok ? "NetGen matches PyTorch." : "MISMATCH: more than 1e-5.");
    return ok ? 0 : 1;
}

// Train here, save for PyTorch, and record what this network outputs on a grid of points.
static int Train(string directory)
{
    Directory.CreateDirectory(directory);
    Dataset data = Spirals.Make(600, seed: 1);
    var net = new SpiralNet(seed: 1);
    var trainer = new Trainer<SpiralNet>(net, new Adam(learningRate: 1e-2f), Loss.SoftmaxCrossEntropy, seed: 1);
    IReadOnlyList<EpochResult> epochs = trainer.Fit(data, epochs: 150, batchSize: 32);
    Console.WriteLine($"Trained 150 epochs: loss {epochs[^1].Loss:F4}, training accuracy {epochs[^1].Accuracy:P1}");

    string weights = Path.Combine(directory, "netgen_model.safetensors");
    net.Save(weights);
    float[] grid = Spirals.Grid(8);
    int count = grid.Length / SpiralNet.InputLength;
    var outputs = new float[count * SpiralNet.OutputLength];
    net.Forward(grid, outputs, net.CreateWorkspace(count));
    string io = Path.Combine(directory, "netgen_io.json");
    File.WriteAllText(io, JsonSerializer.Serialize(new Dictionary<string, float[]> { ["inputs"] = grid, ["outputs"] = outputs }, IoJson.Default.DictionaryStringSingleArray));
    Console.WriteLine($"Wrote {weights} and {io}; check them in PyTorch with: python3 samples/Interop/interop.py check {directory}");
    return 0;
}
