using System;

namespace NetGen;

/// <summary>
/// Marks a <c>partial class</c> as a network. The NetGen generator reads the layer attributes that follow
/// (first <see cref="InputAttribute"/>, then layers in the order they are written) and emits the class's
/// forward and backward code, its parameter buffer and its shape constants.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
}
