using System;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>
/// A sample run alone against its row of a batch. A dense layer's forward takes a batch of
/// <see cref="NetGen.CompilerServices.DenseKernels.ProductRows"/> rows or more as one product, whose sums run in another
/// order than a row's dot products, so the two agree to rounding rather than bit for bit (as PyTorch's batched and
/// unbatched products do); below that, and across thread counts, the bits are the same.
/// </summary>
internal static class RowAgreement
{
    /// <summary>Relative to the larger of 1 and the row's largest magnitude: a few float ulps of a sum over ~1,000 terms.</summary>
    public const float Tolerance = 1e-5f;

    public static void AssertAgrees(ReadOnlySpan<float> batched, ReadOnlySpan<float> alone, string what)
    {
        Assert.Equal(batched.Length, alone.Length);
        float scale = 1f;
        foreach (float v in batched)
        {
            scale = MathF.Max(scale, MathF.Abs(v));
        }

        for (int i = 0; i < batched.Length; i++)
        {
            float difference = MathF.Abs(batched[i] - alone[i]);
            Assert.False(!(difference <= Tolerance * scale), $"{what}[{i}]: {alone[i]:R} alone, {batched[i]:R} in the batch (difference {difference:R}, allowed {Tolerance * scale:R})");
        }
    }
}
