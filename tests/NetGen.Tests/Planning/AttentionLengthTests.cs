using NetGen.CompilerServices;
using NetGen.Generator.Plan.Rules;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.Planning;

/// <summary>
/// The generator reserves an attention step's backward scratch by its own formula
/// (<see cref="AttentionRule.BackwardScratchLength"/>); the runtime's kernel slices it by its own
/// (<see cref="AttentionKernels.BackwardScratchLength{TLayer}"/>). They must agree, or the kernel writes past its slot.
/// </summary>
public sealed class AttentionLengthTests
{
    [Fact]
    public void The_generators_scratch_length_is_the_kernels()
    {
        Check<A1_1_4>();
        Check<A1_7_4C>();
        Check<A2_7_8>();
        Check<A2_16_8C>();
        Check<A4_16_12>();
        Check<A4_7_12C>();
    }

    private static void Check<TLayer>()
        where TLayer : struct, IAttentionLayer
    {
        Assert.Equal(AttentionKernels.BackwardScratchLength<TLayer>(), AttentionRule.BackwardScratchLength(TLayer.Steps, TLayer.Model, TLayer.Heads));
        Assert.Equal(AttentionKernels.WeightsLength<TLayer>(), TLayer.Heads * TLayer.Steps * TLayer.Steps);
    }
}
