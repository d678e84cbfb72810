using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen.CompilerServices;
using static NetGen.FloatLanes;

namespace NetGen;

/// <summary>
/// The update <see cref="Adam"/> and <see cref="AdamW"/> share, in the order of operations of PyTorch 1.13's
/// single-tensor implementation (float32 throughout; the per-step scalars computed in double, then rounded):
/// <code>
/// g = g + l2 * p                                  (Adam's weight decay)
/// p = p * (1 - lr * wd)                           (AdamW's decoupled weight decay)
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// </code>
/// State: two vectors, <c>m</c> (<c>exp_avg</c>) then <c>v</c> (<c>exp_avg_sq</c>).
/// </summary>
internal static class AdamKernel
{
    /// <summary>Per-optimizer constants, fixed by the constructor.</summary>
    internal readonly record struct Settings(double Beta1, double Beta2, float Epsilon, float L2, double DecoupledDecay);

    /// <summary>Applies step <paramref name="step"/> (1 on the first).</summary>
    public static void Step(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, long step, float learningRate, in Settings s, int threads)
    {
        double lr = learningRate;
        double biasCorrection1 = 1.0 - Math.Pow(s.Beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(s.Beta2, step);
        var c = new Constants(
            L2: s.L2,
            DecayScale: s.DecoupledDecay != 0.0 ? (float)(1.0 - lr * s.DecoupledDecay) : 1f,
            Beta1: (float)s.Beta1,
            OneMinusBeta1: (float)(1.0 - s.Beta1),
            Beta2: (float)s.Beta2,
            OneMinusBeta2: (float)(1.0 - s.Beta2),
            BiasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
            Epsilon: s.Epsilon,
            NegativeStepSize: (float)(-(lr / biasCorrection1)));
        TrainingKernels.ForFloats(threads, parameters.Length, new KernelSpans(gradients, default, default, parameters, state), c,
            static (in KernelSpans s, in Constants c, int start, int end) => Apply(s.Out0, s.In0, s.Out1, start, end, c));
    }

    /// <summary>Parameters <paramref name="start"/> .. <paramref name="end"/> - 1 of one step, widest lanes first.</summary>
    private static void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state, int start, int end, in Constants c)
    {
        int n = end;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetReference(state);
        ref float v = ref MemoryMarshal.GetReference(state[parameters.Length..]);

        int i = start;
        if (Simd.Use512)
        {
            i = Update<V512>(ref p, ref g, ref m, ref v, i, n, c);
        }

        if (Simd.Use256)
        {
            i = Update<V256>(ref p, ref g, ref m, ref v, i, n, c);
        }

        if (Simd.Use128)
        {
            i = Update<V128>(ref p, ref g, ref m, ref v, i, n, c);
        }

        Update<V1>(ref p, ref g, ref m, ref v, i, n, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Update<T>(ref float p, ref float g, ref float m, ref float v, int start, int end, in Constants c)
        where T : struct, ILanes<T>
    {
        T l2 = T.Create(c.L2);
        T decayScale = T.Create(c.DecayScale);
        T beta1 = T.Create(c.Beta1);
        T oneMinusBeta1 = T.Create(c.OneMinusBeta1);
        T beta2 = T.Create(c.Beta2);
        T oneMinusBeta2 = T.Create(c.OneMinusBeta2);
        T biasCorrection2Sqrt = T.Create(c.BiasCorrection2Sqrt);
        T epsilon = T.Create(c.Epsilon);
        T negativeStepSize = T.Create(c.NegativeStepSize);
        bool useL2 = c.L2 != 0f;
        bool decoupled = c.DecayScale != 1f;
        int i = start;
        for (; i <= end - T.Count; i += T.Count)
        {
            nuint k = (nuint)i;
            T grad = T.Load(ref g, k);
            T w = T.Load(ref p, k);
            if (useL2)
            {
                grad = T.MultiplyAdd(w, l2, grad);                                  // g = g + wd p
            }

            if (decoupled)
            {
                w *= decayScale;                                                     // p = p (1 - lr wd)
            }

            T mean = T.MultiplyAdd(grad, oneMinusBeta1, T.Load(ref m, k) * beta1);   // m = b1 m + (1 - b1) g
            T square = T.Load(ref v, k) * beta2 + oneMinusBeta2 * grad * grad;      // v = b2 v + (1 - b2) g g
            mean.Store(ref m, k);
            square.Store(ref v, k);
            T denominator = T.Sqrt(square) / biasCorrection2Sqrt + epsilon;         // sqrt(v) / sqrt(bc2) + eps
            (w + negativeStepSize * mean / denominator).Store(ref p, k);             // p = p - step m / denom
        }

        return i;
    }

    private readonly record struct Constants(
        float L2, float DecayScale, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
        float BiasCorrection2Sqrt, float Epsilon, float NegativeStepSize);
}
