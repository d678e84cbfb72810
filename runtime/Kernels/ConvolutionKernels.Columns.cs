using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

/// <summary>
/// The copies that turn a convolution into products, for one sample: im2col (<c>columns[(c, p, q), (i, j)]</c>, forward),
/// im2row (its transpose <c>rows[(i, j), (c, p, q)]</c>, for dW) and col2im (the adjoint of im2col, which folds
/// dL/d(columns) back onto dL/dx), each over <c>x[c, i·sh - ph + p·dh, j·sw - pw + q·dw]</c>. A padded layer works on a
/// zero-padded copy of the image in the thread's scratch, so no tap ever needs clipping: every row of every tap is one
/// copy of a constant length.
/// </summary>
public static partial class ConvolutionKernels
{
    /// <summary>im2col: <c>columns[(c, p, q), (i, j)] = x[c, i·sh - ph + p·dh, j·sw - pw + q·dw]</c>, 0 in the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2Col<TL>(ReadOnlySpan<float> x, Span<float> columns, Span<float> image)
        where TL : struct, IConvolutionLayer
    {
        int kh = TL.KernelHeight, kw = TL.KernelWidth, oh = TL.OutHeight, ow = TL.OutWidth, n = OutPositions<TL>();
        int pw = PaddedWidth<TL>(), plane = PaddedHeight<TL>() * pw;
        ref float src = ref Source<TL>(x, image);
        ref float dst = ref MemoryMarshal.GetReference(columns);
        for (int c = 0; c < TL.InChannels; c++)
        {
            for (int p = 0; p < kh; p++)
            {
                for (int q = 0; q < kw; q++)
                {
                    ref float row = ref At(ref dst, ((c * kh + p) * kw + q) * n);
                    ref float tap = ref At(ref src, c * plane + p * TL.DilationHeight * pw + q * TL.DilationWidth);
                    for (int i = 0; i < oh; i++)
                    {
                        ref float from = ref At(ref tap, i * TL.StrideHeight * pw);
                        if (TL.StrideWidth == 1)
                        {
                            Copy(ref At(ref row, i * ow), ref from, ow);
                        }
                        else
                        {
                            for (int j = 0; j < ow; j++)
                            {
                                At(ref row, i * ow + j) = At(ref from, j * TL.StrideWidth);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// im2row: <c>rows[(i, j), (c, p, q)] = x[c, i·sh - ph + p·dh, j·sw - pw + q·dw]</c>, 0 in the padding: the transpose of
    /// im2col, one row of C·kh·kw per output position, a copy of kw floats per (c, p).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2Row<TL>(ReadOnlySpan<float> x, Span<float> rows, Span<float> image)
        where TL : struct, IConvolutionLayer
        => RowsOf<TL>(ref Source<TL>(x, image), rows, 0, OutPositions<TL>());

    /// <summary>
    /// Rows <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> - 1 of im2row (output positions in
    /// order) into <c>rows[n - first, (c, p, q)]</c>, read from <paramref name="src"/>: the sample, or its padded image
    /// (<see cref="Source{TL}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsOf<TL>(ref float src, Span<float> rows, int first, int count)
        where TL : struct, IConvolutionLayer
    {
        int kh = TL.KernelHeight, kw = TL.KernelWidth, ow = TL.OutWidth, k = ColumnRows<TL>();
        int pw = PaddedWidth<TL>(), plane = PaddedHeight<TL>() * pw;
        ref float dst = ref MemoryMarshal.GetReference(rows);
        for (int n = first; n < first + count; n++)
        {
            int i = n / ow, j = n - i * ow;
            ref float row = ref At(ref dst, (n - first) * k);
            ref float at = ref At(ref src, i * TL.StrideHeight * pw + j * TL.StrideWidth);
            for (int c = 0; c < TL.InChannels; c++)
            {
                for (int p = 0; p < kh; p++)
                {
                    ref float from = ref At(ref at, c * plane + p * TL.DilationHeight * pw);
                    if (TL.DilationWidth == 1)
                    {
                        Copy(ref At(ref row, (c * kh + p) * kw), ref from, kw);
                    }
                    else
                    {
                        for (int q = 0; q < kw; q++)
                        {
                            At(ref row, (c * kh + p) * kw + q) = At(ref from, q * TL.DilationWidth);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// col2im: <c>dx[c, i·sh - ph + p·dh, j·sw - pw + q·dw] += dcolumns[(c, p, q), (i, j)]</c> over the index pairs of
    /// im2col, with vector adds along each output row; dx is overwritten. A padded layer adds into the padded image and
    /// copies its inside to dx.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2Im<TL>(ReadOnlySpan<float> columns, Span<float> dx, Span<float> image)
        where TL : struct, IConvolutionLayer
    {
        if (Simd.Use512)
        {
            Col2Im<TL, V512>(columns, dx, image);
        }
        else if (Simd.Use256)
        {
            Col2Im<TL, V256>(columns, dx, image);
        }
        else if (Simd.Use128)
        {
            Col2Im<TL, V128>(columns, dx, image);
        }
        else
        {
            Col2Im<TL, S1>(columns, dx, image);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2Im<TL, TV>(ReadOnlySpan<float> columns, Span<float> dx, Span<float> image)
        where TL : struct, IConvolutionLayer
        where TV : struct, ILanes<TV>
    {
        int kh = TL.KernelHeight, kw = TL.KernelWidth, oh = TL.OutHeight, ow = TL.OutWidth, n = OutPositions<TL>();
        int pw = PaddedWidth<TL>(), plane = PaddedHeight<TL>() * pw;

        // with padding the sums go to the padded image first; what lands in the padding belongs to no input and is dropped
        Span<float> target = Padded<TL>() ? image : dx;
        target.Clear();
        ref float dst = ref MemoryMarshal.GetReference(target);
        ref float src = ref MemoryMarshal.GetReference(columns);
        for (int c = 0; c < TL.InChannels; c++)
        {
            for (int p = 0; p < kh; p++)
            {
                for (int q = 0; q < kw; q++)
                {
                    ref float row = ref At(ref src, ((c * kh + p) * kw + q) * n);
                    ref float tap = ref At(ref dst, c * plane + p * TL.DilationHeight * pw + q * TL.DilationWidth);
                    for (int r = 0; r < oh; r++)
                    {
                        ref float to = ref At(ref tap, r * TL.StrideHeight * pw);
                        ref float from = ref At(ref row, r * ow);
                        if (TL.StrideWidth == 1)
                        {
                            int j = AddRow<TV>(ref to, ref from, 0, ow);
                            if (TV.Count > V256.Count)
                            {
                                j = AddRow<V256>(ref to, ref from, j, ow);
                            }

                            if (TV.Count > V128.Count)
                            {
                                j = AddRow<V128>(ref to, ref from, j, ow);
                            }

                            for (; j < ow; j++)
                            {
                                At(ref to, j) += At(ref from, j);
                            }
                        }
                        else
                        {
                            for (int j = 0; j < ow; j++)
                            {
                                At(ref to, j * TL.StrideWidth) += At(ref from, j);
                            }
                        }
                    }
                }
            }
        }

        if (Padded<TL>())
        {
            // the inside of the padded image is dx
            CopyInside<TL>(ref MemoryMarshal.GetReference(dx), ref dst, intoImage: false);
        }
    }

    /// <summary><c>to[j] += from[j]</c> for the whole vectors of <typeparamref name="TV"/> from <paramref name="j"/> on; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AddRow<TV>(ref float to, ref float from, int j, int length)
        where TV : struct, ILanes<TV>
    {
        for (; j + TV.Count <= length; j += TV.Count)
        {
            (TV.Load(ref to, (nuint)j) + TV.Load(ref from, (nuint)j)).Store(ref to, (nuint)j);
        }

        return j;
    }

    /// <summary>What the copies read: x itself, or (with padding) x copied into the middle of the cleared padded image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref float Source<TL>(ReadOnlySpan<float> x, Span<float> image)
        where TL : struct, IConvolutionLayer
    {
        if (!Padded<TL>())
        {
            return ref MemoryMarshal.GetReference(x);
        }

        // x with its padding, [C, H + 2ph, W + 2pw], so that no tap needs clipping
        image.Clear();
        ref float src = ref MemoryMarshal.GetReference(image);
        CopyInside<TL>(ref MemoryMarshal.GetReference(x), ref src, intoImage: true);
        return ref src;
    }

    /// <summary>
    /// Copies the image's rows between x (<paramref name="plain"/>, <c>[C, H, W]</c>) and the inside of the padded image:
    /// into the image when <paramref name="intoImage"/>, else out of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyInside<TL>(ref float plain, ref float image, bool intoImage)
        where TL : struct, IConvolutionLayer
    {
        int height = TL.InHeight, width = TL.InWidth;
        for (int r = 0; r < TL.InChannels * height; r++)
        {
            int c = r / height, y = r - c * height;
            ref float inside = ref At(ref image, (c * PaddedHeight<TL>() + y + TL.PaddingHeight) * PaddedWidth<TL>() + TL.PaddingWidth);
            if (intoImage)
            {
                Copy(ref inside, ref At(ref plain, r * width), width);
            }
            else
            {
                Copy(ref At(ref plain, r * width), ref inside, width);
            }
        }
    }

    /// <summary>Copies <paramref name="count"/> floats (a constant where it is inlined, so the copy unrolls).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref float to, ref float from, int count)
        => Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref to), ref Unsafe.As<float, byte>(ref from), (uint)(count * sizeof(float)));
}
