using System.Linq;
using NetGen.Generator.Parse;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.VectorWidth;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits a dense layer's kernels with its shapes as constants: forward (<c>y = act(W x + b)</c>, several
/// output rows at a time so each load of <c>x</c> feeds several FMAs), and backward (<c>dW += dzᵀ x</c>,
/// <c>db += Σ dz</c>, <c>dx = dz W</c>), each at every vector width.
/// </summary>
internal static class DenseEmitter
{
    /// <summary>
    /// Output rows computed together in forward: 8 accumulators hide the FMA latency, and a block of 8 ends
    /// with one vector of 8 sums (see <see cref="EmitTransposedEpilogue"/>).
    /// </summary>
    private static readonly int[] RowBlocks = { 8, 4, 2, 1 };

    public static string ForwardName(StepPlan step) => $"Dense{step.LayerIndex}Forward";

    public static string BackwardName(StepPlan step) => $"Dense{step.LayerIndex}Backward";

    /// <summary>Whether the activation is applied inside the forward kernel, on each finished sum.</summary>
    public static bool FusesActivationInKernel(StepPlan step)
        => step.Activation is LayerKind.ReLU || (step.Activation is LayerKind.LeakyReLU && !step.KeepsPreActivation);

    public static void EmitForward(CodeWriter w, StepPlan step)
    {
        int inputs = step.Inputs, units = step.Units;
        string act = FusesActivationInKernel(step) ? $" then {ActivationMath(step)}" : string.Empty;
        w.Line($"/// <summary>Layer {step.LayerIndex}, {step.Title}: <c>y[r] = W x[r]{(step.HasBias ? " + b" : string.Empty)}</c>{act} for each row r. W: [{units}, {inputs}].</summary>");
        string biasParameter = step.HasBias ? "ReadOnlySpan<float> bias, " : string.Empty;
        w.Open($"public static void {ForwardName(step)}(ReadOnlySpan<float> weight, {biasParameter}ReadOnlySpan<float> x, Span<float> y, int rows)");
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        if (step.HasBias)
        {
            w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
        }

        w.Line("ref float x0 = ref MemoryMarshal.GetReference(x);");
        w.Line("ref float y0 = ref MemoryMarshal.GetReference(y);");
        EachWidth(w, width =>
        {
            w.Open("for (int r = 0; r < rows; r++)");
            w.Line($"ref float xr = ref Unsafe.Add(ref x0, r * {inputs});");
            w.Line($"ref float yr = ref Unsafe.Add(ref y0, r * {units});");
            int start = 0;
            foreach (int block in RowBlocks)
            {
                int count = (units - start) / block;
                if (count == 0)
                {
                    continue;
                }

                int end = start + count * block;
                w.Line($"// rows {start}..{end - 1}, {block} at a time: each load of x feeds {block} dot products");
                w.Open(count == 1 ? string.Empty : $"for (int o = {start}; o < {end}; o += {block})");
                if (count == 1)
                {
                    w.Line($"const int o = {start};");
                }

                EmitRowBlock(w, width, step, block);
                w.Close();
                start = end;
            }

            w.Close();
        });
        w.Close();
    }

    private static void EmitRowBlock(CodeWriter w, VectorWidth width, StepPlan step, int block)
    {
        int inputs = step.Inputs;
        w.Line($"ref float wo = ref Unsafe.Add(ref w, o * {inputs});");
        int main = inputs / width.Lanes * width.Lanes;

        // Vector paths take two vectors of x per iteration (half the loop overhead, two loads of x in
        // flight); an odd vector left over gets one more step, written out after the loop.
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

        if (block == 8 && width.Bits >= 256 && main == inputs)
        {
            EmitTransposedEpilogue(w, width, step);
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
                w.Line($"t{k} += Unsafe.Add(ref wo, {(k == 0 ? "i" : $"{k * inputs} + i")}) * xi;");
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
        w.Line($"{(shift == 0 ? width.Type + " " : string.Empty)}xi = {width.Load("xr", Plus(shift))};");
        for (int k = 0; k < block; k++)
        {
            w.Line($"s{k} = {width.MultiplyAdd(width.Load("wo", Plus(k * inputs + shift)), "xi", $"s{k}")};");
        }
    }

    private static string Plus(int offset) => offset == 0 ? "i" : $"{offset} + i";

    /// <summary>
    /// Ends an 8-row block with its 8 sums as one Vector256: the lanes of the 8 accumulators are summed all
    /// together by a tree of horizontal adds (a transpose and add in 8 instructions, instead of a separate
    /// reduction per row), then the bias is added, the activation applied and the 8 outputs stored as one
    /// vector. On a 512-bit path the two 256-bit halves of each accumulator are added first. Avx is there
    /// whenever Simd.Use256 or Use512 is set on x86; elsewhere a per-row sum builds the same vector.
    /// </summary>
    private static void EmitTransposedEpilogue(CodeWriter w, VectorWidth width, StepPlan step)
    {
        const string V = "Vector256<float>";
        const string Avx = "global::System.Runtime.Intrinsics.X86.Avx";
        string s = "s";
        if (width.Bits == 512)
        {
            w.Line("// fold each 512-bit accumulator to 256 bits");
            for (int k = 0; k < 8; k++)
            {
                w.Line($"{V} u{k} = s{k}.GetLower() + s{k}.GetUpper();");
            }

            s = "u";
        }

        w.Line($"// t[k] = Σ lanes of {s}k for k = 0..7, as one vector");
        w.Line($"{V} t;");
        w.Open($"if ({Avx}.IsSupported)");
        w.Line($"{V} h01 = {Avx}.HorizontalAdd({s}0, {s}1);");
        w.Line($"{V} h23 = {Avx}.HorizontalAdd({s}2, {s}3);");
        w.Line($"{V} h45 = {Avx}.HorizontalAdd({s}4, {s}5);");
        w.Line($"{V} h67 = {Avx}.HorizontalAdd({s}6, {s}7);");
        w.Line($"{V} h0123 = {Avx}.HorizontalAdd(h01, h23);");
        w.Line($"{V} h4567 = {Avx}.HorizontalAdd(h45, h67);");
        w.Line($"// lanes: [{s}0 {s}1 {s}2 {s}3 | {s}0 {s}1 {s}2 {s}3] and [{s}4 .. {s}7 | {s}4 .. {s}7], each half a partial sum: add the halves");
        w.Line("t = Vector256.Create(h0123.GetLower(), h4567.GetLower()) + Vector256.Create(h0123.GetUpper(), h4567.GetUpper());");
        w.Close();
        w.Open("else");
        w.Line($"t = Vector256.Create({string.Join(", ", Enumerable.Range(0, 8).Select(k => $"Vector256.Sum({s}{k})"))});");
        w.Close();

        string bias = step.HasBias ? " + b[o .. o + 7]" : string.Empty;
        string y = !FusesActivationInKernel(step) ? "z"
            : step.Activation == LayerKind.ReLU ? $"Vector256.Max({V}.Zero, z)"
            : $"Vector256.ConditionalSelect(Vector256.GreaterThan(z, {V}.Zero), z, z * {Literals.Float(step.Scalar)})";
        w.Line($"// y[o .. o + 7] = {(FusesActivationInKernel(step) ? ActivationMath(step).Replace("·", "t" + bias) : "t" + bias)}");
        w.Line($"{V} z = {(step.HasBias ? "t + Vector256.LoadUnsafe(ref b, (nuint)o)" : "t")};");
        w.Line($"{y}.StoreUnsafe(ref yr, (nuint)o);");
    }

    public static void EmitBackward(CodeWriter w, StepPlan step)
    {
        int inputs = step.Inputs, units = step.Units;
        w.Line($"/// <summary>");
        w.Line($"/// Layer {step.LayerIndex}, {step.Title}, backward from <c>dz = dL/d(W x + b)</c>: <c>dW += dzᵀ x</c>{(step.HasBias ? ", <c>db += Σ_r dz[r]</c>" : string.Empty)},");
        w.Line($"/// and, when <paramref name=\"dx\"/> is not empty, <c>dx = dz W</c>. W: [{units}, {inputs}].");
        w.Line($"/// </summary>");
        string biasParameter = step.HasBias ? "Span<float> biasGradient, " : string.Empty;
        w.Open($"public static void {BackwardName(step)}(ReadOnlySpan<float> weight, Span<float> weightGradient, {biasParameter}ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dx, int rows)");
        w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
        w.Line("ref float gw0 = ref MemoryMarshal.GetReference(weightGradient);");
        w.Line("ref float x0 = ref MemoryMarshal.GetReference(x);");
        w.Line("ref float dz0 = ref MemoryMarshal.GetReference(dz);");
        if (step.HasBias)
        {
            w.Line();
            w.Line("// db[o] += Σ_r dz[r, o]");
            w.Open("for (int r = 0; r < rows; r++)");
            w.Line($"TensorPrimitives.Add(biasGradient, dz.Slice(r * {units}, {units}), biasGradient);");
            w.Close();
        }

        w.Line();
        w.Line("// dW[o, i] += Σ_r dz[r, o] x[r, i]: a chunk of W's row o stays in registers while the rows stream by");
        EachWidth(w, width =>
        {
            w.Open($"for (int o = 0; o < {units}; o++)");
            w.Line($"ref float gw = ref Unsafe.Add(ref gw0, o * {inputs});");
            ColumnLoops.Emit(w, width, inputs, 4, (v, count) =>
            {
                for (int k = 0; k < count; k++)
                {
                    w.Line($"{v.Type} g{k} = {v.Load("gw", ColumnLoops.Offset(v, k))};");
                }

                w.Open("for (int r = 0; r < rows; r++)");
                w.Line($"{v.Type} d = {v.Broadcast($"Unsafe.Add(ref dz0, r * {units} + o)")};");
                w.Line($"ref float xr = ref Unsafe.Add(ref x0, r * {inputs});");
                for (int k = 0; k < count; k++)
                {
                    w.Line($"g{k} = {v.MultiplyAdd("d", v.Load("xr", ColumnLoops.Offset(v, k)), $"g{k}")};");
                }

                w.Close();
                for (int k = 0; k < count; k++)
                {
                    w.Line(v.Store($"g{k}", "gw", ColumnLoops.Offset(v, k)));
                }
            });
            w.Close();
        });

        w.Line();
        w.Line("// dx[r, i] = Σ_o dz[r, o] W[o, i]");
        w.Open("if (dx.IsEmpty)");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Line("ref float dx0 = ref MemoryMarshal.GetReference(dx);");
        EachWidth(w, width =>
        {
            w.Open("for (int r = 0; r < rows; r++)");
            w.Line($"ref float dzr = ref Unsafe.Add(ref dz0, r * {units});");
            w.Line($"ref float dxr = ref Unsafe.Add(ref dx0, r * {inputs});");
            ColumnLoops.Emit(w, width, inputs, 4, (v, count) =>
            {
                for (int k = 0; k < count; k++)
                {
                    w.Line($"{v.Type} a{k} = {v.Zero};");
                }

                w.Open($"for (int o = 0; o < {units}; o++)");
                w.Line($"{v.Type} d = {v.Broadcast("Unsafe.Add(ref dzr, o)")};");
                w.Line($"ref float wo = ref Unsafe.Add(ref w, o * {inputs});");
                for (int k = 0; k < count; k++)
                {
                    w.Line($"a{k} = {v.MultiplyAdd("d", v.Load("wo", ColumnLoops.Offset(v, k)), $"a{k}")};");
                }

                w.Close();
                for (int k = 0; k < count; k++)
                {
                    w.Line(v.Store($"a{k}", "dxr", ColumnLoops.Offset(v, k)));
                }
            });
            w.Close();
        });
        w.Close();
    }

    /// <summary>Writes <c>if (Simd.Use512) {...} else if (Simd.Use256) {...} ... else {...}</c>.</summary>
    private static void EachWidth(CodeWriter w, System.Action<VectorWidth> body)
    {
        for (int n = 0; n < All.Count; n++)
        {
            VectorWidth width = All[n];
            string header = width.Guard is null ? "else" : n == 0 ? $"if ({width.Guard})" : $"else if ({width.Guard})";
            w.Open(header);
            body(width);
            w.Close();
        }
    }

    private static string Activate(StepPlan step, string z)
    {
        if (!FusesActivationInKernel(step))
        {
            return z;
        }

        return step.Activation == LayerKind.ReLU
            ? $"MathF.Max({z}, 0f)"
            : $"LeakyReLU({z}, {Literals.Float(step.Scalar)})";
    }

    private static string ActivationMath(StepPlan step) => step.Activation == LayerKind.ReLU
        ? "max(·, 0)"
        : $"leaky_relu(·, {Literals.Float(step.Scalar)})";

    /// <summary>Whether any step's kernel calls the <c>LeakyReLU</c> helper.</summary>
    public static bool NeedsLeakyHelper(NetworkPlan plan)
        => plan.Steps.Any(s => s.Kind == StepKind.Dense && s.Activation == LayerKind.LeakyReLU && FusesActivationInKernel(s));
}
