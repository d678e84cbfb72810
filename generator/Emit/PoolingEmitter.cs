using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits max and average pooling (1-D, 2-D and global) with their sizes as constants. The loops are scalar (a max
/// window of up to 9 taps written out, through references): windows
/// are small and strided, so vector lanes would need gathers or shuffles, and pooling is a few percent of the
/// multiply-adds of the convolution before it. Max pooling keeps the index of each window's first maximum (as
/// PyTorch picks it) in the step's mask slot, and backward sends each gradient there.
/// </summary>
internal static class PoolingEmitter
{
    public static void EmitForwardStep(CodeWriter w, StepPlan step, string input, string output, string kernels, string shapes)
    {
        ConvolutionGeometry g = step.Convolution!;
        string window = Window(g);
        string math = step.Kind == StepKind.MaxPool
            ? $"{output}[c, i, j] = max over the {window} window of {input} at (i·{g.StrideHeight}, j·{g.StrideWidth})"
            : $"{output}[c, i, j] = mean over the {window} window of {input} at (i·{g.StrideHeight}, j·{g.StrideWidth})";
        if (g.Rank == 1)
        {
            math = step.Kind == StepKind.MaxPool
                ? $"{output}[c, j] = max of {input}[c, j·{g.StrideWidth} .. j·{g.StrideWidth} + {g.KernelWidth - 1}]"
                : $"{output}[c, j] = mean of {input}[c, j·{g.StrideWidth} .. j·{g.StrideWidth} + {g.KernelWidth - 1}]";
        }

        if (step.Title == "GlobalAvgPool")
        {
            math = $"{output}[c] = mean of {input}[c, ...] over its {g.InPositions} positions";
        }

        w.Line($"// Layer {step.LayerIndex}, {step.Title}: {math}, {shapes}");
        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string mask = step.Kind == StepKind.MaxPool ? Slot(step.MaskOffset, step.OutputLength) + ", " : string.Empty;
        w.Line($"{kernels}.{ConvolutionEmitter.ForwardName(step)}({input}, {output}, {mask}batch);");
    }

    public static void EmitBackwardComment(CodeWriter w, StepPlan step, string dOut, string dIn)
    {
        w.Line(step.Kind == StepKind.MaxPool
            ? $"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} at each window's maximum, 0 elsewhere"
            : $"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} / {step.Convolution!.KernelHeight * step.Convolution.KernelWidth} spread over each window");
    }

    public static void EmitKernels(CodeWriter w, StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        int wd = g.InWidth, kh = g.KernelHeight, kw = g.KernelWidth;
        int inLength = step.InputLength, outLength = step.OutputLength, area = kh * kw;
        bool max = step.Kind == StepKind.MaxPool;

        w.Line($"/// <summary>Layer {step.LayerIndex}, {step.Title}: the {(max ? "maximum" : "mean")} of each {Window(g)} window, stride {g.StrideHeight}×{g.StrideWidth}{(max ? "; the index of each winner goes to <paramref name=\"winners\"/>" : string.Empty)}.</summary>");
        w.Open($"public static void {ConvolutionEmitter.ForwardName(step)}(ReadOnlySpan<float> x, Span<float> y, {(max ? "Span<float> winners, " : string.Empty)}int batch)");
        w.Open("for (int s = 0; s < batch; s++)");
        w.Line($"ReadOnlySpan<float> xs = x.Slice(s * {inLength}, {inLength});");
        w.Line($"Span<float> ys = y.Slice(s * {outLength}, {outLength});");
        if (max)
        {
            w.Line($"Span<float> ws = winners.Slice(s * {outLength}, {outLength});");
        }

        if (max && kh * kw <= 9)
        {
            // small windows: the taps written out, read through references (every index is in range by construction)
            w.Line("ref float xr = ref MemoryMarshal.GetReference(xs);");
            w.Line("ref float yr = ref MemoryMarshal.GetReference(ys);");
            w.Line("ref float wr = ref MemoryMarshal.GetReference(ws);");
            OpenWindows(w, g);
            w.Line("ref float window = ref Unsafe.Add(ref xr, start);");
            w.Line("float best = window;");
            w.Line("int winner = start;");
            w.Line("float v;");
            for (int p = 0; p < kh; p++)
            {
                for (int q = 0; q < kw; q++)
                {
                    if (p == 0 && q == 0)
                    {
                        // the first tap starts as the best, and as the winner even when it is NaN
                        continue;
                    }

                    int at = p * wd + q;
                    w.Line($"v = Unsafe.Add(ref window, {at});");
                    w.Line("// strictly greater keeps the first maximum; NaN wins, as in PyTorch");
                    w.Open("if (v > best || float.IsNaN(v))");
                    w.Line("best = v;");
                    w.Line($"winner = start + {at};");
                    w.Close();
                }
            }

            w.Line("Unsafe.Add(ref yr, o) = best;");
            w.Line("Unsafe.Add(ref wr, o) = BitConverter.Int32BitsToSingle(winner);");
            CloseWindows(w);
            w.Close();
            w.Close();
            w.Line();
            EmitBackward(w, step, g, max, inLength, outLength, area, wd);
            return;
        }

        OpenWindows(w, g);
        if (max)
        {
            w.Line("float best = xs[start];");
            w.Line("int winner = start;");
            OpenTaps(w, g);
            w.Line("float v = xs[at];");
            w.Line("// strictly greater keeps the first maximum; NaN wins, as in PyTorch");
            w.Open("if (v > best || float.IsNaN(v))");
            w.Line("best = v;");
            w.Line("winner = at;");
            w.Close();
            CloseTaps(w);
            w.Line("ys[o] = best;");
            w.Line("ws[o] = BitConverter.Int32BitsToSingle(winner);");
        }
        else if (kw == wd)
        {
            w.Line($"// the window is whole rows, {area} contiguous floats");
            w.Line($"ys[o] = TensorPrimitives.Sum(xs.Slice(start, {area})) / {Float(area)};");
        }
        else
        {
            w.Line("float sum = 0f;");
            OpenTaps(w, g);
            w.Line("sum += xs[at];");
            CloseTaps(w);
            w.Line($"ys[o] = sum / {Float(area)};");
        }

        CloseWindows(w);
        w.Close();
        w.Close();
        w.Line();
        EmitBackward(w, step, g, max, inLength, outLength, area, wd);
    }

    private static void EmitBackward(CodeWriter w, StepPlan step, ConvolutionGeometry g, bool max, int inLength, int outLength, int area, int wd)
    {
        int kw = g.KernelWidth;
        w.Line($"/// <summary>Layer {step.LayerIndex}, {step.Title}, backward: {(max ? "each gradient goes to its window's winner" : $"each gradient, divided by {area}, goes to every element of its window")}; positions no window reaches get 0.</summary>");
        w.Open($"public static void {ConvolutionEmitter.BackwardName(step)}({(max ? "ReadOnlySpan<float> winners, " : string.Empty)}ReadOnlySpan<float> dy, Span<float> dx, int batch)");
        w.Open("if (dx.IsEmpty)");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Line("dx.Clear();");
        w.Open("for (int s = 0; s < batch; s++)");
        w.Line($"ReadOnlySpan<float> dys = dy.Slice(s * {outLength}, {outLength});");
        w.Line($"Span<float> dxs = dx.Slice(s * {inLength}, {inLength});");
        if (max)
        {
            w.Line($"ReadOnlySpan<float> ws = winners.Slice(s * {outLength}, {outLength});");
            w.Open($"for (int o = 0; o < {outLength}; o++)");
            w.Line("dxs[BitConverter.SingleToInt32Bits(ws[o])] += dys[o];");
            w.Close();
        }
        else
        {
            OpenWindows(w, g);
            w.Line($"float share = dys[o] / {Float(area)};");
            if (kw == wd)
            {
                w.Line($"TensorPrimitives.Add(dxs.Slice(start, {area}), share, dxs.Slice(start, {area}));");
            }
            else
            {
                OpenTaps(w, g);
                w.Line("dxs[at] += share;");
                CloseTaps(w);
            }

            CloseWindows(w);
        }

        w.Close();
        w.Close();
    }

    /// <summary>Opens the loops over channels and output positions; <c>start</c> is the window's first input index, <c>o</c> the output index.</summary>
    private static void OpenWindows(CodeWriter w, ConvolutionGeometry g)
    {
        w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        w.Open($"for (int i = 0; i < {g.OutHeight}; i++)");
        w.Open($"for (int j = 0; j < {g.OutWidth}; j++)");
        w.Line($"int start = c * {g.InPositions} + i * {g.StrideHeight * g.InWidth} + j * {g.StrideWidth};");
        w.Line($"int o = (c * {g.OutHeight} + i) * {g.OutWidth} + j;");
    }

    private static void CloseWindows(CodeWriter w)
    {
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>Opens the loops over a window's taps; <c>at</c> is the input index of the tap.</summary>
    private static void OpenTaps(CodeWriter w, ConvolutionGeometry g)
    {
        w.Open($"for (int p = 0; p < {g.KernelHeight}; p++)");
        w.Open($"for (int q = 0; q < {g.KernelWidth}; q++)");
        w.Line($"int at = start + p * {g.InWidth} + q;");
    }

    private static void CloseTaps(CodeWriter w)
    {
        w.Close();
        w.Close();
    }

    private static string Window(ConvolutionGeometry g) => g.Rank == 1 ? Int(g.KernelWidth) : $"{g.KernelHeight}×{g.KernelWidth}";
}
