using System;

namespace NetGen;

/// <summary>
/// Batch normalization of a vector <c>[C]</c> (after a dense layer) or a sequence <c>[C, L]</c>, as PyTorch's
/// <c>nn.BatchNorm1d</c>: per channel c, <c>y = γ (x − μ) / √(σ² + ε) + β</c>. In training (<c>ForwardTraining</c>)
/// μ and σ² are the batch's mean and biased variance over the batch (and L), and the running statistics move
/// toward them: <c>running = (1 − Momentum) · running + Momentum · statistic</c>, with the unbiased variance. In
/// inference (<c>Forward</c>) the running statistics are used. γ (<c>weight</c>, 1) and β (<c>bias</c>, 0) are
/// parameters; <c>running_mean</c> (0), <c>running_var</c> (1) and <c>num_batches_tracked</c> are buffers.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNorm1DAttribute : LayerAttribute
{
    /// <summary>How far each training batch moves the running statistics, in [0, 1]; PyTorch's default 0.1.</summary>
    public float Momentum { get; set; } = 0.1f;

    /// <summary>Added to the variance before the square root, greater than 0; PyTorch's default 1e-5.</summary>
    public float Epsilon { get; set; } = 1e-5f;
}

/// <summary>
/// Batch normalization of a channels-first image <c>[C, H, W]</c>, as PyTorch's <c>nn.BatchNorm2d</c>: the
/// statistics of channel c are taken over the batch and every pixel. Otherwise as <see cref="BatchNorm1DAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNorm2DAttribute : LayerAttribute
{
    /// <summary>How far each training batch moves the running statistics, in [0, 1]; PyTorch's default 0.1.</summary>
    public float Momentum { get; set; } = 0.1f;

    /// <summary>Added to the variance before the square root, greater than 0; PyTorch's default 1e-5.</summary>
    public float Epsilon { get; set; } = 1e-5f;
}
