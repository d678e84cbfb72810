using System.Linq;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.DenseEmitter;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits a dense layer's backward kernels from <c>dz = dL/d(W x + b)</c>, both products register-blocked
/// with the shapes as constants and W in its own layout (no transposed copy):
/// <list type="bullet">
/// <item><c>dW += dzᵀ x</c>: 4 units × 3 vectors of columns in 12 accumulators, loaded from dW once and
/// stored once, while the batch streams by (per row: 3 loads of x, 4 broadcasts of dz, 12 FMAs). Columns are
/// the outer loop, so the chunk of x (rows × 3 vectors) stays in L1 for every unit.</item>
/// <item><c>dx = dz W</c>: 4 rows × 3 vectors of columns in 12 accumulators, the sum over units inside (per
/// unit: 3 loads of W, 4 broadcasts of dz, 12 FMAs); the chunk of W (units × 3 vectors) stays in L1.</item>
/// </list>
/// Every element is a sum taken in one fixed order (over rows for dW, over units for dx), whichever block
/// computes it, so splitting units or rows across threads at multiples of 4 changes no bit.
/// </summary>
internal static class DenseBackwardEmitter
{
    /// <summary>Units (for dW) or rows (for dx) per register block; thread splits fall on multiples of it.</summary>
    public const int Group = 4;

    /// <summary>Vectors of columns per register block.</summary>
    private const int Columns = 3;

    public static string WeightGradientName(StepPlan step) => $"Dense{step.LayerIndex}WeightGradient";

    public static string InputGradientName(StepPlan step) => $"Dense{step.LayerIndex}InputGradient";

    public static void Emit(CodeWriter w, StepPlan step)
    {
        int inputs = step.Inputs, units = step.Units;
        int minRows = MinRowsForThreads(step);
        string biasGradient = step.HasBias ? "biasGradient" : "default";
        w.Line($"/// <summary>");
        w.Line($"/// Layer {step.LayerIndex}, {step.Title}, backward from <c>dz = dL/d(W x + b)</c>: <c>dW += dzᵀ x</c>{(step.HasBias ? ", <c>db += Σ_r dz[r]</c>" : string.Empty)},");
        w.Line($"/// and, when <paramref name=\"dx\"/> is not empty, <c>dx = dz W</c>. W: [{units}, {inputs}]. With <paramref name=\"threads\"/> &gt; 1,");
        w.Line($"/// a batch of {minRows} rows or more is split across threads (the same bits as one thread).");
        w.Line($"/// </summary>");
        string biasParameter = step.HasBias ? "Span<float> biasGradient, " : string.Empty;
        w.Open($"public static void {BackwardName(step)}(ReadOnlySpan<float> weight, Span<float> weightGradient, {biasParameter}ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dx, int rows, int threads)");
        string weightCall = $"{WeightGradientName(step)}(s.In0, s.In1, s.Out0, {(step.HasBias ? "s.Out1, " : string.Empty)}start, end)";
        w.Line($"// dW += dzᵀ x{(step.HasBias ? ", db += Σ_r dz[r]" : string.Empty)}: units split across threads at multiples of {Group}, each unit summed over the batch by one thread");
        ThreadSplitEmitter.Emit(
            w,
            $"threads > 1 && rows >= {minRows}",
            Literals.Int(units),
            Group,
            $"x, dz, default, weightGradient, {biasGradient}",
            weightCall,
            $"{WeightGradientName(step)}(x, dz, weightGradient, {(step.HasBias ? "biasGradient, " : string.Empty)}0, {units});");
        w.Line();
        w.Open("if (dx.IsEmpty)");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Line($"// dx = dz W: rows split across threads at multiples of {Group}");
        ThreadSplitEmitter.Emit(
            w,
            $"threads > 1 && rows >= {minRows}",
            "rows",
            Group,
            "weight, dz, default, dx, default",
            $"{InputGradientName(step)}(s.In0, s.In1, s.Out0, start, end)",
            $"{InputGradientName(step)}(weight, dz, dx, 0, rows);");
        w.Close();
        w.Line();
        EmitWeightGradient(w, step, biasParameter);
        w.Line();
        EmitInputGradient(w, step);
    }

    private static void EmitWeightGradient(CodeWriter w, StepPlan step, string biasParameter)
    {
        int inputs = step.Inputs, units = step.Units;
        w.Line($"/// <summary>Units <paramref name=\"start\"/> .. <paramref name=\"end\"/> - 1 of <c>dW += dzᵀ x</c>{(step.HasBias ? " and <c>db += Σ_r dz[r]</c>" : string.Empty)}, over every row of the batch.</summary>");
        w.Open($"private static void {WeightGradientName(step)}(ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> weightGradient, {biasParameter}int start, int end)");
        w.Line($"int rows = dz.Length / {units};");
        if (step.HasBias)
        {
            w.Line();
            w.Line("// db[o] += Σ_r dz[r, o]");
            w.Line("Span<float> db = biasGradient.Slice(start, end - start);");
            w.Open("for (int r = 0; r < rows; r++)");
            w.Line($"TensorPrimitives.Add(db, dz.Slice(r * {units} + start, end - start), db);");
            w.Close();
        }

        w.Line();
        w.Line("ref float x0 = ref MemoryMarshal.GetReference(x);");
        w.Line("ref float dz0 = ref MemoryMarshal.GetReference(dz);");
        w.Line("ref float gw = ref MemoryMarshal.GetReference(weightGradient);");
        w.Line($"int grouped = start + (end - start) / {Group} * {Group};");
        w.Line($"// dW[o, i] += Σ_r dz[r, o] x[r, i]: for each chunk of columns (x[.., chunk] stays in L1), {Group} units at a time");
        VectorWidth.EachWidth(w, width => ColumnLoops.Emit(w, width, inputs, Columns, (v, count) =>
        {
            w.Open($"for (int o = start; o < grouped; o += {Group})");
            EmitWeightBlock(w, v, step, count, Group);
            w.Close();
            w.Open("for (int o = grouped; o < end; o++)");
            EmitWeightBlock(w, v, step, count, 1);
            w.Close();
        }));
        w.Close();
    }

    /// <summary>g[u][k] = dW[o + u, i + k·lanes ..] += Σ_r dz[r, o + u] x[r, i + k·lanes ..].</summary>
    private static void EmitWeightBlock(CodeWriter w, VectorWidth v, StepPlan step, int count, int group)
    {
        int inputs = step.Inputs, units = step.Units;
        w.Line($"ref float go = ref Unsafe.Add(ref gw, o * {inputs});");
        for (int u = 0; u < group; u++)
        {
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"{v.Type} g{u}{k} = {v.Load("go", Column(v, u * inputs, k))};")));
        }

        w.Open("for (int r = 0; r < rows; r++)");
        w.Line($"ref float xr = ref Unsafe.Add(ref x0, r * {inputs});");
        w.Line($"ref float dzr = ref Unsafe.Add(ref dz0, r * {units} + o);");
        w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"{v.Type} xv{k} = {v.Load("xr", Column(v, 0, k))};")));
        for (int u = 0; u < group; u++)
        {
            w.Line($"{(u == 0 ? v.Type + " " : string.Empty)}d = {v.Broadcast(u == 0 ? "dzr" : $"Unsafe.Add(ref dzr, {u})")};");
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"g{u}{k} = {v.MultiplyAdd("d", $"xv{k}", $"g{u}{k}")};")));
        }

        w.Close();
        for (int u = 0; u < group; u++)
        {
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => v.Store($"g{u}{k}", "go", Column(v, u * inputs, k)))));
        }
    }

    private static void EmitInputGradient(CodeWriter w, StepPlan step)
    {
        int inputs = step.Inputs, units = step.Units;
        w.Line($"/// <summary>Rows <paramref name=\"start\"/> .. <paramref name=\"end\"/> - 1 of <c>dx = dz W</c>.</summary>");
        w.Open($"private static void {InputGradientName(step)}(ReadOnlySpan<float> weight, ReadOnlySpan<float> dz, Span<float> dx, int start, int end)");
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        w.Line("ref float dz0 = ref MemoryMarshal.GetReference(dz);");
        w.Line("ref float dx0 = ref MemoryMarshal.GetReference(dx);");
        w.Line($"int grouped = start + (end - start) / {Group} * {Group};");
        w.Line($"// dx[r, i] = Σ_o dz[r, o] W[o, i]: for each chunk of columns (W[.., chunk] stays in L1), {Group} rows at a time");
        VectorWidth.EachWidth(w, width => ColumnLoops.Emit(w, width, inputs, Columns, (v, count) =>
        {
            w.Open($"for (int r = start; r < grouped; r += {Group})");
            EmitInputBlock(w, v, step, count, Group);
            w.Close();
            w.Open("for (int r = grouped; r < end; r++)");
            EmitInputBlock(w, v, step, count, 1);
            w.Close();
        }));
        w.Close();
    }

    /// <summary>a[j][k] = dx[r + j, i + k·lanes ..] = Σ_o dz[r + j, o] W[o, i + k·lanes ..].</summary>
    private static void EmitInputBlock(CodeWriter w, VectorWidth v, StepPlan step, int count, int group)
    {
        int inputs = step.Inputs, units = step.Units;
        w.Line($"ref float dzr = ref Unsafe.Add(ref dz0, r * {units});");
        w.Line($"ref float dxr = ref Unsafe.Add(ref dx0, r * {inputs});");
        for (int j = 0; j < group; j++)
        {
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"{v.Type} a{j}{k} = {v.Zero};")));
        }

        w.Open($"for (int o = 0; o < {units}; o++)");
        w.Line($"ref float wo = ref Unsafe.Add(ref w, o * {inputs});");
        w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"{v.Type} wv{k} = {v.Load("wo", Column(v, 0, k))};")));
        for (int j = 0; j < group; j++)
        {
            string dzElement = j == 0 ? "Unsafe.Add(ref dzr, o)" : $"Unsafe.Add(ref dzr, {j * units} + o)";
            w.Line($"{(j == 0 ? v.Type + " " : string.Empty)}d = {v.Broadcast(dzElement)};");
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => $"a{j}{k} = {v.MultiplyAdd("d", $"wv{k}", $"a{j}{k}")};")));
        }

        w.Close();
        for (int j = 0; j < group; j++)
        {
            w.Line(string.Join(" ", Enumerable.Range(0, count).Select(k => v.Store($"a{j}{k}", "dxr", Column(v, j * inputs, k)))));
        }
    }

    /// <summary>Column offset of vector <paramref name="k"/> of a chunk, <paramref name="rowOffset"/> floats further: <c>i</c>, <c>784 + i + 8</c>, ...</summary>
    private static string Column(VectorWidth v, int rowOffset, int k)
    {
        int shift = rowOffset + k * v.Lanes;
        return shift == 0 ? "i" : $"{shift} + i";
    }

    /// <summary>
    /// The smallest batch a kernel splits across threads: about 2^18 multiply-adds (a few µs on one core),
    /// enough to pay for handing a part to a worker, and at least two register blocks.
    /// </summary>
    public static int MinRowsForThreads(StepPlan step)
    {
        long perRow = (long)step.Units * step.Inputs;
        return (int)System.Math.Max(2 * Group, ((1L << 18) + perRow - 1) / perRow);
    }
}
