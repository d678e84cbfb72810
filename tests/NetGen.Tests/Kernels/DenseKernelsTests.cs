using System;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// The runtime's dense kernels on their own, at the widest width the process runs (CI reruns them at 128 bits and on the
/// scalar path): forward and both backward products against a double-precision reference, on shapes that reach every
/// block and tail (units not a multiple of 4 or 8, inputs not a multiple of any vector, no bias, each fused activation),
/// and a thread split that gives the bits of one thread.
/// </summary>
public sealed class DenseKernelsTests
{
    private readonly struct Wide : IDenseLayer
    {
        public static int Inputs => 784;
        public static int Units => 128;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    private readonly struct Odd : IDenseLayer
    {
        public static int Inputs => 37;
        public static int Units => 15;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    private readonly struct Leaky : IDenseLayer
    {
        public static int Inputs => 48;
        public static int Units => 13;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.LeakyRelu;
        public static float Slope => -0.2f;
    }

    private readonly struct NoBias : IDenseLayer
    {
        public static int Inputs => 3;
        public static int Units => 7;
        public static bool HasBias => false;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    private readonly struct Narrow : IDenseLayer
    {
        public static int Inputs => 100;
        public static int Units => 10;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    /// <summary>
    /// More columns and a longer depth than one packed panel holds (32 by 256): seven column groups, the last 8 wide, and a
    /// depth of 300 in two blocks, the activation applied only after the last.
    /// </summary>
    private readonly struct Tall : IDenseLayer
    {
        public static int Inputs => 300;
        public static int Units => 200;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.LeakyRelu;
        public static float Slope => 0.1f;
    }

    /// <summary>
    /// A W past L2 (134,930 floats, over 512 KB): a row alone reads it four units at a time, 131 units leaving three for
    /// single dot products, and 1,030 inputs leaving a scalar tail after the vectors.
    /// </summary>
    private readonly struct Far : IDenseLayer
    {
        public static int Inputs => 1030;
        public static int Units => 131;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    /// <summary>Rows alone (below <see cref="DenseKernels.ProductRows"/>) and batches that leave every count of rows over a product block.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(17)]
    [InlineData(64)]
    public void Forward_matches_the_reference(int rows)
    {
        CheckForward<Tall>(rows);
        CheckForward<Far>(rows);
        CheckForward<Wide>(rows);
        CheckForward<Odd>(rows);
        CheckForward<Leaky>(rows);
        CheckForward<NoBias>(rows);
        CheckForward<Narrow>(rows);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(64)]
    public void Backward_matches_the_reference(int rows)
    {
        CheckBackward<Tall>(rows);
        CheckBackward<Wide>(rows);
        CheckBackward<Odd>(rows);
        CheckBackward<Leaky>(rows);
        CheckBackward<NoBias>(rows);
        CheckBackward<Narrow>(rows);
    }

    [Fact]
    public void Two_threads_give_the_bits_of_one()
    {
        CheckThreads<Wide>(rows: 67);
        CheckThreads<Tall>(rows: 41);
        CheckThreads<Odd>(rows: 2003);
    }

    private static void CheckForward<T>(int rows)
        where T : struct, IDenseLayer
    {
        var (w, b, x) = Operands<T>(rows, seed: (ulong)(rows * 31 + T.Units));
        var y = new float[rows * T.Units];
        DenseKernels.Forward<T>(w, b, x, y, rows, threads: 1);
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < T.Units; o++)
            {
                double z = T.HasBias ? b[o] : 0;
                double scale = Math.Abs(z);
                for (int i = 0; i < T.Inputs; i++)
                {
                    z += (double)w[o * T.Inputs + i] * x[r * T.Inputs + i];
                    scale += Math.Abs((double)w[o * T.Inputs + i] * x[r * T.Inputs + i]);
                }

                double expected = T.Activation switch
                {
                    FusedActivation.Relu => Math.Max(z, 0),
                    FusedActivation.LeakyRelu => z > 0 ? z : T.Slope * z,
                    _ => z,
                };
                Assert.True(Math.Abs(y[r * T.Units + o] - expected) <= 1e-6 * scale + 1e-7,
                    $"{typeof(T).Name} y[{r}, {o}] = {y[r * T.Units + o]}, expected {expected}");
            }
        }
    }

    private static void CheckBackward<T>(int rows)
        where T : struct, IDenseLayer
    {
        var (w, _, x) = Operands<T>(rows, seed: (ulong)(rows * 17 + T.Inputs));
        var rng = new Rng(99);
        var dz = new float[rows * T.Units];
        Fill(ref rng, dz, 1f);
        var gw = new float[T.Units * T.Inputs];
        Fill(ref rng, gw, 1f);
        float[] gwBefore = (float[])gw.Clone();
        var gb = new float[T.HasBias ? T.Units : 0];
        var dx = new float[rows * T.Inputs];
        DenseKernels.Backward<T>(w, gw, gb, x, dz, dx, rows, threads: 1);

        for (int o = 0; o < T.Units; o++)
        {
            if (T.HasBias)
            {
                double db = 0;
                for (int r = 0; r < rows; r++)
                {
                    db += dz[r * T.Units + o];
                }

                Assert.True(Math.Abs(gb[o] - db) <= 1e-5, $"{typeof(T).Name} db[{o}] = {gb[o]}, expected {db}");
            }

            for (int i = 0; i < T.Inputs; i++)
            {
                double g = gwBefore[o * T.Inputs + i], scale = Math.Abs(g);
                for (int r = 0; r < rows; r++)
                {
                    g += (double)dz[r * T.Units + o] * x[r * T.Inputs + i];
                    scale += Math.Abs((double)dz[r * T.Units + o] * x[r * T.Inputs + i]);
                }

                Assert.True(Math.Abs(gw[o * T.Inputs + i] - g) <= 1e-6 * scale + 1e-7, $"{typeof(T).Name} dW[{o}, {i}] = {gw[o * T.Inputs + i]}, expected {g}");
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < T.Inputs; i++)
            {
                double s = 0, scale = 0;
                for (int o = 0; o < T.Units; o++)
                {
                    s += (double)dz[r * T.Units + o] * w[o * T.Inputs + i];
                    scale += Math.Abs((double)dz[r * T.Units + o] * w[o * T.Inputs + i]);
                }

                Assert.True(Math.Abs(dx[r * T.Inputs + i] - s) <= 1e-6 * scale + 1e-7, $"{typeof(T).Name} dx[{r}, {i}] = {dx[r * T.Inputs + i]}, expected {s}");
            }
        }
    }

    private static void CheckThreads<T>(int rows)
        where T : struct, IDenseLayer
    {
        Assert.True(rows >= DenseKernels.MinRowsForThreads<T>(), "the batch must be large enough to split");
        var (w, b, x) = Operands<T>(rows, seed: 5);
        var dz = new float[rows * T.Units];
        var rng = new Rng(6);
        Fill(ref rng, dz, 1f);
        float[] Run(int threads, out float[] gw, out float[] gb, out float[] dx)
        {
            var y = new float[rows * T.Units];
            DenseKernels.Forward<T>(w, b, x, y, rows, threads);
            gw = new float[T.Units * T.Inputs];
            gb = new float[T.HasBias ? T.Units : 0];
            dx = new float[rows * T.Inputs];
            DenseKernels.Backward<T>(w, gw, gb, x, dz, dx, rows, threads);
            return y;
        }

        float[] y1 = Run(1, out float[] gw1, out float[] gb1, out float[] dx1);
        float[] y2 = Run(2, out float[] gw2, out float[] gb2, out float[] dx2);
        Assert.Equal(y1, y2);
        Assert.Equal(gw1, gw2);
        Assert.Equal(gb1, gb2);
        Assert.Equal(dx1, dx2);
    }

    private static (float[] Weight, float[] Bias, float[] X) Operands<T>(int rows, ulong seed)
        where T : struct, IDenseLayer
    {
        var rng = new Rng(seed);
        var w = new float[T.Units * T.Inputs];
        var b = new float[T.HasBias ? T.Units : 0];
        var x = new float[rows * T.Inputs];
        Fill(ref rng, w, 0.5f);
        Fill(ref rng, b, 0.5f);
        Fill(ref rng, x, 1f);
        return (w, b, x);
    }

    private static void Fill(ref Rng rng, float[] values, float bound)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.NextFloat(-bound, bound);
        }
    }
}
