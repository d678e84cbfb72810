using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace NetGen.CompilerServices;

/// <summary>
/// Splits one kernel call over a range of items (rows of a batch, units of a layer) across the calling
/// thread and a small pool of persistent worker threads, allocating nothing per call. The range is cut into
/// contiguous parts at multiples of a grain the kernel names (its register block), so every item is
/// computed by the same code in the same order whatever the thread count: results are bit-identical to one
/// thread. Workers spin for a short while after each part, so the next layer's call finds them awake, then
/// sleep. One caller uses the pool at a time; a second caller meanwhile runs its call on its own thread.
/// </summary>
internal static unsafe class KernelThreads
{
    /// <summary>The work of one part: items <paramref name="start"/> .. <paramref name="end"/> - 1.</summary>
    public delegate void Body(in KernelSpans spans, int start, int end);

    /// <summary>
    /// The work of one part with the call's constants (an unmanaged struct: learning rates, lengths, pinned pointers), read
    /// where the caller holds them: items <paramref name="start"/> .. <paramref name="end"/> - 1.
    /// </summary>
    public delegate void Body<TState>(in KernelSpans spans, in TState state, int start, int end)
        where TState : unmanaged;

    /// <summary>Runs a typed body of <see cref="Job"/> on one part (one cached instance per state type).</summary>
    private delegate void Invoker(Job job, in KernelSpans spans, int start, int end);

    /// <summary>How long an idle worker spins before it sleeps: a few layers' worth of time.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5_000; // 200 µs

    private static readonly object Gate = new();
    private static Pool? s_pool;

    /// <summary>Threads a call may use at most: one per processor.</summary>
    public static int MaxThreads { get; } = Math.Max(1, Environment.ProcessorCount);

    [ThreadStatic]
    private static int t_slot;

    /// <summary>
    /// Which scratch slot the current part may use: distinct among the threads running parts of one call, and below
    /// that call's thread count (at most <see cref="MaxThreads"/>). A kernel that needs scratch memory gives each
    /// slot its own region, so threads never share one; 0 when the call runs on the calling thread alone.
    /// </summary>
    public static int Slot => t_slot;

    /// <summary>
    /// Runs <paramref name="body"/> over items 0 .. <paramref name="count"/> - 1, cut into contiguous pieces
    /// that start at multiples of <paramref name="grain"/>, on the calling thread and up to
    /// <paramref name="threads"/> - 1 workers. Each thread first claims the pieces of its own share of the range (the
    /// caller the first share, worker <c>i</c> the <c>i</c>-th), so consecutive calls over the same data (a layer's units,
    /// then the optimizer over its weights) find it in the same core's cache; then it claims what is left of the
    /// others' shares, from their ends, so a worker that the operating system has not scheduled (a busy machine)
    /// delays nothing. Which thread runs a piece never changes its bits. Returns when every piece is done.
    /// </summary>
    public static void For(int threads, int count, int grain, in KernelSpans spans, Body body)
    {
        int chunks = (count + grain - 1) / grain;
        int parts = Math.Min(Math.Min(threads, MaxThreads), chunks);
        Pool? pool = parts > 1 ? s_pool ?? CreatePool() : null;
        if (pool is null || !pool.TryEnter())
        {
            t_slot = 0;
            body(spans, 0, count);
            return;
        }

        Run(pool, count, grain, chunks, parts, spans, body, null, null, null, ordered: false);
    }

    /// <summary>
    /// <see cref="For(int, int, int, in KernelSpans, Body)"/> with constants: every part reads <paramref name="state"/> where the
    /// caller holds it (the call returns only when every part is done), so nothing is copied or allocated per call.
    /// </summary>
    public static void For<TState>(int threads, int count, int grain, in KernelSpans spans, in TState state, Body<TState> body)
        where TState : unmanaged
    {
        int chunks = (count + grain - 1) / grain;
        int parts = Math.Min(Math.Min(threads, MaxThreads), chunks);
        Pool? pool = parts > 1 ? s_pool ?? CreatePool() : null;
        if (pool is null || !pool.TryEnter())
        {
            t_slot = 0;
            body(spans, state, 0, count);
            return;
        }

        fixed (TState* pinned = &state)
        {
            Run(pool, count, grain, chunks, parts, spans, null, Typed<TState>.Invoke, body, pinned, ordered: false);
        }
    }

    /// <summary>
    /// <see cref="For{TState}(int, int, int, in KernelSpans, in TState, Body{TState})"/> with every item its own piece (grain 1),
    /// the pieces claimed in item order: for a body that ends each item by waiting its turn behind the items before it (a
    /// sum of per-item partials added in item order, <see cref="TakeTurn"/>). A thread holds one item at a time, and every
    /// item before it is claimed already, so the turns cannot deadlock; with one piece per item a thread waits at most for
    /// the items that started before its own.
    /// </summary>
    public static void ForEach<TState>(int threads, int count, in KernelSpans spans, in TState state, Body<TState> body)
        where TState : unmanaged
    {
        int parts = count <= MaxOrderedPieces ? Math.Min(Math.Min(threads, MaxThreads), count) : 1;
        Pool? pool = parts > 1 ? s_pool ?? CreatePool() : null;
        if (pool is null || !pool.TryEnter())
        {
            t_slot = 0;
            body(spans, state, 0, count);
            return;
        }

        fixed (TState* pinned = &state)
        {
            Run(pool, count, 1, count, parts, spans, null, Typed<TState>.Invoke, body, pinned, ordered: true);
        }
    }

    /// <summary>
    /// Waits until <paramref name="turn"/> (shared by the parts of one call) reaches <paramref name="item"/>, that is until
    /// every item before it has taken its turn; the caller then does its ordered work and calls <see cref="EndTurn"/>.
    /// </summary>
    public static void TakeTurn(int* turn, int item)
    {
        if (Volatile.Read(ref *turn) == item)
        {
            return;
        }

        var spinner = new SpinWait();
        while (Volatile.Read(ref *turn) != item)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Passes the turn from <paramref name="item"/> to the next item (a release: the item's writes are seen first).</summary>
    public static void EndTurn(int* turn, int item) => Volatile.Write(ref *turn, item + 1);

    /// <summary>
    /// The pieces of share <paramref name="share"/> of a call of <paramref name="pieces"/> pieces over <paramref name="parts"/>
    /// threads, as bits: the pieces <c>p</c> with <c>p · parts / pieces == share</c>, a contiguous run (the caller's share is 0,
    /// worker <c>i</c>'s is <c>i</c>). Its owner claims them from the lowest; a thread whose own share is gone takes the highest
    /// piece of the highest share with pieces left, the end of another thread's share, so the owner, working up from its
    /// share's start, meets the thief last.
    /// </summary>
    internal static uint ShareBits(int share, int parts, int pieces)
    {
        int first = (share * pieces + parts - 1) / parts;
        int end = ((share + 1) * pieces + parts - 1) / parts;
        return (end >= 32 ? uint.MaxValue : (1u << end) - 1) & ~((1u << first) - 1);
    }

    /// <summary>Publishes one call to the pool, takes its share and waits for the rest; the pool is entered.</summary>
    private static void Run(Pool pool, int count, int grain, int chunks, int parts, in KernelSpans spans, Body? body, Invoker? invoker, Delegate? typed, void* state, bool ordered)
    {
        try
        {
            fixed (float* in0 = spans.In0, in1 = spans.In1, in2 = spans.In2, out0 = spans.Out0, out1 = spans.Out1)
            {
                Job job = pool.Job;
                job.In0 = in0;
                job.In1 = in1;
                job.In2 = in2;
                job.Out0 = out0;
                job.Out1 = out1;
                job.Lengths = new Lengths(spans.In0.Length, spans.In1.Length, spans.In2.Length, spans.Out0.Length, spans.Out1.Length);
                job.Body = body;
                job.Invoker = invoker;
                job.Typed = typed;
                job.State = state;
                job.Count = count;
                job.Grain = grain;
                job.Chunks = chunks;
                job.Parts = parts;

                // Ordered: every item its own piece. Otherwise four pieces per thread: a late worker leaves less for the others
                // to wait on, and a thread done early takes a quarter share rather than half of one.
                int generation = ordered ? job.PublishOrdered(chunks) : job.Publish(Math.Min(Math.Min(chunks, 4 * parts), MaxPieces));
                pool.Post(parts - 1);
                job.Work(generation, preferred: 0);
                job.WaitUntilDone();
            }
        }
        finally
        {
            pool.Exit();
        }
    }

    /// <summary>The invoker of bodies with state <typeparamref name="TState"/>: casts the job's body back and passes the state.</summary>
    private static class Typed<TState>
        where TState : unmanaged
    {
        public static readonly Invoker Invoke =
            static (Job job, in KernelSpans spans, int start, int end) => ((Body<TState>)job.Typed!)(spans, in *(TState*)job.State, start, end);
    }

    private static Pool CreatePool()
    {
        lock (Gate)
        {
            return s_pool ??= new Pool(MaxThreads - 1);
        }
    }

    private readonly record struct Lengths(int In0, int In1, int In2, int Out0, int Out1);

    /// <summary>The most pieces a call of <see cref="For(int, int, int, in KernelSpans, Body)"/> is cut into: one bit each in the job's state.</summary>
    private const int MaxPieces = 32;

    /// <summary>The most items of <see cref="ForEach"/> that are split (a 16-bit count in the job's state); more run on the caller.</summary>
    private const int MaxOrderedPieces = ushort.MaxValue;

    /// <summary>
    /// One call's operands as pinned pointers, which worker threads can hold, and its pieces. A call claimed by share keeps
    /// each share's unclaimed pieces in a 64-bit word of its own, on a cache line of its own, changed only by
    /// compare-exchange: the call's generation (high half) and a bit per piece left (low half). Its owner's claims thereby
    /// stay in its own core's cache (one word for all pieces had every claim move the line between the cores: 8 pieces cost
    /// 1.0 µs of an empty call on two Zen 5 cores, 2 pieces 0.5 µs), and a claim is tied to its call: a worker that read an
    /// old generation claims nothing of a newer one, so it can neither run a piece with the newer call's operands nor count
    /// a piece done in it. An ordered call keeps its next piece in <c>_state</c> the same way.
    /// </summary>
    private sealed class Job
    {
        public float* In0, In1, In2, Out0, Out1;
        public Lengths Lengths;
        public Body? Body;
        public Invoker? Invoker;
        public Delegate? Typed;
        public void* State;
        public int Count, Grain, Chunks, Parts;
        private int _pieces;
        private int _completed;
        private int _joined;

        /// <summary>Longs from one share's word to the next: 128 bytes, two cache lines (the adjacent-line prefetcher pairs them).</summary>
        private const int ShareStride = 16;

        /// <summary>The share words of a call claimed by share: share <c>s</c> at <c>(s + 1) · ShareStride</c>, off the array's header line.</summary>
        private readonly long[] _shares = new long[(MaxThreads + 1) * ShareStride];

        /// <summary>
        /// High 32 bits: the generation, counted in twos, its lowest bit set for an ordered call. Low 32 bits: for an ordered
        /// call, the next piece (low 16 bits) and the number of pieces (high 16 bits); 0 for a call claimed by share, whose
        /// pieces are in the share words.
        /// </summary>
        private long _state;

        /// <summary>
        /// Opens a new generation of <paramref name="pieces"/> pieces (at most 32) claimed by share among <see cref="Parts"/>
        /// threads, once the fields above are set.
        /// </summary>
        public int Publish(int pieces)
        {
            int generation = Begin(pieces, ordered: false);
            for (int share = 0; share < Parts; share++)
            {
                Volatile.Write(ref ShareWord(share), (long)generation << 32 | ShareBits(share, Parts, pieces));
            }

            Interlocked.Exchange(ref _state, (long)generation << 32); // full fence: fields and shares first, then the state
            return generation;
        }

        /// <summary>Opens a new generation of <paramref name="pieces"/> pieces claimed in order, once the fields above are set.</summary>
        public int PublishOrdered(int pieces)
        {
            int generation = Begin(pieces, ordered: true);
            Interlocked.Exchange(ref _state, (long)generation << 32 | (uint)pieces << 16); // full fence: fields first, then the state
            return generation;
        }

        private int Begin(int pieces, bool ordered)
        {
            _pieces = pieces;
            _completed = 0;
            _joined = 0;
            return (((int)(Volatile.Read(ref _state) >> 32) >> 1) + 1) << 1 | (ordered ? 1 : 0);
        }

        private ref long ShareWord(int share) => ref _shares[(share + 1) * ShareStride];

        public int Generation => (int)(Volatile.Read(ref _state) >> 32);

        /// <summary>
        /// Claims and runs pieces of <paramref name="generation"/> until none is left: for a call claimed by share, first those
        /// of share <paramref name="preferred"/> (the caller's is 0, worker <c>i</c>'s is <c>i</c>) from its start, then the
        /// highest piece left; for an ordered call, the next piece. A claim is a compare-exchange on the state, so a thread that
        /// arrives after its call has ended claims nothing, and while a claimed piece runs its call cannot end, so the fields
        /// it reads stay put. At most <see cref="Parts"/> threads join a call, each with its own <see cref="Slot"/>; a worker
        /// that a stale post woke late finds the slots taken and leaves the pieces to the others.
        /// </summary>
        public void Work(int generation, int preferred)
        {
            // Each thread counts its pieces once it has run out of them rather than one by one: a count per piece made
            // both threads write the job's shared line once more per piece (8 pieces: 1.0 µs for an empty call on two
            // Zen 5 cores, 2 pieces 0.5 µs). The call still cannot end before every piece it handed out is counted.
            int done = Claim(generation, preferred);
            if (done > 0)
            {
                Interlocked.Add(ref _completed, done);
            }
        }

        /// <summary>The loop of <see cref="Work"/>; returns how many pieces this thread ran.</summary>
        private int Claim(int generation, int preferred)
        {
            int done = 0;
            bool joined = false;
            while (true)
            {
                int piece;
                ref long word = ref Unsafe.NullRef<long>();
                long seen;
                long claimed;
                if ((generation & 1) != 0)
                {
                    word = ref _state;
                    seen = Volatile.Read(ref word);
                    piece = (int)(seen & 0xFFFF);
                    if ((int)(seen >> 32) != generation || piece >= (int)((uint)seen >> 16))
                    {
                        return done;
                    }

                    claimed = seen + 1;
                }
                else
                {
                    // its own share from the start, else the highest piece of the highest share with pieces left
                    piece = -1;
                    seen = 0;
                    if (preferred < Parts)
                    {
                        word = ref ShareWord(preferred);
                        seen = Volatile.Read(ref word);
                        if ((int)(seen >> 32) != generation)
                        {
                            return done;
                        }

                        if ((uint)seen != 0)
                        {
                            piece = BitOperations.TrailingZeroCount((uint)seen);
                        }
                    }

                    for (int share = Parts - 1; piece < 0 && share >= 0; share--)
                    {
                        if (share == preferred)
                        {
                            continue;
                        }

                        word = ref ShareWord(share);
                        seen = Volatile.Read(ref word);
                        if ((int)(seen >> 32) != generation)
                        {
                            return done;
                        }

                        if ((uint)seen != 0)
                        {
                            piece = 31 - BitOperations.LeadingZeroCount((uint)seen);
                        }
                    }

                    if (piece < 0)
                    {
                        return done;
                    }

                    claimed = seen & ~(1L << piece);
                }

                if (!joined)
                {
                    // Joined before the claim: a slot counted here belongs to this generation, which cannot end
                    // while its pieces are unclaimed.
                    int slot = Interlocked.Increment(ref _joined) - 1;
                    if (slot >= Parts || (int)(Volatile.Read(ref _state) >> 32) != generation)
                    {
                        return done;
                    }

                    t_slot = slot;
                    joined = true;
                }

                if (Interlocked.CompareExchange(ref word, claimed, seen) != seen)
                {
                    continue;
                }

                // The claim succeeded in this generation, which cannot end before this piece is counted: its fields are its own.
                int pieces = _pieces;
                int start = (int)((long)piece * Chunks / pieces) * Grain;
                int end = Math.Min(Count, (int)((long)(piece + 1) * Chunks / pieces) * Grain);
                if (start < end)
                {
                    var spans = new KernelSpans(
                        new ReadOnlySpan<float>(In0, Lengths.In0),
                        new ReadOnlySpan<float>(In1, Lengths.In1),
                        new ReadOnlySpan<float>(In2, Lengths.In2),
                        new Span<float>(Out0, Lengths.Out0),
                        new Span<float>(Out1, Lengths.Out1));
                    if (Body is not null)
                    {
                        Body(spans, start, end);
                    }
                    else
                    {
                        Invoker!(this, spans, start, end);
                    }
                }

                done++;
            }
        }

        public void WaitUntilDone()
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref _completed) != _pieces)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            Body = null;
            Invoker = null;
            Typed = null;
            State = null;
        }
    }

    private sealed class Pool
    {
        private readonly Worker[] _workers;
        private int _busy;

        public Pool(int workers)
        {
            _workers = new Worker[workers];
            for (int i = 0; i < workers; i++)
            {
                _workers[i] = new Worker(this, i + 1);
            }
        }

        public Job Job { get; } = new();

        public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

        public void Exit() => Volatile.Write(ref _busy, 0);

        /// <summary>Asks the first <paramref name="workers"/> workers to help with the current job.</summary>
        public void Post(int workers)
        {
            for (int i = 0; i < workers; i++)
            {
                _workers[i].Post();
            }
        }
    }

    private sealed class Worker
    {
        private readonly Pool _pool;
        private readonly int _index;
        private readonly SemaphoreSlim _wake = new(0);
        private int _posted;
        private int _sleeping;

        public Worker(Pool pool, int index)
        {
            _pool = pool;
            _index = index;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"NetGen kernel worker {index}" };
            thread.Start();
        }

        /// <summary>Asks this worker to help with the current job (a full fence: the job is visible first).</summary>
        public void Post()
        {
            Interlocked.Increment(ref _posted);
            if (Volatile.Read(ref _sleeping) != 0)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                int posted;
                while ((posted = Volatile.Read(ref _posted)) == seen)
                {
                    if (Stopwatch.GetTimestamp() < spinUntil)
                    {
                        for (int i = 0; i < 32 && Volatile.Read(ref _posted) == seen; i++)
                        {
                            Thread.SpinWait(1);
                        }

                        continue;
                    }

                    // Announce the sleep before the last look at _posted (both full fences), so a caller that
                    // posts now is either seen here or sees _sleeping and wakes us; a spare wake-up only loops.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _posted) == seen)
                    {
                        _wake.Wait();
                    }

                    Interlocked.Exchange(ref _sleeping, 0);
                    spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                }

                // Posts that piled up while this worker was away are all for calls that ended, or for the
                // current one: help with whatever generation is open now.
                seen = posted;
                Job job = _pool.Job;
                job.Work(job.Generation, preferred: _index);
            }
        }
    }
}
