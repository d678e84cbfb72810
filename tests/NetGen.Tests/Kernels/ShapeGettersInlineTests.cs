using System;
using System.Linq;
using System.Reflection;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The product kernels read their shape (columns, strides, units) from struct type arguments, and every read must fold
/// to a constant. In a block of 24 accumulators the JIT has spent its inlining budget long before the depth loop, so a
/// getter it does not inline unconditionally stays a call, and a call there sends every accumulator to the stack and back
/// at every term (an lstm's weight gradients once ran three times slower for it). The JIT always inlines a method of at
/// most 16 bytes of IL; anything longer must ask for it.
/// </summary>
public sealed class ShapeGettersInlineTests
{
    private const int AlwaysInlinedIlBytes = 16;

    private static readonly string[] ShapeInterfaces = { "IDenseLayer", "IProductShape", "IProduct", "IRowCount", "IDepthPart", "ILanes`1" };

    [Fact]
    public void Every_shape_getter_in_the_runtime_is_inlined()
    {
        Type[] shapes = typeof(DenseKernels).Assembly.GetTypes()
            .Where(t => t.IsValueType && t.GetInterfaces().Any(i => ShapeInterfaces.Contains(i.Name)))
            .ToArray();
        Assert.Contains(shapes, t => t.Name.StartsWith("InputProduct", StringComparison.Ordinal));

        var offenders = (
            from type in shapes
            from property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            let getter = property.GetGetMethod(nonPublic: true)
            where getter is not null
            let il = getter.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0
            where il > AlwaysInlinedIlBytes && (getter.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) == 0
            select $"{type.Name}.{property.Name} ({il} bytes of IL)").ToArray();

        Assert.True(offenders.Length == 0, "Shape getters the JIT may leave as calls: " + string.Join(", ", offenders));
    }
}
