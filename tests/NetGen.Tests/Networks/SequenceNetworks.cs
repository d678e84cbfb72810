using NetGen;

// Networks whose output is [T, C]: a class at every step, for the per-step loss and per-position accuracy.
namespace NetGen.Tests.Networks;

/// <summary>Dense on each of 12 steps of 3 features: logits of 3 classes at every step, [12, 3].</summary>
[Network]
[Input(12, 3)]
[Dense(4), Tanh]
[Dense(3)]
public partial class StepClassifier;
