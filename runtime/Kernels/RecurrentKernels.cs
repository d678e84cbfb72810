using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace NetGen.CompilerServices;

/// <summary>
/// A recurrent layer's kernels (<c>nn.RNN</c>, <c>nn.LSTM</c>, <c>nn.GRU</c> with <c>batch_first=True</c> and a zero initial
/// state), one direction per call, written once for every layer; the direction's shape comes in as a struct type argument
/// (<see cref="IRecurrentLayer"/>). The matrix products are <see cref="DenseKernels"/>' register-blocked ones, through small
/// descriptor structs derived from the layer's, so each runs with its shape as constants at every vector width and on the
/// scalar path.
/// </summary>
/// <remarks>
/// <para>
/// Forward: the input-to-hidden products of all T steps of all samples are one product over <c>B·T</c> rows,
/// <c>X W_ihᵀ + b_ih</c>, written into the state's gate plane (for a small input side, from a transposed copy of W_ih on
/// the stack, with no horizontal sums; see <c>InputProducts</c>). Then the recurrence runs step by step, samples split
/// across threads: at each step one product over every gate (the <c>G·H</c> rows of <c>W_hh</c>) and every sample of the
/// thread's part, <c>W_hh h + b_hh</c>, into a <c>[samples, G·H]</c> block of the state (in cache: it is written and read
/// within the step), then one fused pass per sample over its hidden units, in vectors of every width
/// (<see cref="FloatLanes"/>' <c>Sigmoid</c> and <c>Tanh</c>), that adds it to the input products, applies the gate
/// nonlinearities, updates the cell and stores h into the running state, y and the next step's row of previous. The
/// per-width passes are methods of their own (inlined into the step loop they exhausted the JIT's inlining budget, and
/// what was left as calls ran the step twice as slowly as the dozen <c>TensorPrimitives</c> calls of the first version).
/// A unit's operations do not depend on the width that takes it, nor on the other samples.
/// </para>
/// <para>
/// Backward: the gate gradients of every step are computed sequentially through time (per step, one fused pass per
/// sample over its hidden units, then one product <c>dh = dgates W_hh</c> over the part's samples), kept for every step,
/// and then the weight gradients are products over all <c>B·T</c> rows at once: <c>dW_ih += dgatesᵀ X</c>,
/// <c>dW_hh += dgatesᵀ H_prev</c>, the biases their column sums, and <c>dx = dgates W_ih</c>.
/// </para>
/// <para>
/// Bits: every sample's recurrence is its own, in a fixed order, and the products give each output the same sum whichever
/// register block or thread computes it, so one thread and two give the same bits, and a sample alone gets the bits it gets
/// in a batch (y and dx; a weight gradient is a sum over the batch).
/// </para>
/// <para>
/// Composing layers (the caller's part): a stacked layer's input is the previous layer's output <c>[B, T, OutputStride]</c>
/// (its <c>Inputs</c> is that stride) and its <c>dx</c> is the previous layer's <c>dy</c>. A bidirectional layer is two
/// descriptors over the same x and y (stride 2H, offsets 0 and H, the second with <see cref="IRecurrentLayer.Reverse"/>),
/// each with its own weights, state and scratch; in backward, the direction called first overwrites <c>dx</c> and the one
/// called second has <see cref="IRecurrentLayer.AddsInputGradient"/> and adds into it.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class RecurrentKernels
{
    /// <summary>G: the gates of <typeparamref name="TLayer"/>'s cell, the row blocks of its weights: 1 (RNN), 4 (LSTM), 3 (GRU).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Gates<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => TLayer.Cell switch
        {
            RecurrentCell.Lstm => 4,
            RecurrentCell.Gru => 3,
            _ => 1,
        };

    /// <summary>
    /// Floats per sample of the state region that <see cref="Forward{TLayer}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, int, int)"/> writes and <see cref="Backward{TLayer}"/>
    /// reads; the caller reserves <c>batch · StateLength</c> floats (in the workspace: inference uses the same call). With
    /// <c>G·H</c> written GH, it is <c>T·GH + T·H</c>, plus <c>T·H</c> for an LSTM or a GRU, plus <c>H + GH</c> of working rows.
    /// </summary>
    /// <remarks>
    /// The region is a sequence of planes, each over the whole batch, so that the rows of every sample and step line up
    /// with the rows of x (<c>b·T + t</c>) for the products over <c>B·T</c> rows. In order, for a call with batch B:
    /// <list type="number">
    /// <item><c>gates [B, T, G·H]</c>: the gate activations of step t (RNN: h_t itself; LSTM: σ(i), σ(f), tanh(g), σ(o);
    /// GRU: σ(r), σ(z), tanh(n)), indexed by time t whatever the direction;</item>
    /// <item><c>previous [B, T, H]</c>: the hidden state step t read (h_{t−1}, or h_{t+1} in reverse; zero at the first step
    /// the direction runs);</item>
    /// <item>LSTM: <c>cells [B, T, H]</c>, c_t; GRU: <c>hiddenN [B, T, H]</c>, <c>W_hn h_prev + b_hn</c> (r multiplies it, so
    /// backward needs it apart from the input side's n pre-activation);</item>
    /// <item><c>carry [B, H]</c>: the running hidden state (the last one, h_n, after Forward);</item>
    /// <item><c>recurrent [B, G·H]</c>: the current step's <c>W_hh h + b_hh</c>.</item>
    /// </list>
    /// The planes' offsets depend on B, so Backward must be called with the batch Forward was.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int StateLength<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => TLayer.Steps * GateWidth<TLayer>() + TLayer.Steps * TLayer.Hidden + ExtraLength<TLayer>()
            + TLayer.Hidden + GateWidth<TLayer>();

    /// <summary>
    /// Floats per sample of the scratch <see cref="Backward{TLayer}"/> needs; the caller reserves <c>batch ·
    /// BackwardScratchLength</c> floats (nothing in it outlives the call). <c>T·GH</c> (the input side's gate gradients of
    /// every step), plus <c>T·GH</c> for a GRU (the hidden side's, whose n block is scaled by r), plus <c>GH + H</c> (one
    /// step's hidden-side gate gradients and <c>dh</c>), plus <c>H</c> for an LSTM (<c>dc</c>) or a GRU (<c>dh ⊙ z</c>), plus
    /// <c>T·F</c> when <see cref="IRecurrentLayer.AddsInputGradient"/> (this direction's <c>dx</c> before it is added).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BackwardScratchLength<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => TLayer.Steps * GateWidth<TLayer>() * (TLayer.Cell == RecurrentCell.Gru ? 2 : 1)
            + GateWidth<TLayer>() + TLayer.Hidden
            + (HasCarryGradient<TLayer>() ? TLayer.Hidden : 0)
            + (TLayer.AddsInputGradient ? TLayer.Steps * TLayer.Inputs : 0);

    /// <summary>G·H: the rows of the weights, the width of one step's gate block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GateWidth<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => Gates<TLayer>() * TLayer.Hidden;

    /// <summary>The third state plane's floats per sample: c_t (LSTM) or <c>W_hn h + b_hn</c> (GRU) of every step; none for an RNN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ExtraLength<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => TLayer.Cell is RecurrentCell.Lstm or RecurrentCell.Gru ? TLayer.Steps * TLayer.Hidden : 0;

    /// <summary>Whether backward carries a second gradient from step to step besides <c>W_hhᵀ dgates</c>: dc (LSTM), dh ⊙ z (GRU).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasCarryGradient<TLayer>()
        where TLayer : struct, IRecurrentLayer
        => TLayer.Cell is RecurrentCell.Lstm or RecurrentCell.Gru;

    /// <summary>
    /// The batch a sequential recurrence splits across threads: about 2^18 multiply-adds of recurrent products in all (each
    /// part pays for one hand-over, not one per step), and at least two samples.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MinSamplesForThreads<TLayer>()
        where TLayer : struct, IRecurrentLayer
    {
        long perSample = (long)TLayer.Steps * GateWidth<TLayer>() * TLayer.Hidden;
        return (int)Math.Max(2, ((1L << 18) + perSample - 1) / perSample);
    }

    /// <summary>The time step the direction runs <paramref name="k"/>-th: k, or T − 1 − k in reverse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StepAt<TLayer>(int k)
        where TLayer : struct, IRecurrentLayer
        => TLayer.Reverse ? TLayer.Steps - 1 - k : k;

    /// <summary>
    /// Where the state planes of a call with <c>batch</c> samples start (see <see cref="StateLength{TLayer}"/>):
    /// gates at 0, then previous, extra (c_t or <c>W_hn h + b_hn</c>), carry and recurrent. One function for Forward, which
    /// writes them, and Backward, which reads them.
    /// </summary>
    private readonly struct StateOffsets<TLayer>
        where TLayer : struct, IRecurrentLayer
    {
        public StateOffsets(int batch)
        {
            int steps = batch * TLayer.Steps;
            Previous = steps * GateWidth<TLayer>();
            Extra = Previous + steps * TLayer.Hidden;
            Carry = Extra + batch * ExtraLength<TLayer>();
            Recurrent = Carry + batch * TLayer.Hidden;
            End = Recurrent + batch * GateWidth<TLayer>();
        }

        /// <summary>Start of <c>previous [B, T, H]</c>, the hidden state each step read (gates <c>[B, T, G·H]</c> start at 0).</summary>
        public int Previous { get; }

        /// <summary>Start of <c>[B, T, H]</c>: c_t (LSTM) or <c>W_hn h + b_hn</c> (GRU); no floats for an RNN.</summary>
        public int Extra { get; }

        /// <summary>Start of <c>carry [B, H]</c>, the running hidden state.</summary>
        public int Carry { get; }

        /// <summary>Start of <c>recurrent [B, G·H]</c>, the current step's recurrent product.</summary>
        public int Recurrent { get; }

        /// <summary>The floats of the whole region: <c>batch · StateLength</c>.</summary>
        public int End { get; }
    }

    /// <summary>The backward scratch of a call, cut into its planes (see <see cref="BackwardScratchLength{TLayer}"/>).</summary>
    private readonly ref struct ScratchPlanes<TLayer>
        where TLayer : struct, IRecurrentLayer
    {
        public ScratchPlanes(Span<float> scratch, int batch)
        {
            int steps = batch * TLayer.Steps;
            int offset = 0;
            InputGates = Take(scratch, ref offset, steps * GateWidth<TLayer>());
            HiddenGates = TLayer.Cell == RecurrentCell.Gru ? Take(scratch, ref offset, steps * GateWidth<TLayer>()) : InputGates;
            Step = Take(scratch, ref offset, batch * GateWidth<TLayer>());
            HiddenGradient = Take(scratch, ref offset, batch * TLayer.Hidden);
            CarryGradient = Take(scratch, ref offset, HasCarryGradient<TLayer>() ? batch * TLayer.Hidden : 0);
            InputGradient = Take(scratch, ref offset, TLayer.AddsInputGradient ? steps * TLayer.Inputs : 0);
        }

        /// <summary><c>[B, T, G·H]</c>: dL/d(gate pre-activations) on the input side, the dz of <c>dW_ih</c>, <c>db_ih</c> and <c>dx</c>.</summary>
        public Span<float> InputGates { get; }

        /// <summary><c>[B, T, G·H]</c>: the same on the hidden side (differs for a GRU's n block), the dz of <c>dW_hh</c> and <c>db_hh</c>.</summary>
        public Span<float> HiddenGates { get; }

        /// <summary><c>[B, G·H]</c>: one step's hidden-side gate gradients, contiguous over samples for the step's product.</summary>
        public Span<float> Step { get; }

        /// <summary><c>[B, H]</c>: <c>dgates W_hh</c>, what the recurrence hands to the step before.</summary>
        public Span<float> HiddenGradient { get; }

        /// <summary><c>[B, H]</c>: dc (LSTM) or <c>dh ⊙ z</c> (GRU), the other gradient handed back; empty for an RNN.</summary>
        public Span<float> CarryGradient { get; }

        /// <summary><c>[B, T, F]</c>: this direction's dx before it is added (with <see cref="IRecurrentLayer.AddsInputGradient"/>).</summary>
        public Span<float> InputGradient { get; }
    }

    /// <summary>The next <paramref name="length"/> floats of <paramref name="region"/> from <paramref name="offset"/>, which moves past them.</summary>
    private static Span<float> Take(Span<float> region, scoped ref int offset, int length)
    {
        Span<float> plane = region.Slice(offset, length);
        offset += length;
        return plane;
    }

    /// <summary>
    /// <c>X W_ihᵀ + b_ih</c> as a dense layer: F inputs, G·H units, no activation; its backward is <c>dW_ih</c>,
    /// <c>db_ih</c> and <c>dx</c>.
    /// </summary>
    private readonly struct InputProduct<TLayer> : IDenseLayer
        where TLayer : struct, IRecurrentLayer
    {
        public static int Inputs => TLayer.Inputs;

        public static int Units
        {
            // inlined into the product kernels' blocks, where the JIT's budget is spent long before it reaches this (see
            // ShapeGettersInlineTests)
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => GateWidth<TLayer>();
        }

        public static bool HasBias => TLayer.HasBias;

        public static FusedActivation Activation => FusedActivation.None;

        public static float Slope => 0f;
    }

    /// <summary>
    /// <c>H W_hhᵀ + b_hh</c> as a dense layer: H inputs, G·H units; its backward is <c>dW_hh</c>, <c>db_hh</c> and, per step,
    /// <c>dh = dgates W_hh</c>.
    /// </summary>
    private readonly struct HiddenProduct<TLayer> : IDenseLayer
        where TLayer : struct, IRecurrentLayer
    {
        public static int Inputs => TLayer.Hidden;

        public static int Units
        {
            // inlined into the product kernels' blocks, where the JIT's budget is spent long before it reaches this (see
            // ShapeGettersInlineTests)
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => GateWidth<TLayer>();
        }

        public static bool HasBias => TLayer.HasBias;

        public static FusedActivation Activation => FusedActivation.None;

        public static float Slope => 0f;
    }
}
