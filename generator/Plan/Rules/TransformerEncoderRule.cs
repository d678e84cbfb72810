using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// <c>[TransformerEncoder(heads, feedForward)]</c>: PyTorch's <c>nn.TransformerEncoderLayer</c>, planned as the layers it is
/// made of, in two residual halves (transparent blocks: they add no level to names). Post-norm:
/// <c>norm1(x + dropout1(self_attn(x)))</c>, then <c>norm2(x + dropout2(linear2(dropout(act(linear1(x))))))</c>; with
/// <c>NormFirst</c> each half starts with its norm inside the residual instead. Its parameters are laid out first, in the
/// order of PyTorch's state_dict (self_attn, linear1, linear2, norm1, norm2), which is not the order the steps run in.
/// </summary>
internal sealed class TransformerEncoderRule : LayerRule
{
    public override string Title(LayerDeclaration layer) => TitleWithArguments(layer, option => option.Name == "Activation" && option.Integer is int n
        ? n switch { 0 => "TransformerActivation.Relu", 1 => "TransformerActivation.Gelu", _ => n.ToString(CultureInfo.InvariantCulture) }
        : null);

    public static TransformerEncoderSpec Read(LayerDeclaration layer, string described, PlanBuilder b)
    {
        int heads = SequenceShapes.Count(layer, 0, "heads", "use 1 or more heads (each attends over d / heads features)", described, b);
        int feedForward = SequenceShapes.Count(layer, 1, "feedForward", "the feed-forward block needs 1 or more units (PyTorch's default dim_feedforward is 2048)", described, b);
        float dropout = SequenceShapes.Probability(layer, "Dropout", 0.1f, described, b);
        int activation = layer.IntOption("Activation") ?? 0;
        if (activation is not (0 or 1))
        {
            b.Report(Diagnostics.AttentionOptionOutOfRange, DiagnosticSite.OfLayer(layer.Position, "Activation"), described, "Activation", activation, "use TransformerActivation.Relu or TransformerActivation.Gelu");
            activation = 0;
        }

        return new TransformerEncoderSpec(heads, feedForward, dropout, layer.FlagOption("NormFirst") ?? false, activation == 1, layer.FlagOption("Causal") ?? false, SequenceShapes.Epsilon(layer, described, b));
    }

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        TransformerEncoderSpec spec = Read(layer, described, b);
        (int steps, int d) = SequenceShapes.Read(layer, described, b);
        SequenceShapes.CheckHeads(layer, d, spec.Heads, described, b);
        string title = Title(layer);
        if (steps == LayerSpec.Unknown || d == LayerSpec.Unknown || spec.Heads == LayerSpec.Unknown || spec.FeedForward == LayerSpec.Unknown || d % spec.Heads != 0)
        {
            // Reported: the layer keeps the shape, and its parts are not planned.
            b.Summarize(index, title);
            return;
        }

        string segment = layer.Name ?? index.ToString(CultureInfo.InvariantCulture);
        string prefix = b.Prefix(layer, index);
        int ff = spec.FeedForward;
        long parameters = (4L * d * d) + (4L * d) + (2L * ff * d) + ff + d + (4L * d);
        b.ReserveParameters(
            new (string, int[])[]
            {
                (prefix + ".self_attn.in_proj_weight", new[] { 3 * d, d }),
                (prefix + ".self_attn.in_proj_bias", new[] { 3 * d }),
                (prefix + ".self_attn.out_proj.weight", new[] { d, d }),
                (prefix + ".self_attn.out_proj.bias", new[] { d }),
                (prefix + ".linear1.weight", new[] { ff, d }),
                (prefix + ".linear1.bias", new[] { ff }),
                (prefix + ".linear2.weight", new[] { d, ff }),
                (prefix + ".linear2.bias", new[] { d }),
                (prefix + ".norm1.weight", new[] { d }),
                (prefix + ".norm1.bias", new[] { d }),
                (prefix + ".norm2.weight", new[] { d }),
                (prefix + ".norm2.bias", new[] { d }),
            },
            b.ParametersFit(parameters));

        long flopsBefore = b.Flops;
        var parts = Parts(layer.Position, spec, steps, d);
        var diagnostics = BlockRule.PlanInner(parts, segment, transparent: false, b);
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            // The parts are made from checked values; anything they report is NetGen's mistake, shown rather than hidden.
            b.Diagnostics.Add(diagnostic);
        }

        b.Summarize(index, title, parameters, b.Flops - flopsBefore);
    }

    /// <summary>The layers an encoder layer is made of, as if declared; every site is the encoder's attribute.</summary>
    private static List<LayerDeclaration> Parts(int position, TransformerEncoderSpec spec, int steps, int d)
    {
        LayerDeclaration Layer(LayerKind kind, string? name, int[]? sizes = null, float? scalar = null, LayerOption[]? options = null, BlockDeclaration? block = null)
            => new(kind, position, (sizes ?? System.Array.Empty<int>()).ToEquatableArray(), scalar, true, name, (options ?? System.Array.Empty<LayerOption>()).ToEquatableArray(), true, block);

        LayerDeclaration Input() => Layer(LayerKind.Input, null, new[] { steps, d });

        LayerDeclaration Norm(string name) => Layer(LayerKind.LayerNorm, name, options: new[] { new LayerOption("Epsilon", null, spec.Epsilon, null) });

        LayerDeclaration Residual(string name, string what, List<LayerDeclaration> layers)
        {
            layers.Insert(0, Input());
            return Layer(LayerKind.Residual, name, block: new BlockDeclaration(what, true, layers.ToEquatableArray(), null, Transparent: true));
        }

        void Dropout(List<LayerDeclaration> layers, string name)
        {
            if (spec.Dropout > 0f)
            {
                layers.Add(Layer(LayerKind.Dropout, name, scalar: spec.Dropout));
            }
        }

        var attention = new List<LayerDeclaration>();
        if (spec.NormFirst)
        {
            attention.Add(Norm("norm1"));
        }

        attention.Add(Layer(LayerKind.MultiHeadAttention, "self_attn", new[] { spec.Heads }, options: new[]
        {
            new LayerOption("Causal", null, null, spec.Causal),
            new LayerOption("Dropout", null, spec.Dropout, null),
        }));
        Dropout(attention, "dropout1");

        var feedForward = new List<LayerDeclaration>();
        if (spec.NormFirst)
        {
            feedForward.Add(Norm("norm2"));
        }

        feedForward.Add(Layer(LayerKind.Dense, "linear1", new[] { spec.FeedForward }));
        feedForward.Add(Layer(spec.Gelu ? LayerKind.GELU : LayerKind.ReLU, null));
        Dropout(feedForward, "dropout");
        feedForward.Add(Layer(LayerKind.Dense, "linear2", new[] { d }));
        Dropout(feedForward, "dropout2");

        var layers = new List<LayerDeclaration> { Residual("sa", "SelfAttention", attention) };
        if (!spec.NormFirst)
        {
            layers.Add(Norm("norm1"));
        }

        layers.Add(Residual("ff", "FeedForward", feedForward));
        if (!spec.NormFirst)
        {
            layers.Add(Norm("norm2"));
        }

        return layers;
    }
}
