using System;
using Xunit;

namespace NetGen.Tests.Optimizers;

/// <summary><see cref="GradientClipping"/> against torch.nn.utils.clip_grad_norm_.</summary>
public class GradientClippingTests
{
    [Theory]
    [InlineData("clips")]
    [InlineData("clips_slightly")]
    [InlineData("does_not_clip")]
    public void Matches_PyTorch(string name)
    {
        OptimizerReference.ClipCase reference = OptimizerReference.Clips[name];
        float[] gradients = (float[])OptimizerReference.ClipGradient.Clone();

        float norm = GradientClipping.ClipByGlobalNorm(gradients, reference.MaxNorm);

        OptimizerReference.AssertClose([norm], [reference.TotalNorm], 1e-5, $"{name}, norm");
        OptimizerReference.AssertClose(gradients, reference.Clipped, 1e-5, $"{name}, clipped gradients");
    }

    [Fact]
    public void Gradients_within_the_limit_are_left_bit_for_bit()
    {
        float[] gradients = (float[])OptimizerReference.ClipGradient.Clone();

        GradientClipping.ClipByGlobalNorm(gradients, OptimizerReference.Clips["does_not_clip"].MaxNorm);

        Assert.Equal(OptimizerReference.ClipGradient, gradients);
    }

    [Fact]
    public void Clipped_gradients_have_the_largest_norm()
    {
        float[] gradients = [3f, 4f, 0f, 0f, 0f];

        float norm = GradientClipping.ClipByGlobalNorm(gradients, 1f);

        Assert.Equal(5f, norm);
        Assert.Equal(1f, MathF.Sqrt(gradients[0] * gradients[0] + gradients[1] * gradients[1]), 5);
    }

    [Fact]
    public void Zero_and_empty_gradients_have_norm_zero()
    {
        float[] zeros = new float[9];
        Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(zeros, 1f));
        Assert.All(zeros, value => Assert.Equal(0f, value));
        Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(Span<float>.Empty, 1f));
    }

    [Fact]
    public void A_non_finite_norm_is_returned_and_leaves_the_gradients()
    {
        float[] gradients = [1f, float.PositiveInfinity, 2f];

        float norm = GradientClipping.ClipByGlobalNorm(gradients, 1f);

        Assert.Equal(float.PositiveInfinity, norm);
        Assert.Equal([1f, float.PositiveInfinity, 2f], gradients);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void A_negative_limit_throws(float maxNorm)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => GradientClipping.ClipByGlobalNorm(new float[3], maxNorm));

        Assert.Equal("maxNorm", error.ParamName);
    }

    [Fact]
    public void Steps_allocate_nothing()
    {
        float[] gradients = (float[])OptimizerReference.ClipGradient.Clone();
        GradientClipping.ClipByGlobalNorm(gradients, 1f);

        long before = GC.GetAllocatedBytesForCurrentThread();
        GradientClipping.ClipByGlobalNorm(gradients, 0.5f);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
