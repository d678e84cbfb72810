using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// The names a step's statements use in the forward chain: its input's span and its output's, and for a dense step the
/// start of its W's region in the packed weights (<c>packed</c>), or -1 for none.
/// </summary>
internal readonly record struct ForwardNames(string Input, string Output, int PackedOffset = -1);

/// <summary>
/// The names a step's statements use in the backward chain: the kept input and output, the gradient of the output
/// (<c>dOut</c>, which the step may overwrite) and of the input (<c>dIn</c>). <see cref="GradientBuffer"/> is the buffer a
/// step that does not work in place declares <c>dIn</c> in (<c>gradA</c> or <c>gradB</c>), or null for the first step,
/// whose <c>dIn</c> is the caller's <c>dx</c> (which may be empty). <see cref="FusesInputRelu"/>: a max pooling whose input is
/// the output of a convolution's fused ReLU applies that ReLU's backward itself (at each window's winner), and
/// <see cref="ActivationDoneAfter"/> tells the convolution that the gradient it gets is already <c>dz</c>.
/// </summary>
internal readonly record struct BackwardNames(string Input, string Output, string OutputGradient, string InputGradient, string? GradientBuffer, bool FusesInputRelu = false, bool ActivationDoneAfter = false, bool WritesGradients = false);

/// <summary>
/// Writes one kind of step: its descriptor struct (if it has one), its forward statements and its backward statements,
/// each group under the math it computes. <see cref="StepEmitters"/> finds the emitter for a step.
/// </summary>
internal abstract class StepEmitter
{
    /// <summary>
    /// Whether backward leaves <c>dL/d(input)</c> in place in <c>dL/d(output)</c> (element-wise steps); the chain then
    /// names it on. Otherwise the step writes it into a gradient buffer (or the caller's <c>dx</c>) itself.
    /// </summary>
    public virtual bool BackwardInPlace => true;

    /// <summary>Whether the step has a descriptor struct in <c>NetGen.Generated</c>.</summary>
    public virtual bool HasDescriptor => false;

    public virtual void EmitDescriptor(CodeWriter w, Step step)
    {
    }

    /// <summary>Statements of <c>Initialize</c> that draw the step's parameters, if it has any that are drawn.</summary>
    public virtual void EmitInitialize(CodeWriter w, Step step)
    {
    }

    /// <summary>Members of the network class the step needs besides its statements (a constant table), if any.</summary>
    public virtual void EmitMembers(CodeWriter w, Step step)
    {
    }

    public abstract void EmitForward(CodeWriter w, Step step, ForwardNames names);

    public abstract void EmitBackward(CodeWriter w, Step step, BackwardNames names);
}

/// <summary>A <see cref="StepEmitter"/> for steps of type <typeparamref name="TStep"/>.</summary>
internal abstract class StepEmitter<TStep> : StepEmitter
    where TStep : Step
{
    public sealed override void EmitDescriptor(CodeWriter w, Step step) => EmitDescriptor(w, (TStep)step);

    public sealed override void EmitInitialize(CodeWriter w, Step step) => EmitInitialize(w, (TStep)step);

    public sealed override void EmitForward(CodeWriter w, Step step, ForwardNames names) => EmitForward(w, (TStep)step, names);

    public sealed override void EmitBackward(CodeWriter w, Step step, BackwardNames names) => EmitBackward(w, (TStep)step, names);

    protected virtual void EmitDescriptor(CodeWriter w, TStep step)
    {
    }

    protected virtual void EmitInitialize(CodeWriter w, TStep step)
    {
    }

    protected abstract void EmitForward(CodeWriter w, TStep step, ForwardNames names);

    protected abstract void EmitBackward(CodeWriter w, TStep step, BackwardNames names);
}

/// <summary>
/// What dense layers and convolutions share: U(-1/√fan-in, 1/√fan-in) initialization as PyTorch's, and the fused
/// activation, applied in the kernel (ReLU, leaky ReLU with a non-negative slope) or over the output after it.
/// </summary>
internal abstract class WeightedStepEmitter<TStep> : StepEmitter<TStep>
    where TStep : WeightedStep
{
    public override bool BackwardInPlace => false;

    public override bool HasDescriptor => true;

    /// <summary>The activation the kernel applies to each finished sum, as <c>FusedActivation</c> names it; <c>None</c> when it runs after the kernel.</summary>
    public static string KernelActivation(WeightedStep step) => !FusesActivationInKernel(step) ? "None" : step.Activation!.Kind == LayerKind.ReLU ? "Relu" : "LeakyRelu";

    /// <summary>Whether the activation is applied inside the forward kernel, on each finished sum.</summary>
    public static bool FusesActivationInKernel(WeightedStep step)
        => step.Activation?.Kind is LayerKind.ReLU || (step.Activation is { Kind: LayerKind.LeakyReLU, KeepsPreActivation: false });

    /// <summary>The fused activation's math in descriptor comments: <c>max(·, 0)</c>.</summary>
    public static string ActivationMath(WeightedStep step) => step.Activation!.Kind == LayerKind.ReLU
        ? "max(·, 0)"
        : $"leaky_relu(·, {Float(step.Activation.Slope)})";

    /// <summary>The kernel's leaky-ReLU slope constant (0 unless the kernel applies a leaky ReLU).</summary>
    protected static string KernelSlope(WeightedStep step) => Float(KernelActivation(step) == "LeakyRelu" ? step.Activation!.Slope : 0f);

    protected override void EmitInitialize(CodeWriter w, TStep step)
    {
        string bound = Float((float)(1.0 / System.Math.Sqrt(step.Inputs)));
        w.Line($"// {step.Weight.Name}{(step.Bias is { } b ? " and " + b.Name : string.Empty)}: bound 1/√{step.Inputs}");
        w.Line($"global::NetGen.Initializers.Uniform({SliceOf("p", step.Weight)}, {bound}, ref random);");
        if (step.Bias is { } bias)
        {
            w.Line($"global::NetGen.Initializers.Uniform({SliceOf("p", bias)}, {bound}, ref random);");
        }
    }

    /// <summary>
    /// Writes the kernel call of a step that may carry a fused activation: <paramref name="call"/> writes into the span it is
    /// given. When the kernel applies the activation itself, or there is none, it writes the output; otherwise the
    /// activation follows over the whole output, from the pre-activation slot when backward needs z.
    /// </summary>
    protected static void EmitCallWithActivation(CodeWriter w, TStep step, string output, System.Func<string, string> call)
    {
        if (step.Activation is not { } activation || FusesActivationInKernel(step))
        {
            w.Line(call(output));
            return;
        }

        if (activation.KeepsPreActivation)
        {
            string z = "z" + step.Id;
            w.Line($"global::System.Span<float> {z} = {Slot(activation.PreActivationOffset, step.OutputLength)};");
            w.Line(call(z));
            w.Line("global::NetGen.CompilerServices." + ApplyActivation(activation.Kind, activation.Slope, z, output));
        }
        else
        {
            w.Line(call(output));
            w.Line("global::NetGen.CompilerServices." + ApplyActivation(activation.Kind, activation.Slope, output, output));
        }
    }

    /// <summary>
    /// The fused activation's backward, when the step has one: <c>dz = dOut ⊙ act'(z)</c>, in place in
    /// <paramref name="dOut"/>, read from the step's output (or its kept pre-activation).
    /// </summary>
    protected static void EmitActivationBackward(CodeWriter w, TStep step, string output, string dOut)
    {
        if (step.Activation is not { } activation)
        {
            return;
        }

        w.Line($"//   dz = {dOut} ⊙ {ActivationFunction(activation.Kind, activation.Slope)}'(z), in place");
        string pre = "z" + step.Id;
        if (activation.KeepsPreActivation)
        {
            w.Line($"global::System.ReadOnlySpan<float> {pre} = {Slot(activation.PreActivationOffset, step.OutputLength)};");
        }

        w.Line("global::NetGen.CompilerServices." + ActivationBackward(activation.Kind, activation.Slope, output, pre, dOut));
    }
}

/// <summary>The emitter for each step type: the one place a new kind is registered in the emitter.</summary>
internal static class StepEmitters
{
    private static readonly DenseEmitter Dense = new();
    private static readonly ConvolutionEmitter Convolution = new();
    private static readonly PoolingEmitter Pooling = new();
    private static readonly BatchNormEmitter BatchNorm = new();
    private static readonly ActivationEmitter Activation = new();
    private static readonly SoftmaxEmitter Softmax = new();
    private static readonly DropoutEmitter Dropout = new();
    private static readonly FlattenEmitter Flatten = new();
    private static readonly EmbeddingEmitter Embedding = new();
    private static readonly RecurrentEmitter Recurrent = new();
    private static readonly LayerNormEmitter LayerNorm = new();
    private static readonly AttentionEmitter Attention = new();
    private static readonly PositionEmitter Position = new();
    private static readonly SequenceMeanEmitter SequenceMean = new();
    private static readonly ResidualForkEmitter ResidualFork = new();
    private static readonly ResidualAddEmitter ResidualAdd = new();

    public static StepEmitter For(Step step) => step switch
    {
        DenseStep => Dense,
        ConvolutionStep => Convolution,
        PoolingStep => Pooling,
        BatchNormStep => BatchNorm,
        ActivationStep => Activation,
        SoftmaxStep => Softmax,
        DropoutStep => Dropout,
        FlattenStep => Flatten,
        EmbeddingStep => Embedding,
        RecurrentStep => Recurrent,
        LayerNormStep => LayerNorm,
        AttentionStep => Attention,
        PositionStep => Position,
        SequenceMeanStep => SequenceMean,
        ResidualForkStep => ResidualFork,
        ResidualAddStep => ResidualAdd,
        _ => throw new System.InvalidOperationException($"No emitter for {step.GetType().Name}."),
    };
}
