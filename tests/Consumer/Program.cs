// The consumer test's program (.ci/consumer-test.sh checks its output line by line): the README's
// "Use NetGen in your project" example, plus the facts the script asserts.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen;

Console.WriteLine($"runtime {RuntimeInformation.FrameworkDescription}, {(RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")}, vector bits {Simd.ActiveVectorBits}");
Console.WriteLine($"parameters {Xor.ParameterCount}");

// XOR: four points, two classes.
float[] inputs = { 0, 0, 0, 1, 1, 0, 1, 1 };
byte[] labels = { 0, 1, 1, 0 };
Dataset data = Dataset.FromLabels(inputs, Xor.InputLength, labels);

var net = new Xor(seed: 0);
var trainer = new Trainer<Xor>(net, new Adam(learningRate: 0.05f), Loss.SoftmaxCrossEntropy);
var epochs = trainer.Fit(data, epochs: 300, batchSize: 4);
Console.WriteLine($"loss after 1 epoch {epochs[0].Loss:F4}, after {epochs.Count} {epochs[^1].Loss:F4}");

net.Save("xor.safetensors");
var reloaded = new Xor(seed: 1);
reloaded.Load("xor.safetensors");

Span<float> logits = stackalloc float[Xor.OutputLength];
var predictions = new List<int>();
for (int i = 0; i < labels.Length; i++)
{
    reloaded.Forward(data.Input(i), logits);
    predictions.Add(logits[1] > logits[0] ? 1 : 0);
}

Console.WriteLine($"predictions {string.Join(' ', predictions)}");

[Network]
[Input(2)]
[Dense(8), Tanh]
[Dense(2)]                        // logits; the loss applies softmax
public partial class Xor;
