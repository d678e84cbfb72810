using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.ConvolutionEmitter;
using static NetGen.Generator.Emit.Literals;

namespace NetGen.Generator.Emit;

/// <summary>
/// Emits the copies that turn a convolution into matrix multiplies, for one sample, every size a constant:
/// im2col (<c>columns[(c, p, q), (i, j)]</c>, forward), im2row (its transpose <c>rows[(i, j), (c, p, q)]</c>, for dW) and
/// col2im (the adjoint of im2col, which folds dL/d(columns) back onto dL/dx). A padded layer works on a zero-padded copy
/// of the image in the thread's scratch, so no tap ever needs clipping: every row of every tap is one copy of a
/// constant length.
/// </summary>
internal static class ColumnCopyEmitter
{
    /// <summary>Whether the layer has padding, and so a padded image after its matrix in the scratch.</summary>
    public static bool Padded(ConvolutionGeometry g) => g.PaddingHeight > 0 || g.PaddingWidth > 0;

    private static int PaddedHeight(ConvolutionGeometry g) => g.InHeight + (2 * g.PaddingHeight);

    private static int PaddedWidth(ConvolutionGeometry g) => g.InWidth + (2 * g.PaddingWidth);

    /// <summary>The index map every copy shares, for doc comments.</summary>
    private static string Source(ConvolutionGeometry g)
        => $"x[c, i·{g.StrideHeight} - {g.PaddingHeight} + p·{g.DilationHeight}, j·{g.StrideWidth} - {g.PaddingWidth} + q·{g.DilationWidth}]";

    /// <summary><c>columns[(c, p, q), (i, j)] = x[...]</c>, 0 in the padding: a row per tap, a copy per output row.</summary>
    public static void EmitIm2Col(CodeWriter w, string name, ConvolutionGeometry g)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, oh = g.OutHeight, ow = g.OutWidth;
        int n = g.OutPositions, ph = PaddedHeight(g), pw = PaddedWidth(g);
        w.Line($"/// <summary>im2col: <c>columns[(c, p, q), (i, j)] = {Source(g)}</c>, 0 in the padding.</summary>");
        w.Open($"private static void {name}(ReadOnlySpan<float> x, Span<float> columns{(Padded(g) ? ", Span<float> image" : string.Empty)})");
        OpenSource(w, g);
        w.Line("ref float dst = ref MemoryMarshal.GetReference(columns);");
        w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        w.Open($"for (int p = 0; p < {kh}; p++)");
        w.Open($"for (int q = 0; q < {kw}; q++)");
        w.Line($"ref float row = ref Unsafe.Add(ref dst, ((c * {kh} + p) * {kw} + q) * {n});");
        w.Line($"ref float tap = ref Unsafe.Add(ref src, c * {ph * pw} + {Times("p", g.DilationHeight * pw)} + {Times("q", g.DilationWidth)});");
        w.Open($"for (int i = 0; i < {oh}; i++)");
        w.Line($"ref float from = ref Unsafe.Add(ref tap, {Times("i", g.StrideHeight * pw)});");
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

    /// <summary>
    /// <c>rows[(i, j), (c, p, q)] = x[...]</c>, the transpose of im2col: one row of C·kh·kw per output position, a copy of
    /// kw floats per (c, p), so that dW = dy · rows is a multiply whose columns are the weights' own.
    /// </summary>
    public static void EmitIm2Row(CodeWriter w, string name, ConvolutionGeometry g)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, oh = g.OutHeight, ow = g.OutWidth;
        int k = g.ColumnRows, ph = PaddedHeight(g), pw = PaddedWidth(g);
        w.Line($"/// <summary>im2row: <c>rows[(i, j), (c, p, q)] = {Source(g)}</c>, 0 in the padding.</summary>");
        w.Open($"private static void {name}(ReadOnlySpan<float> x, Span<float> rows{(Padded(g) ? ", Span<float> image" : string.Empty)})");
        OpenSource(w, g);
        w.Line("ref float dst = ref MemoryMarshal.GetReference(rows);");
        w.Open($"for (int i = 0; i < {oh}; i++)");
        w.Open($"for (int j = 0; j < {ow}; j++)");
        w.Line($"ref float row = ref Unsafe.Add(ref dst, (i * {ow} + j) * {k});");
        w.Line($"ref float at = ref Unsafe.Add(ref src, {Times("i", g.StrideHeight * pw)} + {Times("j", g.StrideWidth)});");
        w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        w.Open($"for (int p = 0; p < {kh}; p++)");
        w.Line($"ref float from = ref Unsafe.Add(ref at, c * {ph * pw} + {Times("p", g.DilationHeight * pw)});");
        if (g.DilationWidth == 1)
        {
            w.Line($"Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref row, (c * {kh} + p) * {kw})), ref Unsafe.As<float, byte>(ref from), {kw * 4});");
        }
        else
        {
            w.Open($"for (int q = 0; q < {kw}; q++)");
            w.Line($"Unsafe.Add(ref row, (c * {kh} + p) * {kw} + q) = Unsafe.Add(ref from, q * {g.DilationWidth});");
            w.Close();
        }

        w.Close();
        w.Close();
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>
    /// col2im: <c>dx[...] += dcolumns[(c, p, q), (i, j)]</c> over the same index pairs as im2col, with vector adds along each
    /// output row. A padded layer adds into the padded image and copies its inside to dx.
    /// </summary>
    public static void EmitCol2Im(CodeWriter w, string name, ConvolutionGeometry g)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, oh = g.OutHeight, ow = g.OutWidth;
        int n = g.OutPositions, ph = PaddedHeight(g), pw = PaddedWidth(g);
        bool padded = Padded(g);
        w.Line($"/// <summary>col2im: <c>{Source(g).Replace("x[", "dx[")} += dcolumns[(c, p, q), (i, j)]</c>; dx is overwritten.</summary>");
        w.Open($"private static void {name}(ReadOnlySpan<float> columns, Span<float> dx{(padded ? ", Span<float> image" : string.Empty)})");
        if (padded)
        {
            w.Line("// the sums go to the padded image first; what lands in the padding belongs to no input and is dropped");
            w.Line("image.Clear();");
            w.Line("ref float dst = ref MemoryMarshal.GetReference(image);");
        }
        else
        {
            w.Line("dx.Clear();");
            w.Line("ref float dst = ref MemoryMarshal.GetReference(dx);");
        }

        w.Line("ref float src = ref MemoryMarshal.GetReference(columns);");
        w.Open($"for (int c = 0; c < {g.InChannels}; c++)");
        w.Open($"for (int p = 0; p < {kh}; p++)");
        w.Open($"for (int q = 0; q < {kw}; q++)");
        w.Line($"ref float row = ref Unsafe.Add(ref src, ((c * {kh} + p) * {kw} + q) * {n});");
        w.Line($"ref float tap = ref Unsafe.Add(ref dst, c * {ph * pw} + {Times("p", g.DilationHeight * pw)} + {Times("q", g.DilationWidth)});");
        w.Open($"for (int r = 0; r < {oh}; r++)");
        w.Line($"ref float to = ref Unsafe.Add(ref tap, {Times("r", g.StrideHeight * pw)});");
        w.Line($"ref float from = ref Unsafe.Add(ref row, r * {ow});");
        if (g.StrideWidth == 1)
        {
            VectorWidth.EachWidth(w, width => ColumnLoops.Emit(w, width, ow, 1, (v, count) =>
            {
                for (int u = 0; u < count; u++)
                {
                    string at = ColumnLoops.Offset(v, u);
                    w.Line(v.IsScalar
                        ? $"Unsafe.Add(ref to, {at}) += Unsafe.Add(ref from, {at});"
                        : v.Store($"({v.Load("to", at)} + {v.Load("from", at)})", "to", at));
                }
            }));
        }
        else
        {
            w.Open($"for (int j = 0; j < {ow}; j++)");
            w.Line($"Unsafe.Add(ref to, j * {g.StrideWidth}) += Unsafe.Add(ref from, j);");
            w.Close();
        }

        w.Close();
        w.Close();
        w.Close();
        w.Close();
        if (padded)
        {
            w.Line();
            w.Line("// the inside of the padded image is dx");
            w.Line("ref float xr = ref MemoryMarshal.GetReference(dx);");
            EmitInsideCopy(w, g, "dst", "xr", intoImage: false);
        }

        w.Close();
    }

    /// <summary>Declares <c>src</c>: x itself, or (with padding) x copied into the middle of the cleared padded image.</summary>
    private static void OpenSource(CodeWriter w, ConvolutionGeometry g)
    {
        if (!Padded(g))
        {
            w.Line("ref float src = ref MemoryMarshal.GetReference(x);");
            return;
        }

        int ph = PaddedHeight(g), pw = PaddedWidth(g);
        w.Line($"// x with its padding, [{g.InChannels}, {ph}, {pw}], so that no tap needs clipping");
        w.Line("image.Clear();");
        w.Line("ref float xr = ref MemoryMarshal.GetReference(x);");
        w.Line("ref float src = ref MemoryMarshal.GetReference(image);");
        EmitInsideCopy(w, g, "src", "xr", intoImage: true);
    }

    /// <summary>
    /// Copies the image's rows between x (<paramref name="plain"/>, <c>[C, H, W]</c>) and the inside of the padded image
    /// (<paramref name="image"/>): into the image when <paramref name="intoImage"/>, else out of it.
    /// </summary>
    private static void EmitInsideCopy(CodeWriter w, ConvolutionGeometry g, string image, string plain, bool intoImage)
    {
        string inside = $"ref Unsafe.Add(ref {image}, (c * {PaddedHeight(g)} + y + {g.PaddingHeight}) * {PaddedWidth(g)} + {g.PaddingWidth})";
        string row = $"ref Unsafe.Add(ref {plain}, r * {g.InWidth})";
        (string to, string from) = intoImage ? (inside, row) : (row, inside);
        w.Open($"for (int r = 0; r < {g.InChannels * g.InHeight}; r++)");
        w.Line($"int c = r / {g.InHeight}, y = r - c * {g.InHeight};");
        w.Line($"Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>({to}), ref Unsafe.As<float, byte>({from}), {g.InWidth * 4});");
        w.Close();
    }
}
