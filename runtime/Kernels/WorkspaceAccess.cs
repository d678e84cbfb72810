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

    /// <summary>The batch of the last training forward that backward may continue; 0 when there is none.</summary>
    public static int TrainingBatchSize(Workspace workspace) => workspace.TrainingBatchSize;

    /// <summary>Records the batch a training forward kept (or 0: nothing kept, backward refuses).</summary>
    public static void SetTrainingBatchSize(Workspace workspace, int batch) => workspace.TrainingBatchSize = batch;

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
}
