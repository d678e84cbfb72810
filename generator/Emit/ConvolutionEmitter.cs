using System;
using System.Collections.Generic;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits convolution steps: the statements of the forward and backward chains, and the kernels, every size a
/// constant. Forward is im2col (each sample's receptive fields unrolled into a <c>[C·kh·kw, H'·W']</c> column
/// matrix, kept for dW) followed by a register-blocked matrix multiply <c>y = W · columns + b</c>; a 1×1 kernel with
/// stride 1 and no padding skips the copy, its input being its own column matrix. Backward is <c>db = Σ dy</c>,
/// <c>dW = dy · columnsᵀ</c> (dot products over the positions of every sample), <c>dcolumns = Wᵀ · dy</c> and col2im.
/// Pooling steps are delegated to <see cref="PoolingEmitter"/>.
/// </summary>
internal static class ConvolutionEmitter
{
    /// <summary>Vector accumulators one block of the forward multiply keeps (of 16 registers on AVX2: 12, plus loads and a broadcast).</summary>
    private const int Accumulators = 12;

    /// <summary>Whether this emitter (or the pooling one) handles the step.</summary>
    public static bool Handles(StepPlan step) => step.Convolution is not null;

    public static string ForwardName(StepPlan step) => $"{Prefix(step)}{step.LayerIndex}Forward";

    public static string BackwardName(StepPlan step) => $"{Prefix(step)}{step.LayerIndex}Backward";

    private static string Prefix(StepPlan step) => step.Kind switch
    {
        StepKind.Convolution => "Conv",
        StepKind.MaxPool => "MaxPool",
        _ => "AvgPool",
    };

    /// <summary>The forward chain's statements for a convolution or pooling step.</summary>
    public static void EmitForwardStep(CodeWriter w, StepPlan step, string input, string output, string kernels)
    {
        ConvolutionGeometry g = step.Convolution!;
        string shapes = $"{NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}";
        if (step.Kind != StepKind.Convolution)
        {
            PoolingEmitter.EmitForwardStep(w, step, input, output, kernels, shapes);
            return;
        }

        w.Line($"// Layer {step.LayerIndex}, {step.Title}: {output} = W ⋆ {input}{(step.HasBias ? " + b" : string.Empty)}, {shapes}");
        w.Line($"//   W: {NetworkEmitter.ShapeText(WeightShape(step))} \"{step.WeightName}\"{(step.HasBias ? $", b: [{step.Units}] \"{step.BiasName}\"" : string.Empty)}");
        foreach (string line in StrategyComment(step))
        {
            w.Line("//   " + line);
        }

        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string bias = step.HasBias ? $"p.Slice({Int(step.BiasOffset)}, {Int(step.Units)}), " : string.Empty;
        string columns = g.UsesColumns ? Slot(g.ColumnOffset, g.ColumnRows * g.OutPositions) + ", " : string.Empty;
        w.Line($"{kernels}.{ForwardName(step)}(p.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)}), {bias}{input}, {output}, {columns}batch);");
    }

    /// <summary>
    /// The backward chain's statements. <paramref name="gradientBuffer"/> is the buffer dL/dx goes to, or null for
    /// the first step, which writes the caller's <c>dx</c> (and skips it when that is empty).
    /// </summary>
    public static void EmitBackwardStep(CodeWriter w, StepPlan step, string input, string dOut, string dIn, string? gradientBuffer, string kernels)
    {
        ConvolutionGeometry g = step.Convolution!;
        if (step.Kind == StepKind.Convolution)
        {
            w.Line($"// Layer {step.LayerIndex}, {step.Title}:");
            w.Line($"//   {(step.HasBias ? "db += Σ_positions " + dOut + ", " : string.Empty)}dW += {dOut} · columnsᵀ, {dIn} = col2im(Wᵀ · {dOut})");
        }
        else
        {
            PoolingEmitter.EmitBackwardComment(w, step, dOut, dIn);
        }

        if (gradientBuffer is not null)
        {
            w.Line($"global::System.Span<float> {dIn} = {gradientBuffer}.Slice(0, {Int(step.InputLength)} * batch);");
        }

        switch (step.Kind)
        {
            case StepKind.Convolution:
            {
                string weight = $"p.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)})";
                string weightGradient = $"g.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)}), ";
                string biasGradient = step.HasBias ? $"g.Slice({Int(step.BiasOffset)}, {Int(step.Units)}), " : string.Empty;
                int columnLength = g.ColumnRows * g.OutPositions;
                string columns = g.UsesColumns ? Slot(g.ColumnOffset, columnLength) : input;
                string columnGradient = g.UsesColumns ? Slot(g.ColumnGradientOffset, columnLength) + ", " : string.Empty;
                w.Line($"{kernels}.{BackwardName(step)}({weight}, {weightGradient}{biasGradient}{columns}, {dOut}, {columnGradient}{dIn}, batch);");
                break;
            }

            case StepKind.MaxPool:
                w.Line($"{kernels}.{BackwardName(step)}({Slot(step.MaskOffset, step.OutputLength)}, {dOut}, {dIn}, batch);");
                break;
            default:
                w.Line($"{kernels}.{BackwardName(step)}({dOut}, {dIn}, batch);");
                break;
        }
    }

    private static int[] WeightShape(StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        return g.Rank == 1
            ? new[] { g.OutChannels, g.InChannels, g.KernelWidth }
            : new[] { g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth };
    }

    /// <summary>Which strategy the kernels use, and why, for the comment over the step.</summary>
    private static IEnumerable<string> StrategyComment(StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        int k = g.ColumnRows, n = g.OutPositions, m = g.OutChannels;
        string mac = Grouped((long)m * k * n);
        if (!g.UsesColumns)
        {
            yield return $"Strategy: plain matrix multiply, [{m}, {k}] · [{k}, {n}] per sample. A 1×1 kernel with stride 1 and no padding";
            yield return "makes the input its own column matrix, so there is nothing to copy.";
            yield break;
        }

        yield return $"Strategy: im2col + matrix multiply. Each sample's receptive fields are copied into a [{k}, {n}] column matrix";
        yield return $"(C·kh·kw × H'·W'; {Grouped((long)k * n)} floats against {mac} multiply-adds), then y = W · columns runs as a";
        yield return "register-blocked multiply: each loaded input vector feeds a block of filters' FMAs, where direct loops would";
        yield return "reload the input for every filter and tap. The column matrix stays in the workspace for dW = dy · columnsᵀ.";
    }

    /// <summary>The kernels of a convolution or pooling step.</summary>
    public static void EmitKernels(CodeWriter w, StepPlan step)
    {
        if (step.Kind != StepKind.Convolution)
        {
            PoolingEmitter.EmitKernels(w, step);
            return;
        }

        ConvolutionGeometry g = step.Convolution!;
        int k = g.ColumnRows, n = g.OutPositions, m = g.OutChannels;
        int inLength = step.InputLength, outLength = step.OutputLength, columnLength = k * n;
        string name = Prefix(step) + Int(step.LayerIndex);

        // Forward.
        w.Line($"/// <summary>Layer {step.LayerIndex}, {step.Title}: for each sample, {(g.UsesColumns ? "columns = im2col(x), " : string.Empty)}y = W · {(g.UsesColumns ? "columns" : "x")}{(step.HasBias ? " + b" : string.Empty)}; W: [{m}, {k}].</summary>");
        string biasParameter = step.HasBias ? "ReadOnlySpan<float> bias, " : string.Empty;
        string columnsParameter = g.UsesColumns ? "Span<float> columns, " : string.Empty;
        w.Open($"public static void {ForwardName(step)}(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, {columnsParameter}int batch)");
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        if (step.HasBias)
        {
            w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
        }

        w.Open("for (int s = 0; s < batch; s++)");
        if (g.UsesColumns)
        {
            w.Line($"Span<float> cs = columns.Slice(s * {columnLength}, {columnLength});");
            w.Line($"{name}Im2Col(x.Slice(s * {inLength}, {inLength}), cs);");
            w.Line($"{name}Multiply(ref w, ref MemoryMarshal.GetReference(cs), ref MemoryMarshal.GetReference(y.Slice(s * {outLength}, {outLength})){(step.HasBias ? ", ref b" : string.Empty)});");
        }
        else
        {
            w.Line($"{name}Multiply(ref w, ref MemoryMarshal.GetReference(x.Slice(s * {inLength}, {inLength})), ref MemoryMarshal.GetReference(y.Slice(s * {outLength}, {outLength})){(step.HasBias ? ", ref b" : string.Empty)});");
        }

        w.Close();
        w.Close();
        w.Line();

        // Backward.
        w.Line("/// <summary>");
        w.Line($"/// Layer {step.LayerIndex}, {step.Title}, backward from dy: {(step.HasBias ? "<c>db += Σ_s Σ_n dy[s, o, n]</c>, " : string.Empty)}<c>dW += Σ_s dy[s] · columns[s]ᵀ</c>,");
        w.Line($"/// and, when <paramref name=\"dx\"/> is not empty, <c>dx = {(g.UsesColumns ? "col2im(Wᵀ · dy)" : "Wᵀ · dy")}</c> for each sample.");
        w.Line("/// </summary>");
        string biasGradientParameter = step.HasBias ? "Span<float> biasGradient, " : string.Empty;
        string columnGradientParameter = g.UsesColumns ? "Span<float> columnGradient, " : string.Empty;
        w.Open($"public static void {BackwardName(step)}(ReadOnlySpan<float> weight, Span<float> weightGradient, {biasGradientParameter}ReadOnlySpan<float> columns, ReadOnlySpan<float> dy, {columnGradientParameter}Span<float> dx, int batch)");
        if (step.HasBias)
        {
            w.Line("// db[o] += Σ_s Σ_n dy[s, o, n]");
            w.Open("for (int s = 0; s < batch; s++)");
            w.Open($"for (int o = 0; o < {m}; o++)");
            w.Line($"biasGradient[o] += TensorPrimitives.Sum(dy.Slice(s * {outLength} + o * {n}, {n}));");
            w.Close();
            w.Close();
            w.Line();
        }

        w.Line("// dW[o, k] += Σ_s Σ_n dy[s, o, n] · columns[s, k, n]");
        w.Line($"{name}WeightGradient(ref MemoryMarshal.GetReference(dy), ref MemoryMarshal.GetReference(columns), ref MemoryMarshal.GetReference(weightGradient), batch);");
        w.Open("if (dx.IsEmpty)");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        w.Open("for (int s = 0; s < batch; s++)");
        string dys = $"ref MemoryMarshal.GetReference(dy.Slice(s * {outLength}, {outLength}))";
        if (g.UsesColumns)
        {
            w.Line("// dcolumns = Wᵀ · dy[s] (one sample's worth of scratch, reused), then folded back: dx[s] = col2im(dcolumns)");
            w.Line($"Span<float> dcs = columnGradient.Slice(0, {columnLength});");
            w.Line($"{name}MultiplyTransposed(ref w, {dys}, ref MemoryMarshal.GetReference(dcs));");
            w.Line($"Span<float> dxs = dx.Slice(s * {inLength}, {inLength});");
            w.Line("dxs.Clear();");
            w.Line($"{name}Col2Im(dcs, dxs);");
        }
        else
        {
            w.Line("// dx[s] = Wᵀ · dy[s]");
            w.Line($"{name}MultiplyTransposed(ref w, {dys}, ref MemoryMarshal.GetReference(dx.Slice(s * {inLength}, {inLength})));");
        }

        w.Close();
        w.Close();
        w.Line();

        EmitMultiply(w, $"{name}Multiply", $"y[{m}, {n}] = W[{m}, {k}] · columns[{k}, {n}]{(step.HasBias ? " + b" : string.Empty)}", m, n, k, k, 1, step.HasBias);
        w.Line();
        EmitMultiply(w, $"{name}MultiplyTransposed", $"dcolumns[{k}, {n}] = Wᵀ[{k}, {m}] · dy[{m}, {n}]", k, n, m, 1, k, bias: false);
        w.Line();
        EmitWeightGradient(w, $"{name}WeightGradient", m, k, n);
        if (g.UsesColumns)
        {
            w.Line();
            EmitIm2Col(w, $"{name}Im2Col", g, scatter: false);
            w.Line();
            EmitIm2Col(w, $"{name}Col2Im", g, scatter: true);
        }
    }

    /// <summary>
    /// <c>c[m, n] = a[m, k] · b[k, n]</c> (+ bias[m]) with <c>a[r, j]</c> at <c>r·aRow + j·aColumn</c>, b and c row-major.
    /// Columns go in chunks of 2 vectors (4 floats in the scalar path), rows in blocks that fill 12 accumulators, so
    /// each load of b feeds a whole block of rows and each broadcast of a feeds the chunk.
    /// </summary>
    private static void EmitMultiply(CodeWriter w, string name, string math, int m, int n, int k, int aRow, int aColumn, bool bias)
    {
        w.Line($"/// <summary><c>{math}</c>: blocks of rows × 2 vectors of columns in registers, k streaming through.</summary>");
        w.Open($"private static void {name}(ref float a, ref float b, ref float c{(bias ? ", ref float bias" : string.Empty)})");
        EachWidth(w, width =>
        {
            ColumnLoops.Emit(w, width, n, width.IsScalar ? 4 : 2, (v, count) =>
            {
                Blocks(w, m, Math.Max(1, Accumulators / count), "r", rows =>
                {
                    for (int q = 0; q < rows; q++)
                    {
                        string init = bias ? v.Broadcast($"Unsafe.Add(ref bias, {Plus("r", q)})") : v.Zero;
                        for (int u = 0; u < count; u++)
                        {
                            w.Line($"{v.Type} c{q}_{u} = {init};");
                        }
                    }

                    w.Line($"ref float ar = ref Unsafe.Add(ref a, {Times("r", aRow)});");
                    w.Open($"for (int j = 0; j < {k}; j++)");
                    w.Line($"ref float bj = ref Unsafe.Add(ref b, j * {n});");
                    for (int u = 0; u < count; u++)
                    {
                        w.Line($"{v.Type} b{u} = {v.Load("bj", ColumnLoops.Offset(v, u))};");
                    }

                    for (int q = 0; q < rows; q++)
                    {
                        string at = Join(Times("j", aColumn), q * aRow);
                        w.Line($"{v.Type} a{q} = {v.Broadcast($"Unsafe.Add(ref ar, {at})")};");
                        for (int u = 0; u < count; u++)
                        {
                            w.Line($"c{q}_{u} = {v.MultiplyAdd($"a{q}", $"b{u}", $"c{q}_{u}")};");
                        }
                    }

                    w.Close();
                    w.Line($"ref float cr = ref Unsafe.Add(ref c, r * {n});");
                    for (int q = 0; q < rows; q++)
                    {
                        for (int u = 0; u < count; u++)
                        {
                            w.Line(v.Store($"c{q}_{u}", "cr", Join(ColumnLoops.Offset(v, u), q * n)));
                        }
                    }
                });
            });
        });
        w.Close();
    }

    /// <summary>
    /// <c>dW[o, k] += Σ_s Σ_n dy[s, o, n] · columns[s, k, n]</c>: blocks of 2 filters × 4 column rows, each pair a vector of
    /// partial sums along n (6 loads feed 8 FMAs), summed across lanes once at the end.
    /// </summary>
    private static void EmitWeightGradient(CodeWriter w, string name, int m, int k, int n)
    {
        w.Line($"/// <summary><c>dW[{m}, {k}] += Σ_s dy[s][{m}, {n}] · columns[s][{k}, {n}]ᵀ</c>, 2 × 4 blocks of dot products over the positions.</summary>");
        w.Open($"private static void {name}(ref float dy, ref float columns, ref float dw, int batch)");
        EachWidth(w, width =>
        {
            int main = n / width.Lanes * width.Lanes;
            Blocks(w, m, 2, "o", filters => Blocks(w, k, 4, "j", rows =>
            {
                for (int f = 0; f < filters; f++)
                {
                    for (int t = 0; t < rows; t++)
                    {
                        if (main > 0)
                        {
                            w.Line($"{width.Type} s{f}_{t} = {width.Zero};");
                        }

                        if (main < n)
                        {
                            w.Line($"float e{f}_{t} = 0f;");
                        }
                    }
                }

                w.Open("for (int s = 0; s < batch; s++)");
                w.Line($"ref float ys = ref Unsafe.Add(ref dy, s * {m * n} + o * {n});");
                w.Line($"ref float xs = ref Unsafe.Add(ref columns, s * {k * n} + j * {n});");
                if (main > 0)
                {
                    w.Open($"for (int i = 0; i < {main}; i += {width.Lanes})");
                    for (int f = 0; f < filters; f++)
                    {
                        w.Line($"{width.Type} y{f} = {width.Load("ys", Join("i", f * n))};");
                    }

                    for (int t = 0; t < rows; t++)
                    {
                        w.Line($"{width.Type} x{t} = {width.Load("xs", Join("i", t * n))};");
                    }

                    for (int f = 0; f < filters; f++)
                    {
                        for (int t = 0; t < rows; t++)
                        {
                            w.Line($"s{f}_{t} = {width.MultiplyAdd($"y{f}", $"x{t}", $"s{f}_{t}")};");
                        }
                    }

                    w.Close();
                }

                if (main < n)
                {
                    w.Open($"for (int i = {main}; i < {n}; i++)");
                    for (int f = 0; f < filters; f++)
                    {
                        for (int t = 0; t < rows; t++)
                        {
                            w.Line($"e{f}_{t} += Unsafe.Add(ref ys, {Join("i", f * n)}) * Unsafe.Add(ref xs, {Join("i", t * n)});");
                        }
                    }

                    w.Close();
                }

                w.Close();
                w.Line($"ref float dwo = ref Unsafe.Add(ref dw, o * {k} + j);");
                for (int f = 0; f < filters; f++)
                {
                    for (int t = 0; t < rows; t++)
                    {
                        string sum = main > 0 && main < n ? $"{width.Sum($"s{f}_{t}")} + e{f}_{t}" : main > 0 ? width.Sum($"s{f}_{t}") : $"e{f}_{t}";
                        w.Line($"Unsafe.Add(ref dwo, {Int(f * k + t)}) += {sum};");
                    }
                }
            }));
        });
        w.Close();
    }

    /// <summary>
    /// im2col (<paramref name="scatter"/> false): <c>columns[(c, p, q), (i, j)] = x[c, i·sh - ph + p·dh, j·sw - pw + q·dw]</c>, zero
    /// where that falls in the padding; col2im (true): the adjoint, <c>dx[c, h, w] += dcolumns[(c, p, q), (i, j)]</c> over
    /// the same index pairs. The first and last in-range output row and column of each tap are constants in tables.
    /// </summary>
    private static void EmitIm2Col(CodeWriter w, string name, ConvolutionGeometry g, bool scatter)
    {
        if (!scatter && PaddedLength(g) <= MaxPaddedImage)
        {
            EmitGather(w, name, g);
            return;
        }

        if (scatter && g.PaddingHeight == 0 && g.PaddingWidth == 0)
        {
            EmitScatter(w, name, g);
            return;
        }

        int kh = g.KernelHeight, kw = g.KernelWidth, oh = g.OutHeight, ow = g.OutWidth, h = g.InHeight, wd = g.InWidth;
        int n = g.OutPositions;
        (int[] rowFirst, int[] rowEnd) = InRange(kh, oh, h, g.StrideHeight, g.PaddingHeight, g.DilationHeight);
        (int[] colFirst, int[] colEnd) = InRange(kw, ow, wd, g.StrideWidth, g.PaddingWidth, g.DilationWidth);
        bool clipRows = g.PaddingHeight > 0, clipColumns = g.PaddingWidth > 0;
        if (scatter)
        {
            w.Line($"/// <summary>col2im: <c>dx[c, i·{g.StrideHeight} - {g.PaddingHeight} + p·{g.DilationHeight}, j·{g.StrideWidth} - {g.PaddingWidth} + q·{g.DilationWidth}] += dcolumns[(c, p, q), (i, j)]</c>; dx starts cleared.</summary>");
            w.Open($"private static void {name}(ReadOnlySpan<float> columns, Span<float> x)");
        }
        else
        {
            w.Line($"/// <summary>im2col: <c>columns[(c, p, q), (i, j)] = x[c, i·{g.StrideHeight} - {g.PaddingHeight} + p·{g.DilationHeight}, j·{g.StrideWidth} - {g.PaddingWidth} + q·{g.DilationWidth}]</c>, 0 in the padding.</summary>");
            w.Open($"private static void {name}(ReadOnlySpan<float> x, Span<float> columns)");
        }

        if (clipRows)
        {
            w.Line($"// output rows i whose input row i·{g.StrideHeight} - {g.PaddingHeight} + p·{g.DilationHeight} is inside the image, for each tap row p: [first, end)");
            w.Line($"ReadOnlySpan<int> rowFirst = new int[] {{ {string.Join(", ", rowFirst)} }};");
            w.Line($"ReadOnlySpan<int> rowEnd = new int[] {{ {string.Join(", ", rowEnd)} }};");
        }

        if (clipColumns)
        {
            w.Line($"// output columns j whose input column j·{g.StrideWidth} - {g.PaddingWidth} + q·{g.DilationWidth} is inside the image, for each tap column q: [first, end)");
            w.Line($"ReadOnlySpan<int> columnFirst = new int[] {{ {string.Join(", ", colFirst)} }};");
            w.Line($"ReadOnlySpan<int> columnEnd = new int[] {{ {string.Join(", ", colEnd)} }};");
        }

        w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        w.Open($"for (int p = 0; p < {kh}; p++)");
        w.Line(clipRows ? "int i0 = rowFirst[p], i1 = rowEnd[p];" : $"const int i0 = 0, i1 = {oh};");
        w.Open($"for (int q = 0; q < {kw}; q++)");
        w.Line(clipColumns ? "int j0 = columnFirst[q], j1 = columnEnd[q];" : $"const int j0 = 0, j1 = {ow};");
        w.Line($"{(scatter ? "ReadOnlySpan<float>" : "Span<float>")} row = columns.Slice(((c * {kh} + p) * {kw} + q) * {n}, {n});");
        if (!scatter && clipRows)
        {
            w.Line($"row.Slice(0, i0 * {ow}).Clear();");
            w.Line($"row.Slice(i1 * {ow}).Clear();");
        }

        w.Open("for (int i = i0; i < i1; i++)");
        w.Line($"int from = c * {h * wd} + ({Times("i", g.StrideHeight)} - {g.PaddingHeight} + {Times("p", g.DilationHeight)}) * {wd} + {Times("j0", g.StrideWidth)} - {g.PaddingWidth} + {Times("q", g.DilationWidth)};");
        if (!scatter && clipColumns)
        {
            w.Line($"row.Slice(i * {ow}, j0).Clear();");
            w.Line($"row.Slice(i * {ow} + j1, {ow} - j1).Clear();");
        }

        if (g.StrideWidth == 1)
        {
            w.Line(scatter
                ? $"TensorPrimitives.Add(x.Slice(from, j1 - j0), row.Slice(i * {ow} + j0, j1 - j0), x.Slice(from, j1 - j0));"
                : $"x.Slice(from, j1 - j0).CopyTo(row.Slice(i * {ow} + j0, j1 - j0));");
        }
        else
        {
            w.Open("for (int j = j0; j < j1; j++)");
            w.Line(scatter
                ? $"x[from + (j - j0) * {g.StrideWidth}] += row[i * {ow} + j];"
                : $"row[i * {ow} + j] = x[from + (j - j0) * {g.StrideWidth}];");
            w.Close();
        }

        w.Close();
        w.Close();
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>Floats of the zero-padded image the gather stages on the stack: at most 32 KB.</summary>
    private const int MaxPaddedImage = 8192;

    private static int PaddedLength(ConvolutionGeometry g) =>
        g.InChannels * (g.InHeight + 2 * g.PaddingHeight) * (g.InWidth + 2 * g.PaddingWidth);

    /// <summary>
    /// im2col without clipping: a padded input is first copied into a zeroed stack image, so every row of every
    /// tap is one copy of a constant length (unrolled by the JIT), through references rather than span slices.
    /// </summary>
    private static void EmitGather(CodeWriter w, string name, ConvolutionGeometry g)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, oh = g.OutHeight, ow = g.OutWidth, h = g.InHeight, wd = g.InWidth;
        int n = g.OutPositions;
        bool padded = g.PaddingHeight > 0 || g.PaddingWidth > 0;
        int ph = h + 2 * g.PaddingHeight, pw = wd + 2 * g.PaddingWidth;
        w.Line($"/// <summary>im2col: <c>columns[(c, p, q), (i, j)] = x[c, i·{g.StrideHeight} - {g.PaddingHeight} + p·{g.DilationHeight}, j·{g.StrideWidth} - {g.PaddingWidth} + q·{g.DilationWidth}]</c>, 0 in the padding.</summary>");
        w.Open($"private static void {name}(ReadOnlySpan<float> x, Span<float> columns)");
        if (padded)
        {
            w.Line($"// x with its padding, [{g.InChannels}, {ph}, {pw}], so that no tap needs clipping");
            w.Line($"Span<float> image = stackalloc float[{PaddedLength(g)}];");
            w.Line("image.Clear();");
            w.Line("ref float xr = ref MemoryMarshal.GetReference(x);");
            w.Line("ref float ir = ref MemoryMarshal.GetReference(image);");
            w.Open($"for (int r = 0; r < {g.InChannels * h}; r++)");
            w.Line($"int c = r / {h}, y = r - c * {h};");
            w.Line($"Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref ir, (c * {ph} + y + {g.PaddingHeight}) * {pw} + {g.PaddingWidth})), ref Unsafe.As<float, byte>(ref Unsafe.Add(ref xr, r * {wd})), {wd * 4});");
            w.Close();
            w.Line("ref float src = ref ir;");
        }
        else
        {
            w.Line("ref float src = ref MemoryMarshal.GetReference(x);");
        }

        w.Line("ref float dst = ref MemoryMarshal.GetReference(columns);");
        w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        w.Open($"for (int p = 0; p < {kh}; p++)");
        w.Open($"for (int q = 0; q < {kw}; q++)");
        w.Line($"ref float row = ref Unsafe.Add(ref dst, ((c * {kh} + p) * {kw} + q) * {n});");
        w.Line($"ref float tap = ref Unsafe.Add(ref src, c * {ph * pw} + {Times("p", g.DilationHeight)} * {pw} + {Times("q", g.DilationWidth)});");
        w.Open($"for (int i = 0; i < {oh}; i++)");
        w.Line($"ref float from = ref Unsafe.Add(ref tap, {Times("i", g.StrideHeight)} * {pw});");
        if (g.StrideWidth == 1)
        {
            w.Line($"Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref row, i * {ow})), ref Unsafe.As<float, byte>(ref from), {ow * 4});");
        }
        else
        {
            w.Open($"for (int j = 0; j < {ow}; j++)");
            w.Line($"Unsafe.Add(ref row, i * {ow} + j) = Unsafe.Add(ref from, j * {g.StrideWidth});");
            w.Close();
        }

        w.Close();
        w.Close();
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>col2im without padding: every tap row adds into x through references, no span slices or calls.</summary>
    private static void EmitScatter(CodeWriter w, string name, ConvolutionGeometry g)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, oh = g.OutHeight, ow = g.OutWidth, h = g.InHeight, wd = g.InWidth;
        int n = g.OutPositions;
        w.Line($"/// <summary>col2im: <c>dx[c, i·{g.StrideHeight} + p·{g.DilationHeight}, j·{g.StrideWidth} + q·{g.DilationWidth}] += dcolumns[(c, p, q), (i, j)]</c>; dx starts cleared.</summary>");
        w.Open($"private static void {name}(ReadOnlySpan<float> columns, Span<float> x)");
        w.Line("ref float src = ref MemoryMarshal.GetReference(columns);");
        w.Line("ref float dst = ref MemoryMarshal.GetReference(x);");
        w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        w.Open($"for (int p = 0; p < {kh}; p++)");
        w.Open($"for (int q = 0; q < {kw}; q++)");
        w.Line($"ref float row = ref Unsafe.Add(ref src, ((c * {kh} + p) * {kw} + q) * {n});");
        w.Line($"ref float tap = ref Unsafe.Add(ref dst, c * {h * wd} + {Times("p", g.DilationHeight)} * {wd} + {Times("q", g.DilationWidth)});");
        w.Open($"for (int i = 0; i < {oh}; i++)");
        w.Line($"ref float to = ref Unsafe.Add(ref tap, {Times("i", g.StrideHeight)} * {wd});");
        w.Line($"ref float from = ref Unsafe.Add(ref row, i * {ow});");
        w.Open($"for (int j = 0; j < {ow}; j++)");
        w.Line($"Unsafe.Add(ref to, {Times("j", g.StrideWidth)}) += Unsafe.Add(ref from, j);");
        w.Close();
        w.Close();
        w.Close();
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>For each tap t: the output positions whose input position <c>o·s - pad + t·d</c> lies in [0, size), as [first, end).</summary>
    private static (int[] First, int[] End) InRange(int taps, int outputs, int size, int stride, int padding, int dilation)
    {
        var first = new int[taps];
        var end = new int[taps];
        for (int t = 0; t < taps; t++)
        {
            int lo = outputs, hi = 0;
            for (int o = 0; o < outputs; o++)
            {
                int at = o * stride - padding + t * dilation;
                if (at >= 0 && at < size)
                {
                    lo = Math.Min(lo, o);
                    hi = o + 1;
                }
            }

            first[t] = Math.Min(lo, hi);
            end[t] = hi;
        }

        return (first, end);
    }

    /// <summary>
    /// Covers <c>0 .. total</c> in blocks: a loop over the whole blocks of <paramref name="block"/> (or one block with a
    /// constant index), then one smaller block for the rest; <paramref name="body"/> writes a block of the size given.
    /// </summary>
    internal static void Blocks(CodeWriter w, int total, int block, string variable, Action<int> body)
    {
        int full = total / block * block;
        if (full == block)
        {
            w.Open(string.Empty);
            w.Line($"const int {variable} = 0;");
            body(block);
            w.Close();
        }
        else if (full > 0)
        {
            w.Open($"for (int {variable} = 0; {variable} < {full}; {variable} += {block})");
            body(block);
            w.Close();
        }

        if (full < total)
        {
            w.Open(string.Empty);
            w.Line($"const int {variable} = {full};");
            body(total - full);
            w.Close();
        }
    }

    /// <summary>Writes <c>if (Simd.Use512) {...} else if (Simd.Use256) {...} ... else {...}</c>.</summary>
    internal static void EachWidth(CodeWriter w, Action<VectorWidth> body)
    {
        for (int i = 0; i < VectorWidth.All.Count; i++)
        {
            VectorWidth width = VectorWidth.All[i];
            string header = width.Guard is null ? "else" : i == 0 ? $"if ({width.Guard})" : $"else if ({width.Guard})";
            w.Open(header);
            body(width);
            w.Close();
        }
    }

    private static string Times(string variable, int factor) => factor == 1 ? variable : $"{variable} * {factor}";

    private static string Plus(string variable, int offset) => offset == 0 ? variable : $"{variable} + {offset}";

    /// <summary><c>expression + offset</c>, or the expression alone when the offset is 0.</summary>
    private static string Join(string expression, int offset) => offset == 0 ? expression : $"{expression} + {offset}";
}
