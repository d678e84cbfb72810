using NetGen;

namespace NetGen.Samples.Mnist;

/// <summary>784-128-64-10 with ReLU: logits out, the loss applies softmax.</summary>
[Network]
[Input(784)]
[Dense(128), ReLU]
[Dense(64), ReLU]
[Dense(10)]
public partial class MnistMlp;
