using System;

namespace NetGen;

/// <summary>
/// Adam, as <c>torch.optim.Adam</c> (PyTorch 1.13, without amsgrad), with optional L2 weight decay added to
/// the gradient:
/// <code>
/// g = g + weightDecay * p
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
/// </code>
/// where <c>t</c> is <see cref="Optimizer.StepCount"/>. State: two vectors, <c>m</c> (<c>exp_avg</c>) then
/// <c>v</c> (<c>exp_avg_sq</c>). For weight decay decoupled from the gradient, use <see cref="AdamW"/>.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly AdamKernel.Settings _settings;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size, 0 or more.</param>
    /// <param name="beta1">The decay of the first-moment (mean) estimate, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment (uncentered variance) estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator for numerical stability, 0 or more.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay * p</c>, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative, not finite, or out of its range.</exception>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
        : base(learningRate)
    {
        Beta1 = Hyperparameters.Fraction(beta1, nameof(beta1));
        Beta2 = Hyperparameters.Fraction(beta2, nameof(beta2));
        Epsilon = Hyperparameters.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        _settings = new AdamKernel.Settings(Hyperparameters.Widen(beta1), Hyperparameters.Widen(beta2), epsilon, weightDecay, DecoupledDecay: 0.0);
    }

    /// <summary>The decay of the first-moment estimate.</summary>
    public float Beta1 { get; }

    /// <summary>The decay of the second-moment estimate.</summary>
    public float Beta2 { get; }

    /// <summary>The term added to the denominator.</summary>
    public float Epsilon { get; }

    /// <summary>The L2 weight decay.</summary>
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
