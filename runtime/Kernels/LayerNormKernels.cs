using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// Layer normalization's kernels (PyTorch's <c>nn.LayerNorm(F, eps, elementwise_affine)</c> over the last axis), written once
/// for every layer and every vector width: each row of <c>x: [rows, F]</c> is normalized by its own mean μ and biased
/// variance σ², <c>x̂ = (x − μ) / √(σ² + ε)</c>, <c>y = γ ⊙ x̂ + β</c> (γ, β only when affine). The layer comes in as a
/// struct type argument (<see cref="ILayerNormLayer"/>), the width as another (<see cref="FloatLanes.ILanes{TSelf}"/>),
/// picked once per call from <see cref="Simd"/>; the scalar path (<c>NETGEN_MAX_VECTOR_BITS=0</c>) is the textbook loop.
/// </summary>
/// <remarks>
/// <para>
/// <b>Statistics.</b> Each row takes two passes over its values and never <c>E[x²] − μ²</c> (which has no digit left for
/// x = 1000 + N(0, 1) in float): the first sums x to the float mean μ; the second sums the deviations <c>d = x − μ</c> and
/// their squares, which gives the mean's remainder <c>c = Σd / F</c> (the part of the true mean that the float μ misses,
/// up to about half an ulp of μ) and <c>σ² = Σd² / F − c²</c>, the mean of <c>(x − μ − c)²</c> exactly (the corrected
/// two-pass algorithm of Chan, Golub and LeVeque), clamped at 0. Then <c>rstd = 1 / √(σ² + ε)</c> and
/// <c>x̂ = ((x − μ) − c) · rstd</c>. Taking c into x̂ keeps y accurate to float rounding even when the offset dwarfs the
/// spread (where a float μ alone would shift every x̂ by up to half an ulp of μ times rstd: PyTorch's own float32 kernel
/// is off by 3e-5 relative on such rows). <c>statistics[r] = (μ, rstd)</c> keeps the float μ of the first pass; backward
/// recomputes c from it with the same code, so it sees the bits of x̂ that forward used.
/// </para>
/// <para>
/// <b>Backward</b>, with <c>ĝ = dy ⊙ γ</c> (dy when not affine): <c>dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂))</c>, written,
/// and <c>dγ += Σ_rows dy ⊙ x̂</c>, <c>dβ += Σ_rows dy</c>, added.
/// </para>
/// <para>
/// <b>One order per output.</b> Every row's sums run in one fixed order (lanes along the features, then the lane sum, then
/// the scalar tail), whatever thread computes the row, so a row gets the same bits in any batch and alone. Threads split
/// rows (only when <c>rows · F ≥ </c><see cref="MinFloatsForThreads"/>); dx is per row, so threads change nothing there.
/// dγ and dβ are sums over the rows: they are taken on the calling thread in one pass over the rows in order, after the
/// threaded dx pass (or fused with it on one thread: the same operations per element, so the same bits), so their order
/// never depends on the thread count. That pass reads x and dy once more; it is the only serial part.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LayerNormKernels
{
    /// <summary>
    /// The smallest batch (<c>rows · F</c> floats) a kernel splits across threads: about 2^16 floats, a few tens of µs of
    /// work on one core, enough to pay for handing a part to a worker.
    /// </summary>
    public const int MinFloatsForThreads = 1 << 16;

    /// <summary>
    /// <c>y[r] = γ ⊙ x̂[r] + β</c> (<c>x̂[r]</c> when not affine) for each of <paramref name="rows"/> rows:
    /// <paramref name="x"/> and <paramref name="y"/> are <c>[rows, F]</c> (distinct spans), <paramref name="weight"/> γ and
    /// <paramref name="bias"/> β are <c>[F]</c> (both empty when not affine), <paramref name="statistics"/> <c>[rows, 2]</c>
    /// receives each row's (μ, rstd) for <see cref="Backward{TLayer}"/>. With <paramref name="threads"/> &gt; 1 a batch of
    /// at least <see cref="MinFloatsForThreads"/> floats is split across threads by rows (the same bits as one thread).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the layer and <paramref name="rows"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Span<float> statistics, int rows, int threads)
        where TLayer : struct, ILayerNormLayer
    {
        long length = Length<TLayer>(rows);
        CheckParameter<TLayer>(weight.Length, nameof(weight));
        CheckParameter<TLayer>(bias.Length, nameof(bias));
        Check(length, x.Length, nameof(x));
        Check(length, y.Length, nameof(y));
        Check(2L * rows, statistics.Length, nameof(statistics));
        if (threads > 1 && rows > 1 && length >= MinFloatsForThreads)
        {
            KernelThreads.For(threads, rows, 1, new KernelSpans(weight, bias, x, y, statistics),
                static (in KernelSpans s, int start, int end) => ForwardRows<TLayer>(s.In0, s.In1, s.In2, s.Out0, s.Out1, start, end));
        }
        else
        {
            ForwardRows<TLayer>(weight, bias, x, y, statistics, 0, rows);
        }
    }

    /// <summary>
    /// The gradients of <see cref="Forward{TLayer}"/> from <paramref name="dy"/> <c>[rows, F]</c>, with the same
    /// <paramref name="weight"/>, <paramref name="x"/> and the <paramref name="statistics"/> forward left:
    /// <paramref name="dWeight"/> <c>+= Σ_rows dy ⊙ x̂</c> and <paramref name="dBias"/> <c>+= Σ_rows dy</c> (added; both empty
    /// when not affine), and <paramref name="dx"/> <c>= rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂))</c>, <c>ĝ = dy ⊙ γ</c>
    /// (written, not added; distinct from <paramref name="dy"/>; empty when the caller does not want it, and then skipped).
    /// With <paramref name="threads"/> &gt; 1 a large batch's dx is split across threads by rows; dγ and dβ are summed
    /// over the rows in order on the calling thread (the same bits as one thread).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the layer and <paramref name="rows"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> x, ReadOnlySpan<float> statistics, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, Span<float> dx, int rows, int threads)
        where TLayer : struct, ILayerNormLayer
    {
        long length = Length<TLayer>(rows);
        CheckParameter<TLayer>(weight.Length, nameof(weight));
        Check(length, x.Length, nameof(x));
        Check(2L * rows, statistics.Length, nameof(statistics));
        Check(length, dy.Length, nameof(dy));
        CheckParameter<TLayer>(dWeight.Length, nameof(dWeight));
        CheckParameter<TLayer>(dBias.Length, nameof(dBias));
        if (!dx.IsEmpty)
        {
            Check(length, dx.Length, nameof(dx));
        }

        if (threads > 1 && rows > 1 && length >= MinFloatsForThreads && !dx.IsEmpty)
        {
            // Four read-only operands: γ rides in the second writable slot, which the body only reads.
            Span<float> gamma = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(weight), weight.Length);
            KernelThreads.For(threads, rows, 1, new KernelSpans(x, statistics, dy, dx, gamma),
                static (in KernelSpans s, int start, int end) => BackwardRows<TLayer>(s.Out1, s.In0, s.In1, s.In2, default, default, s.Out0, start, end));
            if (TLayer.Affine)
            {
                BackwardRows<TLayer>(weight, x, statistics, dy, dWeight, dBias, default, 0, rows);
            }
        }
        else
        {
            BackwardRows<TLayer>(weight, x, statistics, dy, dWeight, dBias, dx, 0, rows);
        }
    }

    /// <summary>Rows <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="Forward{TLayer}"/>, at the widest width the process runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Span<float> statistics, int start, int end)
        where TLayer : struct, ILayerNormLayer
    {
        if (Simd.Use512)
        {
            ForwardRows<TLayer, V512>(weight, bias, x, y, statistics, start, end);
        }
        else if (Simd.Use256)
        {
            ForwardRows<TLayer, V256>(weight, bias, x, y, statistics, start, end);
        }
        else if (Simd.Use128)
        {
            ForwardRows<TLayer, V128>(weight, bias, x, y, statistics, start, end);
        }
        else
        {
            ForwardTextbook<TLayer>(weight, bias, x, y, statistics, start, end);
        }
    }

    /// <summary>
    /// Rows <paramref name="start"/> .. <paramref name="end"/> - 1 of <see cref="Backward{TLayer}"/>, at the widest width:
    /// dx when <paramref name="dx"/> is not empty, dγ and dβ when the layer is affine and <paramref name="dWeight"/> is not
    /// empty (then only ever over all rows, in order, on one thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> x, ReadOnlySpan<float> statistics, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, Span<float> dx, int start, int end)
        where TLayer : struct, ILayerNormLayer
    {
        if (Simd.Use512)
        {
            BackwardRows<TLayer, V512>(weight, x, statistics, dy, dWeight, dBias, dx, start, end);
        }
        else if (Simd.Use256)
        {
            BackwardRows<TLayer, V256>(weight, x, statistics, dy, dWeight, dBias, dx, start, end);
        }
        else if (Simd.Use128)
        {
            BackwardRows<TLayer, V128>(weight, x, statistics, dy, dWeight, dBias, dx, start, end);
        }
        else
        {
            BackwardTextbook<TLayer>(weight, x, statistics, dy, dWeight, dBias, dx, start, end);
        }
    }

    /// <summary>
    /// The scalar path of <see cref="Forward{TLayer}"/>, one element at a time: <c>μ = Σx / F</c>; <c>d = x − μ</c>,
    /// <c>c = Σd / F</c>, <c>σ² = max(Σd² / F − c², 0)</c>; <c>rstd = 1 / √(σ² + ε)</c>; <c>x̂ = (d − c) · rstd</c>;
    /// <c>y = x̂ · γ + β</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTextbook<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Span<float> statistics, int start, int end)
        where TLayer : struct, ILayerNormLayer
    {
        int f = TLayer.Features;
        for (int r = start; r < end; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * f, f);
            Span<float> yr = y.Slice(r * f, f);
            float mean = MeanTextbook<TLayer>(xr);
            float remainder = RemainderTextbook<TLayer>(xr, mean, out float rstd);
            statistics[2 * r] = mean;
            statistics[(2 * r) + 1] = rstd;
            for (int j = 0; j < f; j++)
            {
                float xhat = (xr[j] - mean - remainder) * rstd;
                yr[j] = TLayer.Affine ? (xhat * weight[j]) + bias[j] : xhat;
            }
        }
    }

    /// <summary>
    /// The scalar path of <see cref="Backward{TLayer}"/>: per row, c again (as forward took it), then
    /// <c>mean(ĝ)</c>, <c>mean(ĝ x̂)</c> and <c>dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)) · rstd</c>, then <c>dγ += dy x̂</c>,
    /// <c>dβ += dy</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardTextbook<TLayer>(ReadOnlySpan<float> weight, ReadOnlySpan<float> x, ReadOnlySpan<float> statistics, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, Span<float> dx, int start, int end)
        where TLayer : struct, ILayerNormLayer
    {
        int f = TLayer.Features;
        bool inputs = !dx.IsEmpty, parameters = TLayer.Affine && !dWeight.IsEmpty;
        for (int r = start; r < end; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * f, f), dyr = dy.Slice(r * f, f);
            float mean = statistics[2 * r], rstd = statistics[(2 * r) + 1];
            float remainder = RemainderTextbook<TLayer>(xr, mean, out _);
            if (inputs)
            {
                float sumG = 0f, sumGX = 0f;
                for (int j = 0; j < f; j++)
                {
                    float xhat = (xr[j] - mean - remainder) * rstd;
                    float g = TLayer.Affine ? dyr[j] * weight[j] : dyr[j];
                    sumG += g;
                    sumGX += g * xhat;
                }

                float meanG = sumG / f, meanGX = sumGX / f;
                Span<float> dxr = dx.Slice(r * f, f);
                for (int j = 0; j < f; j++)
                {
                    float xhat = (xr[j] - mean - remainder) * rstd;
                    float g = TLayer.Affine ? dyr[j] * weight[j] : dyr[j];
                    dxr[j] = (g - meanG - (xhat * meanGX)) * rstd;
                }
            }

            if (parameters)
            {
                for (int j = 0; j < f; j++)
                {
                    float xhat = (xr[j] - mean - remainder) * rstd;
                    dWeight[j] += dyr[j] * xhat;
                    dBias[j] += dyr[j];
                }
            }
        }
    }

    /// <summary>The float mean of one row, summed in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MeanTextbook<TLayer>(ReadOnlySpan<float> xr)
        where TLayer : struct, ILayerNormLayer
    {
        float sum = 0f;
        for (int j = 0; j < TLayer.Features; j++)
        {
            sum += xr[j];
        }

        return sum / TLayer.Features;
    }

    /// <summary>The second pass of one row: the mean's remainder c, and rstd from the variance it gives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RemainderTextbook<TLayer>(ReadOnlySpan<float> xr, float mean, out float rstd)
        where TLayer : struct, ILayerNormLayer
    {
        float sum = 0f, squares = 0f;
        for (int j = 0; j < TLayer.Features; j++)
        {
            float d = xr[j] - mean;
            sum += d;
            squares += d * d;
        }

        return Finish<TLayer>(sum, squares, out rstd);
    }

    /// <summary><c>c = Σd / F</c>, and <c>rstd = 1 / √(max(Σd² / F − c², 0) + ε)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<TLayer>(float sum, float squares, out float rstd)
        where TLayer : struct, ILayerNormLayer
    {
        float remainder = sum / TLayer.Features;
        float variance = MathF.Max((squares / TLayer.Features) - (remainder * remainder), 0f);
        rstd = 1f / MathF.Sqrt(variance + TLayer.Epsilon);
        return remainder;
    }

    /// <summary>Each row's statistics, then its x̂ and y in one more pass; vectors along the features, a scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<TLayer, TV>(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Span<float> statistics, int start, int end)
        where TLayer : struct, ILayerNormLayer
        where TV : struct, ILanes<TV>
    {
        int f = TLayer.Features, main = f / TV.Count * TV.Count;
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref float s0 = ref MemoryMarshal.GetReference(statistics);
        for (int r = start; r < end; r++)
        {
            ref float xr = ref At(ref x0, r * f);
            ref float yr = ref At(ref y0, r * f);
            float mean = Mean<TLayer, TV>(ref xr);
            float remainder = Remainder<TLayer, TV>(ref xr, mean, out float rstd);
            At(ref s0, 2 * r) = mean;
            At(ref s0, (2 * r) + 1) = rstd;

            TV m = TV.Create(mean), c = TV.Create(remainder), k = TV.Create(rstd);
            for (int j = 0; j < main; j += TV.Count)
            {
                TV xhat = (Load<TV>(ref xr, j) - m - c) * k;
                TV yj = TLayer.Affine ? TV.MultiplyAdd(xhat, Load<TV>(ref w, j), Load<TV>(ref b, j)) : xhat;
                yj.Store(ref yr, (nuint)j);
            }

            for (int j = main; j < f; j++)
            {
                float xhat = (At(ref xr, j) - mean - remainder) * rstd;
                At(ref yr, j) = TLayer.Affine ? (xhat * At(ref w, j)) + At(ref b, j) : xhat;
            }
        }
    }

    /// <summary>
    /// Per row: c again (the same code as forward, so the same x̂), then dx in two passes (the two means, then dx), then
    /// dγ and dβ; vectors along the features, a scalar tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows<TLayer, TV>(ReadOnlySpan<float> weight, ReadOnlySpan<float> x, ReadOnlySpan<float> statistics, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, Span<float> dx, int start, int end)
        where TLayer : struct, ILayerNormLayer
        where TV : struct, ILanes<TV>
    {
        int f = TLayer.Features, main = f / TV.Count * TV.Count;
        bool inputs = !dx.IsEmpty, parameters = TLayer.Affine && !dWeight.IsEmpty;
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float s0 = ref MemoryMarshal.GetReference(statistics);
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        ref float dw = ref MemoryMarshal.GetReference(dWeight);
        ref float db = ref MemoryMarshal.GetReference(dBias);
        ref float dx0 = ref MemoryMarshal.GetReference(dx);
        for (int r = start; r < end; r++)
        {
            ref float xr = ref At(ref x0, r * f);
            ref float dyr = ref At(ref dy0, r * f);
            float mean = At(ref s0, 2 * r), rstd = At(ref s0, (2 * r) + 1);
            float remainder = Remainder<TLayer, TV>(ref xr, mean, out _);
            TV m = TV.Create(mean), c = TV.Create(remainder), k = TV.Create(rstd);
            if (inputs)
            {
                // Σĝ and Σĝ x̂
                TV sg = TV.Zero, sgx = TV.Zero;
                for (int j = 0; j < main; j += TV.Count)
                {
                    TV xhat = (Load<TV>(ref xr, j) - m - c) * k;
                    TV g = TLayer.Affine ? Load<TV>(ref dyr, j) * Load<TV>(ref w, j) : Load<TV>(ref dyr, j);
                    sg += g;
                    TV.MultiplyAddTo(ref sgx, xhat, g);
                }

                float sumG = TV.Sum(sg), sumGX = TV.Sum(sgx);
                for (int j = main; j < f; j++)
                {
                    float xhat = (At(ref xr, j) - mean - remainder) * rstd;
                    float g = TLayer.Affine ? At(ref dyr, j) * At(ref w, j) : At(ref dyr, j);
                    sumG += g;
                    sumGX += g * xhat;
                }

                float meanG = sumG / f, meanGX = sumGX / f;
                TV a = TV.Create(meanG), minusB = TV.Create(-meanGX);
                ref float dxr = ref At(ref dx0, r * f);
                for (int j = 0; j < main; j += TV.Count)
                {
                    TV xhat = (Load<TV>(ref xr, j) - m - c) * k;
                    TV g = TLayer.Affine ? Load<TV>(ref dyr, j) * Load<TV>(ref w, j) : Load<TV>(ref dyr, j);
                    (TV.MultiplyAdd(xhat, minusB, g - a) * k).Store(ref dxr, (nuint)j);
                }

                for (int j = main; j < f; j++)
                {
                    float xhat = (At(ref xr, j) - mean - remainder) * rstd;
                    float g = TLayer.Affine ? At(ref dyr, j) * At(ref w, j) : At(ref dyr, j);
                    At(ref dxr, j) = (g - meanG - (xhat * meanGX)) * rstd;
                }
            }

            if (parameters)
            {
                for (int j = 0; j < main; j += TV.Count)
                {
                    TV xhat = (Load<TV>(ref xr, j) - m - c) * k;
                    TV dyj = Load<TV>(ref dyr, j);
                    TV.MultiplyAdd(dyj, xhat, Load<TV>(ref dw, j)).Store(ref dw, (nuint)j);
                    (Load<TV>(ref db, j) + dyj).Store(ref db, (nuint)j);
                }

                for (int j = main; j < f; j++)
                {
                    float xhat = (At(ref xr, j) - mean - remainder) * rstd;
                    At(ref dw, j) += At(ref dyr, j) * xhat;
                    At(ref db, j) += At(ref dyr, j);
                }
            }
        }
    }

    /// <summary>The float mean of one row: two vector accumulators (alternate vectors), their lane sum, then the tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Mean<TLayer, TV>(ref float xr)
        where TLayer : struct, ILayerNormLayer
        where TV : struct, ILanes<TV>
    {
        int f = TLayer.Features, main = f / TV.Count * TV.Count, j = 0;
        TV s0 = TV.Zero, s1 = TV.Zero;
        for (; j + (2 * TV.Count) <= main; j += 2 * TV.Count)
        {
            s0 += Load<TV>(ref xr, j);
            s1 += Load<TV>(ref xr, j + TV.Count);
        }

        if (j < main)
        {
            s0 += Load<TV>(ref xr, j);
            j += TV.Count;
        }

        float sum = TV.Sum(s0 + s1);
        for (; j < f; j++)
        {
            sum += At(ref xr, j);
        }

        return sum / f;
    }

    /// <summary>The second pass of one row (Σd and Σd², d = x − μ, accumulated as <see cref="Mean{TLayer, TV}"/> sums), then <see cref="Finish{TLayer}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Remainder<TLayer, TV>(ref float xr, float mean, out float rstd)
        where TLayer : struct, ILayerNormLayer
        where TV : struct, ILanes<TV>
    {
        int f = TLayer.Features, main = f / TV.Count * TV.Count, j = 0;
        TV m = TV.Create(mean);
        TV s0 = TV.Zero, s1 = TV.Zero, q0 = TV.Zero, q1 = TV.Zero;
        for (; j + (2 * TV.Count) <= main; j += 2 * TV.Count)
        {
            TV d0 = Load<TV>(ref xr, j) - m;
            TV d1 = Load<TV>(ref xr, j + TV.Count) - m;
            s0 += d0;
            s1 += d1;
            TV.MultiplyAddTo(ref q0, d0, d0);
            TV.MultiplyAddTo(ref q1, d1, d1);
        }

        if (j < main)
        {
            TV d0 = Load<TV>(ref xr, j) - m;
            s0 += d0;
            TV.MultiplyAddTo(ref q0, d0, d0);
            j += TV.Count;
        }

        float sum = TV.Sum(s0 + s1), squares = TV.Sum(q0 + q1);
        for (; j < f; j++)
        {
            float d = At(ref xr, j) - mean;
            sum += d;
            squares += d * d;
        }

        return Finish<TLayer>(sum, squares, out rstd);
    }

    /// <summary><c>rows · F</c>, refusing a negative row count.</summary>
    private static long Length<TLayer>(int rows)
        where TLayer : struct, ILayerNormLayer
    {
        if (rows < 0)
        {
            throw new ArgumentException($"Expected a row count of 0 or more, got {rows}.", nameof(rows));
        }

        return (long)rows * TLayer.Features;
    }

    /// <summary>γ, β and their gradients: F floats when affine, none otherwise.</summary>
    private static void CheckParameter<TLayer>(int length, string name)
        where TLayer : struct, ILayerNormLayer
    {
        int expected = TLayer.Affine ? TLayer.Features : 0;
        if (length != expected)
        {
            throw new ArgumentException(
                $"Expected {expected} floats ({(TLayer.Affine ? $"one per feature of the affine layer norm over {TLayer.Features}" : "the layer norm is not affine")}), got {length}.",
                name);
        }
    }

    private static void Check(long expected, int length, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"Expected {expected} floats, got {length}.", name);
        }
    }
}
