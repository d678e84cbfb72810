using NetGen;

namespace NetGen.Benchmarks;

// The anchor networks of /work/shared/anchors/models.py that NetGen expresses today, layer for layer.

/// <summary>Anchor "mlp": Linear 784→128, ReLU, Linear 128→64, ReLU, Linear 64→10 (109,386 parameters).</summary>
[Network]
[Input(784)]
[Dense(128), ReLU]
[Dense(64), ReLU]
[Dense(10)]
public partial class Mlp;

/// <summary>Anchor "wide": Linear 1024→1024, ReLU, Linear 1024→1024, ReLU, Linear 1024→10 (2,109,450 parameters).</summary>
[Network]
[Input(1024)]
[Dense(1024), ReLU]
[Dense(1024), ReLU]
[Dense(10)]
public partial class Wide;
