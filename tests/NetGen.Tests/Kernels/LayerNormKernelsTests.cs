using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.CompilerServices;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="LayerNormKernels"/> against PyTorch 1.13's <c>nn.LayerNorm</c>: Reference/layernorm_reference.py draws γ, β, x
/// and dy in float32 and writes PyTorch's y, the row statistics and the gradients of <c>L = Σ dy·y</c> (autograd in
/// float64) to Reference/layernorm.json. Outputs <c>|a − b| ≤ 1e-5 · max|b|</c>, gradients <c>≤ 1e-4 · max|b|</c>, per
/// tensor, at whatever width the process runs (CI reruns these at <c>NETGEN_MAX_VECTOR_BITS=128</c> and 0). Cases cover
/// F = 1, 5, 17, 64, rows 1, 3, 7, ε 1e-5 and 1e-3, affine and not, and x = 1000 + N(0, 1), where a float32 one-pass
/// variance has no digit left (and PyTorch's own float32 kernel is off by 3e-5). Also: central differences of the
/// kernels' own forward, bit-identical results for 1, 2 and 3 threads and for a row alone, and no allocation.
/// </summary>
public sealed class LayerNormKernelsTests
{
    private const double OutputTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "layernorm.json"))));

    private readonly struct F1Affine : ILayerNormLayer
    {
        public static int Features => 1;
        public static float Epsilon => 1e-5f;
        public static bool Affine => true;
    }

    private readonly struct F1PlainEps3 : ILayerNormLayer
    {
        public static int Features => 1;
        public static float Epsilon => 1e-3f;
        public static bool Affine => false;
    }

    private readonly struct F5Affine : ILayerNormLayer
    {
        public static int Features => 5;
        public static float Epsilon => 1e-5f;
        public static bool Affine => true;
    }

    private readonly struct F5PlainEps3 : ILayerNormLayer
    {
        public static int Features => 5;
        public static float Epsilon => 1e-3f;
        public static bool Affine => false;
    }

    private readonly struct F17Affine : ILayerNormLayer
    {
        public static int Features => 17;
        public static float Epsilon => 1e-5f;
        public static bool Affine => true;
    }

    private readonly struct F17AffineEps3 : ILayerNormLayer
    {
        public static int Features => 17;
        public static float Epsilon => 1e-3f;
        public static bool Affine => true;
    }

    private readonly struct F64Affine : ILayerNormLayer
    {
        public static int Features => 64;
        public static float Epsilon => 1e-5f;
        public static bool Affine => true;
    }

    private readonly struct F64Plain : ILayerNormLayer
    {
        public static int Features => 64;
        public static float Epsilon => 1e-5f;
        public static bool Affine => false;
    }

    private readonly struct F64PlainEps3 : ILayerNormLayer
    {
        public static int Features => 64;
        public static float Epsilon => 1e-3f;
        public static bool Affine => false;
    }

    /// <summary>An odd width: every vector width has a scalar tail.</summary>
    private readonly struct F37Affine : ILayerNormLayer
    {
        public static int Features => 37;
        public static float Epsilon => 1e-5f;
        public static bool Affine => true;
    }

    private readonly struct F7Affine : ILayerNormLayer
    {
        public static int Features => 7;
        public static float Epsilon => 1e-5f;
        public static bool Affine => true;
    }

    public static IEnumerable<object[]> Cases()
        => Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Fact]
    public void Reference_file_covers_the_shapes_and_options()
    {
        JsonElement[] cases = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(10, cases.Length);
        foreach (int f in new[] { 1, 5, 17, 64 })
        {
            Assert.Contains(cases, c => c.GetProperty("features").GetInt32() == f);
        }

        foreach (int rows in new[] { 1, 3, 7 })
        {
            Assert.Contains(cases, c => c.GetProperty("rows").GetInt32() == rows);
        }

        Assert.Contains(cases, c => c.GetProperty("epsilon").GetDouble() == 1e-3);
        Assert.Contains(cases, c => !c.GetProperty("affine").GetBoolean());
        Assert.Contains(cases, c => c.GetProperty("affine").GetBoolean() && c.GetProperty("offset").GetDouble() == 1000);
        Assert.Contains(cases, c => !c.GetProperty("affine").GetBoolean() && c.GetProperty("offset").GetDouble() == 1000);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_and_gradients_match_PyTorch(string name)
    {
        JsonElement c = Reference.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        string shape = $"{c.GetProperty("features").GetInt32()}/{c.GetProperty("epsilon").GetDouble():R}/{c.GetProperty("affine").GetBoolean()}";
        switch (shape)
        {
            case "1/1E-05/True": Check<F1Affine>(c); break;
            case "1/0.001/False": Check<F1PlainEps3>(c); break;
            case "5/1E-05/True": Check<F5Affine>(c); break;
            case "5/0.001/False": Check<F5PlainEps3>(c); break;
            case "17/1E-05/True": Check<F17Affine>(c); break;
            case "17/0.001/True": Check<F17AffineEps3>(c); break;
            case "64/1E-05/True": Check<F64Affine>(c); break;
            case "64/1E-05/False": Check<F64Plain>(c); break;
            case "64/0.001/False": Check<F64PlainEps3>(c); break;
            default: Assert.Fail($"{name}: no descriptor for {shape}"); break;
        }
    }

    private static void Check<T>(JsonElement c)
        where T : struct, ILayerNormLayer
    {
        int rows = c.GetProperty("rows").GetInt32();
        float[] x = Floats(c.GetProperty("x"));
        float[] dy = Floats(c.GetProperty("dy"));
        float[] weight = T.Affine ? Floats(c.GetProperty("weight")) : [];
        float[] bias = T.Affine ? Floats(c.GetProperty("bias")) : [];
        foreach (int threads in new[] { 1, 2 })
        {
            string name = $"{c.GetProperty("name").GetString()} ({threads} threads)";
            var y = Filled(x.Length, float.NaN);
            var statistics = Filled(2 * rows, float.NaN);
            LayerNormKernels.Forward<T>(weight, bias, x, y, statistics, rows, threads);
            AssertClose(Doubles(c.GetProperty("y")), y, OutputTolerance, $"{name} y");
            AssertClose(Doubles(c.GetProperty("mean")), Enumerable.Range(0, rows).Select(r => statistics[2 * r]).ToArray(), OutputTolerance, $"{name} mean");
            AssertClose(Doubles(c.GetProperty("rstd")), Enumerable.Range(0, rows).Select(r => statistics[(2 * r) + 1]).ToArray(), OutputTolerance, $"{name} rstd");

            var dx = Filled(x.Length, float.NaN);                 // written, not added
            var dWeight = new float[weight.Length];
            var dBias = new float[bias.Length];
            LayerNormKernels.Backward<T>(weight, x, statistics, dy, dWeight, dBias, dx, rows, threads);
            AssertClose(Doubles(c.GetProperty("dx")), dx, GradientTolerance, $"{name} dx");
            if (T.Affine)
            {
                AssertClose(Doubles(c.GetProperty("dweight")), dWeight, GradientTolerance, $"{name} dweight");
                AssertClose(Doubles(c.GetProperty("dbias")), dBias, GradientTolerance, $"{name} dbias");
            }
        }
    }

    [Fact]
    public void Backward_adds_into_the_parameter_gradients_and_skips_an_empty_dx()
    {
        const int Rows = 5, F = 17;
        float[] weight = LossTestDataNormal(F, 1, 1).Select(v => 1 + (0.5f * v)).ToArray();
        float[] bias = LossTestDataNormal(F, 0.5, 2);
        float[] x = LossTestDataNormal(Rows * F, 2, 3);
        float[] dy = LossTestDataNormal(Rows * F, 1, 4);
        var y = new float[x.Length];
        var statistics = new float[2 * Rows];
        LayerNormKernels.Forward<F17Affine>(weight, bias, x, y, statistics, Rows, 1);

        var dWeight = new float[F];
        var dBias = new float[F];
        var dx = new float[x.Length];
        LayerNormKernels.Backward<F17Affine>(weight, x, statistics, dy, dWeight, dBias, dx, Rows, 1);

        // dx empty: the same parameter gradients, bit for bit
        var dWeight2 = new float[F];
        var dBias2 = new float[F];
        LayerNormKernels.Backward<F17Affine>(weight, x, statistics, dy, dWeight2, dBias2, default, Rows, 1);
        Assert.Equal(Bits(dWeight), Bits(dWeight2));
        Assert.Equal(Bits(dBias), Bits(dBias2));

        // from a non-zero start: start + the same sums (taken from the start, so within rounding)
        float[] start = LossTestDataNormal(F, 1, 5);
        float[] dWeight3 = (float[])start.Clone();
        float[] dBias3 = (float[])start.Clone();
        LayerNormKernels.Backward<F17Affine>(weight, x, statistics, dy, dWeight3, dBias3, default, Rows, 1);
        for (int j = 0; j < F; j++)
        {
            Assert.Equal(start[j] + dWeight[j], dWeight3[j], 5e-6f);
            Assert.Equal(start[j] + dBias[j], dBias3[j], 5e-6f);
        }

        // not affine: x̂ itself and the dx of γ = 1, β = 0, bit for bit (γ = 1 makes ĝ = dy exactly)
        float[] x64 = LossTestDataNormal(3 * 64, 3, 6);
        float[] dy64 = LossTestDataNormal(3 * 64, 1, 7);
        float[] ones = Enumerable.Repeat(1f, 64).ToArray();
        var yPlain = new float[x64.Length];
        var yOnes = new float[x64.Length];
        var sPlain = new float[6];
        var sOnes = new float[6];
        LayerNormKernels.Forward<F64Plain>([], [], x64, yPlain, sPlain, 3, 1);
        LayerNormKernels.Forward<F64Affine>(ones, new float[64], x64, yOnes, sOnes, 3, 1);
        Assert.Equal(Bits(sOnes), Bits(sPlain));
        Assert.Equal(yOnes, yPlain);
        var dxPlain = Filled(x64.Length, float.NaN);
        var dxOnes = new float[x64.Length];
        LayerNormKernels.Backward<F64Plain>([], x64, sPlain, dy64, default, default, dxPlain, 3, 1);
        LayerNormKernels.Backward<F64Affine>(ones, x64, sOnes, dy64, new float[64], new float[64], dxOnes, 3, 1);
        Assert.Equal(Bits(dxOnes), Bits(dxPlain));
    }

    /// <summary>
    /// Central differences of <c>L = Σ dy·y</c> (summed in double) through the kernels' own float forward, step 1e-2,
    /// against Backward's dx, dγ and dβ for every element.
    /// </summary>
    [Fact]
    public void Backward_matches_central_differences_of_forward()
    {
        const int Rows = 3, F = 7;
        const double H = 1e-2;
        float[] weight = LossTestDataNormal(F, 1, 11).Select(v => 1 + (0.5f * v)).ToArray();
        float[] bias = LossTestDataNormal(F, 0.5, 12);
        float[] x = LossTestDataNormal(Rows * F, 1.5, 13);
        float[] dy = LossTestDataNormal(Rows * F, 1, 14);

        double Loss(float[] w, float[] b, float[] input)
        {
            var y = new float[input.Length];
            var s = new float[2 * Rows];
            LayerNormKernels.Forward<F7Affine>(w, b, input, y, s, Rows, 1);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += (double)dy[i] * y[i];
            }

            return sum;
        }

        var statistics = new float[2 * Rows];
        LayerNormKernels.Forward<F7Affine>(weight, bias, x, new float[x.Length], statistics, Rows, 1);
        var dWeight = new float[F];
        var dBias = new float[F];
        var dx = new float[x.Length];
        LayerNormKernels.Backward<F7Affine>(weight, x, statistics, dy, dWeight, dBias, dx, Rows, 1);

        void Probe(float[] tensor, float[] analytic, string what)
        {
            for (int i = 0; i < tensor.Length; i++)
            {
                float saved = tensor[i];
                tensor[i] = (float)(saved + H);
                double plus = Loss(weight, bias, x);
                tensor[i] = (float)(saved - H);
                double minus = Loss(weight, bias, x);
                double step = (double)(float)(saved + H) - (float)(saved - H);
                tensor[i] = saved;
                double numeric = (plus - minus) / step;
                double error = Math.Abs(numeric - analytic[i]);
                Assert.True(error <= (1e-3 * Math.Max(1, Math.Abs(analytic[i]))), $"{what}[{i}]: analytic {analytic[i]:R}, central difference {numeric:R}, error {error:E2}");
            }
        }

        // not a vacuous check: the gradients are of order one
        Assert.True(dx.Max(Math.Abs) > 0.1f && dWeight.Max(Math.Abs) > 0.1f && dBias.Max(Math.Abs) > 0.1f);
        Probe(x, dx, "dx");
        Probe(weight, dWeight, "dweight");
        Probe(bias, dBias, "dbias");
    }

    /// <summary>
    /// Batches large enough to split (rows · F ≥ 2^16): 1, 2 and 3 threads give the same bits for y, the statistics, dx,
    /// dγ and dβ; and a row normalized alone gets the bits it gets in the batch, forward and dx.
    /// </summary>
    [Fact]
    public void Threads_and_batch_position_never_change_the_bits()
    {
        ThreadInvariance<F64Affine>(1500);
        ThreadInvariance<F37Affine>(1800);
    }

    private static void ThreadInvariance<T>(int rows)
        where T : struct, ILayerNormLayer
    {
        int f = T.Features;
        Assert.True((long)rows * f >= LayerNormKernels.MinFloatsForThreads);   // the threaded paths run
        float[] weight = LossTestDataNormal(f, 1, 21).Select(v => 1 + (0.5f * v)).ToArray();
        float[] bias = LossTestDataNormal(f, 0.5, 22);
        float[] x = LossTestDataNormal(rows * f, 1, 23).Select((v, i) => v + (i / f % 7) - 3).ToArray();
        float[] dy = LossTestDataNormal(rows * f, 1, 24);

        (float[] Y, float[] S, float[] Dx, float[] Dw, float[] Db) Run(int threads)
        {
            var y = new float[x.Length];
            var s = new float[2 * rows];
            LayerNormKernels.Forward<T>(weight, bias, x, y, s, rows, threads);
            var dx = new float[x.Length];
            var dw = new float[f];
            var db = new float[f];
            LayerNormKernels.Backward<T>(weight, x, s, dy, dw, db, dx, rows, threads);
            return (y, s, dx, dw, db);
        }

        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            Assert.Equal(Bits(one.Y), Bits(many.Y));
            Assert.Equal(Bits(one.S), Bits(many.S));
            Assert.Equal(Bits(one.Dx), Bits(many.Dx));
            Assert.Equal(Bits(one.Dw), Bits(many.Dw));
            Assert.Equal(Bits(one.Db), Bits(many.Db));
        }

        foreach (int r in new[] { 0, 1, rows / 2, rows - 1 })
        {
            var y = new float[f];
            var s = new float[2];
            LayerNormKernels.Forward<T>(weight, bias, x.AsSpan(r * f, f), y, s, 1, 1);
            Assert.Equal(Bits(one.Y.AsSpan(r * f, f).ToArray()), Bits(y));
            Assert.Equal(Bits(one.S.AsSpan(2 * r, 2).ToArray()), Bits(s));
            var dx = new float[f];
            LayerNormKernels.Backward<T>(weight, x.AsSpan(r * f, f), s, dy.AsSpan(r * f, f), new float[f], new float[f], dx, 1, 1);
            Assert.Equal(Bits(one.Dx.AsSpan(r * f, f).ToArray()), Bits(dx));
        }
    }

    [Fact]
    public void Forward_and_backward_allocate_nothing()
    {
        const int Rows = 1500, F = 64;
        float[] weight = LossTestDataNormal(F, 1, 31);
        float[] bias = LossTestDataNormal(F, 1, 32);
        float[] x = LossTestDataNormal(Rows * F, 1, 33);
        float[] dy = LossTestDataNormal(Rows * F, 1, 34);
        var y = new float[x.Length];
        var s = new float[2 * Rows];
        var dx = new float[x.Length];
        var dw = new float[F];
        var db = new float[F];
        foreach (int threads in new[] { 1, 2 })
        {
            AllocationAssert.Zero(() => LayerNormKernels.Forward<F64Affine>(weight, bias, x, y, s, Rows, threads));
            AllocationAssert.Zero(() => LayerNormKernels.Backward<F64Affine>(weight, x, s, dy, dw, db, dx, Rows, threads));
            AllocationAssert.Zero(() => LayerNormKernels.Backward<F64Affine>(weight, x, s, dy, dw, db, default, Rows, threads));
        }
    }

    [Fact]
    public void Wrong_lengths_throw_naming_the_argument()
    {
        const int Rows = 3, F = 17;
        var w = new float[F];
        var x = new float[Rows * F];
        var y = new float[Rows * F];
        var s = new float[2 * Rows];
        AssertThrows("weight", () => LayerNormKernels.Forward<F17Affine>(new float[F - 1], w, x, y, s, Rows, 1));
        AssertThrows("bias", () => LayerNormKernels.Forward<F17Affine>(w, new float[F + 1], x, y, s, Rows, 1));
        AssertThrows("x", () => LayerNormKernels.Forward<F17Affine>(w, w, new float[(Rows * F) - 1], y, s, Rows, 1));
        AssertThrows("y", () => LayerNormKernels.Forward<F17Affine>(w, w, x, new float[(Rows * F) + 1], s, Rows, 1));
        AssertThrows("statistics", () => LayerNormKernels.Forward<F17Affine>(w, w, x, y, new float[Rows], Rows, 1));
        AssertThrows("weight", () => LayerNormKernels.Forward<F64Plain>(new float[64], [], new float[64], new float[64], new float[2], 1, 1));
        AssertThrows("rows", () => LayerNormKernels.Forward<F17Affine>(w, w, x, y, s, -1, 1));

        var g = new float[F];
        AssertThrows("weight", () => LayerNormKernels.Backward<F17Affine>(new float[F + 1], x, s, y, g, g, x, Rows, 1));
        AssertThrows("x", () => LayerNormKernels.Backward<F17Affine>(w, new float[F], s, y, g, g, new float[Rows * F], Rows, 1));
        AssertThrows("statistics", () => LayerNormKernels.Backward<F17Affine>(w, x, new float[1], y, g, g, new float[Rows * F], Rows, 1));
        AssertThrows("dy", () => LayerNormKernels.Backward<F17Affine>(w, x, s, new float[1], g, g, new float[Rows * F], Rows, 1));
        AssertThrows("dWeight", () => LayerNormKernels.Backward<F17Affine>(w, x, s, y, new float[2], g, new float[Rows * F], Rows, 1));
        AssertThrows("dBias", () => LayerNormKernels.Backward<F17Affine>(w, x, s, y, g, new float[2], new float[Rows * F], Rows, 1));
        AssertThrows("dx", () => LayerNormKernels.Backward<F17Affine>(w, x, s, y, g, g, new float[5], Rows, 1));
        AssertThrows("dWeight", () => LayerNormKernels.Backward<F64Plain>([], new float[64], new float[2], new float[64], new float[64], [], new float[64], 1, 1));
    }

    internal static void AssertThrows(string parameter, Action action)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains("Expected", e.Message, StringComparison.Ordinal);
    }

    private static float[] LossTestDataNormal(int count, double scale, int seed) => NetGen.Tests.Losses.LossTestData.Normal(count, scale, seed);

    private static float[] Filled(int length, float value)
    {
        var a = new float[length];
        a.AsSpan().Fill(value);
        return a;
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary><c>|a − b| ≤ tolerance · max|b|</c> over the tensor (plus 1e-12 for an all-zero one).</summary>
    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        double allowed = (tolerance * scale) + 1e-12;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= allowed, $"{what}[{i}]: {actual[i]:R}, PyTorch {expected[i]:R}, error {error:E2} > {allowed:E2}");
        }
    }
}
