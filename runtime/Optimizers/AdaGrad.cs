using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen;

/// <summary>
/// AdaGrad, as <c>torch.optim.Adagrad</c>: each parameter's step shrinks with the sum of its squared
/// gradients so far, and the learning rate decays with the step count:
/// <code>
/// g = g + weightDecay * p
/// lr_t = lr / (1 + (t - 1) * learningRateDecay)
/// s = s + g * g                                   (s starts at initialAccumulatorValue)
/// p = p - lr_t * g / (sqrt(s) + epsilon)
/// </code>
/// where <c>t</c> is <see cref="Optimizer.StepCount"/>. State: one vector, <c>s</c> (<c>sum</c>).
/// </summary>
public sealed class AdaGrad : Optimizer
{
    private readonly double _learningRateDecay;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size, 0 or more.</param>
    /// <param name="learningRateDecay">How fast the step size decays with the step count, 0 or more.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay * p</c>, 0 or more.</param>
    /// <param name="initialAccumulatorValue">The starting value of the sum of squared gradients, 0 or more.</param>
    /// <param name="epsilon">Added to the denominator for numerical stability, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative or not finite.</exception>
    public AdaGrad(float learningRate = 1e-2f, float learningRateDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float epsilon = 1e-10f)
        : base(learningRate)
    {
        LearningRateDecay = Hyperparameters.NonNegative(learningRateDecay, nameof(learningRateDecay));
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        InitialAccumulatorValue = Hyperparameters.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Epsilon = Hyperparameters.NonNegative(epsilon, nameof(epsilon));
        _learningRateDecay = Hyperparameters.Widen(learningRateDecay);
    }

    /// <summary>The decay of the step size with the step count.</summary>
    public float LearningRateDecay { get; }

    /// <summary>The L2 weight decay.</summary>
    public float WeightDecay { get; }

    /// <summary>The starting value of the accumulator.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>The term added to the denominator.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    public override int StateVectorCount => 1;

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients) => Step(parameters, gradients, 1);

    /// <inheritdoc/>
    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradients, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Span<float> state = BeginStep(parameters, gradients, out _);
        double stepLearningRate = LearningRate / (1.0 + (StepCount - 1) * _learningRateDecay);
        var c = new Constants((float)-stepLearningRate, WeightDecay, Epsilon);
        TrainingKernels.ForFloats(threads, parameters.Length, new KernelSpans(gradients, default, default, parameters, state), c,
            static (in KernelSpans s, in Constants c, int start, int end) => Apply(s.Out0, s.In0, s.Out1, start, end, c));
    }

    /// <inheritdoc/>
    public override void Reset() => ForgetState();

    /// <summary>Parameters <paramref name="start"/> .. <paramref name="end"/> - 1 of one step, widest lanes first.</summary>
    private static void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, int start, int end, in Constants c)
    {
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref MemoryMarshal.GetReference(state);
        int i = start;
        if (Simd.Use512)
        {
            i = Update<V512>(ref p, ref g, ref s, i, end, c);
        }

        if (Simd.Use256)
        {
            i = Update<V256>(ref p, ref g, ref s, i, end, c);
        }

        if (Simd.Use128)
        {
            i = Update<V128>(ref p, ref g, ref s, i, end, c);
        }

        Update<V1>(ref p, ref g, ref s, i, end, c);
    }

    /// <summary>Fills the accumulator with <see cref="InitialAccumulatorValue"/>.</summary>
    protected override void InitializeState(Span<float> state) => state.Fill(InitialAccumulatorValue);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Update<T>(ref float p, ref float g, ref float s, int start, int end, in Constants c)
        where T : struct, ILanes<T>
    {
        T negLr = T.Create(c.NegativeLearningRate);
        T weightDecay = T.Create(c.WeightDecay);
        T epsilon = T.Create(c.Epsilon);
        bool decay = c.WeightDecay != 0f;
        int i = start;
        for (; i <= end - T.Count; i += T.Count)
        {
            nuint k = (nuint)i;
            T grad = T.Load(ref g, k);
            T w = T.Load(ref p, k);
            if (decay)
            {
                grad = T.MultiplyAdd(w, weightDecay, grad);          // g = g + wd p
            }

            T sum = T.Load(ref s, k) + grad * grad;                  // s = s + g g
            sum.Store(ref s, k);
            (w + negLr * grad / (T.Sqrt(sum) + epsilon)).Store(ref p, k); // p = p - lr_t g / (sqrt(s) + eps)
        }

        return i;
    }

    private readonly record struct Constants(float NegativeLearningRate, float WeightDecay, float Epsilon);
}
