using System;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits a loop over <c>n</c> contiguous columns, known at compile time, at one vector width: whole chunks
/// of <c>unroll</c> vectors, then the leftover whole vectors as one straight block, then what is left in narrower vectors, then a scalar tail.
/// Every bound is a constant, so the JIT sees fixed trip counts and no tail test is left for run time.
/// </summary>
internal static class ColumnLoops
{
    /// <param name="body">Writes the work for <c>count</c> vectors of the given width starting at column <c>i</c>.</param>
    public static void Emit(CodeWriter w, VectorWidth width, int n, int unroll, Action<VectorWidth, int> body)
    {
        int step = width.Lanes * unroll;
        int full = n / step * step;
        if (full > 0)
        {
            w.Open($"for (int i = 0; i < {full}; i += {step})");
            body(width, unroll);
            w.Close();
        }

        int leftoverVectors = (n - full) / width.Lanes;
        if (leftoverVectors > 0)
        {
            w.Open("");
            w.Line($"const int i = {full};");
            body(width, leftoverVectors);
            w.Close();
        }

        int tailStart = full + leftoverVectors * width.Lanes;
        foreach (VectorWidth narrower in VectorWidth.All)
        {
            // a tail of at least one narrower vector goes at that width (hardware that runs a width runs the narrower ones)
            if (narrower.IsScalar || narrower.Lanes >= width.Lanes || n - tailStart < narrower.Lanes)
            {
                continue;
            }

            int vectors = (n - tailStart) / narrower.Lanes;
            w.Open("");
            w.Line($"const int i = {tailStart};");
            body(narrower, vectors);
            w.Close();
            tailStart += vectors * narrower.Lanes;
        }

        if (tailStart < n)
        {
            w.Open($"for (int i = {tailStart}; i < {n}; i++)");
            body(VectorWidth.Scalar, 1);
            w.Close();
        }
    }

    /// <summary>Column offset of vector <paramref name="k"/> of a chunk: <c>i</c>, <c>i + 8</c>, ...</summary>
    public static string Offset(VectorWidth width, int k) => k == 0 ? "i" : $"i + {k * width.Lanes}";
}
