namespace NetGen.Generator.Model;

/// <summary>
/// A layer's arguments, read and checked by its kind's rule (<c>Plan/Rules</c>), as the typed values the rule plans
/// from. A value that was wrong (and reported) is <see cref="LayerSpec.Unknown"/> for a size, or the default for an
/// option, so planning goes on with what is known.
/// </summary>
internal abstract record LayerSpec
{
    /// <summary>A size that is not known because its argument is wrong (already reported).</summary>
    public const int Unknown = 0;
}

/// <summary><c>[Dense(units, bias)]</c>.</summary>
internal sealed record DenseSpec(int Units, bool Bias) : LayerSpec;

/// <summary>An element-wise activation or softmax; <paramref name="Slope"/> is a leaky ReLU's negative slope (0 otherwise).</summary>
internal sealed record ActivationSpec(LayerKind Kind, float Slope) : LayerSpec;

/// <summary><c>[Dropout(p)]</c>, p in [0, 1).</summary>
internal sealed record DropoutSpec(float Probability) : LayerSpec;

/// <summary><c>[BatchNorm1D]</c> or <c>[BatchNorm2D]</c> with its options.</summary>
internal sealed record BatchNormSpec(bool TwoD, float Momentum, float Epsilon) : LayerSpec;

/// <summary>
/// One spatial axis of a convolution or pooling window, with the argument each setting came from (for diagnostic
/// sites). <paramref name="Known"/> is false when one of them is wrong (reported): the output size along the axis is
/// then unknown, not worked out from a default.
/// </summary>
internal sealed record SpatialAxis(int Kernel, string KernelArgument, int Stride, string StrideArgument, int Padding, string PaddingArgument, int Dilation, string DilationArgument, bool Known = true);

/// <summary>
/// A convolution (<paramref name="Filters"/> &gt; 0 or unknown) or a pooling window (<paramref name="IsConvolution"/>
/// false), 1-D or 2-D; a 1-D layer has a <paramref name="Rows"/> axis of kernel 1. Global average pooling's window is
/// the whole input, so its axes come from the input's shape, not from the spec.
/// </summary>
internal sealed record SpatialSpec(bool IsConvolution, bool TwoD, bool Global, bool IsMax, int Filters, bool Bias, SpatialAxis Rows, SpatialAxis Columns) : LayerSpec;

/// <summary><c>[Embedding(vocabulary, dimensions)]</c>.</summary>
internal sealed record EmbeddingSpec(int Vocabulary, int Dimensions) : LayerSpec;

/// <summary>The cell of a recurrent layer: PyTorch's <c>nn.RNN</c> (tanh or ReLU), <c>nn.LSTM</c>, <c>nn.GRU</c>.</summary>
internal enum RecurrentCellKind
{
    Tanh,
    Relu,
    Lstm,
    Gru,
}

/// <summary><c>[Rnn(hidden)]</c>, <c>[Lstm(hidden)]</c> or <c>[Gru(hidden)]</c> with its options.</summary>
internal sealed record RecurrentSpec(RecurrentCellKind Cell, int Hidden, int Layers, bool Bidirectional, bool ReturnSequences, bool Bias) : LayerSpec
{
    /// <summary>G: the gate blocks of the weights, 1 (RNN), 4 (LSTM, i f g o) or 3 (GRU, r z n).</summary>
    public int Gates => Cell switch
    {
        RecurrentCellKind.Lstm => 4,
        RecurrentCellKind.Gru => 3,
        _ => 1,
    };

    /// <summary>1, or 2 for a bidirectional layer.</summary>
    public int Directions => Bidirectional ? 2 : 1;
}

/// <summary><c>[LayerNorm]</c>: ε and whether it has γ and β.</summary>
internal sealed record LayerNormSpec(float Epsilon, bool Affine) : LayerSpec;

/// <summary><c>[MultiHeadAttention(heads)]</c>.</summary>
internal sealed record AttentionSpec(int Heads, bool Causal, float Dropout, bool Bias) : LayerSpec;

/// <summary><c>[TransformerEncoder(heads, feedForward)]</c>.</summary>
internal sealed record TransformerEncoderSpec(int Heads, int FeedForward, float Dropout, bool NormFirst, bool Gelu, bool Causal, float Epsilon) : LayerSpec;
