using System;

namespace NetGen;

/// <summary>
/// Adam with decoupled weight decay, as <c>torch.optim.AdamW</c> (PyTorch 1.13, without amsgrad): the
/// parameters shrink by <c>lr * weightDecay</c> before the Adam update, instead of the decay being added to
/// the gradient:
/// <code>
/// p = p * (1 - lr * weightDecay)
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
/// </code>
/// where <c>t</c> is <see cref="Optimizer.StepCount"/>. State: two vectors, <c>m</c> (<c>exp_avg</c>) then
/// <c>v</c> (<c>exp_avg_sq</c>).
/// </summary>
public sealed class AdamW : Optimizer
{
    private readonly AdamKernel.Settings _settings;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size, 0 or more.</param>
    /// <param name="beta1">The decay of the first-moment (mean) estimate, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment (uncentered variance) estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator for numerical stability, 0 or more.</param>
    /// <param name="weightDecay">The decoupled weight decay, 0 or more: each step scales the parameters by <c>1 - lr * weightDecay</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative, not finite, or out of its range.</exception>
    public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(learningRate)
    {
        Beta1 = Hyperparameters.Fraction(beta1, nameof(beta1));
        Beta2 = Hyperparameters.Fraction(beta2, nameof(beta2));
        Epsilon = Hyperparameters.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        _settings = new AdamKernel.Settings(
            Hyperparameters.Widen(beta1), Hyperparameters.Widen(beta2), epsilon, L2: 0f, DecoupledDecay: Hyperparameters.Widen(weightDecay));
    }

    /// <summary>The decay of the first-moment estimate.</summary>
    public float Beta1 { get; }

    /// <summary>The decay of the second-moment estimate.</summary>
    public float Beta2 { get; }

    /// <summary>The term added to the denominator.</summary>
    public float Epsilon { get; }

    /// <summary>The decoupled weight decay.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override int StateVectorCount => 2;

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients) => Step(parameters, gradients, 1);

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Span<float> state = BeginStep(parameters, gradients, out _);
        AdamKernel.Step(parameters, gradients, state, StepCount, LearningRate, _settings, threads);
    }

    /// <inheritdoc/>
    public override void Reset() => ForgetState();
}
