using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Parity;

#pragma warning disable NG0110 // several inputs leave a row or column to no window, on purpose
/// <summary>2×2/2 with rows of 14 outputs: a full 8-lane step and an overlapping last one; drops a row and a column.</summary>
[Network]
[Input(3, 9, 29)]
[MaxPool2D(2)]
public partial class MaxPoolRowsOf14;

/// <summary>2×2/2 with rows of 5 outputs (LeNet's second pooling): too short for 8 lanes, two overlapping 4-lane steps.</summary>
[Network]
[Input(2, 10, 11)]
[MaxPool2D(2)]
public partial class MaxPoolRowsOf5;

/// <summary>2×2/2 with rows of 16 outputs: whole vectors only.</summary>
[Network]
[Input(2, 4, 32)]
[MaxPool2D(2)]
public partial class MaxPoolRowsOf16;

/// <summary>2×2/2 with a single row of 8 outputs (one 8-lane step, no row loop).</summary>
[Network]
[Input(1, 3, 17)]
[MaxPool2D(2)]
public partial class MaxPoolOneRow;

/// <summary>2×2/2 with rows of 3 outputs: shorter than any vector, so scalar at every width.</summary>
[Network]
[Input(2, 6, 7)]
[MaxPool2D(2)]
public partial class MaxPoolRowsOf3;

/// <summary>3×2 windows, stride 3×2: the two-column vector path with three rows of taps.</summary>
[Network]
[Input(2, 10, 21)]
[MaxPool2D(3, 2)]
public partial class MaxPoolTallPairs;

/// <summary>3×3 windows at stride 2: overlapping, so an input can win for two windows.</summary>
[Network]
[Input(2, 9, 11)]
[MaxPool2D(3, Stride = 2)]
public partial class MaxPool3Stride2;

/// <summary>3×3 windows side by side.</summary>
[Network]
[Input(2, 9, 10)]
[MaxPool2D(3)]
public partial class MaxPool3;

/// <summary>4×4 windows: 16 taps, more than the scalar path writes out, so it loops.</summary>
[Network]
[Input(1, 9, 13)]
[MaxPool2D(4)]
public partial class MaxPool4;

/// <summary>1-D, window 2 stride 2, 10 outputs per channel.</summary>
[Network]
[Input(3, 21)]
[MaxPool1D(2)]
public partial class MaxPool1DPairs;

/// <summary>1-D, window 2 stride 2, 5 outputs per channel.</summary>
[Network]
[Input(2, 11)]
[MaxPool1D(2)]
public partial class MaxPool1DPairsShort;

/// <summary>1-D, window 3 stride 2 (overlapping).</summary>
[Network]
[Input(2, 14)]
[MaxPool1D(3, Stride = 2)]
public partial class MaxPool1D3Stride2;
#pragma warning restore NG0110

/// <summary>
/// Max pooling against a scalar reference written here as PyTorch's CPU kernel is written: a loop over the window's
/// taps in row-major order in which a tap takes over when <c>v &gt; best || isnan(v)</c>, starting from -∞ at the first
/// tap. So the value is the maximum (the first of equal ones, down to the sign of a zero), NaN in a window with a NaN,
/// and the gradient goes to the first maximum, or to the last NaN. Each network is one pooling layer, so Forward gives
/// the values and Backward after ForwardTraining the routing; the data are full of ties, NaN, -∞, negative values and
/// zeros of both signs. The same tests run at every vector width (NETGEN_MAX_VECTOR_BITS=128 and 0 in CI).
/// </summary>
public sealed class MaxPoolSemanticsTests
{
    private const int Batch = 2;

    /// <summary>Each network with its pooling geometry: input [C, H, W], window kh×kw, stride sh×sw (1-D: H = kh = sh = 1).</summary>
    private static readonly Dictionary<string, (Func<INetwork> Create, int C, int H, int W, int Kh, int Kw, int Sh, int Sw)> Networks = new()
    {
        ["MaxPoolRowsOf14"] = (() => new MaxPoolRowsOf14(seed: 1), 3, 9, 29, 2, 2, 2, 2),
        ["MaxPoolRowsOf5"] = (() => new MaxPoolRowsOf5(seed: 1), 2, 10, 11, 2, 2, 2, 2),
        ["MaxPoolRowsOf16"] = (() => new MaxPoolRowsOf16(seed: 1), 2, 4, 32, 2, 2, 2, 2),
        ["MaxPoolOneRow"] = (() => new MaxPoolOneRow(seed: 1), 1, 3, 17, 2, 2, 2, 2),
        ["MaxPoolRowsOf3"] = (() => new MaxPoolRowsOf3(seed: 1), 2, 6, 7, 2, 2, 2, 2),
        ["MaxPoolTallPairs"] = (() => new MaxPoolTallPairs(seed: 1), 2, 10, 21, 3, 2, 3, 2),
        ["MaxPool3Stride2"] = (() => new MaxPool3Stride2(seed: 1), 2, 9, 11, 3, 3, 2, 2),
        ["MaxPool3"] = (() => new MaxPool3(seed: 1), 2, 9, 10, 3, 3, 3, 3),
        ["MaxPool4"] = (() => new MaxPool4(seed: 1), 1, 9, 13, 4, 4, 4, 4),
        ["MaxPool1DPairs"] = (() => new MaxPool1DPairs(seed: 1), 3, 1, 21, 1, 2, 1, 2),
        ["MaxPool1DPairsShort"] = (() => new MaxPool1DPairsShort(seed: 1), 2, 1, 11, 1, 2, 1, 2),
        ["MaxPool1D3Stride2"] = (() => new MaxPool1D3Stride2(seed: 1), 2, 1, 14, 1, 3, 1, 2),
    };

    /// <summary>Input patterns: each draws from a small set, so windows tie often.</summary>
    private static readonly Dictionary<string, Func<Random, float>> Patterns = new()
    {
        ["mixed"] = r => Pick(r, -3f, -1f, -1f, 0f, 2f, 2f, 2f, 5f, float.NegativeInfinity, float.NaN),
        ["all equal"] = _ => 1.5f,
        ["negative"] = r => Pick(r, -9f, -4f, -4f, -2.5f),
        ["many NaN"] = r => Pick(r, float.NaN, float.NaN, 1f, 1f, -2f),
        ["all NaN"] = _ => float.NaN,
        ["signed zeros"] = r => Pick(r, 0f, -0f, -0f, -1f),
        ["mostly -inf"] = r => Pick(r, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, -1f),
        ["all -inf"] = _ => float.NegativeInfinity,
    };

    public static IEnumerable<object[]> Cases()
        => from network in Networks.Keys from pattern in Patterns.Keys select new object[] { network, pattern };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_and_gradient_routing_match_the_reference(string network, string pattern)
    {
        var n = Networks[network];
        INetwork net = n.Create();
        int ho = (n.H - n.Kh) / n.Sh + 1, wo = (n.W - n.Kw) / n.Sw + 1;
        Assert.Equal(n.C * n.H * n.W, net.InputLength);
        Assert.Equal(n.C * ho * wo, net.OutputLength);

        var random = new Random(network.Length * 31 + pattern.Length);
        float[] x = Enumerable.Range(0, Batch * net.InputLength).Select(_ => Patterns[pattern](random)).ToArray();
        var expected = new float[Batch * net.OutputLength];
        var expectedDx = new float[x.Length];

        // dL/dy: distinct small integers, so each input's summed gradient is exact and says which windows it won
        float[] dy = Enumerable.Range(1, expected.Length).Select(v => (float)v).ToArray();
        for (int s = 0; s < Batch; s++)
        {
            for (int c = 0; c < n.C; c++)
            {
                for (int i = 0; i < ho; i++)
                {
                    for (int j = 0; j < wo; j++)
                    {
                        // PyTorch's loop: maxval = -inf, maxindex = the first tap; a tap takes over when val > maxval or val is NaN
                        int first = s * net.InputLength + c * n.H * n.W + i * n.Sh * n.W + j * n.Sw;
                        float best = float.NegativeInfinity;
                        int winner = first;
                        for (int p = 0; p < n.Kh; p++)
                        {
                            for (int q = 0; q < n.Kw; q++)
                            {
                                float v = x[first + p * n.W + q];
                                if (v > best || float.IsNaN(v))
                                {
                                    best = v;
                                    winner = first + p * n.W + q;
                                }
                            }
                        }

                        int o = s * net.OutputLength + (c * ho + i) * wo + j;
                        expected[o] = best;
                        expectedDx[winner] += dy[o];
                    }
                }
            }
        }

        Workspace workspace = net.CreateWorkspace(Batch);
        var y = new float[expected.Length];
        net.Forward(x, y, workspace);
        AssertSame(expected, y, $"{network}, {pattern}: forward");

        var yTraining = new float[expected.Length];
        var dx = new float[x.Length];
        net.ForwardTraining(x, yTraining, workspace);
        Assert.Equal(Bits(y), Bits(yTraining)); // inference and training give the same bits, NaN included
        net.Backward(x, dy, dx, workspace);
        AssertSame(expectedDx, dx, $"{network}, {pattern}: dx");
    }

    /// <summary>
    /// Inference writes the pooled values and nothing else; training also writes the winners. Counted as the floats of
    /// the workspace a forward changes from a fill that no value or winner index can equal (a NaN).
    /// </summary>
    [Theory]
    [InlineData("MaxPoolRowsOf14")]
    [InlineData("MaxPoolRowsOf3")]
    [InlineData("MaxPool3Stride2")]
    [InlineData("MaxPool1DPairs")]
    public void Inference_writes_no_winners(string network)
    {
        INetwork net = Networks[network].Create();
        float[] x = Enumerable.Range(0, Batch * net.InputLength).Select(v => (float)v * 0.5f - 100f).ToArray();
        var y = new float[Batch * net.OutputLength];
        Workspace workspace = net.CreateWorkspace(Batch);
        float fill = BitConverter.Int32BitsToSingle(0x7FC0_1234);

        workspace.Buffer.Fill(fill);
        net.Forward(x, y, workspace);
        Assert.Equal(y.Length, Changed(workspace.Buffer, fill));

        workspace.Buffer.Fill(fill);
        net.ForwardTraining(x, y, workspace);
        Assert.Equal(2 * y.Length, Changed(workspace.Buffer, fill));
    }

    private static int Changed(Span<float> buffer, float fill)
    {
        int count = 0;
        foreach (float v in buffer)
        {
            count += BitConverter.SingleToInt32Bits(v) != BitConverter.SingleToInt32Bits(fill) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Equal bits, zeros' signs included; any NaN matches any NaN.</summary>
    private static void AssertSame(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = float.IsNaN(expected[i])
                ? float.IsNaN(actual[i])
                : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, $"{what}[{i}]: expected {Show(expected[i])}, got {Show(actual[i])}");
        }
    }

    private static string Show(float v) => v == 0f && float.IsNegative(v) ? "-0" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static float Pick(Random random, params float[] values) => values[random.Next(values.Length)];
}
