// The MNIST sample: train 784-128-64-10 on the bundled real digits, report test accuracy, save and reload
// the weights, and measure batch-1 inference. Run: dotnet run -c Release --project samples/Mnist -f net10.0
// What it does step by step is in ../Shared/DigitSample.cs, which the LeNet sample shares.
using NetGen.Samples;
using NetGen.Samples.Mnist;

return DigitSample.Run(args, "Mnist", "NetGen MNIST sample", seed => new MnistMlp(seed));
