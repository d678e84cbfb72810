using System;
using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// Batch normalization's kernels, called by generated code. A batch is laid out <c>[N, C, S]</c>: N samples, C
/// channels, S positions per channel (1 after a dense layer, L for a sequence, H·W for an image); channel c's
/// statistics are taken over its N·S values. Sums run in double, as PyTorch's CPU kernels accumulate.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchNorm
{
    /// <summary>
    /// Inference: <c>y = γ (x − running_mean) / √(running_var + ε) + β</c> per channel, computed as
    /// <c>y = x · a + b</c> with <c>a = γ / √(running_var + ε)</c>, <c>b = β − running_mean · a</c>.
    /// </summary>
    public static void Forward(
        ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, int channels, int spatial, float epsilon)
    {
        int samples = Samples(x, y, channels, spatial);
        CheckChannels(channels, weight.Length, bias.Length, runningMean.Length, runningVar.Length);
        for (int c = 0; c < channels; c++)
        {
            double invStd = 1.0 / Math.Sqrt((double)runningVar[c] + epsilon);
            float a = (float)(weight[c] * invStd);
            float b = (float)(bias[c] - (runningMean[c] * invStd * weight[c]));
            for (int n = 0; n < samples; n++)
            {
                int start = ((n * channels) + c) * spatial;
                for (int s = start; s < start + spatial; s++)
                {
                    y[s] = (x[s] * a) + b;
                }
            }
        }
    }

    /// <summary>
    /// Training: normalizes with the batch's mean μ and biased variance σ², <c>y = γ x̂ + β</c> with
    /// <c>x̂ = (x − μ) / √(σ² + ε)</c>; keeps μ and <c>1/√(σ² + ε)</c> in <paramref name="statistics"/> (2C floats)
    /// for backward; and moves the running statistics: <c>running_mean = (1 − m) running_mean + m μ</c>,
    /// <c>running_var = (1 − m) running_var + m σ² N/(N − 1)</c> (the unbiased variance), and counts the batch in
    /// <paramref name="batchesTracked"/>. With one value per channel (N·S = 1) the variance cannot be estimated:
    /// PyTorch refuses such a batch; here the output is β and the running statistics are left as they are.
    /// </summary>
    public static void ForwardTraining(
        ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> statistics, Span<float> runningMean, Span<float> runningVar, Span<float> batchesTracked,
        int channels, int spatial, float momentum, float epsilon)
    {
        int samples = Samples(x, y, channels, spatial);
        CheckChannels(channels, weight.Length, bias.Length, runningMean.Length, runningVar.Length);
        CheckStatistics(channels, statistics.Length);
        if (batchesTracked.Length != 1)
        {
            throw new ArgumentException($"Expected 1 float for the batch count, got {batchesTracked.Length}.", nameof(batchesTracked));
        }

        long count = (long)samples * spatial;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int n = 0; n < samples; n++)
            {
                int start = ((n * channels) + c) * spatial;
                for (int s = start; s < start + spatial; s++)
                {
                    sum += x[s];
                }
            }

            double mean = sum / count;
            double squares = 0;
            for (int n = 0; n < samples; n++)
            {
                int start = ((n * channels) + c) * spatial;
                for (int s = start; s < start + spatial; s++)
                {
                    double d = x[s] - mean;
                    squares += d * d;
                }
            }

            double variance = squares / count;
            float meanF = (float)mean;
            float invStd = (float)(1.0 / Math.Sqrt(variance + epsilon));
            statistics[c] = meanF;
            statistics[channels + c] = invStd;
            float gamma = weight[c], beta = bias[c];
            for (int n = 0; n < samples; n++)
            {
                int start = ((n * channels) + c) * spatial;
                for (int s = start; s < start + spatial; s++)
                {
                    y[s] = ((x[s] - meanF) * invStd * gamma) + beta;
                }
            }

            if (count > 1)
            {
                double unbiased = squares / (count - 1);
                runningMean[c] = (float)(((1.0 - momentum) * runningMean[c]) + (momentum * mean));
                runningVar[c] = (float)(((1.0 - momentum) * runningVar[c]) + (momentum * unbiased));
            }
        }

        if (count > 1)
        {
            batchesTracked[0] += 1f;
        }
    }

    /// <summary>
    /// Backward through the batch statistics, per channel over its N·S values, with x̂ recomputed from
    /// <paramref name="x"/> and the kept μ and <c>1/σ</c>: <c>dγ += Σ dy x̂</c>, <c>dβ += Σ dy</c>, and in place
    /// <c>dx = γ/σ (dy − mean(dy) − x̂ mean(dy x̂))</c>.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> x, Span<float> gradient, ReadOnlySpan<float> weight, Span<float> weightGradient, Span<float> biasGradient,
        ReadOnlySpan<float> statistics, int channels, int spatial)
    {
        int samples = Samples(x, gradient, channels, spatial);
        CheckChannels(channels, weight.Length, weightGradient.Length, biasGradient.Length, channels);
        CheckStatistics(channels, statistics.Length);
        long count = (long)samples * spatial;
        for (int c = 0; c < channels; c++)
        {
            float mean = statistics[c], invStd = statistics[channels + c];
            double sumDy = 0, sumDyXhat = 0;
            for (int n = 0; n < samples; n++)
            {
                int start = ((n * channels) + c) * spatial;
                for (int s = start; s < start + spatial; s++)
                {
                    float xhat = (x[s] - mean) * invStd;
                    sumDy += gradient[s];
                    sumDyXhat += (double)gradient[s] * xhat;
                }
            }

            weightGradient[c] += (float)sumDyXhat;
            biasGradient[c] += (float)sumDy;
            float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count);
            float scale = weight[c] * invStd;
            for (int n = 0; n < samples; n++)
            {
                int start = ((n * channels) + c) * spatial;
                for (int s = start; s < start + spatial; s++)
                {
                    float xhat = (x[s] - mean) * invStd;
                    gradient[s] = scale * (gradient[s] - meanDy - (xhat * meanDyXhat));
                }
            }
        }
    }

    private static int Samples(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int channels, int spatial)
    {
        int perSample = channels * spatial;
        if (channels <= 0 || spatial <= 0 || x.Length == 0 || x.Length % perSample != 0 || y.Length != x.Length)
        {
            throw new ArgumentException($"Expected whole samples of {channels} channels × {spatial} positions in both spans, got {x.Length} and {y.Length} floats.", nameof(x));
        }

        return x.Length / perSample;
    }

    private static void CheckChannels(int channels, int a, int b, int c, int d)
    {
        if (a != channels || b != channels || c != channels || d != channels)
        {
            throw new ArgumentException($"Expected {channels} floats per channel tensor, got {a}, {b}, {c} and {d}.", nameof(channels));
        }
    }

    private static void CheckStatistics(int channels, int length)
    {
        if (length != 2 * channels)
        {
            throw new ArgumentException($"Expected {2 * channels} floats of batch statistics (mean and 1/σ per channel), got {length}.", "statistics");
        }
    }
}
