using System;
using System.Runtime.InteropServices;
using NetGen.CompilerServices;
using NetGen.Tests.Gradients;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The recurrent kernels on their own, at the widest width the process runs (CI reruns them at 128 bits and on the scalar
/// path): central differences of <c>L = Σ dy·y</c> (in double) against Backward for every parameter and input, a thread
/// split and a sample alone giving the bits of one thread and of the batch, the output columns and gradient contracts, and
/// no allocation after warm-up. PyTorch parity is <see cref="RecurrentReferenceTests"/>.
/// </summary>
public sealed class RecurrentKernelsTests
{
    /// <summary>Small enough to probe every parameter; F ≠ H, neither a multiple of a vector.</summary>
    private readonly struct Small : IRecurrentShape
    {
        public static int Inputs => 4;
        public static int Hidden => 5;
        public static int Steps => 4;
        public static bool HasBias => true;
    }

    private readonly struct SmallNoBias : IRecurrentShape
    {
        public static int Inputs => 3;
        public static int Hidden => 4;
        public static int Steps => 3;
        public static bool HasBias => false;
    }

    /// <summary>Whole vectors: the products end with the horizontal-add tree at 256 and 512 bits.</summary>
    private readonly struct Wide : IRecurrentShape
    {
        public static int Inputs => 24;
        public static int Hidden => 32;
        public static int Steps => 6;
        public static bool HasBias => true;
    }

    /// <summary>Every tail: units and inputs not multiples of 4, 8 or 16.</summary>
    private readonly struct Odd : IRecurrentShape
    {
        public static int Inputs => 7;
        public static int Hidden => 13;
        public static int Steps => 5;
        public static bool HasBias => true;
    }

    [Fact]
    public void Tanh_gradients_match_central_differences()
    {
        CheckGradients<Layer<Small, TanhCell, Onward>, Layer<Small, TanhCell, Onward>>(batch: 2, seed: 1, pair: false);
        CheckGradients<Layer<SmallNoBias, TanhCell, Reversed>, Layer<SmallNoBias, TanhCell, Reversed>>(batch: 3, seed: 2, pair: false);
    }

    [Fact]
    public void Relu_gradients_match_central_differences()
        => CheckGradients<Layer<Small, ReluCell, Onward>, Layer<Small, ReluCell, Onward>>(batch: 2, seed: 3, pair: false);

    [Fact]
    public void Lstm_gradients_match_central_differences()
    {
        CheckGradients<Layer<Small, LstmCell, Onward>, Layer<Small, LstmCell, Onward>>(batch: 2, seed: 4, pair: false);
        CheckGradients<Layer<SmallNoBias, LstmCell, Reversed>, Layer<SmallNoBias, LstmCell, Reversed>>(batch: 1, seed: 5, pair: false);
    }

    [Fact]
    public void Gru_gradients_match_central_differences()
    {
        CheckGradients<Layer<Small, GruCell, Onward>, Layer<Small, GruCell, Onward>>(batch: 2, seed: 6, pair: false);
        CheckGradients<Layer<SmallNoBias, GruCell, Reversed>, Layer<SmallNoBias, GruCell, Reversed>>(batch: 3, seed: 7, pair: false);
    }

    [Fact]
    public void Bidirectional_gradients_match_central_differences()
    {
        CheckGradients<Layer<Small, LstmCell, BiOnward>, Layer<Small, LstmCell, BiBackward>>(batch: 2, seed: 8, pair: true);
        CheckGradients<Layer<Small, GruCell, BiOnward>, Layer<Small, GruCell, BiBackward>>(batch: 2, seed: 9, pair: true);
    }

    [Fact]
    public void Two_threads_give_the_bits_of_one()
    {
        // batches past MinSamplesForThreads (about 2^18 multiply-adds of recurrent products), uneven parts
        CheckThreads<Layer<Wide, LstmCell, Onward>, Layer<Wide, LstmCell, Onward>>(batch: 41, pair: false);
        CheckThreads<Layer<Odd, GruCell, BiOnward>, Layer<Odd, GruCell, BiBackward>>(batch: 107, pair: true);
        CheckThreads<Layer<Wide, TanhCell, Reversed>, Layer<Wide, TanhCell, Reversed>>(batch: 45, pair: false);
    }

    [Fact]
    public void A_sample_alone_gets_the_bits_it_gets_in_a_batch()
    {
        CheckAlone<Layer<Wide, LstmCell, Onward>>(batch: 5);
        CheckAlone<Layer<Odd, GruCell, BiBackward>>(batch: 7);
        CheckAlone<Layer<Odd, TanhCell, Reversed>>(batch: 4);
        CheckAlone<Layer<Wide, ReluCell, Onward>>(batch: 3);
    }

    [Fact]
    public void A_direction_writes_only_its_columns_and_reads_only_its_gradients()
    {
        const int batch = 2;
        int steps = Small.Steps, hidden = Small.Hidden;
        var onward = new RecurrentOperands<Layer<Small, LstmCell, BiOnward>>(batch).Randomized(seed: 11);
        float[] x = GradientCheck.UniformInputs(batch * steps * Small.Inputs, seed: 12);
        var y = new float[batch * steps * 2 * hidden];
        y.AsSpan().Fill(123f);
        onward.Forward(x, y, threads: 1);
        for (int row = 0; row < batch * steps; row++)
        {
            for (int j = 0; j < hidden; j++)
            {
                Assert.NotEqual(123f, y[row * 2 * hidden + j]);
                Assert.Equal(123f, y[row * 2 * hidden + hidden + j]);
            }
        }

        // dy in the other direction's columns changes nothing
        float[] dy = GradientCheck.UniformInputs(y.Length, seed: 13);
        var dx = new float[x.Length];
        onward.Backward(x, dy, dx, threads: 1);
        float[] before = (float[])dx.Clone();
        for (int row = 0; row < batch * steps; row++)
        {
            for (int j = 0; j < hidden; j++)
            {
                dy[row * 2 * hidden + hidden + j] = float.NaN;
            }
        }

        onward.Backward(x, dy, dx, threads: 1);
        AssertBits(before, dx, "dx");
    }

    [Fact]
    public void Backward_adds_into_parameter_gradients_overwrites_dx_and_leaves_the_state()
    {
        const int batch = 3;
        var layer = new RecurrentOperands<Layer<Small, GruCell, Onward>>(batch).Randomized(seed: 21);
        float[] x = GradientCheck.UniformInputs(batch * Small.Steps * Small.Inputs, seed: 22);
        var y = new float[batch * Small.Steps * Small.Hidden];
        float[] dy = GradientCheck.UniformInputs(y.Length, seed: 23);
        layer.Forward(x, y, threads: 1);
        float[] state = (float[])layer.State.Clone();

        var dx = new float[x.Length];
        dx.AsSpan().Fill(float.NaN);
        layer.Backward(x, dy, dx, threads: 1);
        float[] once = (float[])dx.Clone();
        float[][] gradients = Array.ConvertAll(layer.Tensors, t => (float[])t.Gradient.Clone());
        layer.Backward(x, dy, dx, threads: 1);

        AssertBits(state, layer.State, "state");
        AssertBits(once, dx, "dx");
        for (int t = 0; t < gradients.Length; t++)
        {
            for (int i = 0; i < gradients[t].Length; i++)
            {
                Assert.Equal(2.0 * gradients[t][i], layer.Tensors[t].Gradient[i], 1e-5);
            }
        }

        // an empty dx skips the input gradient and changes no parameter gradient
        layer.ZeroGradients();
        layer.Backward(x, dy, default, threads: 1);
        for (int t = 0; t < gradients.Length; t++)
        {
            AssertBits(gradients[t], layer.Tensors[t].Gradient, $"gradient {t} without dx");
        }
    }

    [Fact]
    public void Forward_and_backward_allocate_nothing_after_warm_up()
    {
        AssertNoAllocation<Layer<Odd, LstmCell, Onward>>(batch: 3, threads: 1);
        AssertNoAllocation<Layer<Odd, GruCell, BiBackward>>(batch: 107, threads: 2);
        AssertNoAllocation<Layer<Wide, TanhCell, Onward>>(batch: 45, threads: 2);
    }

    [Fact]
    public void Lengths_are_what_the_docs_say()
    {
        // LSTM, F 4, H 5, T 4: state T·4H + T·H + T·H + H + 4H; scratch T·4H + 4H + H + H
        Assert.Equal(4 * 20 + 4 * 5 + 4 * 5 + 5 + 20, RecurrentKernels.StateLength<Layer<Small, LstmCell, Onward>>());
        Assert.Equal(4 * 20 + 20 + 5 + 5, RecurrentKernels.BackwardScratchLength<Layer<Small, LstmCell, Onward>>());

        // GRU: the hidden side's gate gradients apart; the reverse half of a bidirectional layer adds T·F for its dx
        Assert.Equal(4 * 15 + 4 * 5 + 4 * 5 + 5 + 15, RecurrentKernels.StateLength<Layer<Small, GruCell, BiBackward>>());
        Assert.Equal(2 * 4 * 15 + 15 + 5 + 5 + 4 * 4, RecurrentKernels.BackwardScratchLength<Layer<Small, GruCell, BiBackward>>());

        // RNN: one gate, nothing carried besides h
        Assert.Equal(4 * 5 + 4 * 5 + 5 + 5, RecurrentKernels.StateLength<Layer<Small, TanhCell, Onward>>());
        Assert.Equal(4 * 5 + 5 + 5, RecurrentKernels.BackwardScratchLength<Layer<Small, TanhCell, Onward>>());
        Assert.Equal(1, RecurrentKernels.Gates<Layer<Small, ReluCell, Onward>>());
        Assert.Equal(4, RecurrentKernels.Gates<Layer<Small, LstmCell, Onward>>());
        Assert.Equal(3, RecurrentKernels.Gates<Layer<Small, GruCell, Onward>>());
    }

    /// <summary>
    /// Central differences <c>(L(θ + h) − L(θ − h)) / 2h</c> of <c>L = Σ dy·y</c> for every parameter of both directions
    /// (<paramref name="pair"/>: a bidirectional layer, B after A into the same y) and every input, against Backward. The
    /// allowance is GradientCheck's: <c>1e-3 · max(|fd|, |g|)</c> plus the forward's float noise over the step. For ReLU, a
    /// probe whose step changes the sign of any float in the state (a pre-activation crossing 0) is skipped, at most 5%.
    /// </summary>
    private static void CheckGradients<TA, TB>(int batch, ulong seed, bool pair)
        where TA : struct, IRecurrentLayer
        where TB : struct, IRecurrentLayer
    {
        const double h = 1e-2;
        int rows = batch * TA.Steps;
        var a = new RecurrentOperands<TA>(batch).Randomized(seed * 10);
        RecurrentOperands<TB>? b = pair ? new RecurrentOperands<TB>(batch).Randomized(seed * 10 + 5) : null;
        float[] x = GradientCheck.UniformInputs(rows * TA.Inputs, seed * 10 + 1);
        var y = new float[rows * TA.OutputStride];
        float[] dy = GradientCheck.UniformInputs(y.Length, seed * 10 + 2);

        double Loss()
        {
            a.Forward(x, y, threads: 1);
            b?.Forward(x, y, threads: 1);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += (double)dy[i] * y[i];
            }

            return sum;
        }

        Loss();
        double noise = 0;
        for (int i = 0; i < y.Length; i++)
        {
            noise += Math.Abs((double)dy[i] * y[i]);
        }

        noise *= 8 * Math.Pow(2, -24);
        bool kinks = TA.Cell == RecurrentCell.Relu;
        float[] signs = Signs(a.State, b?.State);
        var dx = new float[x.Length];
        a.Backward(x, dy, dx, threads: 1);
        b?.Backward(x, dy, dx, threads: 1);

        int probes = 0, skipped = 0;
        void Probe(float[] values, int k, float analytic, string what)
        {
            float original = values[k];
            float plus = (float)(original + h), minus = (float)(original - h);
            values[k] = plus;
            double lossPlus = Loss();
            bool crossed = !SameSigns(signs, a.State, b?.State);
            values[k] = minus;
            double lossMinus = Loss();
            crossed |= !SameSigns(signs, a.State, b?.State);
            values[k] = original;
            if (kinks && crossed)
            {
                skipped++;
                return;
            }

            probes++;
            double step = (double)plus - minus;
            double fd = (lossPlus - lossMinus) / step;
            double allowed = 1e-3 * Math.Max(Math.Abs(fd), Math.Abs(analytic)) + 2 * noise / step;
            Assert.True(Math.Abs(fd - analytic) <= allowed,
                $"{Describe<TA>()} {what}: analytic {analytic:R}, central difference {fd:R}, allowed {allowed:E2}");
        }

        string[] names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
        for (int t = 0; t < a.Tensors.Length; t++)
        {
            for (int k = 0; k < a.Tensors[t].Value.Length; k++)
            {
                Probe(a.Tensors[t].Value, k, a.Tensors[t].Gradient[k], $"{names[t]}[{k}]");
            }
        }

        if (b is not null)
        {
            for (int t = 0; t < b.Tensors.Length; t++)
            {
                for (int k = 0; k < b.Tensors[t].Value.Length; k++)
                {
                    Probe(b.Tensors[t].Value, k, b.Tensors[t].Gradient[k], $"{names[t]}_reverse[{k}]");
                }
            }
        }

        for (int k = 0; k < x.Length; k++)
        {
            Probe(x, k, dx[k], $"x[{k}]");
        }

        Assert.True(skipped <= 0.05 * (probes + skipped), $"{skipped} of {probes + skipped} probes skipped at a kink");
        Assert.True(probes > 0);
    }

    private static float[] Signs(float[] a, float[]? b)
    {
        var signs = new float[a.Length + (b?.Length ?? 0)];
        for (int i = 0; i < a.Length; i++)
        {
            signs[i] = Math.Sign(a[i]);
        }

        for (int i = 0; b is not null && i < b.Length; i++)
        {
            signs[a.Length + i] = Math.Sign(b[i]);
        }

        return signs;
    }

    private static bool SameSigns(float[] signs, float[] a, float[]? b)
    {
        float[] now = Signs(a, b);
        return now.AsSpan().SequenceEqual(signs);
    }

    /// <summary>Forward and backward of one direction (or both of a pair) with one thread and with two: every output the same bits.</summary>
    private static void CheckThreads<TA, TB>(int batch, bool pair)
        where TA : struct, IRecurrentLayer
        where TB : struct, IRecurrentLayer
    {
        (float[] y1, float[] dx1, float[][] g1) = Run<TA, TB>(batch, pair, threads: 1);
        (float[] y2, float[] dx2, float[][] g2) = Run<TA, TB>(batch, pair, threads: 2);
        AssertBits(y1, y2, $"{Describe<TA>()} y");
        AssertBits(dx1, dx2, $"{Describe<TA>()} dx");
        for (int t = 0; t < g1.Length; t++)
        {
            AssertBits(g1[t], g2[t], $"{Describe<TA>()} gradient {t}");
        }
    }

    private static (float[] Y, float[] Dx, float[][] Gradients) Run<TA, TB>(int batch, bool pair, int threads)
        where TA : struct, IRecurrentLayer
        where TB : struct, IRecurrentLayer
    {
        int rows = batch * TA.Steps;
        var a = new RecurrentOperands<TA>(batch).Randomized(31);
        RecurrentOperands<TB>? b = pair ? new RecurrentOperands<TB>(batch).Randomized(37) : null;
        float[] x = GradientCheck.UniformInputs(rows * TA.Inputs, 32);
        var y = new float[rows * TA.OutputStride];
        float[] dy = GradientCheck.UniformInputs(y.Length, 33);
        var dx = new float[x.Length];
        a.Forward(x, y, threads);
        b?.Forward(x, y, threads);
        a.Backward(x, dy, dx, threads);
        b?.Backward(x, dy, dx, threads);
        float[][] gradients = Array.ConvertAll(a.Tensors, t => t.Gradient);
        if (b is not null)
        {
            gradients = [.. gradients, .. Array.ConvertAll(b.Tensors, t => t.Gradient)];
        }

        return (y, dx, gradients);
    }

    /// <summary>Each sample of a batch, run alone: its y and dx are the bits the batch gave it.</summary>
    private static void CheckAlone<TL>(int batch)
        where TL : struct, IRecurrentLayer
    {
        int inLength = TL.Steps * TL.Inputs, outLength = TL.Steps * TL.OutputStride;
        var all = new RecurrentOperands<TL>(batch).Randomized(41);
        float[] x = GradientCheck.UniformInputs(batch * inLength, 42);
        var y = new float[batch * outLength];
        float[] dy = GradientCheck.UniformInputs(y.Length, 43);
        var dx = new float[x.Length];
        all.Forward(x, y, threads: 1);
        all.Backward(x, dy, dx, threads: 1);

        RecurrentOperands<TL> one = all.WithBatch(1);
        var y1 = new float[outLength];
        var dx1 = new float[inLength];
        for (int s = 0; s < batch; s++)
        {
            if (TL.AddsInputGradient)
            {
                Array.Clear(dx1); // the batch's dx started from 0 too
            }

            one.Forward(x.AsSpan(s * inLength, inLength), y1, threads: 1);
            one.Backward(x.AsSpan(s * inLength, inLength), dy.AsSpan(s * outLength, outLength), dx1, threads: 1);
            AssertBits(y.AsSpan(s * outLength, outLength).ToArray(), y1, $"{Describe<TL>()} y of sample {s}");
            AssertBits(dx.AsSpan(s * inLength, inLength).ToArray(), dx1, $"{Describe<TL>()} dx of sample {s}");
        }
    }

    private static void AssertNoAllocation<TL>(int batch, int threads)
        where TL : struct, IRecurrentLayer
    {
        int rows = batch * TL.Steps;
        var layer = new RecurrentOperands<TL>(batch).Randomized(51);
        float[] x = GradientCheck.UniformInputs(rows * TL.Inputs, 52);
        var y = new float[rows * TL.OutputStride];
        float[] dy = GradientCheck.UniformInputs(y.Length, 53);
        var dx = new float[x.Length];
        AllocationAssert.Zero(() =>
        {
            layer.Forward(x, y, threads);
            layer.Backward(x, dy, dx, threads);
        });
    }

    /// <summary>The descriptor in words, for failure messages.</summary>
    private static string Describe<TL>()
        where TL : struct, IRecurrentLayer
        => $"{TL.Cell} F{TL.Inputs} H{TL.Hidden} T{TL.Steps}{(TL.HasBias ? "" : " no bias")}{(TL.Reverse ? " reverse" : "")} stride {TL.OutputStride} offset {TL.OutputOffset}";

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected), a = MemoryMarshal.Cast<float, int>(actual);
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(e[i] == a[i], $"{what}[{i}]: {actual[i]:R}, expected the bits of {expected[i]:R}");
        }
    }
}
