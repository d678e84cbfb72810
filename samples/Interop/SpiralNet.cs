namespace NetGen.Samples.Interop;

/// <summary>
/// The network both sides train: three interleaved spirals in the plane. Its PyTorch twin is
/// <c>nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 3))</c>
/// (torch_model.py), whose state_dict names are this network's parameter names: 0.weight, 0.bias, 2.weight, ...
/// </summary>
[Network]
[Input(2)]
[Dense(32), Tanh]
[Dense(32), Tanh]
[Dense(3)]
public partial class SpiralNet;
