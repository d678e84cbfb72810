using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;


namespace NetGen.Generator.Plan;

/// <summary>
/// Stage 2: shape inference, validation, and the parameter and workspace layout. A pure function of the
/// parsed declaration, shared by everything that reports diagnostics and by the emitter, so there is one
/// notion of what a network's shapes are. Every problem is collected; none stops the walk.
/// </summary>
internal static class NetworkPlanner
{
    /// <summary>The largest buffer one array holds (floats).</summary>
    private const long MaxBufferLength = 0x7FFFFFC7;

    /// <summary>
    /// The size of an axis that is not known because a declaration before it is wrong (already reported). Messages show
    /// it as <c>?</c>, and checks and advice that would need it stay quiet. Every valid size is 1 or more.
    /// </summary>
    internal const int Unknown = 0;

    public static PlanResult Plan(NetworkDeclaration declaration)
    {
        var diagnostics = new List<DiagnosticInfo>(declaration.Diagnostics);
        var inputs = declaration.Layers.Where(l => l.Kind == LayerKind.Input).ToList();
        var layers = declaration.Layers.Where(l => l.Kind != LayerKind.Input).ToList();

        if (inputs.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.MissingInput, DiagnosticSite.Class, declaration.Name));
        }
        else
        {
            foreach (LayerDeclaration extra in inputs.Skip(1))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateInput, DiagnosticSite.OfLayer(extra.Position), declaration.Name));
            }

            int firstInputPosition = IndexOf(declaration.Layers, inputs[0]);
            if (firstInputPosition > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InputNotFirst, DiagnosticSite.OfLayer(inputs[0].Position), declaration.Name, Describe(declaration.Layers[0], 0)));
            }
        }

        LayerDeclaration? input = inputs.FirstOrDefault();
        var shape = new List<int>();
        if (input is not null)
        {
            if (!input.ArgumentsValid)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidArgument, DiagnosticSite.OfLayer(input.Position), $"[{Title(input)}]"));
            }
            else if (input.Sizes.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.EmptyInput, DiagnosticSite.OfLayer(input.Position), declaration.Name));
            }

            for (int axis = 0; axis < input.Sizes.Count; axis++)
            {
                if (input.Sizes[axis] <= 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NonPositiveSize, DiagnosticSite.OfLayer(input.Position, "dimensions", axis), $"[{Title(input)}]", $"dimension {axis}", input.Sizes[axis]));
                }
            }

            // A size that is wrong stays unknown rather than being replaced by a made-up one, so later messages
            // show it as '?' and checks that need it stay quiet.
            shape.AddRange(input.Sizes.Select(s => s > 0 ? s : Unknown));
        }

        // Without a readable [Input], not even the rank is known: checks that depend on it stay quiet until a
        // layer (Flatten, a convolution) fixes it.
        bool rankKnown = shape.Count > 0 && input!.ArgumentsValid;
        if (!rankKnown)
        {
            shape.Clear();
            shape.Add(Unknown);
        }

        var inputShape = shape.ToEquatableArray();
        var steps = new List<StepPlan>();
        var summary = new List<LayerSummary>();
        var tensors = new List<TensorPlan>();
        var buffers = new List<TensorPlan>();
        long parameterCount = 0;
        long bufferCount = 0;
        long workspace = 0;
        long flops = 0;
        int scratch = 0; // floats of scratch per thread: the largest im2col matrix of one sample
        int current = -1; // workspace offset of the activation flowing into the next layer; -1 = network input

        for (int i = 0; i < layers.Count; i++)
        {
            LayerDeclaration layer = layers[i];
            string title = Describe(layer, i);
            int inLength = Product(shape);
            var inShape = shape.ToEquatableArray();

            if (!layer.ArgumentsValid)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidArgument, DiagnosticSite.OfLayer(layer.Position), title));
                UnreadOutput(layer.Kind, shape, inLength, ref rankKnown);
                summary.Add(new LayerSummary(i, Title(layer), shape.ToEquatableArray(), 0, 0));
                continue;
            }

            switch (layer.Kind)
            {
                case LayerKind.Dense:
                {
                    int units = layer.Sizes.Count > 0 ? layer.Sizes[0] : 0;
                    if (units <= 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NonPositiveSize, DiagnosticSite.OfLayer(layer.Position, "units"), title, "units", units));
                        units = Unknown;
                    }

                    int fanIn = shape[shape.Count - 1];
                    int rows = fanIn > 0 ? inLength / fanIn : 0;
                    if (rankKnown && shape.Count >= 3)
                    {
                        var wouldBe = new List<int>(shape) { [shape.Count - 1] = units };
                        string output = units != Unknown ? $" and an output of [{units.ToString(CultureInfo.InvariantCulture)}]" : string.Empty;
                        string fix = inLength != Unknown ? $" to give it {inLength.ToString(CultureInfo.InvariantCulture)} inputs{output}" : string.Empty;
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DenseOnImage, DiagnosticSite.OfLayer(layer.Position), title, ShapeText(shape), ShapeText(wouldBe), fix));
                    }

                    shape[shape.Count - 1] = units;
                    long weightLength = (long)units * fanIn;
                    long layerParams = weightLength + (layer.Bias ? units : 0);
                    string prefix = layer.Name ?? i.ToString(CultureInfo.InvariantCulture);
                    int weightOffset = (int)System.Math.Min(parameterCount, int.MaxValue);
                    int biasOffset = (int)System.Math.Min(parameterCount + weightLength, int.MaxValue);
                    if (parameterCount + layerParams <= MaxBufferLength)
                    {
                        tensors.Add(new TensorPlan(prefix + ".weight", weightOffset, new[] { units, fanIn }.ToEquatableArray(), (int)weightLength));
                        if (layer.Bias)
                        {
                            tensors.Add(new TensorPlan(prefix + ".bias", biasOffset, new[] { units }.ToEquatableArray(), units));
                        }
                    }

                    parameterCount += layerParams;
                    long layerFlops = 2L * rows * units * fanIn;
                    flops += layerFlops;
                    summary.Add(new LayerSummary(i, Title(layer), shape.ToEquatableArray(), layerParams, layerFlops));

                    // An element-wise activation right after is fused into this step's output pass.
                    LayerDeclaration? next = i + 1 < layers.Count ? layers[i + 1] : null;
                    LayerKind? fused = next is { ArgumentsValid: true } && next.Kind.IsElementwiseActivation() ? next.Kind : null;
                    int outLength = Product(shape);
                    int outputOffset = Reserve(ref workspace, outLength);
                    int preOffset = fused is LayerKind kind && NeedsPreActivation(kind, next!.Scalar) ? Reserve(ref workspace, outLength) : -1;
                    steps.Add(new StepPlan(
                        StepKind.Dense, i, Title(layer), fused, fused is null ? -1 : i + 1, fused is null ? 0f : next!.Scalar ?? 0f,
                        inShape, shape.ToEquatableArray(), inLength, outLength, rows, fanIn, units, layer.Bias,
                        prefix + ".weight", prefix + ".bias", weightOffset, biasOffset,
                        current, outputOffset, preOffset, -1, layerFlops));
                    current = outputOffset;
                    if (fused is not null)
                    {
                        i++;
                        CheckActivationFollower(layers, i, diagnostics);
                        summary.Add(new LayerSummary(i, Title(layers[i]), shape.ToEquatableArray(), 0, 0));
                    }

                    break;
                }

                case LayerKind kind when kind.IsSpatial():
                {
                    var totals = new ConvolutionPlanner.Totals { Current = current, Workspace = workspace, ParameterCount = parameterCount, Flops = flops, Scratch = scratch, RankKnown = rankKnown };
                    LayerDeclaration? next = i + 1 < layers.Count ? layers[i + 1] : null;
                    ConvolutionPlanner.Plan(layer, next, i, title, shape, totals, tensors, steps, summary, diagnostics);
                    (current, workspace, parameterCount, flops, scratch, rankKnown) = (totals.Current, totals.Workspace, totals.ParameterCount, totals.Flops, totals.Scratch, totals.RankKnown);
                    if (totals.FusedNext)
                    {
                        i++;
                        CheckActivationFollower(layers, i, diagnostics);
                        summary.Add(new LayerSummary(i, Title(layers[i]), shape.ToEquatableArray(), 0, 0));
                    }

                    break;
                }

                case LayerKind.BatchNorm1D:
                case LayerKind.BatchNorm2D:
                    current = NormalizationPlanner.PlanBatchNorm(layer, i, shape, rankKnown, current, ref workspace, ref parameterCount, ref bufferCount, ref flops, tensors, buffers, steps, summary, diagnostics);
                    break;

                case LayerKind.Flatten:
                    if (rankKnown && shape.Count == 1)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.FlattenOnFlat, DiagnosticSite.OfLayer(layer.Position), title, ShapeText(shape)));
                    }

                    rankKnown = true;
                    shape.Clear();
                    shape.Add(inLength);
                    steps.Add(Simple(StepKind.Flatten, i, Title(layer), null, 0f, inShape, shape, current, current, -1, -1));
                    summary.Add(new LayerSummary(i, Title(layer), shape.ToEquatableArray(), 0, 0));
                    break;

                case LayerKind.Dropout:
                {
                    float p = layer.Scalar ?? 0f;
                    if (!(p >= 0f && p < 1f))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DropoutOutOfRange, DiagnosticSite.OfLayer(layer.Position, "probability"), title, p.ToString("R", CultureInfo.InvariantCulture)));
                        p = 0f;
                    }

                    int output = Reserve(ref workspace, inLength);
                    int mask = Reserve(ref workspace, inLength);
                    steps.Add(Simple(StepKind.Dropout, i, Title(layer), null, p, inShape, shape, current, output, -1, mask));
                    current = output;
                    summary.Add(new LayerSummary(i, Title(layer), shape.ToEquatableArray(), 0, 0));
                    break;
                }

                default:
                {
                    // An activation on its own (not right after a dense layer), or softmax.
                    if (i == 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ActivationFirst, DiagnosticSite.OfLayer(layer.Position), title));
                    }

                    CheckActivationFollower(layers, i, diagnostics);
                    if (layer.Kind == LayerKind.Softmax && i != layers.Count - 1)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.SoftmaxNotLast, DiagnosticSite.OfLayer(layer.Position), title));
                    }

                    int output = Reserve(ref workspace, inLength);
                    // A standalone activation's input is kept anyway (it is the previous layer's output), so
                    // GELU's backward reads it there instead of needing a slot of its own.
                    StepKind kind = layer.Kind == LayerKind.Softmax ? StepKind.Softmax : StepKind.Activation;
                    steps.Add(Simple(kind, i, Title(layer), layer.Kind, layer.Scalar ?? 0f, inShape, shape, current, output, -1, -1));
                    current = output;
                    summary.Add(new LayerSummary(i, Title(layer), shape.ToEquatableArray(), 0, 0));
                    break;
                }
            }
        }

        // Two gradient buffers, each as wide as the widest activation, that backward ping-pongs between.
        // The input's gradient needs a buffer only when the first step is not dense (a dense step writes dx
        // straight into the caller's span).
        int widest = steps.Select((s, n) => n == 0 && (s.Kind == StepKind.Dense || s.Convolution is not null) ? s.OutputLength : System.Math.Max(s.InputLength, s.OutputLength))
            .DefaultIfEmpty(Product(inputShape)).Max();
        int gradientA = Reserve(ref workspace, widest);
        int gradientB = Reserve(ref workspace, widest);

        if (parameterCount > MaxBufferLength)
        {
            // At the layer whose parameters pass the limit (at [Input] if the summary does not say which).
            long running = 0;
            LayerSummary? passing = summary.FirstOrDefault(l => (running += l.Parameters) > MaxBufferLength);
            LayerDeclaration? culprit = passing is not null && passing.Index < layers.Count ? layers[passing.Index] : null;
            DiagnosticSite site = culprit is not null ? DiagnosticSite.OfLayer(culprit.Position) : input is null ? DiagnosticSite.Class : DiagnosticSite.OfLayer(input.Position);
            string which = culprit is not null ? $"; {Describe(culprit, passing!.Index)} passes it" : string.Empty;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TooLarge, site, declaration.Name, parameterCount, "parameters", MaxBufferLength, which));
        }

        if (workspace > MaxBufferLength)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TooLarge, input is null ? DiagnosticSite.Class : DiagnosticSite.OfLayer(input.Position), declaration.Name, workspace, "workspace per sample", MaxBufferLength, string.Empty));
        }

        CheckNames(layers, tensors, diagnostics);
        CheckClassName(declaration, tensors, buffers, diagnostics);

        bool hasErrors = diagnostics.Any(d => d.IsError);
        NetworkPlan? plan = hasErrors ? null : new NetworkPlan(
            declaration.Namespace,
            declaration.Name,
            declaration.FullName,
            declaration.ContainingTypes,
            inputShape,
            shape.ToEquatableArray(),
            Product(inputShape),
            Product(shape),
            steps.ToEquatableArray(),
            summary.ToEquatableArray(),
            tensors.ToEquatableArray(),
            (int)parameterCount,
            (int)workspace,
            current,
            gradientA,
            gradientB,
            flops,
            buffers.ToEquatableArray(),
            (int)bufferCount,
            scratch);
        return new PlanResult(declaration, plan, diagnostics.ToEquatableArray());
    }

    /// <summary>The class may not be named like a member the emitter writes into it (CS0542 in generated code).</summary>
    private static void CheckClassName(NetworkDeclaration declaration, List<TensorPlan> tensors, List<TensorPlan> buffers, List<DiagnosticInfo> diagnostics)
    {
        string name = declaration.Name.TrimStart('@');
        if (GeneratedMembers.Names.Contains(name))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NameOfGeneratedMember, DiagnosticSite.Class, name, "a member every network has", string.Empty));
            return;
        }

        TensorPlan? view = tensors.Concat(buffers).FirstOrDefault(t => TensorNames.ViewName(t.Name) == name);
        if (view is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NameOfGeneratedMember, DiagnosticSite.Class, name, $"the view of '{view.Name}'", " or the layer (its Name)"));
        }
    }

    /// <summary>
    /// Names: each a PyTorch module name (not empty, no '.'), and no two layers with parameters whose names, or the
    /// members the emitter derives from them (<c>fc1.weight</c> → <c>Fc1Weight</c>), coincide.
    /// </summary>
    private static void CheckNames(List<LayerDeclaration> layers, List<TensorPlan> tensors, List<DiagnosticInfo> diagnostics)
    {
        var owners = new HashSet<string>(tensors.Select(t => t.Name.Substring(0, System.Math.Max(0, t.Name.LastIndexOf('.')))));
        var names = new Dictionary<string, int>();
        var views = new Dictionary<string, int>();
        for (int i = 0; i < layers.Count; i++)
        {
            LayerDeclaration layer = layers[i];
            if (layer.Name is { } name && (name.Trim().Length == 0 || name.IndexOf('.') >= 0))
            {
                string problem = name.Trim().Length == 0 ? "is empty" : "contains '.'";
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidLayerName, DiagnosticSite.OfLayer(layer.Position, "Name"), Describe(layer, i), name, problem));
                continue;
            }

            string prefix = layer.Name ?? i.ToString(CultureInfo.InvariantCulture);
            string view = TensorNames.ViewName(prefix);
            bool owns = owners.Contains(prefix);
            int first = -1;
            if ((layer.Name is not null && names.TryGetValue(prefix, out first)) || (owns && views.TryGetValue(view, out first)))
            {
                string what = layer.Name == layers[first].Name ? $"'{prefix}.*'" : $"'{TensorNames.ViewName(layers[first].Name ?? first.ToString(CultureInfo.InvariantCulture))}*' in C#";
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateLayerName, DiagnosticSite.OfLayer(layer.Position, layer.Name is null ? null : "Name"), Describe(layers[first], first), Describe(layer, i), what));
                continue;
            }

            if (layer.Name is not null)
            {
                names[prefix] = i;
            }

            if (owns)
            {
                views[view] = i;
            }
        }
    }

    /// <summary>
    /// The output of a layer whose arguments cannot be read: the input's shape for a layer that keeps it (activations,
    /// dropout, batch norm), the input's with an unknown last axis for Dense, the flat input for Flatten, and for a
    /// convolution or pooling layer its own rank with every size unknown.
    /// </summary>
    private static void UnreadOutput(LayerKind kind, List<int> shape, int inLength, ref bool rankKnown)
    {
        switch (kind)
        {
            case LayerKind.Dense:
                shape[shape.Count - 1] = Unknown;
                break;
            case LayerKind.Flatten:
                shape.Clear();
                shape.Add(inLength);
                rankKnown = true;
                break;
            case var spatial when spatial.IsSpatial():
                int rank = spatial switch
                {
                    LayerKind.GlobalAvgPool => 1,
                    LayerKind.Conv2D or LayerKind.MaxPool2D or LayerKind.AvgPool2D => 3,
                    _ => 2,
                };
                shape.Clear();
                shape.AddRange(Enumerable.Repeat(Unknown, rank));
                rankKnown = true;
                break;
        }
    }

    private static StepPlan Simple(StepKind kind, int index, string title, LayerKind? activation, float scalar, EquatableArray<int> inShape, List<int> outShape, int input, int output, int pre, int mask)
    {
        int length = Product(outShape);
        return new StepPlan(kind, index, title, activation, activation is null ? -1 : index, scalar, inShape, outShape.ToEquatableArray(),
            length, length, 0, 0, 0, false, string.Empty, string.Empty, -1, -1, input, output, pre, mask, 0);
    }

    private static void CheckActivationFollower(List<LayerDeclaration> layers, int i, List<DiagnosticInfo> diagnostics)
    {
        if (i > 0 && layers[i - 1].Kind.IsActivation() && layers[i].Kind.IsActivation())
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ActivationAfterActivation, DiagnosticSite.OfLayer(layers[i].Position), Describe(layers[i], i), Describe(layers[i - 1], i - 1)));
        }
    }

    /// <summary>GELU's derivative needs its input; so does a leaky ReLU with a negative slope, whose output sign says nothing.</summary>
    internal static bool NeedsPreActivation(LayerKind kind, float? slope) => kind == LayerKind.GELU || (kind == LayerKind.LeakyReLU && (slope ?? 0.01f) < 0f);

    internal static int Reserve(ref long workspace, int length)
    {
        long offset = workspace;
        workspace += length;
        return (int)System.Math.Min(offset, int.MaxValue);
    }

    internal static int Product(IEnumerable<int> shape)
    {
        long product = 1;
        foreach (int d in shape)
        {
            product = System.Math.Min(product * d, int.MaxValue);
        }

        return (int)product;
    }

    private static int IndexOf(EquatableArray<LayerDeclaration> layers, LayerDeclaration layer)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            if (ReferenceEquals(layers[i], layer))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Join(IEnumerable<int> shape) => string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A shape's sizes in messages, <c>1, 28, 28</c>, with an axis whose size is not known as <c>?</c>.</summary>
    internal static string Dimensions(IEnumerable<int> shape) => string.Join(", ", shape.Select(d => d == Unknown ? "?" : d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A shape in messages, <c>[1, 28, 28]</c>, with an axis whose size is not known as <c>?</c>.</summary>
    private static string ShapeText(IEnumerable<int> shape) => "[" + Dimensions(shape) + "]";

    /// <summary>How messages name a layer: its position, kind and name, such as <c>layer 2 (Dense(64), "fc2")</c>.</summary>
    public static string Describe(LayerDeclaration layer, int index)
        => layer.Name is null ? $"layer {index} ({Title(layer)})" : $"layer {index} ({Title(layer)}, \"{layer.Name}\")";

    /// <summary>The layer as written: <c>Dense(128)</c>, <c>Dropout(0.5)</c>, <c>ReLU</c>.</summary>
    public static string Title(LayerDeclaration layer) => layer switch
    {
        { ArgumentsValid: false } => $"{layer.Kind}(...)",
        _ => TitleOfValid(layer),
    };

    private static string TitleOfValid(LayerDeclaration layer) => layer.Kind switch
    {
        LayerKind.Input => $"Input({Join(layer.Sizes)})",
        LayerKind.Dense => layer.Bias ? $"Dense({Join(layer.Sizes)})" : $"Dense({Join(layer.Sizes)}, bias: false)",
        LayerKind.Dropout => $"Dropout({(layer.Scalar ?? 0f).ToString("R", CultureInfo.InvariantCulture)})",
        LayerKind.LeakyReLU => $"LeakyReLU({(layer.Scalar ?? 0.01f).ToString("R", CultureInfo.InvariantCulture)})",
        _ when layer.Kind.IsSpatial() => ConvolutionPlanner.Title(layer),
        LayerKind.BatchNorm1D or LayerKind.BatchNorm2D => NormalizationPlanner.Title(layer),
        _ => layer.Kind.ToString(),
    };
}
