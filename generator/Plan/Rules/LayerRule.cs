using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// How one layer kind is planned: its title as written, the reading of its arguments into its spec, the checks against
/// the input's shape, and the step it adds over the shared <see cref="PlanBuilder"/>. Adding a layer kind means a rule
/// here, a step type in <c>Steps.cs</c> and its emitter (<c>docs/architecture.md</c>).
/// </summary>
internal abstract class LayerRule
{
    /// <summary>The layer as written, for the summary and messages: <c>Dense(128)</c>, <c>Dropout(0.5)</c>, <c>ReLU</c>.</summary>
    public virtual string Title(LayerDeclaration layer) => layer.Kind.ToString();

    /// <summary>
    /// Plans layer <paramref name="index"/> (its arguments were read): checks it, reserves what it needs, adds its step and
    /// summary row, and leaves <see cref="PlanBuilder.Shape"/> as its output's shape.
    /// </summary>
    public abstract void Plan(LayerDeclaration layer, int index, PlanBuilder b);

    /// <summary>
    /// The output of the layer when its arguments cannot be read (reported): by default the input's shape (activations,
    /// dropout, batch norm keep it).
    /// </summary>
    public virtual void PlanUnreadable(LayerDeclaration layer, PlanBuilder b)
    {
    }

    /// <summary>
    /// The layer as written, its size arguments then its named ones: <c>MultiHeadAttention(4, Causal = true)</c>;
    /// <paramref name="enumText"/> spells an enum option's value.
    /// </summary>
    protected static string TitleWithArguments(LayerDeclaration layer, System.Func<LayerOption, string?>? enumText = null)
    {
        var parts = new List<string>();
        foreach (int size in layer.Sizes)
        {
            parts.Add(size.ToString(CultureInfo.InvariantCulture));
        }

        foreach (LayerOption option in layer.Options)
        {
            string? value = enumText?.Invoke(option)
                ?? (option.Number is float f ? NetworkPlanner.Number(f) + "f"
                : option.Integer is int i ? i.ToString(CultureInfo.InvariantCulture)
                : option.Flag is bool flag ? (flag ? "true" : "false")
                : null);
            if (value is not null)
            {
                parts.Add($"{option.Name} = {value}");
            }
        }

        if (!layer.Bias)
        {
            parts.Add("Bias = false");
        }

        return parts.Count == 0 ? layer.Kind.ToString() : $"{layer.Kind}({string.Join(", ", parts)})";
    }

    /// <summary>How messages name a layer: its position, kind and name, such as <c>layer 2 (Dense(64), "fc2")</c>.</summary>
    protected static string Describe(LayerDeclaration layer, int index) => NetworkPlanner.Describe(layer, index);
}

/// <summary>The rule for each layer kind: the one place a new kind is registered in the planner.</summary>
internal static class LayerRules
{
    private static readonly DenseRule Dense = new();
    private static readonly ActivationRule Activation = new();
    private static readonly DropoutRule Dropout = new();
    private static readonly FlattenRule Flatten = new();
    private static readonly SpatialRule Spatial = new();
    private static readonly BatchNormRule BatchNorm = new();
    private static readonly EmbeddingRule Embedding = new();
    private static readonly RecurrentRule Recurrent = new();
    private static readonly LayerNormRule LayerNorm = new();
    private static readonly AttentionRule Attention = new();
    private static readonly PositionRule Position = new();
    private static readonly SequenceMeanRule SequenceMean = new();
    private static readonly TransformerEncoderRule TransformerEncoder = new();
    private static readonly BlockRule Block = new();

    /// <summary>The rule that plans <paramref name="kind"/>; <c>[Input]</c> has none (the planner reads it first).</summary>
    public static LayerRule? For(LayerKind kind) => kind switch
    {
        LayerKind.Dense => Dense,
        LayerKind.Dropout => Dropout,
        LayerKind.Flatten => Flatten,
        LayerKind.BatchNorm1D or LayerKind.BatchNorm2D => BatchNorm,
        LayerKind.Embedding => Embedding,
        LayerKind.LayerNorm => LayerNorm,
        LayerKind.MultiHeadAttention => Attention,
        LayerKind.SequenceMean => SequenceMean,
        LayerKind.TransformerEncoder => TransformerEncoder,
        _ when kind.IsPositional() => Position,
        _ when kind.IsBlock() => Block,
        _ when kind.IsSpatial() => Spatial,
        _ when kind.IsRecurrent() => Recurrent,
        _ when kind.IsActivation() => Activation,
        _ => null,
    };
}
