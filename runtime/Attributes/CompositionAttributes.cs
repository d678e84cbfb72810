using System;

namespace NetGen;

/// <summary>
/// Another <c>[Network]</c> class used as a layer: <c>y = Block(x)</c>. Its layers run in place of this attribute, with the
/// block's <c>[Input]</c> as the shape it must receive; its parameters are named under this layer's index or
/// <see cref="LayerAttribute.Name"/>, <c>{i}.{the block's own name}</c> (a block whose layers are <c>Dense(16)</c>, ReLU,
/// <c>Dense(8)</c> gives <c>0.0.weight</c>, <c>0.0.bias</c>, <c>0.2.weight</c>, <c>0.2.bias</c>), as a PyTorch
/// <c>nn.Sequential</c> nested in another names them. Blocks nest to any depth; a block may not contain itself.
/// </summary>
/// <remarks>
/// The block class is a network of its own too (it can be trained and run alone); the outer network copies its layers,
/// not its parameters: each use of a block has parameters of its own.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BlockAttribute : LayerAttribute
{
    /// <summary>Uses the <c>[Network]</c> class <paramref name="network"/> as a layer.</summary>
    public BlockAttribute(Type network) => Network = network;

    /// <summary>The <c>[Network]</c> class whose layers this layer runs.</summary>
    public Type Network { get; }
}

/// <summary>
/// A residual block: <c>y = x + Block(x)</c>, with <c>Block</c> another <c>[Network]</c> class whose output has the shape of
/// its input. Named and nested as <see cref="BlockAttribute"/>; the twin PyTorch module is an <c>nn.Sequential</c> subclass
/// whose <c>forward</c> returns <c>x + super().forward(x)</c>, so the names match. Backward adds the gradient of the skip
/// path to the block's.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute : LayerAttribute
{
    /// <summary>Adds the <c>[Network]</c> class <paramref name="network"/>'s output to its input.</summary>
    public ResidualAttribute(Type network) => Network = network;

    /// <summary>The <c>[Network]</c> class whose output is added to the input.</summary>
    public Type Network { get; }
}
