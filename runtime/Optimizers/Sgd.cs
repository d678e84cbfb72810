using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
/// as <c>torch.optim.SGD</c>:
/// <code>
/// d = g + weightDecay * p
/// b = first step ? d : momentum * b + (1 - dampening) * d      (with momentum)
/// d = nesterov ? d + momentum * b : b                           (with momentum)
/// p = p - lr * d
/// </code>
/// State: with momentum, one vector, the momentum buffer <c>b</c>; without, none.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float _oneMinusDampening;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size, 0 or more.</param>
    /// <param name="momentum">The momentum factor, 0 or more; 0 turns momentum off.</param>
    /// <param name="dampening">How much of each gradient the momentum buffer leaves out, in [0, 1].</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay * p</c>, 0 or more.</param>
    /// <param name="nesterov">Use Nesterov momentum; needs a momentum above 0 and no dampening.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative, not finite, or out of its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> without momentum or with dampening.</exception>
    public Sgd(float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(learningRate)
    {
        Momentum = Hyperparameters.NonNegative(momentum, nameof(momentum));
        Dampening = Hyperparameters.Fraction(dampening, nameof(dampening), oneAllowed: true);
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum above 0 and zero dampening.", nameof(nesterov));
        }

        Nesterov = nesterov;
        _oneMinusDampening = (float)(1.0 - Hyperparameters.Widen(dampening));
    }

    /// <summary>The momentum factor (0: none).</summary>
    public float Momentum { get; }

    /// <summary>The dampening of the momentum buffer.</summary>
    public float Dampening { get; }

    /// <summary>The L2 weight decay.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override int StateVectorCount => Momentum != 0f ? 1 : 0;

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients) => Step(parameters, gradients, 1);

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Span<float> state = BeginStep(parameters, gradients, out bool firstStep);
        var c = new Constants(-LearningRate, WeightDecay, Momentum, _oneMinusDampening, Nesterov, firstStep);
        TrainingKernels.ForFloats(threads, parameters.Length, new KernelSpans(gradients, default, default, parameters, state), c,
            static (in KernelSpans s, in Constants c, int start, int end) => Apply(s.Out0, s.In0, s.Out1, start, end, c));
    }

    /// <inheritdoc/>
    public override void Reset() => ForgetState();

    /// <summary>Parameters <paramref name="start"/> .. <paramref name="end"/> - 1 of one step, widest lanes first.</summary>
    private static void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, int start, int end, in Constants c)
    {
        int n = end;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float b = ref MemoryMarshal.GetReference(state);
        int i = start;
        if (Simd.Use512)
        {
            i = Update<V512>(ref p, ref g, ref b, i, n, c);
        }

        if (Simd.Use256)
        {
            i = Update<V256>(ref p, ref g, ref b, i, n, c);
        }

        if (Simd.Use128)
        {
            i = Update<V128>(ref p, ref g, ref b, i, n, c);
        }

        Update<V1>(ref p, ref g, ref b, i, n, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Update<T>(ref float p, ref float g, ref float b, int start, int end, in Constants c)
        where T : struct, ILanes<T>
    {
        T negLr = T.Create(c.NegativeLearningRate);
        T weightDecay = T.Create(c.WeightDecay);
        T momentum = T.Create(c.Momentum);
        T oneMinusDampening = T.Create(c.OneMinusDampening);
        bool decay = c.WeightDecay != 0f;
        bool useMomentum = c.Momentum != 0f;
        int i = start;
        for (; i <= end - T.Count; i += T.Count)
        {
            nuint k = (nuint)i;
            T d = T.Load(ref g, k);
            T w = T.Load(ref p, k);
            if (decay)
            {
                d = T.MultiplyAdd(w, weightDecay, d);                   // d = g + wd * p
            }

            if (useMomentum)
            {
                T buffer = c.FirstStep
                    ? d                                                  // b = d on the first step
                    : T.MultiplyAdd(d, oneMinusDampening, T.Load(ref b, k) * momentum); // b = m b + (1 - damp) d
                buffer.Store(ref b, k);
                d = c.Nesterov ? T.MultiplyAdd(buffer, momentum, d) : buffer; // d = d + m b, or b
            }

            T.MultiplyAdd(d, negLr, w).Store(ref p, k);                 // p = p - lr d
        }

        return i;
    }

    private readonly record struct Constants(
        float NegativeLearningRate, float WeightDecay, float Momentum, float OneMinusDampening, bool Nesterov, bool FirstStep);
}
