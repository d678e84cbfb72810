using NetGen.Generator.Model;
using NetGen.Generator.Parse;

namespace NetGen.Generator.Plan;

/// <summary>What a step of the generated forward pass does; one step may cover two declared layers.</summary>
internal enum StepKind
{
    /// <summary><c>y = act(W x + b)</c>, with an element-wise activation fused in when one follows.</summary>
    Dense,

    /// <summary>An element-wise activation on its own.</summary>
    Activation,

    /// <summary>Softmax over the last axis.</summary>
    Softmax,

    /// <summary>Inverted dropout in training, the identity in inference.</summary>
    Dropout,

    /// <summary>A reshape: the output is the input's memory.</summary>
    Flatten,

    /// <summary>Batch normalization per channel; see <see cref="NormalizationPlan"/>.</summary>
    BatchNorm,
}

/// <summary>
/// One step of the forward pass with everything the emitter needs as constants. Workspace offsets are in
/// floats per sample: for a batch of B, the step's region starts at <c>offset * B</c> and holds
/// <c>[B, length]</c>. An input offset of -1 means the network's input span.
/// </summary>
internal sealed record StepPlan(
    StepKind Kind,
    int LayerIndex,
    string Title,
    LayerKind? Activation,
    int ActivationLayerIndex,
    float Scalar,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    int InputLength,
    int OutputLength,
    int Rows,
    int Inputs,
    int Units,
    bool HasBias,
    string WeightName,
    string BiasName,
    int WeightOffset,
    int BiasOffset,
    int InputOffset,
    int OutputOffset,
    int PreActivationOffset,
    int MaskOffset,
    long Flops,
    NormalizationPlan? Normalization = null)
{
    /// <summary>Whether the fused or standalone activation's backward needs its input rather than its output.</summary>
    public bool KeepsPreActivation => PreActivationOffset >= 0;
}

/// <summary>One row of the summary: a declared layer as the user wrote it.</summary>
internal sealed record LayerSummary(int Index, string Title, EquatableArray<int> OutputShape, long Parameters, long Flops);

/// <summary>One named tensor in the parameter buffer (or the buffer store); a count is saved as int64.</summary>
internal sealed record TensorPlan(string Name, int Offset, EquatableArray<int> Shape, int Length, bool IsCount = false);

/// <summary>
/// Stage 2's result for a valid network: shapes, the parameter and workspace layout, and the steps of the
/// forward pass. Emitting is a pure function of this record.
/// </summary>
internal sealed record NetworkPlan(
    string Namespace,
    string Name,
    string FullName,
    EquatableArray<string> ContainingTypes,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    int InputLength,
    int OutputLength,
    EquatableArray<StepPlan> Steps,
    EquatableArray<LayerSummary> Layers,
    EquatableArray<TensorPlan> Tensors,
    int ParameterCount,
    int WorkspaceLength,
    int OutputOffset,
    int GradientOffsetA,
    int GradientOffsetB,
    long Flops,
    EquatableArray<TensorPlan> Buffers = default,
    int BufferCount = 0);

/// <summary>The planner's answer: a plan when the declaration is valid, and every diagnostic either way.</summary>
internal sealed record PlanResult(NetworkDeclaration Declaration, NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
