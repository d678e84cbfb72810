
namespace NetGen.Generator.Model;

/// <summary>
/// One layer attribute as written, before any checking: its kind, its arguments as plain values
/// (<c>null</c> where an argument is missing or not a constant of the right type), and its position among
/// the class's layer attributes. No source location: diagnostics name a <see cref="DiagnosticSite"/> instead.
/// </summary>
/// <param name="Kind">The attribute's layer kind.</param>
/// <param name="Position">Index among the class's layer attributes in source order, <c>[Input]</c> included.</param>
/// <param name="Sizes">Integer constructor arguments in order: the dimensions of <c>[Input]</c>, the units of <c>[Dense]</c>.</param>
/// <param name="Scalar">The float constructor argument: dropout probability or leaky ReLU slope.</param>
/// <param name="Bias">The <c>Bias</c> named argument (or a bool constructor argument).</param>
/// <param name="Name">The <c>Name</c> named argument.</param>
/// <param name="Options">Every other named argument (<c>Stride = 2</c>), in source order.</param>
/// <param name="ArgumentsValid">False when an argument could not be read (still being typed, wrong type).</param>
/// <param name="Block">The network a <c>[Block]</c> or <c>[Residual]</c> names, read with its own layers; null for other kinds.</param>
internal sealed record LayerDeclaration(
    LayerKind Kind,
    int Position,
    EquatableArray<int> Sizes,
    float? Scalar,
    bool Bias,
    string? Name,
    EquatableArray<LayerOption> Options,
    bool ArgumentsValid,
    BlockDeclaration? Block = null)
{
    /// <summary>The integer named argument <paramref name="name"/>, or null when it is not given.</summary>
    public int? IntOption(string name)
    {
        foreach (LayerOption option in Options)
        {
            if (option.Name == name)
            {
                return option.Integer;
            }
        }

        return null;
    }

    /// <summary>The bool named argument <paramref name="name"/>, or null when it is not given.</summary>
    public bool? FlagOption(string name)
    {
        foreach (LayerOption option in Options)
        {
            if (option.Name == name)
            {
                return option.Flag;
            }
        }

        return null;
    }

    /// <summary>The float named argument <paramref name="name"/>, or null when it is not given.</summary>
    public float? FloatOption(string name)
    {
        foreach (LayerOption option in Options)
        {
            if (option.Name == name)
            {
                return option.Number ?? option.Integer;
            }
        }

        return null;
    }
}

/// <summary>A named argument of a layer attribute, such as <c>Stride = 2</c>, as plain values.</summary>
/// <param name="Name">The property's name.</param>
/// <param name="Integer">Its value when it is an <c>int</c>.</param>
/// <param name="Number">Its value when it is a <c>float</c> or <c>double</c>.</param>
/// <param name="Flag">Its value when it is a <c>bool</c>.</param>
internal sealed record LayerOption(string Name, int? Integer, float? Number, bool? Flag);

/// <summary>
/// The <c>[Network]</c> class a <c>[Block(typeof(X))]</c> or <c>[Residual(typeof(X))]</c> names, read from its symbol when
/// the network that uses it is read: its layers (its blocks read in turn), so that planning stays a function of one
/// declaration. When <paramref name="Cycle"/> is set the layers were not read: the class is already on the path of
/// blocks being read, which <paramref name="Cycle"/> spells (<c>A → B → A</c>).
/// </summary>
/// <param name="FullName">The class as C# code names it, for messages.</param>
/// <param name="IsNetwork">Whether the class carries <c>[Network]</c>.</param>
/// <param name="Layers">Its layer attributes in the order written, <c>[Input]</c> included.</param>
/// <param name="Cycle">The path of blocks that leads back to this class, or null.</param>
/// <param name="Transparent">
/// Whether the block is a part of a composite layer (the attention or feed-forward half of a Transformer encoder layer)
/// rather than a user's class: its level is in the steps' path but not in parameter names.
/// </param>
internal sealed record BlockDeclaration(
    string FullName,
    bool IsNetwork,
    EquatableArray<LayerDeclaration> Layers,
    string? Cycle,
    bool Transparent = false);
