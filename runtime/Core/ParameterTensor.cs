using System;

namespace NetGen;

/// <summary>
/// One named tensor inside a network's flat parameter buffer: where it starts, how many floats it holds and
/// its shape, named as the twin PyTorch <c>nn.Sequential</c>'s <c>state_dict</c> names it.
/// </summary>
public sealed class ParameterTensor
{
    private readonly int[] _shape;

    /// <summary>Describes a tensor at <paramref name="offset"/> in the parameter buffer.</summary>
    public ParameterTensor(string name, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        Name = name;
        Offset = offset;
        _shape = (int[])shape.Clone();
        int length = 1;
        foreach (int d in shape)
        {
            length = checked(length * d);
        }

        Length = length;
    }

    /// <summary>The PyTorch-compatible name, such as <c>0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The index of its first float in the parameter buffer.</summary>
    public int Offset { get; }

    /// <summary>The number of floats.</summary>
    public int Length { get; }

    /// <summary>The shape, outermost axis first (a dense weight is <c>[outputs, inputs]</c>).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>
    /// Whether the tensor is a count that PyTorch keeps as int64 (batch norm's <c>num_batches_tracked</c>): it is
    /// held here as a float (exact up to 2²⁴) and written to weight files as I64.
    /// </summary>
    public bool IsCount { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join(", ", _shape)}] @ {Offset}";
}
