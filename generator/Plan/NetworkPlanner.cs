using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;
using NetGen.Generator.Plan.Rules;


namespace NetGen.Generator.Plan;

/// <summary>
/// Stage 2: shape inference, validation, and the parameter and workspace layout. A pure function of the
/// parsed declaration, shared by everything that reports diagnostics and by the emitter, so there is one
/// notion of what a network's shapes are. Every problem is collected; none stops the walk.
/// </summary>
internal static class NetworkPlanner
{
    private const long MaxBufferLength = PlanBuilder.MaxBufferLength;

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
        var builder = new PlanBuilder(layers, shape, rankKnown, diagnostics);
        PlanLayers(layers, builder);

        List<Step> steps = builder.Steps;
        List<LayerSummary> summary = builder.Summary;
        List<TensorPlan> tensors = builder.Tensors;
        List<TensorPlan> buffers = builder.Buffers;
        long parameterCount = builder.ParameterCount;

        // Two gradient buffers, each as wide as the widest activation, that backward ping-pongs between. The input's
        // gradient needs a buffer only when the first step does not write dx itself (a dense, convolution or pooling
        // step writes it straight into the caller's span).
        int widest = steps.Select((s, n) => n == 0 && s is WeightedStep or PoolingStep ? s.OutputLength : System.Math.Max(s.InputLength, s.OutputLength))
            .DefaultIfEmpty(Product(inputShape)).Max();
        int gradientA = builder.Reserve(widest);
        int gradientB = builder.Reserve(widest);
        long workspace = builder.Workspace;

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
            builder.Current,
            gradientA,
            gradientB,
            builder.Flops,
            buffers.ToEquatableArray(),
            (int)builder.BufferCount,
            builder.Scratch);
        return new PlanResult(declaration, plan, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// Plans <paramref name="layers"/> one after the other over <paramref name="builder"/>: the network's own, or a block's
    /// (<see cref="PlanBuilder.EnterBlock"/>). Each goes to its kind's rule; a layer whose arguments cannot be read is
    /// reported and planned as far as its kind allows, so the shapes after it stay known where they can.
    /// </summary>
    internal static void PlanLayers(List<LayerDeclaration> layers, PlanBuilder builder)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            LayerDeclaration layer = layers[i];
            LayerRule rule = LayerRules.For(layer.Kind)!;
            builder.BeginLayer();
            if (!layer.ArgumentsValid)
            {
                builder.Diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidArgument, DiagnosticSite.OfLayer(layer.Position), Describe(layer, i)));
                rule.PlanUnreadable(layer, builder);
                builder.Summarize(i, Title(layer));
                continue;
            }

            rule.Plan(layer, i, builder);
            if (builder.ConsumedNext)
            {
                // The activation after it was fused into the step: it gets its summary row, and no step of its own.
                i++;
                CheckActivationFollower(layers, i, builder.Diagnostics);
                builder.Summarize(i, Title(layers[i]));
            }
        }
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

    internal static void CheckActivationFollower(IReadOnlyList<LayerDeclaration> layers, int i, List<DiagnosticInfo> diagnostics)
    {
        if (i > 0 && layers[i - 1].Kind.IsActivation() && layers[i].Kind.IsActivation())
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ActivationAfterActivation, DiagnosticSite.OfLayer(layers[i].Position), Describe(layers[i], i), Describe(layers[i - 1], i - 1)));
        }
    }

    /// <summary>GELU's derivative needs its input; so does a leaky ReLU with a negative slope, whose output sign says nothing.</summary>
    internal static bool NeedsPreActivation(LayerKind kind, float? slope) => kind == LayerKind.GELU || (kind == LayerKind.LeakyReLU && (slope ?? 0.01f) < 0f);

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

    internal static string Join(IEnumerable<int> shape) => string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A shape's sizes in messages, <c>1, 28, 28</c>, with an axis whose size is not known as <c>?</c>.</summary>
    internal static string Dimensions(IEnumerable<int> shape) => string.Join(", ", shape.Select(d => d == Unknown ? "?" : d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A shape in messages, <c>[1, 28, 28]</c>, with an axis whose size is not known as <c>?</c>.</summary>
    internal static string ShapeText(IEnumerable<int> shape) => "[" + Dimensions(shape) + "]";

    /// <summary>How messages name a layer: its position, kind and name, such as <c>layer 2 (Dense(64), "fc2")</c>.</summary>
    public static string Describe(LayerDeclaration layer, int index)
        => layer.Name is null ? $"layer {index} ({Title(layer)})" : $"layer {index} ({Title(layer)}, \"{layer.Name}\")";

    /// <summary>The layer as written: <c>Dense(128)</c>, <c>Dropout(0.5)</c>, <c>ReLU</c>.</summary>
    public static string Title(LayerDeclaration layer) => layer switch
    {
        { ArgumentsValid: false } => $"{layer.Kind}(...)",
        _ => TitleOfValid(layer),
    };

    private static string TitleOfValid(LayerDeclaration layer)
        => layer.Kind == LayerKind.Input ? $"Input({Join(layer.Sizes)})" : LayerRules.For(layer.Kind)!.Title(layer);

    /// <summary>A float in messages and titles, round-trip and culture-invariant: <c>0.5</c>.</summary>
    internal static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
