using System;

namespace NetGen;

/// <summary>Rescales gradients before an optimizer step, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales <paramref name="gradients"/> in place so that their L2 norm is at most
    /// <paramref name="maxNorm"/>, as PyTorch's <c>clip_grad_norm_</c>: with <c>norm</c> the L2 norm of all
    /// gradients, the coefficient is <c>maxNorm / (norm + 1e-6)</c>, and the gradients are multiplied by
    /// it only if it is below 1 (otherwise they are left exactly as they are). Pass the network's whole
    /// gradient buffer to clip by the global norm.
    /// </summary>
    /// <param name="gradients">The gradients, rescaled in place.</param>
    /// <param name="maxNorm">The largest norm allowed, 0 or more.</param>
    /// <returns>
    /// The norm before clipping, for logging. It is infinite or NaN if a gradient is; the gradients are
    /// then left as they are (PyTorch would scale them by 0 or NaN), so the caller can skip the step, as
    /// <see cref="Trainer{TNetwork}"/> does (see <see cref="NonFiniteStepPolicy"/>).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or NaN.</exception>
    /// <remarks>
    /// The norm is the square root of a float sum of squares taken in fixed chunks of 4,096 gradients whose sums are added
    /// in order: the same bits as <see cref="Trainer{TNetwork}"/> computes on any number of threads.
    /// </remarks>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm) => ClipByGlobalNorm(gradients, maxNorm, 1, default);

    /// <summary>
    /// <see cref="ClipByGlobalNorm(Span{float}, float)"/> split across up to <paramref name="threads"/> threads, with
    /// <paramref name="partials"/> (<see cref="TrainingKernels.ChunkCount"/> floats) for the chunks' sums: the same bits
    /// for every thread count.
    /// </summary>
    internal static float ClipByGlobalNorm(Span<float> gradients, float maxNorm, int threads, Span<float> partials)
    {
        if (!(maxNorm >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The largest norm must be 0 or more.");
        }

        float norm = GlobalNorm(gradients, threads, partials);
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1f && float.IsFinite(norm))
        {
            TrainingKernels.Scale(gradients, coefficient, threads);
        }

        return norm;
    }

    /// <summary>The L2 norm of <paramref name="gradients"/>, as <see cref="ClipByGlobalNorm(Span{float}, float)"/> computes it.</summary>
    internal static float GlobalNorm(ReadOnlySpan<float> gradients, int threads, Span<float> partials) =>
        MathF.Sqrt(TrainingKernels.SumOfSquares(gradients, threads, partials));
}
