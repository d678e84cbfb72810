using NetGen.Generator.Model;


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

    /// <summary>A 1-D or 2-D convolution, <see cref="StepPlan.Convolution"/> its geometry.</summary>
    Convolution,

    /// <summary>Max pooling (1-D or 2-D), <see cref="StepPlan.Convolution"/> its geometry; the winners' indices in the mask slot.</summary>
    MaxPool,

    /// <summary>Average pooling (1-D, 2-D or global), <see cref="StepPlan.Convolution"/> its geometry.</summary>
    AvgPool,
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
    ConvolutionGeometry? Convolution = null,
    NormalizationPlan? Normalization = null)
{
    /// <summary>Whether the fused or standalone activation's backward needs its input rather than its output.</summary>
    public bool KeepsPreActivation => PreActivationOffset >= 0;
}

/// <summary>
/// The geometry of a convolution or pooling step, every size a constant. A 1-D layer is a 2-D one of height 1
/// (<c>[C, W]</c> is <c>[C, 1, W]</c>), so one emitter writes both.
/// </summary>
/// <param name="Rank">1 or 2: how the layer was declared, for comments.</param>
/// <param name="UsesColumns">
/// Whether forward copies each sample into an im2col matrix <c>[C·kh·kw, H'·W']</c> (in the thread's scratch); false
/// when the input is that matrix already (1×1 kernel, stride 1, no padding).
/// </param>
internal sealed record ConvolutionGeometry(
    int Rank,
    int InChannels,
    int InHeight,
    int InWidth,
    int OutChannels,
    int OutHeight,
    int OutWidth,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight,
    int StrideWidth,
    int PaddingHeight,
    int PaddingWidth,
    int DilationHeight,
    int DilationWidth,
    bool UsesColumns)
{
    /// <summary>Rows of the im2col matrix, the fan-in of one output: <c>C·kh·kw</c>.</summary>
    public int ColumnRows => InChannels * KernelHeight * KernelWidth;

    /// <summary>Output positions per channel: <c>H'·W'</c>.</summary>
    public int OutPositions => OutHeight * OutWidth;

    /// <summary>Input positions per channel: <c>H·W</c>.</summary>
    public int InPositions => InHeight * InWidth;

    /// <summary>Floats of the zero-padded copy of one sample, <c>[C, H + 2ph, W + 2pw]</c>; 0 without padding.</summary>
    public long PaddedImageLength => PaddingHeight > 0 || PaddingWidth > 0
        ? (long)InChannels * (InHeight + (2L * PaddingHeight)) * (InWidth + (2L * PaddingWidth))
        : 0;

    /// <summary>
    /// Floats of scratch one sample needs: its im2col matrix in forward; in backward, the same matrix transposed
    /// (<c>[H'·W', C·kh·kw]</c>, for dW) and then dL/d(columns) in the same place; then the padded image, if any.
    /// </summary>
    public int ScratchLength => (int)((long)ColumnRows * OutPositions + PaddedImageLength);
}

/// <summary>One row of the summary: a declared layer as the user wrote it.</summary>
internal sealed record LayerSummary(int Index, string Title, EquatableArray<int> OutputShape, long Parameters, long Flops);

/// <summary>One named tensor in the parameter buffer (or the buffer store); a count is saved as int64.</summary>
internal sealed record TensorPlan(string Name, int Offset, EquatableArray<int> Shape, int Length, bool IsCount = false);

/// <summary>
/// Stage 2's result for a valid network: shapes, the parameter and workspace layout, and the steps of the
/// forward pass. Emitting is a pure function of this record. <see cref="ScratchLength"/> is the scratch each thread
/// needs whatever the batch (the largest of the steps' <see cref="ConvolutionGeometry.ScratchLength"/>).
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
    int BufferCount = 0,
    int ScratchLength = 0);

/// <summary>The planner's answer: a plan when the declaration is valid, and every diagnostic either way.</summary>
internal sealed record PlanResult(NetworkDeclaration Declaration, NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
