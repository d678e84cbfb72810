using System;
using Xunit;

namespace NetGen.Tests.Losses;

/// <summary>
/// Central differences against the analytic gradient. The loss is returned as a float, so each difference
/// carries that rounding: <c>|fd - g| ≤ 1e-3 · max(|fd|, |g|) + ulp(L) / h</c>, the last term being the
/// float noise of the difference itself. None of these losses has a kink, so any input is smooth.
/// </summary>
public sealed class LossGradientCheckTests
{
    private const int Classes = LossTestData.Classes;

    [Theory]
    [InlineData(1, 1e-2)]
    [InlineData(4, 1e-2)]
    [InlineData(5, 3e-3)]
    public void Softmax_cross_entropy_gradient_matches_central_differences(int batch, double h)
    {
        float[] logits = LossTestData.Normal(batch * Classes, 2, seed: 10 + batch);
        float[] labels = LossTestData.Labels(batch, Classes, seed: 20 + batch);
        CheckGradient(Loss.SoftmaxCrossEntropy, logits, labels, batch, h);
    }

    [Theory]
    [InlineData(1, 1e-2)]
    [InlineData(3, 1e-2)]
    [InlineData(4, 1e-3)]
    public void Mean_squared_error_gradient_matches_central_differences(int batch, double h)
    {
        float[] outputs = LossTestData.Normal(batch * Classes, 1, seed: 30 + batch);
        float[] targets = LossTestData.Normal(batch * Classes, 1, seed: 40 + batch);
        CheckGradient(Loss.MeanSquaredError, outputs, targets, batch, h);
    }

    [Theory]
    [InlineData(1, 1e-2, false)]
    [InlineData(3, 1e-2, true)]
    [InlineData(4, 3e-3, true)]
    public void Binary_cross_entropy_gradient_matches_central_differences(int batch, double h, bool fractionalTargets)
    {
        float[] logits = LossTestData.Normal(batch * Classes, 2, seed: 50 + batch);
        float[] targets = LossTestData.Uniform(batch * Classes, seed: 60 + batch);
        if (!fractionalTargets)
        {
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = targets[i] < 0.5f ? 0 : 1;
            }
        }

        CheckGradient(Loss.BinaryCrossEntropy, logits, targets, batch, h);
    }

    private static void CheckGradient(Loss loss, float[] outputs, float[] targets, int batch, double h)
    {
        var grad = new float[outputs.Length];
        float value = loss.Compute(outputs, targets, grad, batch);
        double noise = UlpOf(value) / h;
        var x = (float[])outputs.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            float original = x[i];
            float plus = (float)(original + h);
            float minus = (float)(original - h);
            x[i] = plus;
            double lossPlus = loss.Compute(x, targets, default, batch);
            x[i] = minus;
            double lossMinus = loss.Compute(x, targets, default, batch);
            x[i] = original;

            // Divide by the step actually taken, which float rounding may have changed.
            double fd = (lossPlus - lossMinus) / ((double)plus - minus);
            double error = Math.Abs(fd - grad[i]);
            double allowed = 1e-3 * Math.Max(Math.Abs(fd), Math.Abs(grad[i])) + noise;
            Assert.True(error <= allowed, $"{loss.GetType().Name} output [{i}]: analytic {grad[i]:R}, central difference {fd:R}, error {error:E2} > {allowed:E2}.");
        }
    }

    private static double UlpOf(float value) => MathF.BitIncrement(MathF.Abs(value)) - MathF.Abs(value);
}
