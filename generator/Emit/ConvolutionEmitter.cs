using System;
using System.Collections.Generic;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits convolution steps: the statements of the forward and backward chains, and the kernels, every size a
/// constant. Everything goes sample by sample through one slot of the thread's scratch, so what a sample copies stays
/// in cache and the workspace holds no per-sample copies. Forward is im2col (the sample's receptive fields unrolled into a
/// <c>[C·kh·kw, H'·W']</c> column matrix) followed by a register-blocked matrix multiply <c>y = act(W · columns + b)</c>;
/// a 1×1 kernel with stride 1 and no padding skips the copy, its input being its own column matrix. Backward is
/// <c>db += Σ dy</c>, <c>dW += dy · rows</c> (rows = im2row, the transposed copy, so that dW is a multiply over the
/// positions whose columns are the weights' own), then <c>dcolumns = Wᵀ · dy</c> and col2im (<see cref="ColumnCopyEmitter"/>).
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

        string bias = step.HasBias ? " + b" : string.Empty;
        string math = step.Activation is LayerKind kind ? $"{ActivationFunction(kind, step.Scalar)}(W ⋆ {input}{bias})" : $"W ⋆ {input}{bias}";
        string fused = step.Activation is null ? string.Empty : $" + {step.Activation} (layer {step.ActivationLayerIndex})";
        w.Line($"// Layer {step.LayerIndex}, {step.Title}{fused}: {output} = {math}, {shapes}");
        w.Line($"//   W: {NetworkEmitter.ShapeText(WeightShape(step))} \"{step.WeightName}\"{(step.HasBias ? $", b: [{step.Units}] \"{step.BiasName}\"" : string.Empty)}");
        foreach (string line in StrategyComment(step))
        {
            w.Line("//   " + line);
        }

        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string biasArgument = step.HasBias ? $"p.Slice({Int(step.BiasOffset)}, {Int(step.Units)}), " : string.Empty;
        ForwardEmitter.EmitCallWithActivation(w, step, output, DenseEmitter.FusesActivationInKernel(step), target =>
            $"{kernels}.{ForwardName(step)}(p.Slice({Int(step.WeightOffset)}, {Int(step.Units * step.Inputs)}), {biasArgument}{input}, {target}, workspace.Scratch, batch, workspace.Threads);");
    }

    /// <summary>
    /// The backward chain's statements. <paramref name="gradientBuffer"/> is the buffer dL/dx goes to, or null for
    /// the first step, which writes the caller's <c>dx</c> (and skips it when that is empty).
    /// </summary>
    public static void EmitBackwardStep(CodeWriter w, StepPlan step, string input, string output, string dOut, string dIn, string? gradientBuffer, string kernels)
    {
        if (step.Kind == StepKind.Convolution)
        {
            string fused = step.Activation is null ? string.Empty : $" + {step.Activation}";
            w.Line($"// Layer {step.LayerIndex}, {step.Title}{fused}:");
            string dz = dOut;
            if (step.Activation is not null)
            {
                BackwardEmitter.EmitActivationBackward(w, step, output, dOut);
                dz = "dz";
            }

            w.Line($"//   {(step.HasBias ? $"db += Σ_positions {dz}, " : string.Empty)}dW += {dz} · im2row({input}), {dIn} = col2im(Wᵀ · {dz})");
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
                w.Line($"{kernels}.{BackwardName(step)}({weight}, {weightGradient}{biasGradient}{input}, {dOut}, {dIn}, workspace.Scratch, batch);");
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

        yield return $"Strategy: im2col + matrix multiply, sample by sample. A sample's receptive fields are copied into a [{k}, {n}]";
        yield return $"column matrix (C·kh·kw × H'·W'; {Grouped((long)k * n)} floats against {mac} multiply-adds) in the thread's scratch, where it";
        yield return "stays in cache, then y = W · columns runs as a register-blocked multiply: each loaded input vector feeds a";
        yield return "block of filters' FMAs, where direct loops would reload the input for every filter and tap. Backward copies";
        yield return "the sample again, transposed, rather than keeping every sample's matrix through the batch.";
    }

    /// <summary>Samples a batch needs before forward splits it across threads: about 2^18 multiply-adds in all.</summary>
    private static int MinSamplesForThreads(StepPlan step)
    {
        long perSample = (long)step.Units * step.Inputs * step.Convolution!.OutPositions;
        return (int)Math.Max(2, ((1L << 18) + perSample - 1) / perSample);
    }

    /// <summary>The kernels of a convolution or pooling step; <paramref name="scratchPerThread"/> is the network's scratch slot length.</summary>
    public static void EmitKernels(CodeWriter w, StepPlan step, int scratchPerThread)
    {
        if (step.Kind != StepKind.Convolution)
        {
            PoolingEmitter.EmitKernels(w, step);
            return;
        }

        ConvolutionGeometry g = step.Convolution!;
        int k = g.ColumnRows, n = g.OutPositions, m = g.OutChannels;
        int inLength = step.InputLength, outLength = step.OutputLength, columnLength = k * n;
        bool padded = ColumnCopyEmitter.Padded(g);
        string name = Prefix(step) + Int(step.LayerIndex);
        string act = DenseEmitter.FusesActivationInKernel(step) ? $", then {DenseEmitter.ActivationMath(step)}" : string.Empty;
        string biasParameter = step.HasBias ? "ReadOnlySpan<float> bias, " : string.Empty;
        string biasArgument = step.HasBias ? "bias, " : string.Empty;
        int minSamples = MinSamplesForThreads(step);

        // Forward: the batch split across threads, each with its own slot of scratch.
        w.Line("/// <summary>");
        w.Line($"/// Layer {step.LayerIndex}, {step.Title}: for each sample, {(g.UsesColumns ? "columns = im2col(x), " : string.Empty)}y = W · {(g.UsesColumns ? "columns" : "x")}{(step.HasBias ? " + b" : string.Empty)}{act}; W: [{m}, {k}].");
        w.Line($"/// With <paramref name=\"threads\"/> &gt; 1, a batch of {minSamples} samples or more is split across threads, each with its own");
        w.Line("/// slot of <paramref name=\"scratch\"/> (the same bits as one thread).");
        w.Line("/// </summary>");
        w.Open($"public static void {ForwardName(step)}(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int batch, int threads)");
        ThreadSplitEmitter.Emit(
            w,
            $"threads > 1 && batch >= {minSamples}",
            "batch",
            1,
            $"weight, {(step.HasBias ? "bias" : "default")}, x, y, scratch",
            $"{name}ForwardSamples(s.In0, {(step.HasBias ? "s.In1, " : string.Empty)}s.In2, s.Out0, s.Out1.Slice(KernelThreads.Slot * ScratchPerThread, ScratchPerThread), start, end)",
            $"{name}ForwardSamples(weight, {biasArgument}x, y, scratch.Slice(0, ScratchPerThread), 0, batch);");
        w.Close();
        w.Line();

        w.Line($"/// <summary>Samples <paramref name=\"start\"/> .. <paramref name=\"end\"/> - 1 of layer {step.LayerIndex}'s forward, through one slot of scratch.</summary>");
        w.Open($"private static void {name}ForwardSamples(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, int start, int end)");
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        if (step.HasBias)
        {
            w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
        }

        if (g.UsesColumns)
        {
            w.Line($"Span<float> columns = scratch.Slice(0, {columnLength});");
            if (padded)
            {
                w.Line($"Span<float> image = scratch.Slice({columnLength}, {Int(g.PaddedImageLength)});");
            }
        }

        string biasReference = step.HasBias ? ", ref b" : string.Empty;
        w.Open("for (int s = start; s < end; s++)");
        if (g.UsesColumns)
        {
            w.Line($"{name}Im2Col(x.Slice(s * {inLength}, {inLength}), columns{(padded ? ", image" : string.Empty)});");
            w.Line($"{name}Multiply(ref w, ref MemoryMarshal.GetReference(columns), ref MemoryMarshal.GetReference(y.Slice(s * {outLength}, {outLength})){biasReference});");
        }
        else
        {
            w.Line($"{name}Multiply(ref w, ref MemoryMarshal.GetReference(x.Slice(s * {inLength}, {inLength})), ref MemoryMarshal.GetReference(y.Slice(s * {outLength}, {outLength})){biasReference});");
        }

        w.Close();
        w.Close();
        w.Line();

        // Backward: sample by sample through one slot of scratch.
        string biasGradientParameter = step.HasBias ? "Span<float> biasGradient, " : string.Empty;
        w.Line("/// <summary>");
        w.Line($"/// Layer {step.LayerIndex}, {step.Title}, backward from dy = dL/d(W ⋆ x{(step.HasBias ? " + b" : string.Empty)}): {(step.HasBias ? "<c>db += Σ_s Σ_n dy[s, o, n]</c>, " : string.Empty)}<c>dW += Σ_s dy[s] · rows[s]</c> with");
        w.Line($"/// <c>rows[s] = im2row(x[s])</c> [{n}, {k}], and, when <paramref name=\"dx\"/> is not empty, <c>dx[s] = {(g.UsesColumns ? "col2im(Wᵀ · dy[s])" : "Wᵀ · dy[s]")}</c>.");
        w.Line("/// One slot of scratch holds a sample's rows, then its dcolumns.");
        w.Line("/// </summary>");
        w.Open($"public static void {BackwardName(step)}(ReadOnlySpan<float> weight, Span<float> weightGradient, {biasGradientParameter}ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, int batch)");
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        w.Line("ref float dw = ref MemoryMarshal.GetReference(weightGradient);");
        w.Line($"Span<float> rows = scratch.Slice(0, {columnLength});");
        if (padded)
        {
            w.Line($"Span<float> image = scratch.Slice({columnLength}, {Int(g.PaddedImageLength)});");
        }

        w.Open("for (int s = 0; s < batch; s++)");
        w.Line($"ReadOnlySpan<float> dys = dy.Slice(s * {outLength}, {outLength});");
        w.Line("ref float dyr = ref MemoryMarshal.GetReference(dys);");
        if (step.HasBias)
        {
            w.Line("// db[o] += Σ_n dy[s, o, n]");
            w.Open($"for (int o = 0; o < {m}; o++)");
            w.Line($"biasGradient[o] += TensorPrimitives.Sum(dys.Slice(o * {n}, {n}));");
            w.Close();
            w.Line();
        }

        string imageArgument = padded ? ", image" : string.Empty;
        w.Line("// dW[o, j] += Σ_n dy[s, o, n] · rows[n, j]");
        w.Line($"{name}Im2Row(x.Slice(s * {inLength}, {inLength}), rows{imageArgument});");
        w.Line($"{name}WeightGradient(ref dyr, ref MemoryMarshal.GetReference(rows), ref dw);");
        w.Open("if (dx.IsEmpty)");
        w.Line("continue;");
        w.Close();
        w.Line();
        if (g.UsesColumns)
        {
            w.Line("// dcolumns = Wᵀ · dy[s], in the rows' place, folded back: dx[s] = col2im(dcolumns)");
            w.Line($"{name}MultiplyTransposed(ref w, ref dyr, ref MemoryMarshal.GetReference(rows));");
            w.Line($"{name}Col2Im(rows, dx.Slice(s * {inLength}, {inLength}){imageArgument});");
        }
        else
        {
            w.Line("// dx[s] = Wᵀ · dy[s]");
            w.Line($"{name}MultiplyTransposed(ref w, ref dyr, ref MemoryMarshal.GetReference(dx.Slice(s * {inLength}, {inLength})));");
        }

        w.Close();
        w.Close();
        w.Line();

        EmitMultiply(w, $"{name}Multiply", $"y[{m}, {n}] = W[{m}, {k}] · columns[{k}, {n}]{(step.HasBias ? " + b" : string.Empty)}{act}", m, n, k, k, 1, step.HasBias, accumulate: false, step);
        w.Line();
        EmitMultiply(w, $"{name}MultiplyTransposed", $"dcolumns[{k}, {n}] = Wᵀ[{k}, {m}] · dy[{m}, {n}]", k, n, m, 1, k, bias: false, accumulate: false, activation: null);
        w.Line();
        EmitMultiply(w, $"{name}WeightGradient", $"dW[{m}, {k}] += dy[{m}, {n}] · rows[{n}, {k}]", m, k, n, n, 1, bias: false, accumulate: true, activation: null);
        w.Line();
        if (g.UsesColumns)
        {
            ColumnCopyEmitter.EmitIm2Col(w, $"{name}Im2Col", g);
            w.Line();
        }

        ColumnCopyEmitter.EmitIm2Row(w, $"{name}Im2Row", g);
        if (g.UsesColumns)
        {
            w.Line();
            ColumnCopyEmitter.EmitCol2Im(w, $"{name}Col2Im", g);
        }
    }

    /// <summary>
    /// <c>c[m, n] = a[m, k] · b[k, n]</c> (+ bias[m], or <c>+=</c> when <paramref name="accumulate"/>) with <c>a[r, j]</c> at
    /// <c>r·aRow + j·aColumn</c>, b and c row-major; <paramref name="activation"/>'s fused activation, if any, on the way out.
    /// Columns go in chunks of 2 vectors (4 floats in the scalar path), rows in blocks that fill 12 accumulators, so
    /// each load of b feeds a whole block of rows and each broadcast of a feeds the chunk.
    /// </summary>
    private static void EmitMultiply(CodeWriter w, string name, string math, int m, int n, int k, int aRow, int aColumn, bool bias, bool accumulate, StepPlan? activation)
    {
        w.Line($"/// <summary><c>{math}</c>: blocks of rows × 2 vectors of columns in registers, k streaming through.</summary>");
        w.Open($"private static void {name}(ref float a, ref float b, ref float c{(bias ? ", ref float bias" : string.Empty)})");
        VectorWidth.EachWidth(w, width =>
        {
            ColumnLoops.Emit(w, width, n, width.IsScalar ? 4 : 2, (v, count) =>
            {
                Blocks(w, m, Math.Max(1, Accumulators / count), "r", rows =>
                {
                    w.Line($"ref float cr = ref Unsafe.Add(ref c, {Times("r", n)});");
                    for (int q = 0; q < rows; q++)
                    {
                        for (int u = 0; u < count; u++)
                        {
                            string init = accumulate
                                ? v.Load("cr", Join(ColumnLoops.Offset(v, u), q * n))
                                : bias ? v.Broadcast($"Unsafe.Add(ref bias, {Plus("r", q)})") : v.Zero;
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
                    for (int q = 0; q < rows; q++)
                    {
                        for (int u = 0; u < count; u++)
                        {
                            string value = activation is null ? $"c{q}_{u}" : DenseEmitter.Activate(activation, v, $"c{q}_{u}");
                            w.Line(v.Store(value, "cr", Join(ColumnLoops.Offset(v, u), q * n)));
                        }
                    }
                });
            });
        });
        w.Close();
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

    /// <summary><c>i * 28</c>, or <c>i</c> for a factor of 1.</summary>
    internal static string Times(string variable, int factor) => factor == 1 ? variable : $"{variable} * {Int(factor)}";

    private static string Plus(string variable, int offset) => offset == 0 ? variable : $"{variable} + {offset}";

    /// <summary><c>expression + offset</c>, or the expression alone when the offset is 0.</summary>
    private static string Join(string expression, int offset) => offset == 0 ? expression : $"{expression} + {offset}";
}
