
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
internal sealed record LayerDeclaration(
    LayerKind Kind,
    int Position,
    EquatableArray<int> Sizes,
    float? Scalar,
    bool Bias,
    string? Name,
    EquatableArray<LayerOption> Options,
    bool ArgumentsValid)
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
