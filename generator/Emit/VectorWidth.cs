using System.Collections.Generic;
using System.Globalization;

namespace NetGen.Generator.Emit;

/// <summary>
/// One vector width the kernels are emitted for, and how to spell its operations. The scalar width
/// (1 lane) spells the same operations on <c>float</c>, so one emitter writes every path.
/// </summary>
internal sealed class VectorWidth
{
    private VectorWidth(int bits, int lanes)
    {
        Bits = bits;
        Lanes = lanes;
    }

    public static readonly VectorWidth V512 = new(512, 16);
    public static readonly VectorWidth V256 = new(256, 8);
    public static readonly VectorWidth V128 = new(128, 4);
    public static readonly VectorWidth Scalar = new(32, 1);

    /// <summary>The paths emitted for each kernel, widest first; the first the process supports runs.</summary>
    public static IReadOnlyList<VectorWidth> All { get; } = new[] { V512, V256, V128, Scalar };

    public int Bits { get; }

    public int Lanes { get; }

    public bool IsScalar => Lanes == 1;

    /// <summary>The runtime flag that selects this path, or null for the scalar fallback.</summary>
    public string? Guard => IsScalar ? null : $"Simd.Use{Bits}";

    public string Name => IsScalar ? "scalar" : $"Vector{Bits}";

    public string Type => IsScalar ? "float" : $"Vector{Bits}<float>";

    public string Zero => IsScalar ? "0f" : $"Vector{Bits}<float>.Zero";

    public string Load(string reference, string offset)
        => IsScalar ? $"Unsafe.Add(ref {reference}, {offset})" : $"Vector{Bits}.LoadUnsafe(ref {reference}, {Index(offset)})";

    public string Store(string value, string reference, string offset)
        => IsScalar ? $"Unsafe.Add(ref {reference}, {offset}) = {value};" : $"{value}.StoreUnsafe(ref {reference}, {Index(offset)});";

    public string Broadcast(string scalar) => IsScalar ? scalar : $"Vector{Bits}.Create({scalar})";

    /// <summary><c>a * b + c</c>.</summary>
    public string MultiplyAdd(string a, string b, string c) => IsScalar ? $"{c} + {a} * {b}" : $"Simd.MultiplyAdd({a}, {b}, {c})";

    public string Sum(string vector) => IsScalar ? vector : $"Vector{Bits}.Sum({vector})";

    /// <summary><c>(nuint)i</c>, or <c>(nuint)(784 + i)</c> when the offset is an expression.</summary>
    private static string Index(string offset) => offset.IndexOf(' ') >= 0 ? $"(nuint)({offset})" : $"(nuint){offset}";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes <c>if (Simd.Use512) {...} else if (Simd.Use256) {...} ... else {...}</c>: one path per width.</summary>
    public static void EachWidth(CodeWriter w, System.Action<VectorWidth> body)
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
}
