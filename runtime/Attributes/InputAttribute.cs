using System;

namespace NetGen;

/// <summary>
/// The shape of one input sample, without the batch axis: <c>[Input(784)]</c> for a vector,
/// <c>[Input(1, 28, 28)]</c> for a channels-first image, <c>[Input(32, 16)]</c> for a sequence of 32 steps.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the input shape.</summary>
    public InputAttribute(params int[] dimensions) => Dimensions = dimensions;

    /// <summary>The input shape, outermost axis first.</summary>
    public int[] Dimensions { get; }
}
