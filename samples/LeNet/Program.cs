// The LeNet sample: train LeNet-5 (two convolutions with max pooling, three dense layers) on the MNIST sample's
// real digits, report test accuracy, save and reload the weights, and measure batch-1 inference.
// Run: dotnet run -c Release --project samples/LeNet -f net10.0
// What it does step by step is in ../Shared/DigitSample.cs, which the MNIST sample shares.
using NetGen.Samples;
using NetGen.Samples.LeNet;

return DigitSample.Run(args, "LeNet", "NetGen LeNet-5 sample", seed => new LeNet5(seed));
