using System;

namespace NetGen.Benchmarks;

/// <summary>LeNet-5 as samples/LeNet declares it: two 5×5 convolutions with max pooling, then 400-120-84-10.</summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class BenchLeNet5;

/// <summary>
/// LeNet-5 on the shared benchmarks: batch 1, batch 64, training steps at batch 64 with SGD + momentum and Adam,
/// on 1 thread and all cores. <c>dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*LeNet*'</c>
/// </summary>
public class LeNetBenchmarks() : NetworkBenchmarks<BenchLeNet5>(new BenchLeNet5(seed: 0))
{
    protected override void Forward(BenchLeNet5 net, ReadOnlySpan<float> input, Span<float> output) => net.Forward(input, output);
}
