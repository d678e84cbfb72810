using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// <c>[Rnn(hidden)]</c>, <c>[Lstm(hidden)]</c> and <c>[Gru(hidden)]</c>, PyTorch's <c>nn.RNN</c>, <c>nn.LSTM</c> and
/// <c>nn.GRU</c> with <c>batch_first=True</c>: a sequence <c>[T, F]</c> in, every step's state <c>[T, D·H]</c> (or the last
/// one, <c>[D·H]</c>) out, all stacked layers and directions in one step. Parameters in PyTorch's names and order: for
/// each stacked layer, for each direction, <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>.
/// </summary>
internal sealed class RecurrentRule : LayerRule
{
    public override string Title(LayerDeclaration layer) => TitleWithArguments(layer, option => option.Name == "Nonlinearity" && option.Integer is int n
        ? n switch { 0 => "RnnNonlinearity.Tanh", 1 => "RnnNonlinearity.Relu", _ => n.ToString(CultureInfo.InvariantCulture) }
        : null);

    public static RecurrentSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
    {
        int hidden = layer.Sizes.Count > 0 ? layer.Sizes[0] : 0;
        if (hidden <= 0)
        {
            b.Report(Diagnostics.NonPositiveSize, DiagnosticSite.OfLayer(layer.Position, "hidden"), described, "hidden", hidden);
            hidden = LayerSpec.Unknown;
        }

        int layers = layer.IntOption("Layers") ?? 1;
        if (layers < 1)
        {
            b.Report(Diagnostics.RecurrentOptionOutOfRange, DiagnosticSite.OfLayer(layer.Position, "Layers"), described, "Layers", layers, "stack 1 or more layers (1 is one layer, as PyTorch's num_layers=1)");
            layers = 1;
        }

        RecurrentCellKind cell = layer.Kind switch
        {
            LayerKind.Lstm => RecurrentCellKind.Lstm,
            LayerKind.Gru => RecurrentCellKind.Gru,
            _ => RecurrentCellKind.Tanh,
        };
        if (layer.Kind == LayerKind.Rnn && layer.IntOption("Nonlinearity") is int nonlinearity)
        {
            if (nonlinearity is 0 or 1)
            {
                cell = nonlinearity == 1 ? RecurrentCellKind.Relu : RecurrentCellKind.Tanh;
            }
            else
            {
                b.Report(Diagnostics.RecurrentOptionOutOfRange, DiagnosticSite.OfLayer(layer.Position, "Nonlinearity"), described, "Nonlinearity", nonlinearity, "use RnnNonlinearity.Tanh or RnnNonlinearity.Relu");
            }
        }

        return new RecurrentSpec(cell, hidden, layers, layer.FlagOption("Bidirectional") ?? false, layer.FlagOption("ReturnSequences") ?? true, layer.Bias);
    }

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        RecurrentSpec spec = Read(layer, described, b);
        List<int> shape = b.Shape;
        var inShape = b.ShapeNow;
        bool fits = shape.Count == 2;
        if (b.RankKnown && !fits)
        {
            b.Report(Diagnostics.RecurrentInputRank, DiagnosticSite.OfLayer(layer.Position), described, NetworkPlanner.Dimensions(shape), RankFix(shape));
        }

        int steps = fits ? shape[0] : LayerSpec.Unknown;
        int features = fits ? shape[1] : LayerSpec.Unknown;
        int hidden = spec.Hidden, width = spec.Directions * hidden, gateWidth = spec.Gates * hidden;
        string prefix = b.Prefix(layer, index);

        // The parameters, in PyTorch's order and names.
        long parameters = 0;
        for (int l = 0; l < spec.Layers; l++)
        {
            int inputs = l == 0 ? features : width;
            parameters += spec.Directions * (((long)gateWidth * inputs) + ((long)gateWidth * hidden) + (spec.Bias ? 2L * gateWidth : 0));
        }

        bool listed = b.ParametersFit(parameters);
        var slots = new List<(int Layer, bool Reverse, int Inputs, ParameterSlot Ih, ParameterSlot Hh, ParameterSlot? BiasIh, ParameterSlot? BiasHh)>();
        long flops = 0;
        for (int l = 0; l < spec.Layers; l++)
        {
            int inputs = l == 0 ? features : width;
            for (int d = 0; d < spec.Directions; d++)
            {
                string suffix = "_l" + l.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "_reverse" : string.Empty);
                ParameterSlot ih = b.Parameter($"{prefix}.weight_ih{suffix}", new[] { gateWidth, inputs }, (long)gateWidth * inputs, listed);
                ParameterSlot hh = b.Parameter($"{prefix}.weight_hh{suffix}", new[] { gateWidth, hidden }, (long)gateWidth * hidden, listed);
                ParameterSlot? biasIh = spec.Bias ? b.Parameter($"{prefix}.bias_ih{suffix}", new[] { gateWidth }, gateWidth, listed) : null;
                ParameterSlot? biasHh = spec.Bias ? b.Parameter($"{prefix}.bias_hh{suffix}", new[] { gateWidth }, gateWidth, listed) : null;
                slots.Add((l, d == 1, inputs, ih, hh, biasIh, biasHh));
                flops += 2L * steps * gateWidth * ((long)inputs + hidden);
            }
        }

        // The workspace: each stacked layer's output sequence, each direction's state planes, one backward scratch for all.
        var sequences = new int[spec.Layers];
        var directions = new List<RecurrentDirectionPlan>(slots.Count);
        int scratchLength = 0;
        foreach (var slot in slots)
        {
            bool adds = slot.Reverse;
            scratchLength = System.Math.Max(scratchLength, BackwardScratchLength(spec, steps, slot.Inputs, adds));
        }

        int scratch = b.Reserve(scratchLength);

        // No thread scratch: the forward packs W_hh for its steps into the workspace's cache for the direction
        // (RecurrentKernels.CacheLength), which outlives the call
        for (int l = 0; l < spec.Layers; l++)
        {
            sequences[l] = b.Reserve(steps * width);
        }

        foreach (var slot in slots)
        {
            int stateLength = StateLength(spec, steps);
            int state = b.Reserve(stateLength);
            directions.Add(new RecurrentDirectionPlan(slot.Layer, slot.Reverse, slot.Inputs, slot.Ih, slot.Hh, slot.BiasIh, slot.BiasHh,
                state, stateLength, scratch, scratchLength, AddsInputGradient: slot.Reverse));
        }

        bool needsGradients = spec.Layers > 1 || !spec.ReturnSequences;
        int[] gradients = needsGradients ? new[] { b.Reserve(steps * width), b.Reserve(steps * width) } : new[] { -1, -1 };

        b.RankKnown = true;
        shape.Clear();
        if (spec.ReturnSequences)
        {
            shape.Add(steps);
        }

        shape.Add(width);
        int output = spec.ReturnSequences ? sequences[spec.Layers - 1] : b.Reserve(width);
        b.AddFlops(flops);
        string title = Title(layer);
        b.Add(new RecurrentStep(b.Frame(index, title, inShape, output), flops, spec, steps, features,
            sequences.ToEquatableArray(), directions.ToEquatableArray(), gradients.ToEquatableArray()));
        b.Summarize(index, title, parameters, flops);
    }

    public override void PlanUnreadable(LayerDeclaration layer, PlanBuilder b)
    {
        bool sequences = layer.FlagOption("ReturnSequences") ?? true;
        int steps = b.Shape.Count == 2 ? b.Shape[0] : LayerSpec.Unknown;
        b.RankKnown = true;
        b.Shape.Clear();
        if (sequences)
        {
            b.Shape.Add(steps);
        }

        b.Shape.Add(LayerSpec.Unknown);
    }

    /// <summary>
    /// Floats per sample of a direction's state planes, as <c>RecurrentKernels.StateLength</c> lays them out (a test holds
    /// the two equal): the gate activations and the hidden state each step read, c_t (LSTM) or <c>W_hn h + b_hn</c> (GRU),
    /// then the running state and one step's recurrent product.
    /// </summary>
    internal static int StateLength(RecurrentSpec spec, int steps)
    {
        int hidden = spec.Hidden, gateWidth = spec.Gates * hidden;
        bool extra = spec.Cell is RecurrentCellKind.Lstm or RecurrentCellKind.Gru;
        return (steps * gateWidth) + (steps * hidden) + (extra ? steps * hidden : 0) + hidden + gateWidth;
    }

    /// <summary>Floats per sample of a direction's backward scratch, as <c>RecurrentKernels.BackwardScratchLength</c> (a test holds them equal).</summary>
    internal static int BackwardScratchLength(RecurrentSpec spec, int steps, int inputs, bool addsInputGradient)
    {
        int hidden = spec.Hidden, gateWidth = spec.Gates * hidden;
        bool carries = spec.Cell is RecurrentCellKind.Lstm or RecurrentCellKind.Gru;
        return (steps * gateWidth * (spec.Cell == RecurrentCellKind.Gru ? 2 : 1)) + gateWidth + hidden + (carries ? hidden : 0)
            + (addsInputGradient ? steps * inputs : 0);
    }

    private static string RankFix(List<int> shape)
    {
        if (shape.Count == 1)
        {
            string n = shape[0] != LayerSpec.Unknown ? shape[0].ToString(CultureInfo.InvariantCulture) : "T";
            return $"for a sequence of {n} numbers declare [Input({n}, 1)]; for {n} token ids start with [Embedding(vocabulary, dimensions)]";
        }

        return shape.Count == 3
            ? "a recurrent layer reads one sequence per sample: samples have no batch axis in NetGen, and a step's features are one axis [T, F]"
            : "declare the input as [steps, features]";
    }
}
