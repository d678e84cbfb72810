using System.Linq;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.DenseEmitter;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits a dense layer's forward kernels, <c>y[r] = act(W x[r] + b)</c> for a range of rows, with the shapes
/// as constants. W stays in PyTorch's layout, [units, inputs]: a row of W is a contiguous dot-product
/// operand, so no packing is needed (a packed copy would have to be invalidated whenever a caller writes
/// <c>Parameters</c>). Two kernels:
/// <list type="bullet">
/// <item>row groups: 3 rows of x by 4 rows of W in 12 vector accumulators; each vector load feeds 3 or 4 FMAs.
/// Units are the outer loop, so the 4 rows of W (4 × inputs floats) stay in L1 while the rows of x stream by
/// (3 x loads per 12 FMAs from L2 at worst).</item>
/// <item>one row: the batch-1 path, tuned for W streaming from L2 once: 8 rows of W per load of x.</item>
/// </list>
/// The kernels are emitted, not in the runtime, because the constants are what makes them fast: offsets
/// such as <c>784 + i</c> fold into addressing modes, trip counts and tails are fixed, and the register
/// block is unrolled by name. Both kernels take each dot product in the same order (lanes accumulate along
/// the inputs, then the horizontal-add tree of <see cref="Simd"/>.Sum4/Sum8, then the scalar tail), so a row
/// gives the same bits whichever kernel computes it, and a batch split across threads at multiples of 3 gives
/// the same bits as one thread.
/// </summary>
internal static class DenseForwardEmitter
{
    /// <summary>Rows of x per register block; thread splits of the batch fall on multiples of it.</summary>
    public const int RowGroup = 3;

    /// <summary>Rows of W (units) per register block of the row-group kernel.</summary>
    private const int UnitGroup = 4;

    /// <summary>Rows of W computed together by the one-row kernel, largest first.</summary>
    private static readonly int[] RowBlocks = { 8, 4, 2, 1 };

    public static void Emit(CodeWriter w, StepPlan step)
    {
        int inputs = step.Inputs, units = step.Units;
        string act = FusesActivationInKernel(step) ? $" then {ActivationMath(step)}" : string.Empty;
        string name = ForwardName(step);
        string biasParameter = step.HasBias ? "ReadOnlySpan<float> bias, " : string.Empty;
        string biasArgument = step.HasBias ? "bias, " : string.Empty;
        int minRows = DenseBackwardEmitter.MinRowsForThreads(step);
        w.Line($"/// <summary>");
        w.Line($"/// Layer {step.LayerIndex}, {step.Title}: <c>y[r] = W x[r]{(step.HasBias ? " + b" : string.Empty)}</c>{act} for each row r. W: [{units}, {inputs}].");
        w.Line($"/// With <paramref name=\"threads\"/> &gt; 1, a batch of {minRows} rows or more is split across threads (the same bits as one thread).");
        w.Line($"/// </summary>");
        w.Open($"public static void {name}(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, int rows, int threads)");
        ThreadSplitEmitter.Emit(
            w,
            $"threads > 1 && rows >= {minRows}",
            "rows",
            RowGroup,
            $"weight, {(step.HasBias ? "bias" : "default")}, x, y, default",
            $"{name}Rows(s.In0, {(step.HasBias ? "s.In1, " : string.Empty)}s.In2, s.Out0, start, end)",
            $"{name}Rows(weight, {biasArgument}x, y, 0, rows);",
            $"rows split across threads at multiples of {RowGroup}");
        w.Close();
        w.Line();
        w.Line($"/// <summary>Rows <paramref name=\"start\"/> .. <paramref name=\"end\"/> - 1 of layer {step.LayerIndex}'s forward.</summary>");
        w.Open($"private static void {name}Rows(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, int start, int end)");
        w.Line($"// groups of {RowGroup} rows share each load of W; the rows left over go one at a time");
        w.Line($"int grouped = start + (end - start) / {RowGroup} * {RowGroup};");
        w.Open("if (grouped > start)");
        w.Line($"{name}RowGroups(weight, {biasArgument}x, y, start, grouped);");
        w.Close();
        w.Line();
        w.Open("for (int r = grouped; r < end; r++)");
        w.Line($"{name}Row(weight, {biasArgument}x, y, r);");
        w.Close();
        w.Close();
        w.Line();
        EmitRowGroups(w, step, biasParameter);
        w.Line();
        EmitRow(w, step, biasParameter);
    }

    private static void EmitPrologue(CodeWriter w, StepPlan step)
    {
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        if (step.HasBias)
        {
            w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
        }

        w.Line("ref float x0 = ref MemoryMarshal.GetReference(x);");
        w.Line("ref float y0 = ref MemoryMarshal.GetReference(y);");
    }

    /// <summary>Whether a block of dot products ends with the horizontal-add tree (whole vectors, 256 bits or more).</summary>
    private static bool EndsWithTree(VectorWidth width, int inputs) => width.Bits >= 256 && inputs % width.Lanes == 0;

    private static void EmitRowGroups(CodeWriter w, StepPlan step, string biasParameter)
    {
        int inputs = step.Inputs, units = step.Units;
        w.Line($"/// <summary>Rows <paramref name=\"start\"/> .. <paramref name=\"end\"/> - 1, a multiple of {RowGroup}: a {RowGroup}×{UnitGroup} block of dot products per step, {RowGroup * UnitGroup} accumulators.</summary>");
        w.Open($"private static void {ForwardName(step)}RowGroups(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, int start, int end)");
        EmitPrologue(w, step);
        VectorWidth.EachWidth(w, width =>
        {
            int grouped = units / UnitGroup * UnitGroup;
            if (grouped > 0)
            {
                w.Line($"// units 0..{grouped - 1}, {UnitGroup} at a time: those rows of W stay in L1 while x streams by, {RowGroup} rows at a time");
                w.Open($"for (int o = 0; o < {grouped}; o += {UnitGroup})");
                EmitGroupBlock(w, width, step, UnitGroup);
                w.Close();
            }

            if (grouped < units)
            {
                w.Line($"// units {grouped}..{units - 1}");
                w.Open(string.Empty);
                w.Line($"const int o = {grouped};");
                EmitGroupBlock(w, width, step, units - grouped);
                w.Close();
            }
        });
        w.Close();
    }

    /// <summary>s[j][k] = Σ_i x[r + j, i] W[o + k, i] for j &lt; 3 and k &lt; <paramref name="count"/>, then the epilogue.</summary>
    private static void EmitGroupBlock(CodeWriter w, VectorWidth width, StepPlan step, int count)
    {
        int inputs = step.Inputs, units = step.Units;
        int main = inputs / width.Lanes * width.Lanes;
        w.Line($"ref float wo = ref Unsafe.Add(ref w, o * {inputs});");
        w.Open($"for (int r = start; r < end; r += {RowGroup})");
        w.Line($"ref float xr = ref Unsafe.Add(ref x0, r * {inputs});");
        w.Line($"ref float yr = ref Unsafe.Add(ref y0, r * {units});");
        for (int j = 0; j < RowGroup; j++)
        {
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"{width.Type} s{j}{k} = {width.Zero};")));
        }

        if (main > 0)
        {
            w.Open($"for (int i = 0; i < {main}; i += {width.Lanes})");
            w.Line(string.Join(" ", Enumerable.Range(0, RowGroup).Select(j => $"{width.Type} x{j}i = {width.Load("xr", Offset(j * inputs))};")));
            for (int k = 0; k < count; k++)
            {
                w.Line($"{(k == 0 ? width.Type + " " : string.Empty)}wk = {width.Load("wo", Offset(k * inputs))};");
                w.Line(string.Join(" ", Enumerable.Range(0, RowGroup).Select(j => $"s{j}{k} = {width.MultiplyAdd("wk", $"x{j}i", $"s{j}{k}")};")));
            }

            w.Close();
        }

        if (count == UnitGroup && EndsWithTree(width, inputs))
        {
            string bias = step.HasBias ? " + b[o .. o + 3]" : string.Empty;
            w.Line($"// y[r + j, o .. o + 3] = {EpilogueMath(step, "Σ lanes of s[j][0..3]" + bias)}");
            if (step.HasBias)
            {
                w.Line("Vector128<float> bo = Vector128.LoadUnsafe(ref b, (nuint)o);");
            }

            for (int j = 0; j < RowGroup; j++)
            {
                string sums = $"Simd.Sum4(s{j}0, s{j}1, s{j}2, s{j}3)";
                string target = j == 0 ? "(nuint)o" : $"(nuint)({j * units} + o)";
                w.Line($"Vector128<float> z{j} = {(step.HasBias ? $"{sums} + bo" : sums)};");
                w.Line($"{VectorActivate(step, 128, $"z{j}")}.StoreUnsafe(ref yr, {target});");
            }

            w.Close();
            return;
        }

        for (int j = 0; j < RowGroup; j++)
        {
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"float t{j}{k} = {width.Sum($"s{j}{k}")};")));
        }

        if (main < inputs)
        {
            w.Open($"for (int i = {main}; i < {inputs}; i++)");
            for (int j = 0; j < RowGroup; j++)
            {
                w.Line($"float x{j}i = Unsafe.Add(ref xr, {Offset(j * inputs)});");
            }

            for (int k = 0; k < count; k++)
            {
                w.Line($"{(k == 0 ? "float " : string.Empty)}wk = Unsafe.Add(ref wo, {Offset(k * inputs)});");
                w.Line(string.Join(" ", Enumerable.Range(0, RowGroup).Select(j => $"t{j}{k} += wk * x{j}i;")));
            }

            w.Close();
        }

        for (int j = 0; j < RowGroup; j++)
        {
            for (int k = 0; k < count; k++)
            {
                string unit = k == 0 ? "o" : $"o + {k}";
                string z = step.HasBias ? $"t{j}{k} + Unsafe.Add(ref b, {unit})" : $"t{j}{k}";
                string target = j == 0 ? unit : $"{j * units} + {unit}";
                w.Line($"Unsafe.Add(ref yr, {target}) = {Activate(step, z)};");
            }
        }

        w.Close();
    }

    private static void EmitRow(CodeWriter w, StepPlan step, string biasParameter)
    {
        int inputs = step.Inputs, units = step.Units;
        w.Line($"/// <summary>Row <paramref name=\"r\"/> alone (the batch-1 path): W streams from cache once, each load of x feeds up to 8 dot products.</summary>");
        w.Open($"private static void {ForwardName(step)}Row(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, int r)");
        EmitPrologue(w, step);
        w.Line($"ref float xr = ref Unsafe.Add(ref x0, r * {inputs});");
        w.Line($"ref float yr = ref Unsafe.Add(ref y0, r * {units});");
        VectorWidth.EachWidth(w, width =>
        {
            int start = 0;
            foreach (int block in RowBlocks)
            {
                int count = (units - start) / block;
                if (count == 0)
                {
                    continue;
                }

                int end = start + count * block;
                w.Line($"// units {start}..{end - 1}, {block} at a time: each load of x feeds {block} dot products");
                w.Open(count == 1 ? string.Empty : $"for (int o = {start}; o < {end}; o += {block})");
                if (count == 1)
                {
                    w.Line($"const int o = {start};");
                }

                EmitRowBlock(w, width, step, block);
                w.Close();
                start = end;
            }
        });
        w.Close();
    }

    private static void EmitRowBlock(CodeWriter w, VectorWidth width, StepPlan step, int block)
    {
        int inputs = step.Inputs;
        w.Line($"ref float wo = ref Unsafe.Add(ref w, o * {inputs});");
        int main = inputs / width.Lanes * width.Lanes;

        // Vector paths take two vectors of x per iteration (half the loop overhead, two loads of x in
        // flight) into the same accumulators, so the order of the sums is that of one vector at a time;
        // an odd vector left over gets one more step, written out after the loop.
        int stride = width.IsScalar ? width.Lanes : 2 * width.Lanes;
        int pairs = inputs / stride * stride;
        for (int k = 0; k < block; k++)
        {
            w.Line($"{width.Type} s{k} = {width.Zero};");
        }

        if (pairs > 0)
        {
            w.Open($"for (int i = 0; i < {pairs}; i += {stride})");
            EmitMultiplyAdds(w, width, inputs, block, 0);
            if (!width.IsScalar)
            {
                EmitMultiplyAdds(w, width, inputs, block, width.Lanes);
            }

            w.Close();
        }

        if (pairs < main)
        {
            w.Open(string.Empty);
            w.Line($"const int i = {pairs};");
            EmitMultiplyAdds(w, width, inputs, block, 0);
            w.Close();
        }

        if (block >= UnitGroup && EndsWithTree(width, inputs))
        {
            int bits = block * 32;
            string v = $"Vector{bits}<float>";
            string method = block == 8 ? "Sum8" : "Sum4";
            string bias = step.HasBias ? $" + b[o .. o + {block - 1}]" : string.Empty;
            w.Line($"// y[o .. o + {block - 1}] = {EpilogueMath(step, $"Σ lanes of s0..s{block - 1}{bias}")}, as one vector");
            string sums = $"Simd.{method}({string.Join(", ", Enumerable.Range(0, block).Select(k => $"s{k}"))})";
            w.Line($"{v} z = {(step.HasBias ? $"{sums} + Vector{bits}.LoadUnsafe(ref b, (nuint)o)" : sums)};");
            w.Line($"{VectorActivate(step, bits, "z")}.StoreUnsafe(ref yr, (nuint)o);");
            return;
        }

        for (int k = 0; k < block; k++)
        {
            w.Line($"float t{k} = {width.Sum($"s{k}")};");
        }

        if (main < inputs)
        {
            w.Open($"for (int i = {main}; i < {inputs}; i++)");
            w.Line("float xi = Unsafe.Add(ref xr, i);");
            for (int k = 0; k < block; k++)
            {
                w.Line($"t{k} += Unsafe.Add(ref wo, {Offset(k * inputs)}) * xi;");
            }

            w.Close();
        }

        for (int k = 0; k < block; k++)
        {
            string row = k == 0 ? "o" : $"o + {k}";
            string z = step.HasBias ? $"t{k} + Unsafe.Add(ref b, {row})" : $"t{k}";
            w.Line($"Unsafe.Add(ref yr, {row}) = {Activate(step, z)};");
        }
    }

    /// <summary><c>xi = x[i + shift ..]</c>, then <c>s{k} += W[o + k, i + shift ..] * xi</c> for each row of the block.</summary>
    private static void EmitMultiplyAdds(CodeWriter w, VectorWidth width, int inputs, int block, int shift)
    {
        w.Line($"{(shift == 0 ? width.Type + " " : string.Empty)}xi = {width.Load("xr", Offset(shift))};");
        for (int k = 0; k < block; k++)
        {
            w.Line($"s{k} = {width.MultiplyAdd(width.Load("wo", Offset(k * inputs + shift)), "xi", $"s{k}")};");
        }
    }

    private static string Offset(int offset) => offset == 0 ? "i" : $"{offset} + i";

    /// <summary>The math of a block's epilogue: the fused activation around <paramref name="z"/>, if any.</summary>
    private static string EpilogueMath(StepPlan step, string z)
        => FusesActivationInKernel(step) ? ActivationMath(step).Replace("·", z) : z;

    /// <summary>The fused activation of the vector local <paramref name="z"/> of <paramref name="bits"/> bits.</summary>
    private static string VectorActivate(StepPlan step, int bits, string z)
        => DenseEmitter.Activate(step, bits == 512 ? VectorWidth.V512 : bits == 256 ? VectorWidth.V256 : VectorWidth.V128, z);
}
