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

    private List<LayerDeclaration> _layers;
    private Dictionary<string, ParameterSlot>? _reserved;
    private bool _quiet;

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

    public List<DiagnosticInfo> Diagnostics { get; private set; }

    /// <summary>
    /// Where the layers being planned sit: empty at the top of the network, <c>0.</c> inside the block at layer 0,
    /// <c>0.self_attn.</c> deeper. Steps carry it (<see cref="StepFrame.Path"/>).
    /// </summary>
    public string Path { get; private set; } = string.Empty;

    /// <summary>What parameter names of the layers being planned start with: the path, less the levels of transparent blocks.</summary>
    public string NamePrefix { get; private set; } = string.Empty;

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
        if (_reserved is not null && _reserved.TryGetValue(name, out ParameterSlot? reserved))
        {
            return reserved;
        }

        int offset = (int)System.Math.Min(ParameterCount, int.MaxValue);
        if (listed)
        {
            Tensors.Add(new TensorPlan(name, offset, shape.ToEquatableArray(), (int)length));
        }

        ParameterCount += length;
        return new ParameterSlot(name, offset, (int)System.Math.Min(length, int.MaxValue));
    }

    /// <summary>
    /// Lays out <paramref name="tensors"/> now, in this order (a composite layer's order in PyTorch's state_dict, which
    /// need not be the order its steps run in); a later <see cref="Parameter"/> call for one of their names gets its slot.
    /// </summary>
    public void ReserveParameters(IEnumerable<(string Name, int[] Shape)> tensors, bool listed)
    {
        var slots = new List<ParameterSlot>();
        foreach ((string name, int[] shape) in tensors)
        {
            long length = 1;
            foreach (int d in shape)
            {
                length *= d;
            }

            slots.Add(Parameter(name, shape, length, listed));
        }

        _reserved ??= new Dictionary<string, ParameterSlot>();
        foreach (ParameterSlot slot in slots)
        {
            _reserved[slot.Name] = slot;
        }
    }

    /// <summary>The name a layer's parameters start with: <c>{prefix}{Name or index}</c>, such as <c>fc1</c>, <c>2</c>, <c>0.2</c>.</summary>
    public string Prefix(LayerDeclaration layer, int index) => NamePrefix + (layer.Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Starts planning the layers of a block: <paramref name="layers"/> in place of the network's, one level deeper under
    /// <paramref name="segment"/> (the block layer's index or name), their diagnostics into <paramref name="diagnostics"/>
    /// and no summary rows (the block has one). A <paramref name="transparent"/> block (a part of a composite layer) adds
    /// its level to the path of steps but not to parameter names.
    /// </summary>
    public BlockScope EnterBlock(List<LayerDeclaration> layers, string segment, bool transparent, List<DiagnosticInfo> diagnostics)
    {
        var saved = new BlockScope(_layers, Path, NamePrefix, Diagnostics, _quiet, ConsumedNext);
        _layers = layers;
        Path = Path + segment + ".";
        NamePrefix = transparent ? NamePrefix : NamePrefix + segment + ".";
        Diagnostics = diagnostics;
        _quiet = true;
        return saved;
    }

    /// <summary>Returns to the layers around a block, as <see cref="EnterBlock"/> found them.</summary>
    public void ExitBlock(BlockScope scope)
    {
        _layers = scope.Layers;
        Path = scope.Path;
        NamePrefix = scope.NamePrefix;
        Diagnostics = scope.Diagnostics;
        _quiet = scope.Quiet;
        ConsumedNext = scope.ConsumedNext;
    }

    /// <summary>The planning state around a block, restored when it ends.</summary>
    public sealed record BlockScope(List<LayerDeclaration> Layers, string Path, string NamePrefix, List<DiagnosticInfo> Diagnostics, bool Quiet, bool ConsumedNext);

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
    {
        if (!_quiet)
        {
            Summary.Add(new LayerSummary(index, title, ShapeNow, parameters, flops));
        }
    }

    /// <summary>
    /// The frame of a step of layer <paramref name="index"/> from <paramref name="inShape"/> to the current shape;
    /// <paramref name="part"/> names one of several steps of the layer.
    /// </summary>
    public StepFrame Frame(int index, string title, EquatableArray<int> inShape, int outputOffset, string part = "")
        => new(index, title, inShape, ShapeNow, Current, outputOffset, Path, part, Path.Length > 0 && index < _layers.Count ? _layers[index].Name : null);

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
