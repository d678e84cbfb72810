using System;

namespace NetGen;

/// <summary>Flattens a sample to a vector (<c>[C, H, W]</c> to <c>[C*H*W]</c>); costs nothing at run time.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}
