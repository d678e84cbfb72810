using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace NetGen.Tests.Losses;

/// <summary>
/// Values and gradients against PyTorch 1.13 (Reference/losses_reference.py writes Reference/losses.json:
/// float32 inputs, PyTorch's answer evaluated in float64 and checked there against PyTorch's float32 answer).
/// </summary>
public sealed class LossReferenceTests
{
    /// <summary>Relative tolerance, with an absolute floor for values that are 0 to float precision (e^-100 and the like).</summary>
    private const double Relative = 1e-5;
    private const double AbsoluteFloor = 1e-12;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "losses.json"))));

    public static IEnumerable<object[]> Cases()
    {
        foreach (string loss in new[] { "softmax_cross_entropy", "mean_squared_error", "binary_cross_entropy" })
        {
            foreach (JsonElement c in Reference.Value.RootElement.GetProperty(loss).EnumerateArray())
            {
                yield return new object[] { loss, c.GetProperty("name").GetString()! };
            }
        }
    }

    [Fact]
    public void Reference_file_covers_every_loss_and_the_large_logit_cases()
    {
        List<object[]> cases = Cases().ToList();
        Assert.Equal(8, cases.Count);
        Assert.Contains(cases, c => (string)c[0] == "softmax_cross_entropy" && (string)c[1] == "large_logits");
        Assert.Contains(cases, c => (string)c[0] == "binary_cross_entropy" && (string)c[1] == "large_logits");
        Assert.Contains(cases, c => (string)c[0] == "binary_cross_entropy" && (string)c[1] == "fractional_targets");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_gradient_match_PyTorch(string lossName, string caseName)
    {
        JsonElement c = Reference.Value.RootElement.GetProperty(lossName).EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == caseName);
        Loss loss = lossName switch
        {
            "softmax_cross_entropy" => Loss.SoftmaxCrossEntropy,
            "mean_squared_error" => Loss.MeanSquaredError,
            _ => Loss.BinaryCrossEntropy,
        };
        int batch = c.GetProperty("batch").GetInt32();
        float[] outputs = Floats(c.GetProperty("outputs"));
        float[] targets = Floats(c.GetProperty("targets"));
        double expectedLoss = c.GetProperty("loss").GetDouble();
        double[] expectedGrad = c.GetProperty("grad").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        var grad = new float[outputs.Length];
        float value = loss.Compute(outputs, targets, grad, batch);
        AssertClose(expectedLoss, value, $"{lossName}/{caseName} loss");
        for (int i = 0; i < grad.Length; i++)
        {
            AssertClose(expectedGrad[i], grad[i], $"{lossName}/{caseName} gradient [{i}]");
        }

        // Without a gradient span: the same value, computed the same way.
        Assert.Equal(value, loss.Compute(outputs, targets, default, batch));
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static void AssertClose(double expected, float actual, string what)
    {
        double error = Math.Abs(actual - expected);
        Assert.True(
            error <= Relative * Math.Abs(expected) + AbsoluteFloor,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {error / Math.Abs(expected):E2}).");
    }
}

/// <summary>Confident predictions keep their tiny loss and gradient rather than rounding them to 0 (as 1 - p would).</summary>
public sealed class LossPrecisionTests
{
    [Fact]
    public void Softmax_cross_entropy_of_a_confident_right_sample()
    {
        float[] logits = { 30, 0, 0, 0, 0, 0, 0 };
        var grad = new float[7];
        float loss = Loss.SoftmaxCrossEntropy.Compute(logits, new float[] { 0 }, grad, 1);
        double rest = 6 * Math.Exp(-30);                       // Σ_{i≠y} e^(z_i - z_y)
        Assert.Equal(rest, loss, rest * 1e-6);                 // log1p(rest) = rest to 1e-13
        Assert.Equal(-rest / (1 + rest), grad[0], rest * 1e-6);
        Assert.Equal(Math.Exp(-30) / (1 + rest), grad[1], Math.Exp(-30) * 1e-6);
    }

    [Fact]
    public void Binary_cross_entropy_of_confident_right_logits()
    {
        var grad = new float[2];
        float loss = Loss.BinaryCrossEntropy.Compute(new float[] { 30, -30 }, new float[] { 1, 0 }, grad, 1);
        double e = Math.Exp(-30);
        Assert.Equal(e, loss, e * 1e-6);
        Assert.Equal(-e / (1 + e) / 2, grad[0], e * 1e-6);
        Assert.Equal(e / (1 + e) / 2, grad[1], e * 1e-6);
    }
}
