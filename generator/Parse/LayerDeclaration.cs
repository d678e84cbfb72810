using NetGen.Generator.Model;

namespace NetGen.Generator.Parse;

/// <summary>
/// One layer attribute as written, before any checking: its kind, its arguments as plain values
/// (<c>null</c> where an argument is missing or not a constant of the right type), and where it is.
/// </summary>
/// <param name="Kind">The attribute's layer kind.</param>
/// <param name="Sizes">Integer arguments: the dimensions of <c>[Input]</c>, the units of <c>[Dense]</c>.</param>
/// <param name="Scalar">The float argument: dropout probability or leaky ReLU slope.</param>
/// <param name="Bias">Dense's <c>Bias</c> named argument.</param>
/// <param name="Name">The <c>Name</c> named argument.</param>
/// <param name="ArgumentsValid">False when an argument could not be read (still being typed, wrong type).</param>
/// <param name="Location">The attribute, for diagnostics.</param>
internal sealed record LayerDeclaration(
    LayerKind Kind,
    EquatableArray<int> Sizes,
    float? Scalar,
    bool Bias,
    string? Name,
    bool ArgumentsValid,
    LocationInfo? Location);
