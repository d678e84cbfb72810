using System;
using NetGen.CompilerServices;

namespace NetGen;

/// <summary>
/// Scratch memory for one thread's forward and backward passes: activations kept for backward, dropout
/// masks and gradient buffers, laid out by the generated code. Parameters live in the network and are
/// shared; a workspace belongs to one thread at a time, so inference with a workspace per thread is safe.
/// </summary>
public sealed class Workspace
{
    private readonly AlignedFloats _buffer;
    private AlignedFloats _scratch;
    private Rng _random;
    private int _threads = 1;
    private AlignedFloats?[] _caches = [];
    private static int s_cacheKeys;
    private bool _reusePackedWeights;
    private AlignedFloats? _packedWeights;
    private long _packedVersion;
    private long _packingVersion;

    /// <summary>
    /// Creates a workspace of <paramref name="lengthPerSample"/> floats for each of up to
    /// <paramref name="batchCapacity"/> samples, and <paramref name="scratchPerThread"/> floats of scratch for each
    /// thread a call may use. Networks call this from <c>CreateWorkspace</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An argument is negative (<paramref name="batchCapacity"/> below 1), or the buffer would be longer than the
    /// largest array: the message gives the largest <paramref name="batchCapacity"/> that fits.
    /// </exception>
    public Workspace(int lengthPerSample, int batchCapacity, ulong seed = 0x5EED, int scratchPerThread = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lengthPerSample);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(scratchPerThread);
        if ((long)lengthPerSample * batchCapacity > MaxBufferLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(batchCapacity),
                batchCapacity,
                $"A workspace of {lengthPerSample} floats per sample holds at most {MaxBufferLength / lengthPerSample} samples " +
                $"(its buffer is one array of at most {MaxBufferLength} floats); got a capacity of {batchCapacity}.");
        }

        LengthPerSample = lengthPerSample;
        BatchCapacity = batchCapacity;
        ScratchPerThread = scratchPerThread;
        _buffer = new AlignedFloats(checked(lengthPerSample * batchCapacity));
        _scratch = new AlignedFloats(scratchPerThread);
        _random = new Rng(seed);
    }

    // The longest buffer AlignedFloats can allocate: one array of Array.MaxLength floats, less the 15 floats of
    // slack it adds to align the start to 64 bytes.
    private static int MaxBufferLength => Array.MaxLength - 15;

    /// <summary>Floats reserved for each sample.</summary>
    public int LengthPerSample { get; }

    /// <summary>The largest batch this workspace holds.</summary>
    public int BatchCapacity { get; }

    /// <summary>
    /// Floats of scratch each thread of a call gets, whatever the batch: one sample's im2col matrix, say, which a
    /// convolution fills and consumes sample by sample instead of keeping one per sample.
    /// </summary>
    public int ScratchPerThread { get; }

    /// <summary>
    /// Threads a batch may be split across: this one and up to <c>Threads - 1</c> of NetGen's persistent
    /// workers (capped at the processor count). 1, the default, keeps every call on the calling thread. The
    /// results are bit-identical for every value: the kernels split their rows (or units) at multiples of
    /// their register blocks, so each output is computed by the same code in the same order.
    /// </summary>
    public int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _threads = value;

            // One scratch slot per thread a call can use (KernelThreads.Slot is below that); grown here, so calls
            // allocate nothing. Scratch holds nothing between calls, so nothing is lost.
            long slots = Math.Min(value, KernelThreads.MaxThreads);
            if (ScratchPerThread > 0 && _scratch.Length < slots * ScratchPerThread)
            {
                _scratch = new AlignedFloats(checked((int)(slots * ScratchPerThread)));
            }
        }
    }

    /// <summary>
    /// Whether an inference <c>Forward</c> on this workspace keeps the dense layers' weights packed as the batched matrix
    /// product reads them, and packs them again only when the network's parameters have changed, rather than packing each
    /// panel of every weight on every call of 4 rows or more and reading W row by row below that. Off by default.
    /// </summary>
    /// <value>
    /// <para>
    /// For a batch of 4 samples or more (or a sequence of 4 positions or more, for a network whose dense layers run on every
    /// position) the outputs are bit for bit the same either way; what it saves is the packing, 3–7 % of mlp's batch 64
    /// and of a small transformer's batch 1.
    /// </para>
    /// <para>
    /// Below 4 rows (a single sample of a feed-forward network) each row is one row of the batched product over the kept
    /// weights: mlp's 784 → 128 layer takes 1.9 µs instead of 3.4 µs on a Zen 5 core (the numbers are in
    /// docs/performance.md), and gives each sample the bits it gets in a batch of 4 or more: a network of dense layers
    /// (each kept) gives a sample the same outputs at every batch size. Without kept weights a sample alone is read row by
    /// row, and its outputs may differ in the last place from those it gets in a batch, as PyTorch's unbatched and batched
    /// products may.
    /// </para>
    /// <para>
    /// Only a W of up to 512 KB (<see cref="DenseKernels.MaxKeptPackedFloats"/> floats) is kept: a larger one comes from L3
    /// either way, is packed on every call of 4 rows or more, and read row by row below. The packed copy takes as many
    /// floats as those weights, allocated by the first inference call; setting this back to false lets it go.
    /// </para>
    /// </value>
    /// <remarks>
    /// <para>
    /// The network knows its parameters changed when they were handed out to be written: its <c>Parameters</c> property, a
    /// weight view such as <c>Layer0Weight</c>, <c>Initialize</c>, and everything that writes through them (an optimizer's
    /// step, a <c>Trainer</c>'s step, <c>Load</c>, restoring a checkpoint or early stopping's best weights). Each of those
    /// gives the parameters a new version, and the next forward on this workspace repacks.
    /// </para>
    /// <para>
    /// It cannot see a write through a span taken before the last forward on this workspace:
    /// <c>var p = net.Parameters; net.Forward(x, y, workspace); p[0] = 1f;</c> leaves the next forward reading the old
    /// packed weights. Take the span again after a forward (<c>net.Parameters[0] = 1f</c>) before writing, or leave this
    /// off while another thread trains the network this workspace runs. Training forwards never use the packed copy.
    /// </para>
    /// </remarks>
    public bool ReusePackedWeights
    {
        get => _reusePackedWeights;
        set
        {
            _reusePackedWeights = value;
            if (!value)
            {
                _packedWeights = null;
                _packedVersion = 0;
            }
        }
    }

    /// <summary>
    /// The packed dense weights of <paramref name="parameters"/> (<paramref name="length"/> floats) for an inference forward whose
    /// dense layers multiply <paramref name="rows"/> rows or more, or empty when <see cref="ReusePackedWeights"/> is off or
    /// there are no rows (a training forward passes 0).
    /// Its <see cref="CompilerServices.PackedWeights.Repack"/> is true when what it holds is not the packing of this version
    /// of the parameters; it then counts as unpacked until <see cref="PackedWeightsWritten"/>, so a forward that stops part
    /// way packs again next time.
    /// </summary>
    internal PackedWeights PackedWeights(ParameterBuffer parameters, int length, int rows)
    {
        if (!_reusePackedWeights || rows < 1 || !Simd.Use128)
        {
            return default;
        }

        long version = parameters.Version;
        if (_packedWeights is null || _packedWeights.Length != length)
        {
            _packedWeights = new AlignedFloats(length);
            _packedVersion = 0;
        }

        bool repack = _packedVersion != version;
        if (repack)
        {
            _packedVersion = 0;
            _packingVersion = version;
        }

        return new PackedWeights(_packedWeights.Span, repack);
    }

    /// <summary>Records that the forward which <see cref="PackedWeights"/> asked to repack has packed every dense layer.</summary>
    internal void PackedWeightsWritten() => _packedVersion = _packingVersion;

    /// <summary>
    /// The batch size of the last training forward, which backward continues; 0 when there is none (or an inference
    /// forward has overwritten what it kept). Generated code reaches it through <see cref="CompilerServices.WorkspaceAccess"/>.
    /// </summary>
    internal int TrainingBatchSize { get; set; }

    /// <summary>
    /// Set by <see cref="Trainer{TNetwork}"/> before its step's backward, which then writes the gradients rather than adding
    /// into them (no clearing pass before it); the generated backward reads it once and sets it back to false.
    /// </summary>
    internal bool OverwriteGradients { get; set; }

    /// <summary>The whole buffer; the generated code slices it by its own layout.</summary>
    internal Span<float> Buffer => _buffer.Span;

    /// <summary>
    /// Every thread's scratch: <see cref="ScratchPerThread"/> floats for each slot a call's threads may take
    /// (<see cref="CompilerServices.KernelThreads.Slot"/>), at least one. Its contents do not outlive a kernel call.
    /// </summary>
    internal Span<float> Scratch => _scratch.Span;

    /// <summary>
    /// A kernel's own region of <paramref name="length"/> floats that outlives its calls (unlike <see cref="Scratch"/>), one
    /// per <paramref name="key"/> (<see cref="NewCacheKey"/>): the recurrent layers keep their packed <c>W_hh</c> there with
    /// the weights it was packed from. Allocated on the first call that asks (zeroed), then returned as it was left.
    /// </summary>
    internal Span<float> Cache(int key, int length)
    {
        if (key >= _caches.Length)
        {
            Array.Resize(ref _caches, Math.Max(key + 1, 2 * _caches.Length));
        }

        AlignedFloats? cache = _caches[key];
        if (cache is null || cache.Length < length)
        {
            _caches[key] = cache = new AlignedFloats(length);
        }

        return cache.Span.Slice(0, length);
    }

    /// <summary>A key for <see cref="Cache"/> no other caller has: each kernel that keeps a cache takes one, once.</summary>
    internal static int NewCacheKey() => System.Threading.Interlocked.Increment(ref s_cacheKeys) - 1;

    /// <summary>The random stream dropout draws its masks from. Seed it for reproducible training.</summary>
    public ref Rng Random => ref _random;

    /// <summary>
    /// Checks that this workspace was made for a network of <paramref name="lengthPerSample"/> floats per
    /// sample and holds <paramref name="batchSize"/> samples; the generated code calls it on entry.
    /// </summary>
    internal void EnsureFits(int lengthPerSample, int batchSize, string networkName)
        => EnsureFits(lengthPerSample, 0, batchSize, networkName);

    /// <summary>
    /// Checks that this workspace was made for a network of <paramref name="lengthPerSample"/> floats per
    /// sample and <paramref name="scratchPerThread"/> of scratch per thread, and holds <paramref name="batchSize"/>
    /// samples; the generated code calls it on entry.
    /// </summary>
    internal void EnsureFits(int lengthPerSample, int scratchPerThread, int batchSize, string networkName)
    {
        if (LengthPerSample != lengthPerSample || ScratchPerThread != scratchPerThread)
        {
            throw new ArgumentException(
                ScratchPerThread == scratchPerThread
                    ? $"This workspace holds {LengthPerSample} floats per sample but {networkName} needs {lengthPerSample}: create it with {networkName}.CreateWorkspace."
                    : $"This workspace has {ScratchPerThread} floats of scratch per thread but {networkName} needs {scratchPerThread}: create it with {networkName}.CreateWorkspace.",
                "workspace");
        }

        if (batchSize > BatchCapacity)
        {
            throw new ArgumentException(
                $"The batch has {batchSize} samples but the workspace holds at most {BatchCapacity}: create it with CreateWorkspace({batchSize}) or more.",
                "workspace");
        }
    }
}
