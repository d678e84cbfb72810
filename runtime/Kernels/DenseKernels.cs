using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
/// W stays in PyTorch's layout, <c>[units, inputs]</c>: a row of W is a contiguous dot-product operand for forward and a
/// contiguous axpy operand for <c>dx = dz W</c>, so no packed copy has to be kept in step with <c>Parameters</c>.
/// </para>
/// <para>
/// Every output is a sum taken in one fixed order whichever register block computes it (forward: lanes along the inputs,
/// then the horizontal-add tree or <c>Vector.Sum</c>, then the scalar tail; <c>dW</c>: over the rows; <c>dx</c>: over the units),
/// and threads split the work at multiples of the blocks, so a batch split across threads gives the bits of one thread
/// and a sample in a batch the bits it gets alone.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class DenseKernels
{
    /// <summary>Rows of x per forward register block; a forward thread split falls on multiples of it.</summary>
    public const int RowGroup = 3;

    /// <summary>Rows of W per forward register block.</summary>
    private const int UnitGroup = 4;

    /// <summary>Units (for <c>dW</c>) or rows (for <c>dx</c>) per backward register block; backward thread splits fall on multiples of it.</summary>
    public const int BackwardGroup = 4;

    /// <summary>
    /// The smallest batch a kernel splits across threads: about 2^18 multiply-adds (a few µs on one core), enough to pay
    /// for handing a part to a worker, and at least two register blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MinRowsForThreads<TLayer>()
        where TLayer : struct, IDenseLayer
    {
        long perRow = (long)TLayer.Units * TLayer.Inputs;
        return (int)Math.Max(2 * BackwardGroup, ((1L << 18) + perRow - 1) / perRow);
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
