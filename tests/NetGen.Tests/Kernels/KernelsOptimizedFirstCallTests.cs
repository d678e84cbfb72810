using System;
using System.Linq;
using System.Reflection;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// At tier 0 the JIT neither folds a kernel's <c>static abstract</c> shape constants nor inlines its lane operations, so
/// a generic kernel that starts there runs many times slower until tiered compilation promotes it (docs/performance.md,
/// "Warm-up"). Every generic kernel method the JIT is not asked to inline must therefore be compiled fully optimized
/// on its first call.
/// </summary>
public sealed class KernelsOptimizedFirstCallTests
{
    // the layer kernels, and the optimizers' and the trainer's lane loops (a training step's update and norm run them once
    // per step: at tier 0 their first steps called every lane operation)
    private static readonly string[] KernelClasses =
    {
        "DenseKernels", "ConvolutionKernels", "ProductKernels", "PoolingKernels", "RecurrentKernels",
        "Sgd", "AdamKernel", "RmsProp", "AdaGrad", "TrainingKernels",
    };

    [Fact]
    public void Every_generic_kernel_method_is_optimized_from_its_first_call()
    {
        Type[] kernels = typeof(DenseKernels).Assembly.GetTypes().Where(t => KernelClasses.Contains(t.Name)).ToArray();
        Assert.Equal(KernelClasses.Length, kernels.Length);

        var offenders = (
            from type in kernels
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            where method.IsGenericMethodDefinition && !method.Name.Contains('<', StringComparison.Ordinal)
            let flags = method.MethodImplementationFlags
            where (flags & (MethodImplAttributes.AggressiveInlining | MethodImplAttributes.AggressiveOptimization)) == 0
            select $"{type.Name}.{method.Name}").Distinct().ToArray();

        Assert.True(offenders.Length == 0, "Generic kernels that start at tier 0: " + string.Join(", ", offenders));
    }
}
