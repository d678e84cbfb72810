namespace NetGen.Generator.Model;

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
    Conv1D,
    Conv2D,
    MaxPool1D,
    MaxPool2D,
    AvgPool1D,
    AvgPool2D,
    GlobalAvgPool,
    BatchNorm1D,
    BatchNorm2D,
    Embedding,
    Rnn,
    Lstm,
    Gru,
    LayerNorm,
    MultiHeadAttention,
    PositionalEmbedding,
    SinusoidalPositions,
    SequenceMean,
    TransformerEncoder,
    Block,
    Residual,
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
        "NetGen.Conv1DAttribute" => LayerKind.Conv1D,
        "NetGen.Conv2DAttribute" => LayerKind.Conv2D,
        "NetGen.MaxPool1DAttribute" => LayerKind.MaxPool1D,
        "NetGen.MaxPool2DAttribute" => LayerKind.MaxPool2D,
        "NetGen.AvgPool1DAttribute" => LayerKind.AvgPool1D,
        "NetGen.AvgPool2DAttribute" => LayerKind.AvgPool2D,
        "NetGen.GlobalAvgPoolAttribute" => LayerKind.GlobalAvgPool,
        "NetGen.BatchNorm1DAttribute" => LayerKind.BatchNorm1D,
        "NetGen.BatchNorm2DAttribute" => LayerKind.BatchNorm2D,
        "NetGen.EmbeddingAttribute" => LayerKind.Embedding,
        "NetGen.RnnAttribute" => LayerKind.Rnn,
        "NetGen.LstmAttribute" => LayerKind.Lstm,
        "NetGen.GruAttribute" => LayerKind.Gru,
        "NetGen.LayerNormAttribute" => LayerKind.LayerNorm,
        "NetGen.MultiHeadAttentionAttribute" => LayerKind.MultiHeadAttention,
        "NetGen.PositionalEmbeddingAttribute" => LayerKind.PositionalEmbedding,
        "NetGen.SinusoidalPositionsAttribute" => LayerKind.SinusoidalPositions,
        "NetGen.SequenceMeanAttribute" => LayerKind.SequenceMean,
        "NetGen.TransformerEncoderAttribute" => LayerKind.TransformerEncoder,
        "NetGen.BlockAttribute" => LayerKind.Block,
        "NetGen.ResidualAttribute" => LayerKind.Residual,
        _ => null,
    };

    /// <summary>Element-wise activations: same shape out as in, no parameters.</summary>
    public static bool IsElementwiseActivation(this LayerKind kind)
        => kind is LayerKind.ReLU or LayerKind.LeakyReLU or LayerKind.GELU or LayerKind.Sigmoid or LayerKind.Tanh;

    public static bool IsActivation(this LayerKind kind) => kind.IsElementwiseActivation() || kind == LayerKind.Softmax;

    /// <summary>Convolutions and pooling: layers over the spatial axes of <c>[C, W]</c> or <c>[C, H, W]</c>, planned by <c>SpatialRule</c>.</summary>
    public static bool IsSpatial(this LayerKind kind)
        => kind is LayerKind.Conv1D or LayerKind.Conv2D or LayerKind.MaxPool1D or LayerKind.MaxPool2D or LayerKind.AvgPool1D or LayerKind.AvgPool2D or LayerKind.GlobalAvgPool;

    /// <summary>Recurrent layers: over the steps of a sequence <c>[T, F]</c>, planned by <c>RecurrentRule</c>.</summary>
    public static bool IsRecurrent(this LayerKind kind) => kind is LayerKind.Rnn or LayerKind.Lstm or LayerKind.Gru;

    /// <summary>Another network used as a layer (<c>[Block]</c>, <c>[Residual]</c>), planned by <c>BlockRule</c>.</summary>
    public static bool IsBlock(this LayerKind kind) => kind is LayerKind.Block or LayerKind.Residual;

    /// <summary>Position encodings added to a sequence <c>[T, d]</c>, planned by <c>PositionRule</c>.</summary>
    public static bool IsPositional(this LayerKind kind) => kind is LayerKind.PositionalEmbedding or LayerKind.SinusoidalPositions;
}
