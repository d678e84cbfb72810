using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan;

/// <summary>
/// What the layer rules build the plan with, and the running state between them: the shape flowing through the stack,
/// the workspace and parameter layouts, the steps, the summary rows and the diagnostics. A rule reads its layer, checks
/// it against <see cref="Shape"/>, reserves what it needs, adds its step and leaves the shape of its output.
/// </summary>
internal sealed class PlanBuilder
{
    /// <summary>The largest buffer one array holds (floats).</summary>
    internal const long MaxBufferLength = 0x7FFFFFC7;

    private readonly List<LayerDeclaration> _layers;

    public PlanBuilder(List<LayerDeclaration> layers, List<int> inputShape, bool rankKnown, List<DiagnosticInfo> diagnostics)
    {
        _layers = layers;
        Shape = inputShape;
        RankKnown = rankKnown;
        Diagnostics = diagnostics;
    }

    /// <summary>The shape of the current activation: the input of the layer being planned, then (the rule sets it) its output.</summary>
    public List<int> Shape { get; }

    /// <summary>Whether the rank of <see cref="Shape"/> is known; without a readable <c>[Input]</c> it is not, until a layer fixes it.</summary>
    public bool RankKnown { get; set; }

    /// <summary>The workspace offset of the current activation, the next step's input; -1 is the network's input.</summary>
    public int Current { get; private set; } = -1;

    /// <summary>Floats of workspace per sample reserved so far.</summary>
    public long Workspace { get; private set; }

    /// <summary>Floats of parameters so far (may pass <see cref="MaxBufferLength"/>: the planner reports it).</summary>
    public long ParameterCount { get; private set; }

    /// <summary>Floats of buffers (running statistics) so far.</summary>
    public long BufferCount { get; private set; }

    /// <summary>Two times the multiply-adds of one sample's forward pass so far.</summary>
    public long Flops { get; private set; }

    /// <summary>The largest scratch a step needs per thread.</summary>
    public int Scratch { get; private set; }

    public List<Step> Steps { get; } = new();

    public List<LayerSummary> Summary { get; } = new();

    public List<TensorPlan> Tensors { get; } = new();

    public List<TensorPlan> Buffers { get; } = new();

    public List<DiagnosticInfo> Diagnostics { get; }

    /// <summary>Set by a rule that fused the next layer (an activation) into its step; the planner skips that layer.</summary>
    public bool ConsumedNext { get; private set; }

    /// <summary>The declared layers after <c>[Input]</c>.</summary>
    public IReadOnlyList<LayerDeclaration> Layers => _layers;

    public int InputLength => NetworkPlanner.Product(Shape);

    public EquatableArray<int> ShapeNow => Shape.ToEquatableArray();

    public void Report(DiagnosticDescriptor descriptor, DiagnosticSite site, params object[] arguments)
        => Diagnostics.Add(DiagnosticInfo.Create(descriptor, site, arguments));

    /// <summary>Reserves a workspace slot of <paramref name="length"/> floats per sample; returns its offset.</summary>
    public int Reserve(int length)
    {
        long offset = Workspace;
        Workspace += length;
        return (int)System.Math.Min(offset, int.MaxValue);
    }

    /// <summary>Whether a layer's <paramref name="parameters"/> end inside one buffer, so that its tensors can be listed.</summary>
    public bool ParametersFit(long parameters) => ParameterCount + parameters <= MaxBufferLength;

    /// <summary>
    /// The next <paramref name="length"/> floats of the parameter buffer as the tensor <paramref name="name"/>, listed
    /// when <paramref name="listed"/> (the layer's parameters fit, <see cref="ParametersFit"/>).
    /// </summary>
    public ParameterSlot Parameter(string name, int[] shape, long length, bool listed)
    {
        int offset = (int)System.Math.Min(ParameterCount, int.MaxValue);
        if (listed)
        {
            Tensors.Add(new TensorPlan(name, offset, shape.ToEquatableArray(), (int)length));
        }

        ParameterCount += length;
        return new ParameterSlot(name, offset, (int)System.Math.Min(length, int.MaxValue));
    }

    /// <summary>The next floats of the buffer store as the tensor <paramref name="name"/>; returns its offset.</summary>
    public int Buffer(string name, int[] shape, int length, bool listed, bool isCount = false)
    {
        int offset = (int)System.Math.Min(BufferCount, int.MaxValue);
        if (listed)
        {
            Buffers.Add(new TensorPlan(name, offset, shape.ToEquatableArray(), length, isCount));
        }

        BufferCount += length;
        return offset;
    }

    /// <summary>Whether <paramref name="length"/> more floats of buffers fit.</summary>
    public bool BuffersFit(long length) => BufferCount + length <= int.MaxValue;

    public void AddFlops(long flops) => Flops += flops;

    public void NeedScratch(int length) => Scratch = System.Math.Max(Scratch, length);

    /// <summary>Adds the step; its output becomes the current activation.</summary>
    public void Add(Step step)
    {
        Steps.Add(step);
        Current = step.OutputOffset;
    }

    /// <summary>Moves the current activation without a step (a layer whose step could not be planned).</summary>
    public void MoveTo(int offset) => Current = offset;

    /// <summary>The layer's row of the summary, with the current shape as its output.</summary>
    public void Summarize(int index, string title, long parameters = 0, long flops = 0)
        => Summary.Add(new LayerSummary(index, title, ShapeNow, parameters, flops));

    /// <summary>The frame of a step of layer <paramref name="index"/> from <paramref name="inShape"/> to the current shape.</summary>
    public StepFrame Frame(int index, string title, EquatableArray<int> inShape, int outputOffset)
        => new(index, title, inShape, ShapeNow, Current, outputOffset);

    /// <summary>
    /// The element-wise activation right after layer <paramref name="index"/>, fused into its step (which the planner then
    /// skips), or null. Reserves the pre-activation slot (<paramref name="outLength"/> floats) when backward needs it.
    /// </summary>
    public FusedActivationPlan? FuseNextActivation(int index, int outLength)
    {
        LayerDeclaration? next = index + 1 < _layers.Count ? _layers[index + 1] : null;
        if (next is not { ArgumentsValid: true } || !next.Kind.IsElementwiseActivation())
        {
            return null;
        }

        float slope = next.Scalar ?? 0f;
        int pre = NetworkPlanner.NeedsPreActivation(next.Kind, next.Scalar) ? Reserve(outLength) : -1;
        ConsumedNext = true;
        return new FusedActivationPlan(next.Kind, index + 1, slope, pre);
    }

    /// <summary>Clears <see cref="ConsumedNext"/> before the next rule runs.</summary>
    public void BeginLayer() => ConsumedNext = false;
}
