using NetGen.Generator.Model;


namespace NetGen.Generator.Plan;

/// <summary>One row of the summary: a declared layer as the user wrote it.</summary>
internal sealed record LayerSummary(int Index, string Title, EquatableArray<int> OutputShape, long Parameters, long Flops);

/// <summary>One named tensor in the parameter buffer (or the buffer store); a count is saved as int64.</summary>
internal sealed record TensorPlan(string Name, int Offset, EquatableArray<int> Shape, int Length, bool IsCount = false);

/// <summary>
/// Stage 2's result for a valid network: shapes, the parameter and workspace layout, and the steps of the
/// forward pass. Emitting is a pure function of this record. <see cref="ScratchLength"/> is the scratch each thread
/// needs whatever the batch (the largest of the convolutions' <see cref="ConvolutionGeometry.ScratchLength"/> and the recurrent
/// layers' packed W_hh).
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
    EquatableArray<Step> Steps,
    EquatableArray<LayerSummary> Layers,
    EquatableArray<TensorPlan> Tensors,
    int ParameterCount,
    int WorkspaceLength,
    int OutputOffset,
    int GradientOffsetA,
    int GradientOffsetB,
    long Flops,
    EquatableArray<TensorPlan> Buffers = default,
    int BufferCount = 0,
    int ScratchLength = 0);

/// <summary>The planner's answer: a plan when the declaration is valid, and every diagnostic either way.</summary>
internal sealed record PlanResult(NetworkDeclaration Declaration, NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
