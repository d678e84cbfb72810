namespace NetGen.Generator.Parse;

/// <summary>Every attribute the parser recognizes on a <c>[Network]</c> class.</summary>
internal enum LayerKind
{
    Input,
    Dense,
    Flatten,
    Dropout,
    ReLU,
    LeakyReLU,
    GELU,
    Sigmoid,
    Tanh,
    Softmax,
    BatchNorm1D,
    BatchNorm2D,
}

internal static class LayerKindFacts
{
    /// <summary>Maps an attribute class's metadata name to its layer kind.</summary>
    public static LayerKind? FromAttributeName(string fullName) => fullName switch
    {
        "NetGen.InputAttribute" => LayerKind.Input,
        "NetGen.DenseAttribute" => LayerKind.Dense,
        "NetGen.FlattenAttribute" => LayerKind.Flatten,
        "NetGen.DropoutAttribute" => LayerKind.Dropout,
        "NetGen.ReLUAttribute" => LayerKind.ReLU,
        "NetGen.LeakyReLUAttribute" => LayerKind.LeakyReLU,
        "NetGen.GELUAttribute" => LayerKind.GELU,
        "NetGen.SigmoidAttribute" => LayerKind.Sigmoid,
        "NetGen.TanhAttribute" => LayerKind.Tanh,
        "NetGen.SoftmaxAttribute" => LayerKind.Softmax,
        "NetGen.BatchNorm1DAttribute" => LayerKind.BatchNorm1D,
        "NetGen.BatchNorm2DAttribute" => LayerKind.BatchNorm2D,
        _ => null,
    };

    /// <summary>Element-wise activations: same shape out as in, no parameters.</summary>
    public static bool IsElementwiseActivation(this LayerKind kind)
        => kind is LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.GELU or LayerKind.Sigmoid or LayerKind.Tanh;

    public static bool IsActivation(this LayerKind kind) => kind.IsElementwiseActivation() || kind == LayerKind.Softmax;
}
