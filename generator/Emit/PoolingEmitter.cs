using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits max and average pooling (1-D, 2-D and global) with their sizes as constants.
/// <para>
/// Max pooling follows PyTorch, whose loop over a window's taps (row-major) lets a tap take over when
/// <c>v &gt; best || isnan(v)</c>: the value is the maximum, NaN if the window holds a NaN, and the winner backward
/// sends the gradient to is the first tap equal to the maximum, or in a window with NaNs the last NaN. The forward
/// kernel writes winners only when given a span for them, which the forward chain does in training alone. No tap is
/// decided by a branch: on real data which tap wins is a coin toss, and a mispredicted branch per tap cost more than
/// the rest of the window. The maximum is a chain of <c>Simd.MaxFirst</c> (one <c>maxps</c>), NaN is or-ed in after,
/// and the winner is chosen by selects.
/// </para>
/// <para>
/// Windows two columns wide at stride 2 (2×2/2 in images, 2/2 in sequences: nearly every max pooling there is) run a
/// row of windows at a time in vectors: each input row's even columns are the windows' left taps and its odd columns
/// their right taps (<c>Simd.Deinterleave</c>), so a vector of outputs costs a few loads, shuffles and maxima.
/// Other windows are strided gathers; they take the scalar, branch-free loop. Average pooling is scalar.
/// </para>
/// </summary>
internal static class PoolingEmitter
{
    /// <summary>The tallest two-column window the vector path takes: two taps per row, each a register.</summary>
    private const int MaxPairRows = 4;

    /// <summary>Windows of up to this many taps are written out in the scalar path; larger ones loop.</summary>
    private const int MaxUnrolledTaps = 9;

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
        if (step.Kind == StepKind.MaxPool)
        {
            w.Line("//   the winners (where each maximum was) are for backward, so only training keeps them");
        }

        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string winners = step.Kind == StepKind.MaxPool ? $"training ? {Slot(step.MaskOffset, step.OutputLength)} : default, " : string.Empty;
        string threads = step.Kind == StepKind.MaxPool ? ", workspace.Threads" : string.Empty;
        w.Line($"{kernels}.{ConvolutionEmitter.ForwardName(step)}({input}, {output}, {winners}batch{threads});");
    }

    public static void EmitBackwardComment(CodeWriter w, StepPlan step, string dOut, string dIn)
    {
        w.Line(step.Kind == StepKind.MaxPool
            ? $"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} at each window's maximum, 0 elsewhere"
            : $"// Layer {step.LayerIndex}, {step.Title}: {dIn} = {dOut} / {step.Convolution!.KernelHeight * step.Convolution.KernelWidth} spread over each window");
    }

    /// <summary>Input floats a batch must bring before max pooling splits it across threads: enough to outweigh waking a worker.</summary>
    private const int MinFloatsForThreads = 1 << 15;

    public static void EmitKernels(CodeWriter w, StepPlan step)
    {
        if (step.Kind == StepKind.MaxPool)
        {
            EmitMaxForward(w, step);
        }
        else
        {
            EmitAverageForward(w, step);
        }

        w.Line();
        EmitBackward(w, step);
    }

    private static void EmitMaxForward(CodeWriter w, StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        int inLength = step.InputLength, outLength = step.OutputLength;

        string name = ConvolutionEmitter.ForwardName(step);
        int minSamples = System.Math.Max(2, (MinFloatsForThreads + inLength - 1) / inLength);
        w.Line("/// <summary>");
        w.Line($"/// Layer {step.LayerIndex}, {step.Title}: the maximum of each {Window(g)} window, stride {Stride(g)}, NaN if the window holds one; given");
        w.Line("/// <paramref name=\"winners\"/> (in training), also the index of each window's winner, for backward. With <paramref name=\"threads\"/> &gt; 1,");
        w.Line($"/// a batch of {minSamples} samples or more is split across threads.");
        w.Line("/// </summary>");
        w.Open($"public static void {name}(ReadOnlySpan<float> x, Span<float> y, Span<float> winners, int batch, int threads)");
        ThreadSplitEmitter.Emit(
            w,
            $"threads > 1 && batch >= {minSamples}",
            "batch",
            1,
            "x, default, default, y, winners",
            $"{name}Samples(s.In0, s.Out0, s.Out1, start, end)",
            $"{name}Samples(x, y, winners, 0, batch);");
        w.Close();
        w.Line();
        w.Line($"/// <summary>Samples <paramref name=\"first\"/> .. <paramref name=\"end\"/> - 1 of layer {step.LayerIndex}'s forward.</summary>");
        w.Open($"private static void {name}Samples(ReadOnlySpan<float> x, Span<float> y, Span<float> winners, int first, int end)");
        w.Line("bool keepWinners = !winners.IsEmpty;");
        w.Open("for (int s = first; s < end; s++)");
        w.Line($"ref float xr = ref MemoryMarshal.GetReference(x.Slice(s * {inLength}, {inLength}));");
        w.Line($"ref float yr = ref MemoryMarshal.GetReference(y.Slice(s * {outLength}, {outLength}));");
        w.Line($"ref float wr = ref MemoryMarshal.GetReference(keepWinners ? winners.Slice(s * {outLength}, {outLength}) : default);");

        List<VectorWidth> widths = PairWidths(g);
        if (widths.Count == 0)
        {
            EmitScalarMax(w, g);
        }
        else
        {
            w.Line($"// No Vector512 path: Simd.Use256 holds on AVX-512 processors too, and pooling is a few operations per float loaded.{(widths[0] == VectorWidth.V128 ? $" Rows of {g.OutWidth} outputs are too short for 8 lanes." : string.Empty)}");
            for (int k = 0; k < widths.Count; k++)
            {
                w.Open(k == 0 ? $"if ({widths[k].Guard})" : $"else if ({widths[k].Guard})");
                EmitPairRows(w, g, widths[k]);
                w.Close();
            }

            w.Open("else");
            EmitScalarMax(w, g);
            w.Close();
        }

        w.Close();
        w.Close();
    }

    /// <summary>
    /// The vector widths of a two-column, stride-2 window (none for any other), widest first: a width serves only if
    /// a row has at least a vector of outputs; a shorter row's last vector would reach past it.
    /// </summary>
    private static List<VectorWidth> PairWidths(ConvolutionGeometry g)
    {
        var widths = new List<VectorWidth>();
        if (g.KernelWidth != 2 || g.StrideWidth != 2 || g.KernelHeight > MaxPairRows)
        {
            return widths;
        }

        foreach (VectorWidth width in new[] { VectorWidth.V256, VectorWidth.V128 })
        {
            if (g.OutWidth >= width.Lanes)
            {
                widths.Add(width);
            }
        }

        return widths;
    }

    /// <summary>A row of two-column windows at a time, one vector of outputs per step; taps <c>t{2p}</c>, <c>t{2p+1}</c> are row p's left and right.</summary>
    private static void EmitPairRows(CodeWriter w, ConvolutionGeometry g, VectorWidth v)
    {
        int n = v.Lanes, outWidth = g.OutWidth, kh = g.KernelHeight;
        string vector = $"Vector{v.Bits}";
        OpenRows(w, g);
        string start = RowStart(g), o = RowOutput(g);
        if (start != "0")
        {
            w.Line($"int start = {start};");
            start = "start";
        }

        if (o != "0")
        {
            w.Line($"int o = {o};");
            o = "o";
        }

        if (outWidth == n)
        {
            w.Open(string.Empty);
            w.Line("const int j = 0;");
        }
        else if (outWidth % n == 0)
        {
            w.Open($"for (int j = 0; j < {outWidth}; j += {n})");
        }
        else
        {
            w.Open($"for (int k = 0; k < {outWidth}; k += {n})");
            int last = outWidth - n;
            w.Line($"// the last step starts at {last} and recomputes {n - outWidth % n} output{(n - outWidth % n == 1 ? string.Empty : "s")} rather than run a tail");
            w.Line($"int j = Math.Min(k, {last});");
        }

        w.Line($"// outputs j .. j + {n - 1} read columns 2j .. 2j + {2 * n - 1} of {(kh == 1 ? "the row" : $"{kh} rows")}: the even columns are the windows' left taps, the odd ones their right taps");
        w.Line($"ref float window = ref Unsafe.Add(ref xr, {Sum(start, "2 * j")});");
        var taps = new List<string>();
        for (int p = 0; p < kh; p++)
        {
            string left = $"t{2 * p}", right = $"t{2 * p + 1}";
            w.Line($"Simd.Deinterleave({Load(vector, p * g.InWidth)}, {Load(vector, p * g.InWidth + n)}, out {v.Type} {left}, out {v.Type} {right});");
            taps.Add(left);
            taps.Add(right);
        }

        w.Line("// the first maximum in row-major order (MaxFirst keeps the earlier of equal values), then NaN wherever a tap");
        w.Line("// is NaN, as in PyTorch: a NaN is the one value not equal to itself, and all-ones bits are a NaN");
        w.Line($"{v.Type} best = t0;");
        foreach (string tap in taps.Skip(1))
        {
            w.Line($"best = Simd.MaxFirst(best, {tap});");
        }

        w.Line($"best |= ~({string.Join(" & ", taps.Select(t => $"{vector}.Equals({t}, {t})"))});");
        w.Line($"best.StoreUnsafe(ref yr, (nuint)({Sum(o, "j")}));");
        w.Open("if (keepWinners)");
        w.Line("// the winner as PyTorch's loop picks it: the first tap equal to best, found from the last tap back, or in a");
        w.Line("// window with NaNs (none is equal to best then) the last NaN; a tap is its offset from the window's first element");
        w.Line($"Vector{v.Bits}<int> tap = {vector}.Create({TapOffset(g, taps.Count - 1)});");
        for (int t = taps.Count - 2; t >= 0; t--)
        {
            w.Line($"tap = {vector}.ConditionalSelect({vector}.Equals({taps[t]}, best).AsInt32(), {VectorOffset(g, v, t)}, tap);");
        }

        for (int t = 0; t < taps.Count; t++)
        {
            w.Line($"tap = {vector}.ConditionalSelect((~{vector}.Equals({taps[t]}, {taps[t]})).AsInt32(), {VectorOffset(g, v, t)}, tap);");
        }

        string firsts = string.Join(", ", Enumerable.Range(0, n).Select(l => Int(2 * l)));
        w.Line("// the windows' first elements are two columns apart");
        w.Line($"({vector}.Create({Sum(start, "2 * j")}) + {vector}.Create({firsts}) + tap).AsSingle().StoreUnsafe(ref wr, (nuint)({Sum(o, "j")}));");
        w.Close();
        w.Close();
        CloseRows(w, g);
    }

    /// <summary>One window at a time, without a branch on the data: taps written out for small windows, loops for large ones.</summary>
    private static void EmitScalarMax(CodeWriter w, ConvolutionGeometry g)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, area = kh * kw;
        OpenWindows(w, g);
        w.Line("ref float window = ref Unsafe.Add(ref xr, start);");
        if (area <= MaxUnrolledTaps)
        {
            var taps = new List<string>();
            for (int p = 0; p < kh; p++)
            {
                var row = new List<string>();
                for (int q = 0; q < kw; q++)
                {
                    int offset = p * g.InWidth + q;
                    string tap = $"t{taps.Count}";
                    row.Add($"{tap} = {(offset == 0 ? "window" : $"Unsafe.Add(ref window, {Int(offset)})")}");
                    taps.Add(tap);
                }

                w.Line($"float {string.Join(", ", row)};");
            }

            w.Line("// the first maximum in row-major order (MaxFirst keeps the earlier of equal values), NaN if a tap is NaN, as in PyTorch");
            w.Line("float best = t0;");
            foreach (string tap in taps.Skip(1))
            {
                w.Line($"best = Simd.MaxFirst(best, {tap});");
            }

            w.Line($"best = ({string.Join(" | ", taps.Select(t => $"float.IsNaN({t})"))}) ? float.NaN : best;");
            w.Line("Unsafe.Add(ref yr, o) = best;");
            w.Open("if (keepWinners)");
            w.Line("// the winner as PyTorch's loop picks it: the first tap equal to best, found from the last tap back, or in a");
            w.Line("// window with NaNs (none is equal to best then) the last NaN");
            w.Line($"int tap = {TapOffset(g, area - 1)};");
            for (int t = area - 2; t >= 0; t--)
            {
                w.Line($"tap = {taps[t]} == best ? {TapOffset(g, t)} : tap;");
            }

            for (int t = 0; t < area; t++)
            {
                w.Line($"tap = float.IsNaN({taps[t]}) ? {TapOffset(g, t)} : tap;");
            }

            w.Line("Unsafe.Add(ref wr, o) = BitConverter.Int32BitsToSingle(start + tap);");
            w.Close();
        }
        else
        {
            w.Line("// the first maximum in row-major order (MaxFirst keeps the earlier of equal values), NaN if a tap is NaN, as in PyTorch");
            w.Line("float best = window;");
            w.Line("int lastNaN = -1;");
            OpenTaps(w, g, backwards: false, "Unsafe.Add(ref window, at)");
            w.Line("best = Simd.MaxFirst(best, v);");
            w.Line("lastNaN = float.IsNaN(v) ? at : lastNaN;");
            CloseTaps(w, g);
            w.Line("best = lastNaN >= 0 ? float.NaN : best;");
            w.Line("Unsafe.Add(ref yr, o) = best;");
            w.Open("if (keepWinners)");
            w.Line("// the winner as PyTorch's loop picks it: the first tap equal to best, found from the last tap back, or in a");
            w.Line("// window with NaNs (none is equal to best then) the last NaN");
            w.Line("int tap = lastNaN;");
            OpenTaps(w, g, backwards: true, "Unsafe.Add(ref window, at)");
            w.Line("tap = v == best ? at : tap;");
            CloseTaps(w, g);
            w.Line("Unsafe.Add(ref wr, o) = BitConverter.Int32BitsToSingle(start + tap);");
            w.Close();
        }

        CloseWindows(w, g);
    }

    private static void EmitAverageForward(CodeWriter w, StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        int wd = g.InWidth, area = g.KernelHeight * g.KernelWidth;
        int inLength = step.InputLength, outLength = step.OutputLength;

        w.Line($"/// <summary>Layer {step.LayerIndex}, {step.Title}: the mean of each {Window(g)} window, stride {Stride(g)}.</summary>");
        w.Open($"public static void {ConvolutionEmitter.ForwardName(step)}(ReadOnlySpan<float> x, Span<float> y, int batch)");
        w.Open("for (int s = 0; s < batch; s++)");
        w.Line($"ReadOnlySpan<float> xs = x.Slice(s * {inLength}, {inLength});");
        w.Line($"Span<float> ys = y.Slice(s * {outLength}, {outLength});");
        OpenWindows(w, g);
        if (g.KernelWidth == wd)
        {
            w.Line($"// the window is whole rows, {area} contiguous floats");
            w.Line($"ys[o] = TensorPrimitives.Sum(xs.Slice(start, {area})) / {Float(area)};");
        }
        else
        {
            w.Line("float sum = 0f;");
            OpenTaps(w, g, backwards: false, "xs[start + at]");
            w.Line("sum += v;");
            CloseTaps(w, g);
            w.Line($"ys[o] = sum / {Float(area)};");
        }

        CloseWindows(w, g);
        w.Close();
        w.Close();
    }

    private static void EmitBackward(CodeWriter w, StepPlan step)
    {
        ConvolutionGeometry g = step.Convolution!;
        bool max = step.Kind == StepKind.MaxPool;
        int inLength = step.InputLength, outLength = step.OutputLength, area = g.KernelHeight * g.KernelWidth;
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
            if (g.KernelWidth == g.InWidth)
            {
                w.Line($"TensorPrimitives.Add(dxs.Slice(start, {area}), share, dxs.Slice(start, {area}));");
            }
            else
            {
                OpenTaps(w, g, backwards: false);
                w.Line("dxs[start + at] += share;");
                CloseTaps(w, g);
            }

            CloseWindows(w, g);
        }

        w.Close();
        w.Close();
    }

    /// <summary>Opens the loops over channels and output rows; a loop of one (one channel, one row as in 1-D pooling) is left out.</summary>
    private static void OpenRows(CodeWriter w, ConvolutionGeometry g)
    {
        if (g.InChannels > 1)
        {
            w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        }

        if (g.OutHeight > 1)
        {
            w.Open($"for (int i = 0; i < {g.OutHeight}; i++)");
        }
    }

    private static void CloseRows(CodeWriter w, ConvolutionGeometry g)
    {
        if (g.OutHeight > 1)
        {
            w.Close();
        }

        if (g.InChannels > 1)
        {
            w.Close();
        }
    }

    /// <summary>The input index of output row <c>i</c>'s first window, in channel <c>c</c>.</summary>
    private static string RowStart(ConvolutionGeometry g)
        => Sum(g.InChannels > 1 ? $"c * {g.InPositions}" : null, g.OutHeight > 1 ? $"i * {g.StrideHeight * g.InWidth}" : null);

    /// <summary>The output index of row <c>i</c>'s first window, in channel <c>c</c>.</summary>
    private static string RowOutput(ConvolutionGeometry g) => (g.InChannels > 1, g.OutHeight > 1) switch
    {
        (true, true) => $"(c * {g.OutHeight} + i) * {g.OutWidth}",
        (true, false) => $"c * {g.OutWidth}",
        (false, true) => $"i * {g.OutWidth}",
        _ => "0",
    };

    /// <summary>The terms joined by +, those that are null or 0 left out.</summary>
    private static string Sum(params string?[] terms)
    {
        string[] kept = terms.Where(t => t is not null && t != "0").Select(t => t!).ToArray();
        return kept.Length == 0 ? "0" : string.Join(" + ", kept);
    }

    /// <summary>Opens the loops over channels and output positions; <c>start</c> is the window's first input index, <c>o</c> the output index.</summary>
    private static void OpenWindows(CodeWriter w, ConvolutionGeometry g)
    {
        OpenRows(w, g);
        w.Open($"for (int j = 0; j < {g.OutWidth}; j++)");
        w.Line($"int start = {Sum(RowStart(g), g.StrideWidth == 1 ? "j" : $"j * {g.StrideWidth}")};");
        w.Line($"int o = {Sum(RowOutput(g), "j")};");
    }

    private static void CloseWindows(CodeWriter w, ConvolutionGeometry g)
    {
        w.Close();
        CloseRows(w, g);
    }

    /// <summary>
    /// Opens the loops over a window's taps, first to last or last to first; <c>at</c> is the tap's offset from
    /// <c>start</c>, and <c>v</c> its value read through <paramref name="read"/> (a format of <c>at</c>) when one is given.
    /// </summary>
    private static void OpenTaps(CodeWriter w, ConvolutionGeometry g, bool backwards, string? read = null)
    {
        if (g.KernelHeight > 1)
        {
            w.Open(backwards ? $"for (int p = {g.KernelHeight - 1}; p >= 0; p--)" : $"for (int p = 0; p < {g.KernelHeight}; p++)");
        }

        w.Open(backwards ? $"for (int q = {g.KernelWidth - 1}; q >= 0; q--)" : $"for (int q = 0; q < {g.KernelWidth}; q++)");
        w.Line(g.KernelHeight > 1 ? $"int at = p * {g.InWidth} + q;" : "int at = q;");
        if (read is not null)
        {
            w.Line($"float v = {read};");
        }
    }

    private static void CloseTaps(CodeWriter w, ConvolutionGeometry g)
    {
        w.Close();
        if (g.KernelHeight > 1)
        {
            w.Close();
        }
    }

    /// <summary>The offset of tap <paramref name="t"/> (row-major) from the window's first element.</summary>
    private static string TapOffset(ConvolutionGeometry g, int t) => Int(t / g.KernelWidth * g.InWidth + t % g.KernelWidth);

    /// <summary>Tap <paramref name="t"/>'s offset in every lane.</summary>
    private static string VectorOffset(ConvolutionGeometry g, VectorWidth v, int t)
        => t == 0 ? $"Vector{v.Bits}<int>.Zero" : $"Vector{v.Bits}.Create({TapOffset(g, t)})";

    private static string Load(string vector, int offset)
        => offset == 0 ? $"{vector}.LoadUnsafe(ref window)" : $"{vector}.LoadUnsafe(ref window, (nuint){Int(offset)})";

    private static string Window(ConvolutionGeometry g) => g.Rank == 1 ? Int(g.KernelWidth) : $"{g.KernelHeight}×{g.KernelWidth}";

    private static string Stride(ConvolutionGeometry g) => g.Rank == 1 ? Int(g.StrideWidth) : $"{g.StrideHeight}×{g.StrideWidth}";
}
