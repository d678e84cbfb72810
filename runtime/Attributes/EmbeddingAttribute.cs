using System;

namespace NetGen;

/// <summary>
/// A lookup table of <c>V</c> learned vectors of <c>D</c> floats, as PyTorch's
/// <c>nn.Embedding</c>: a network that starts with <c>[Input(T)]</c> and <c>[Embedding(V, D)]</c> takes T token ids per
/// sample and the embedding turns them into <c>[T, D]</c>, row <c>t</c> being <c>weight[id_t]</c>. The parameter is
/// <c>{i}.weight</c>, <c>[V, D]</c>, initialized from N(0, 1) as PyTorch does; its gradient adds up over repeated tokens
/// and is 0 for tokens a batch does not contain.
/// </summary>
/// <remarks>
/// <para>
/// The generated class takes ids as <c>int</c>: <c>Forward(ReadOnlySpan&lt;int&gt; tokens, Span&lt;float&gt; outputs)</c>,
/// <c>ForwardTraining</c> and <c>Backward</c> have <c>int</c> overloads, and <c>Dataset.FromTokens</c> builds a data set
/// of ids for <c>Trainer</c>. The <see cref="INetwork"/> methods, which take floats, accept ids stored as floats (whole
/// numbers), which is how <c>Dataset.FromTokens</c> keeps them; the vocabulary is at most 2^24 so every id is exact.
/// </para>
/// <para>
/// An id outside <c>[0, V)</c> throws <see cref="ArgumentException"/> naming the sample, the position and the value,
/// before anything is written. Token ids have no gradient: <c>Backward</c> of such a network writes no input gradient.
/// The embedding must be the first layer.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <summary>Declares an embedding of <paramref name="vocabulary"/> tokens into vectors of <paramref name="dimensions"/> floats.</summary>
    public EmbeddingAttribute(int vocabulary, int dimensions)
    {
        Vocabulary = vocabulary;
        Dimensions = dimensions;
    }

    /// <summary>How many token ids there are: ids run from 0 to <c>Vocabulary - 1</c> (PyTorch's <c>num_embeddings</c>).</summary>
    public int Vocabulary { get; }

    /// <summary>Floats per token vector (PyTorch's <c>embedding_dim</c>).</summary>
    public int Dimensions { get; }
}
