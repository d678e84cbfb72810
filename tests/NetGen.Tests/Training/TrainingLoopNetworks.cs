using NetGen;

namespace NetGen.Tests.Training;

/// <summary>A small regression network: 3 inputs, 2 outputs, for mean squared error.</summary>
[Network]
[Input(3)]
[Dense(8), Tanh]
[Dense(2)]
public partial class RegressionNet;

/// <summary>A wider classifier whose batches the kernels split across threads.</summary>
[Network]
[Input(48)]
[Dense(96), ReLU]
[Dense(64), ReLU]
[Dense(5)]
public partial class WideClassifier;
