using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen;

/// <summary>
/// RMSprop, as <c>torch.optim.RMSprop</c>: divides the gradient by a running root mean square of recent
/// gradients, optionally centered (subtracting the square of the running mean gradient) and with momentum:
/// <code>
/// g = g + weightDecay * p
/// s = alpha * s + (1 - alpha) * g * g
/// a = alpha * a + (1 - alpha) * g                  (centered)
/// r = sqrt(centered ? s - a * a : s) + epsilon
/// b = momentum * b + g / r;  p = p - lr * b        (with momentum)
/// p = p - lr * g / r                               (without)
/// </code>
/// State: <c>s</c> (<c>square_avg</c>), then <c>b</c> (<c>momentum_buffer</c>) when momentum is above 0,
/// then <c>a</c> (<c>grad_avg</c>) when centered; all start at zero.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly float _oneMinusAlpha;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size, 0 or more.</param>
    /// <param name="alpha">The smoothing constant of the running averages, in [0, 1].</param>
    /// <param name="epsilon">Added to the denominator for numerical stability, 0 or more.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay * p</c>, 0 or more.</param>
    /// <param name="momentum">The momentum factor, 0 or more; 0 turns momentum off.</param>
    /// <param name="centered">Normalize by an estimate of the gradient's variance instead of its second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative, not finite, or out of its range.</exception>
    public RmsProp(float learningRate = 1e-2f, float alpha = 0.99f, float epsilon = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(learningRate)
    {
        Alpha = Hyperparameters.Fraction(alpha, nameof(alpha), oneAllowed: true);
        Epsilon = Hyperparameters.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        Momentum = Hyperparameters.NonNegative(momentum, nameof(momentum));
        Centered = centered;
        _oneMinusAlpha = (float)(1.0 - Hyperparameters.Widen(alpha));
    }

    /// <summary>The smoothing constant.</summary>
    public float Alpha { get; }

    /// <summary>The term added to the denominator.</summary>
    public float Epsilon { get; }

    /// <summary>The L2 weight decay.</summary>
    public float WeightDecay { get; }

    /// <summary>The momentum factor (0: none).</summary>
    public float Momentum { get; }

    /// <summary>Whether the denominator is centered.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    public override int StateVectorCount => 1 + (Momentum > 0f ? 1 : 0) + (Centered ? 1 : 0);

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients) => Step(parameters, gradients, 1);

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Span<float> state = BeginStep(parameters, gradients, out _);
        bool useMomentum = Momentum > 0f;
        var c = new Constants(-LearningRate, WeightDecay, Alpha, _oneMinusAlpha, Epsilon, Momentum, useMomentum, Centered);
        TrainingKernels.ForFloats(threads, parameters.Length, new KernelSpans(gradients, default, default, parameters, state), c,
            static (in KernelSpans s, in Constants c, int start, int end) => Apply(s.Out0, s.In0, s.Out1, start, end, c));
    }

    /// <inheritdoc/>
    public override void Reset() => ForgetState();

    /// <summary>Parameters <paramref name="start"/> .. <paramref name="end"/> - 1 of one step, widest lanes first.</summary>
    private static void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, int start, int end, in Constants c)
    {
        int n = parameters.Length;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref MemoryMarshal.GetReference(state);
        ref float b = ref MemoryMarshal.GetReference(c.UseMomentum ? state[n..] : state);
        ref float a = ref MemoryMarshal.GetReference(c.Centered ? state[(c.UseMomentum ? 2 * n : n)..] : state);

        int i = start;
        if (Simd.Use512)
        {
            i = Update<V512>(ref p, ref g, ref s, ref b, ref a, i, end, c);
        }

        if (Simd.Use256)
        {
            i = Update<V256>(ref p, ref g, ref s, ref b, ref a, i, end, c);
        }

        if (Simd.Use128)
        {
            i = Update<V128>(ref p, ref g, ref s, ref b, ref a, i, end, c);
        }

        Update<V1>(ref p, ref g, ref s, ref b, ref a, i, end, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Update<T>(ref float p, ref float g, ref float s, ref float b, ref float a, int start, int end, in Constants c)
        where T : struct, ILanes<T>
    {
        T negLr = T.Create(c.NegativeLearningRate);
        T weightDecay = T.Create(c.WeightDecay);
        T alpha = T.Create(c.Alpha);
        T oneMinusAlpha = T.Create(c.OneMinusAlpha);
        T epsilon = T.Create(c.Epsilon);
        T momentum = T.Create(c.Momentum);
        bool decay = c.WeightDecay != 0f;
        int i = start;
        for (; i <= end - T.Count; i += T.Count)
        {
            nuint k = (nuint)i;
            T grad = T.Load(ref g, k);
            T w = T.Load(ref p, k);
            if (decay)
            {
                grad = T.MultiplyAdd(w, weightDecay, grad);                          // g = g + wd p
            }

            T square = T.Load(ref s, k) * alpha + oneMinusAlpha * grad * grad;      // s = alpha s + (1 - alpha) g g
            square.Store(ref s, k);
            T root;
            if (c.Centered)
            {
                T mean = T.MultiplyAdd(grad, oneMinusAlpha, T.Load(ref a, k) * alpha); // a = alpha a + (1 - alpha) g
                mean.Store(ref a, k);
                root = T.Sqrt(square - mean * mean) + epsilon;                      // r = sqrt(s - a a) + eps
            }
            else
            {
                root = T.Sqrt(square) + epsilon;                                     // r = sqrt(s) + eps
            }

            if (c.UseMomentum)
            {
                T buffer = T.Load(ref b, k) * momentum + grad / root;               // b = m b + g / r
                buffer.Store(ref b, k);
                T.MultiplyAdd(buffer, negLr, w).Store(ref p, k);                    // p = p - lr b
            }
            else
            {
                (w + negLr * grad / root).Store(ref p, k);                           // p = p - lr g / r
            }
        }

        return i;
    }

    private readonly record struct Constants(
        float NegativeLearningRate, float WeightDecay, float Alpha, float OneMinusAlpha, float Epsilon, float Momentum,
        bool UseMomentum, bool Centered);
}
