using NetGen.Generator.Model;

namespace NetGen.Generator.Plan;

/// <summary>
/// Where a step sits and what it maps, the part every step has. Workspace offsets are in floats per sample: for a batch
/// of B, a slot starts at <c>offset * B</c> and holds <c>[B, length]</c>. An input offset of -1 is the network's input.
/// </summary>
/// <param name="LayerIndex">The declared layer the step plans (the first, when it covers a fused activation too).</param>
/// <param name="Title">The layer as written: <c>Dense(128)</c>.</param>
/// <param name="Path">
/// Where the layer sits when it is inside a block: the index (or name) of each enclosing layer followed by a dot
/// (<c>0.</c>, <c>2.self_attn.</c>); empty at the top of the network.
/// </param>
/// <param name="Part">Which step of a layer planned as several (<c>qkv</c> of an attention layer); empty for its main one.</param>
/// <param name="Name">The layer's <c>Name</c> inside a block, for comments; null at the top (comments there keep the index).</param>
internal sealed record StepFrame(
    int LayerIndex,
    string Title,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    int InputOffset,
    int OutputOffset,
    string Path = "",
    string Part = "",
    string? Name = null)
{
    public int InputLength => NetworkPlanner.Product(InputShape);

    public int OutputLength => NetworkPlanner.Product(OutputShape);

    /// <summary>The step's identity in C# names: the path's indices joined by <c>_</c>, the layer's index, the part (<c>0_2</c>, <c>3qkv</c>).</summary>
    public string Id => IdOf(LayerIndex) + Part;

    /// <summary>The identity of layer <paramref name="index"/> beside this one (same path, no part).</summary>
    public string IdOf(int index) => Identifier(Path) + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How comments name the layer: <c>3</c> at the top, <c>0.2</c> inside block 0, <c>2.sa.self_attn</c> by name inside a block.</summary>
    public string Label => Path + (Path.Length > 0 && Name is not null ? Name : LayerIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string Identifier(string path)
    {
        var text = new System.Text.StringBuilder(path.Length);
        foreach (char c in path)
        {
            text.Append(c == '.' ? '_' : char.IsLetterOrDigit(c) ? c : '_');
        }

        return text.ToString();
    }
}

/// <summary>
/// One step of the forward pass, with everything its emitter needs as constants. Each layer kind's rule
/// (<see cref="Rules.LayerRules"/>) makes its own step type; the emitter for a type is found by
/// <c>Emit.StepEmitters</c>. One step may cover two declared layers (a dense layer and the activation fused into it).
/// </summary>
internal abstract record Step(StepFrame Frame, long Flops)
{
    public int LayerIndex => Frame.LayerIndex;

    public string Title => Frame.Title;

    public EquatableArray<int> InputShape => Frame.InputShape;

    public EquatableArray<int> OutputShape => Frame.OutputShape;

    public int InputLength => Frame.InputLength;

    public int OutputLength => Frame.OutputLength;

    public int InputOffset => Frame.InputOffset;

    public int OutputOffset => Frame.OutputOffset;

    /// <summary>The declared layer whose output this step's output is: the fused activation's, when there is one.</summary>
    public virtual int OutputIndex => LayerIndex;

    /// <summary>The step's identity in C# names (<see cref="StepFrame.Id"/>).</summary>
    public string Id => Frame.Id;

    /// <summary>The identity of the step's output in C# names: the fused activation's layer, when there is one.</summary>
    public string OutputId => OutputIndex == LayerIndex ? Frame.Id : Frame.IdOf(OutputIndex);

    /// <summary>How comments name the layer (<see cref="StepFrame.Label"/>).</summary>
    public string Label => Frame.Label;

    /// <summary>Whether the step's output is its input's memory (a reshape), so nothing is kept for it.</summary>
    public virtual bool OutputIsInput => false;
}

/// <summary>A tensor of the parameter buffer a step reads (and whose gradient it adds into).</summary>
internal sealed record ParameterSlot(string Name, int Offset, int Length);

/// <summary>
/// An element-wise activation fused into the step before it (a dense layer or a convolution).
/// <paramref name="PreActivationOffset"/> is the workspace slot of <c>z</c> when backward needs it (GELU, a leaky ReLU
/// with a negative slope), else -1.
/// </summary>
internal sealed record FusedActivationPlan(LayerKind Kind, int LayerIndex, float Slope, int PreActivationOffset)
{
    public bool KeepsPreActivation => PreActivationOffset >= 0;
}

/// <summary>
/// A step that multiplies by a weight matrix <c>W: [Units, Inputs]</c> (as the kernels see it), adds a bias and may
/// carry a fused activation: a dense layer or a convolution.
/// </summary>
internal abstract record WeightedStep(StepFrame Frame, long Flops, int Inputs, int Units, ParameterSlot Weight, ParameterSlot? Bias, FusedActivationPlan? Activation)
    : Step(Frame, Flops)
{
    public bool HasBias => Bias is not null;

    public override int OutputIndex => Activation?.LayerIndex ?? LayerIndex;
}

/// <summary>How a dense step's parameters are drawn: as the PyTorch module it is part of initializes them.</summary>
internal enum DenseInitialization
{
    /// <summary><c>nn.Linear</c>: W and b from U(−1/√fan-in, 1/√fan-in).</summary>
    Linear,

    /// <summary><c>nn.MultiheadAttention</c>'s packed input projection: W from Xavier's U(−√(6/(fan-in + fan-out)), ...), b = 0.</summary>
    XavierZeroBias,

    /// <summary><c>nn.MultiheadAttention</c>'s output projection: W as <c>nn.Linear</c>'s, b = 0.</summary>
    LinearZeroBias,
}

/// <summary><c>y = act(W x + b)</c> on the last axis; <paramref name="Rows"/> is the product of the input's other axes.</summary>
internal sealed record DenseStep(StepFrame Frame, long Flops, int Inputs, int Units, int Rows, ParameterSlot Weight, ParameterSlot? Bias, FusedActivationPlan? Activation, DenseInitialization Initialization = DenseInitialization.Linear)
    : WeightedStep(Frame, Flops, Inputs, Units, Weight, Bias, Activation);

/// <summary>A 1-D or 2-D convolution; <c>Inputs</c> is its fan-in <c>C·kh·kw</c> and <c>Units</c> its filters.</summary>
internal sealed record ConvolutionStep(StepFrame Frame, long Flops, ConvolutionGeometry Geometry, ParameterSlot Weight, ParameterSlot? Bias, FusedActivationPlan? Activation)
    : WeightedStep(Frame, Flops, Geometry.ColumnRows, Geometry.OutChannels, Weight, Bias, Activation);

/// <summary>
/// Max or average pooling (1-D, 2-D or global). Max pooling keeps the winners' indices in <paramref name="MaskOffset"/>
/// (training only); -1 for average pooling.
/// </summary>
internal sealed record PoolingStep(StepFrame Frame, long Flops, bool IsMax, ConvolutionGeometry Geometry, int MaskOffset)
    : Step(Frame, Flops);

/// <summary>An element-wise activation on its own (not fused into the step before it).</summary>
internal sealed record ActivationStep(StepFrame Frame, LayerKind Kind, float Slope) : Step(Frame, 0);

/// <summary>Softmax over the last axis.</summary>
internal sealed record SoftmaxStep(StepFrame Frame) : Step(Frame, 0);

/// <summary>Inverted dropout in training (the mask in <paramref name="MaskOffset"/>), the identity in inference.</summary>
internal sealed record DropoutStep(StepFrame Frame, float Probability, int MaskOffset) : Step(Frame, 0);

/// <summary>A reshape: the output is the input's memory.</summary>
internal sealed record FlattenStep(StepFrame Frame) : Step(Frame, 0)
{
    public override bool OutputIsInput => true;
}

/// <summary>Batch normalization per channel: γ in <paramref name="Weight"/>, β in <paramref name="Bias"/>.</summary>
internal sealed record BatchNormStep(StepFrame Frame, long Flops, ParameterSlot Weight, ParameterSlot Bias, NormalizationPlan Normalization)
    : Step(Frame, Flops);

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

/// <summary>
/// What a batch-norm step needs beyond its frame: the channel layout of its input and where its running statistics and
/// its kept batch statistics live.
/// </summary>
/// <param name="Channels">C: the first axis of the input.</param>
/// <param name="Spatial">S: positions per channel (1 for [C], L for [C, L], H·W for [C, H, W]).</param>
/// <param name="Momentum">How far a training batch moves the running statistics.</param>
/// <param name="Epsilon">Added to the variance under the square root.</param>
/// <param name="StatisticsOffset">Workspace slot (per sample, 2C floats) whose first 2C floats keep the batch's μ and 1/σ for backward.</param>
/// <param name="MeanOffset">running_mean [C] in the buffer store; running_var [C] follows, then num_batches_tracked [].</param>
/// <param name="Prefix">The layer's name in tensor names (<c>1</c> or the user's <c>Name</c>).</param>
internal sealed record NormalizationPlan(
    int Channels,
    int Spatial,
    float Momentum,
    float Epsilon,
    int StatisticsOffset,
    int MeanOffset,
    string Prefix)
{
    public int VarianceOffset => MeanOffset + Channels;

    public int CountOffset => MeanOffset + (2 * Channels);

    /// <summary>Floats of buffers per layer: running mean and variance, and the batch count.</summary>
    public static int BufferLength(int channels) => (2 * channels) + 1;
}

/// <summary>
/// <c>[Embedding(V, D)]</c>, the first step: token ids <c>[T]</c> in, rows of <paramref name="Weight"/> <c>[V, D]</c> out,
/// <c>[T, D]</c>. The ids come from the caller (ints, or floats through <c>INetwork</c>), never from the workspace.
/// </summary>
internal sealed record EmbeddingStep(StepFrame Frame, int Vocabulary, int Dimensions, int Steps, ParameterSlot Weight) : Step(Frame, 0);

/// <summary>
/// One direction of one stacked layer of a recurrent step: its parameters, in PyTorch's names (<c>weight_ih_l0</c>,
/// <c>..._reverse</c>), and its workspace: the state planes its forward keeps for backward and the scratch its backward
/// uses, both <c>[B, length]</c> regions laid out by the runtime's <c>RecurrentKernels</c>.
/// </summary>
/// <param name="AddsInputGradient">Whether its backward adds dL/dx into what the other direction wrote (it runs second).</param>
internal sealed record RecurrentDirectionPlan(
    int Layer,
    bool Reverse,
    int Inputs,
    ParameterSlot WeightIh,
    ParameterSlot WeightHh,
    ParameterSlot? BiasIh,
    ParameterSlot? BiasHh,
    int StateOffset,
    int StateLength,
    int ScratchOffset,
    int ScratchLength,
    bool AddsInputGradient);

/// <summary>
/// A recurrent layer (RNN, LSTM or GRU), all its stacked layers and directions in one step over <c>[T, F]</c>. Stacked
/// layer l writes its output sequence <c>[T, D·H]</c> into <c>SequenceOffsets[l]</c>; the last one's is the step's
/// output when <see cref="RecurrentSpec.ReturnSequences"/>, otherwise the step's output is the last states <c>[D·H]</c>
/// copied from it. <paramref name="GradientOffsets"/> are two <c>[T, D·H]</c> slots for the gradients between stacked layers
/// and for the expanded last-state gradient (-1 when the layer needs neither).
/// </summary>
internal sealed record RecurrentStep(
    StepFrame Frame,
    long Flops,
    RecurrentSpec Spec,
    int Steps,
    int Features,
    EquatableArray<int> SequenceOffsets,
    EquatableArray<RecurrentDirectionPlan> Directions,
    EquatableArray<int> GradientOffsets)
    : Step(Frame, Flops)
{
    /// <summary>D·H: floats of output per step.</summary>
    public int Width => Spec.Directions * Spec.Hidden;
}

/// <summary>
/// Layer normalization over the last axis of <paramref name="Rows"/> rows of <paramref name="Features"/> floats; γ and β
/// when affine; each row's μ and 1/σ kept in <paramref name="StatisticsOffset"/> (2 floats per row) for backward.
/// </summary>
internal sealed record LayerNormStep(StepFrame Frame, long Flops, int Features, int Rows, float Epsilon, ParameterSlot? Weight, ParameterSlot? Bias, int StatisticsOffset)
    : Step(Frame, Flops);

/// <summary>
/// Scaled dot-product attention between the projections of a <c>[MultiHeadAttention]</c>: <c>[T, 3d]</c> (q | k | v) in,
/// the heads' outputs <c>[T, d]</c> out. The attention weights <c>[h, T, T]</c> stay in <paramref name="WeightsOffset"/>; the
/// dropout mask (training, <paramref name="Dropout"/> &gt; 0) in <paramref name="MaskOffset"/> (-1 without dropout);
/// backward's scratch in <paramref name="ScratchOffset"/> (<paramref name="ScratchLength"/> floats per sample, -1 if none).
/// </summary>
internal sealed record AttentionStep(StepFrame Frame, long Flops, int Steps, int Model, int Heads, bool Causal, float Dropout, int WeightsOffset, int MaskOffset, int ScratchOffset, int ScratchLength)
    : Step(Frame, Flops)
{
    public int WeightsLength => Heads * Steps * Steps;
}

/// <summary>
/// A position encoding added to <c>[T, d]</c>: learned (<paramref name="Weight"/>, <c>[T, d]</c>) or the fixed sinusoidal
/// table (<paramref name="Weight"/> null).
/// </summary>
internal sealed record PositionStep(StepFrame Frame, int Steps, int Dimensions, ParameterSlot? Weight) : Step(Frame, 0)
{
    public bool Learned => Weight is not null;
}

/// <summary>The mean over the sequence axis: <c>[T, F]</c> to <c>[F]</c>.</summary>
internal sealed record SequenceMeanStep(StepFrame Frame, int Steps, int Features) : Step(Frame, 0);

/// <summary>
/// Where a residual block starts: no work forward (its output is its input, the block's <c>x</c>); in backward, where the
/// skip path's gradient, kept by the block's <see cref="ResidualAddStep"/> in <paramref name="SkipGradientOffset"/>, is
/// added to the gradient that came back through the block.
/// </summary>
internal sealed record ResidualForkStep(StepFrame Frame, int SkipGradientOffset) : Step(Frame, 0)
{
    public override bool OutputIsInput => true;
}

/// <summary>
/// Where a residual block ends: <c>y = x + f(x)</c>, with <c>x</c> the output of the fork step <paramref name="ForkId"/>
/// (<see cref="Step.OutputId"/>) and <c>f(x)</c> this step's input. Backward passes <c>dL/dy</c> on to <c>f</c> in place
/// and keeps a copy in <paramref name="SkipGradientOffset"/> for the fork.
/// </summary>
internal sealed record ResidualAddStep(StepFrame Frame, string ForkId, string BlockName, int SkipGradientOffset) : Step(Frame, 0);
