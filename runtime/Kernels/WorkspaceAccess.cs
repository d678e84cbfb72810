using System;
using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// What a generated network reads and writes of a <see cref="Workspace"/> besides what users set: its buffer, its
/// scratch, the batch of the last training forward, and the check that it was made for the network.
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WorkspaceAccess
{
    /// <summary>The whole buffer, which the generated code slices by its own layout.</summary>
    public static Span<float> Buffer(Workspace workspace) => workspace.Buffer;

    /// <summary>Every thread's scratch (<see cref="Workspace.ScratchPerThread"/> floats per slot).</summary>
    public static Span<float> Scratch(Workspace workspace) => workspace.Scratch;

    /// <summary>
    /// The region a recurrent direction keeps between calls on this workspace (<see cref="RecurrentKernels.CacheLength{TLayer}"/>
    /// floats): its packed <c>W_hh</c> and the weights it was packed from, which <see cref="RecurrentKernels.Forward{TLayer}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, int, int)"/>
    /// reuses while they are bit for bit the weights it is given. Allocated on the first call.
    /// </summary>
    public static Span<float> RecurrentCache<TLayer>(Workspace workspace)
        where TLayer : struct, IRecurrentLayer
        => workspace.Cache(CacheKey<TLayer>.Value, RecurrentKernels.CacheLength<TLayer>());

    /// <summary>
    /// The dense weights of <paramref name="parameters"/> kept packed on <paramref name="workspace"/> (<paramref name="length"/>
    /// floats, each layer's region <see cref="DenseKernels.PackedLength{TLayer}"/> long), or empty: <see cref="Workspace.ReusePackedWeights"/>
    /// is off, or <paramref name="rows"/>, the fewest rows any dense layer of this forward multiplies (the batch, or the batch
    /// times the positions of a sequence), is 0. When its <see cref="PackedWeights.Repack"/>
    /// is true, every dense forward packs its W into its region, and the chain calls <see cref="PackedWeightsWritten"/> at its end.
    /// In a training forward the chain passes 0 rows: the weights are about to change.
    /// </summary>
    public static PackedWeights PackedWeights(Workspace workspace, ParameterBuffer parameters, int length, int rows)
        => workspace.PackedWeights(parameters, length, rows);

    /// <summary>
    /// Marks the packing <see cref="PackedWeights"/> asked for as complete, once every dense layer has packed its region:
    /// the next forward reads it as it is. Nothing happens when <paramref name="packed"/> did not repack.
    /// </summary>
    public static void PackedWeightsWritten(Workspace workspace, in PackedWeights packed)
    {
        if (packed.Repack)
        {
            workspace.PackedWeightsWritten();
        }
    }

    /// <summary>The batch of the last training forward that backward may continue; 0 when there is none.</summary>
    public static int TrainingBatchSize(Workspace workspace) => workspace.TrainingBatchSize;

    /// <summary>Records the batch a training forward kept (or 0: nothing kept, backward refuses).</summary>
    public static void SetTrainingBatchSize(Workspace workspace, int batch) => workspace.TrainingBatchSize = batch;

    /// <summary>
    /// Whether this backward writes the network's gradients rather than adding into them (the trainer's step, which
    /// clears nothing first): the dense layers then write theirs and the generated code clears every other layer's before
    /// its backward adds. Reading it sets it back to false, so the next backward adds again.
    /// </summary>
    public static bool TakeOverwriteGradients(Workspace workspace)
    {
        bool overwrite = workspace.OverwriteGradients;
        workspace.OverwriteGradients = false;
        return overwrite;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="workspace"/> was made for a network of
    /// <paramref name="lengthPerSample"/> floats per sample and <paramref name="scratchPerThread"/> of scratch per thread,
    /// and holds <paramref name="batchSize"/> samples.
    /// </summary>
    public static void EnsureFits(Workspace workspace, int lengthPerSample, int scratchPerThread, int batchSize, string networkName)
        => workspace.EnsureFits(lengthPerSample, scratchPerThread, batchSize, networkName);

    /// <summary><see cref="EnsureFits(Workspace, int, int, int, string)"/> for a network without scratch.</summary>
    public static void EnsureFits(Workspace workspace, int lengthPerSample, int batchSize, string networkName)
        => workspace.EnsureFits(lengthPerSample, batchSize, networkName);

    /// <summary>The cache key of one kernel's descriptor type, taken on first use.</summary>
    private static class CacheKey<TLayer>
    {
        public static readonly int Value = Workspace.NewCacheKey();
    }
}
