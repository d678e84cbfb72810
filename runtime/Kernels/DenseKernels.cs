using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace NetGen.CompilerServices;

/// <summary>
/// A dense layer's kernels, written once for every layer and every vector width: forward
/// <c>y[r] = act(W x[r] + b)</c>, and backward <c>dW += dzᵀ x</c>, <c>db += Σ_r dz[r]</c>, <c>dx = dz W</c>. The layer's
/// shape comes in as a struct type argument (<see cref="IDenseLayer"/>), so each instantiation is compiled with the shape
/// as constants; the width comes in the same way (<see cref="FloatLanes.ILanes{TSelf}"/>), picked once per call from
/// <see cref="Simd"/>. The scalar path, for processors without vectors (or <c>NETGEN_MAX_VECTOR_BITS=0</c>), is the
/// textbook loop.
/// </summary>
/// <remarks>
/// <para>
/// W stays in PyTorch's layout, <c>[units, inputs]</c>, and nothing is kept in step with <c>Parameters</c>: a batch's
/// forward packs W transposed a panel at a time inside the call (<see cref="ProductKernels"/>), <c>dx = dz · W</c> and
/// <c>dW += dzᵀ · x</c> read it and the batch as they are, and a row alone reads each row of W as a dot-product operand.
/// The three batch products are the register-blocked product the convolutions run.
/// </para>
/// <para>
/// Every output is a sum taken in one fixed order whichever register block computes it (a batch's forward, <c>dW</c> and
/// <c>dx</c>: term by term along the depth; a row alone: lanes along the inputs, then the horizontal-add tree or
/// <c>Vector.Sum</c>, then the scalar tail), and threads split the work at multiples of the blocks, so a batch split across
/// threads gives the bits of one thread. A row of a batch of <see cref="ProductRows"/> or more gets the product's bits,
/// which may differ in the last place from the bits it gets alone, as PyTorch's batched and unbatched products may; with
/// W kept packed a row alone gets the product's bits too.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class DenseKernels
{
    /// <summary>
    /// The smallest batch forward runs as one product over the packed W; fewer rows go one at a time, reading W row by
    /// row, or, with W kept packed, each as one row of the product. A row's bits depend on which side of it its batch
    /// falls when W is not kept (the two paths sum in different orders), never on the thread count.
    /// </summary>
    public const int ProductRows = 4;

    /// <summary>
    /// The largest W (in floats, 512 KB) a workspace keeps packed between calls (<see cref="Workspace.ReusePackedWeights"/>);
    /// a larger one is packed a panel at a time on every call. A W this large comes from L3 either way, and read from a
    /// kept copy it was no faster: wide's 1,024 × 1,024 layer alone at batch 64 took the same time (2.8–3.3 ms p10, Zen 3,
    /// a loaded host), and inside the network 17–30 % longer. The generator leaves such layers out of the kept copy.
    /// </summary>
    public const int MaxKeptPackedFloats = 128 * 1024;

    /// <summary>
    /// The smallest batch a kernel splits across threads: about 2^18 multiply-adds (a few µs on one core), enough to pay
    /// for handing a part to a worker, and at least two register blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MinRowsForThreads<TLayer>()
        where TLayer : struct, IDenseLayer
    {
        long perRow = (long)TLayer.Units * TLayer.Inputs;
        return (int)Math.Max(2 * ProductKernels.RowBlock, ((1L << 18) + perRow - 1) / perRow);
    }

    /// <summary>The fused activation of <typeparamref name="TLayer"/> on one finished output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Activate<TLayer>(float z)
        where TLayer : struct, IDenseLayer
        => FusedActivations.Apply(TLayer.Activation, TLayer.Slope, z);

    /// <summary>The fused activation of <typeparamref name="TLayer"/> on finished outputs, at any width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Activate<TLayer, TV>(TV z)
        where TLayer : struct, IDenseLayer
        where TV : struct, FloatLanes.ILanes<TV>
        => FusedActivations.Apply(TLayer.Activation, TLayer.Slope, z);
}
