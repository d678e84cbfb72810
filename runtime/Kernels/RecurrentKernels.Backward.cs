using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NetGen.FloatLanes;

namespace NetGen.CompilerServices;

public static partial class RecurrentKernels
{
    /// <summary>
    /// Backward of one direction from <paramref name="dy"/> = dL/dy (<c>[batch, T, OutputStride]</c>, this direction's columns
    /// read) and the <paramref name="state"/> its <see cref="Forward{TLayer}(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, int, int)"/> left (same batch): the weight and bias
    /// gradients are ADDED into (<c>dW_ih += dgatesᵀ X</c>, <c>dW_hh += dgatesᵀ H_prev</c>, <c>db_ih += Σ dgates</c>,
    /// <c>db_hh += Σ dgates_hh</c>, empty bias spans without a bias), as <see cref="DenseKernels.Backward{TLayer}(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> does.
    /// <paramref name="dx"/> (<c>[batch, T, F]</c>) is skipped when empty; otherwise it is OVERWRITTEN with
    /// <c>dgates W_ih</c>, or, when <see cref="IRecurrentLayer.AddsInputGradient"/>, that is added into it (the second
    /// direction of a bidirectional layer). <paramref name="scratch"/> holds <c>batch · BackwardScratchLength</c> floats that
    /// nothing reads after the call; <paramref name="state"/> is only read, so backward may run again. With
    /// <paramref name="threads"/> &gt; 1 the recurrence (by samples, for a large enough batch) and the products are split
    /// across threads, giving the bits of one thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<TLayer>(
        ReadOnlySpan<float> weightIh, ReadOnlySpan<float> weightHh,
        Span<float> weightIhGradient, Span<float> weightHhGradient, Span<float> biasIhGradient, Span<float> biasHhGradient,
        ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> state, Span<float> dx, Span<float> scratch, int batch, int threads)
        where TLayer : struct, IRecurrentLayer
    {
        int rows = batch * TLayer.Steps;
        var offsets = new StateOffsets<TLayer>(batch);
        state = state.Slice(0, offsets.End);
        scratch = scratch.Slice(0, batch * BackwardScratchLength<TLayer>());
        dy = dy.Slice(0, rows * TLayer.OutputStride);

        // dgates of every step, sequential through time, samples split across threads
        if (threads > 1 && batch >= MinSamplesForThreads<TLayer>())
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(weightHh, dy, state, scratch, default),
                static (in KernelSpans s, int start, int end) => BackwardSamples<TLayer>(s.In0, s.In1, s.In2, s.Out0, start, end));
        }
        else
        {
            BackwardSamples<TLayer>(weightHh, dy, state, scratch, 0, batch);
        }

        var planes = new ScratchPlanes<TLayer>(scratch, batch);

        // dW_ih += dgatesᵀ X, db_ih += Σ dgates and dx = dgates W_ih: products over all B·T rows at once
        Span<float> inputGradient = dx.IsEmpty ? default : TLayer.AddsInputGradient ? planes.InputGradient : dx.Slice(0, rows * TLayer.Inputs);
        DenseKernels.Backward<InputProduct<TLayer>>(weightIh, weightIhGradient, biasIhGradient, x.Slice(0, rows * TLayer.Inputs), planes.InputGates, inputGradient, rows, threads);
        if (TLayer.AddsInputGradient && !dx.IsEmpty)
        {
            Span<float> target = dx.Slice(0, rows * TLayer.Inputs);
            TensorPrimitives.Add(target, planes.InputGradient, target);
        }

        // dW_hh += dgates_hhᵀ H_prev, db_hh += Σ dgates_hh, over all B·T rows
        DenseKernels.Backward<HiddenProduct<TLayer>>(weightHh, weightHhGradient, biasHhGradient, state.Slice(offsets.Previous, rows * TLayer.Hidden), planes.HiddenGates, default, rows, threads);
    }

    /// <summary>
    /// The gate gradients of samples <paramref name="start"/> .. <paramref name="end"/> - 1, from the last step the direction
    /// ran back to its first; the batch is the scratch's length over <see cref="BackwardScratchLength{TLayer}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardSamples<TLayer>(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> dy, ReadOnlySpan<float> state, Span<float> scratch, int start, int end)
        where TLayer : struct, IRecurrentLayer
    {
        int steps = TLayer.Steps, hidden = TLayer.Hidden, width = GateWidth<TLayer>();
        int batch = scratch.Length / BackwardScratchLength<TLayer>();
        int samples = end - start;
        var offsets = new StateOffsets<TLayer>(batch);
        ReadOnlySpan<float> gates = state.Slice(0, offsets.Previous);
        ReadOnlySpan<float> previous = state.Slice(offsets.Previous, offsets.Extra - offsets.Previous);
        ReadOnlySpan<float> extra = state.Slice(offsets.Extra, offsets.Carry - offsets.Extra);
        var planes = new ScratchPlanes<TLayer>(scratch, batch);
        Span<float> step = planes.Step.Slice(start * width, samples * width);
        Span<float> hiddenGradient = planes.HiddenGradient.Slice(start * hidden, samples * hidden);
        Span<float> carryGradient = HasCarryGradient<TLayer>() ? planes.CarryGradient.Slice(start * hidden, samples * hidden) : default;

        hiddenGradient.Clear();
        carryGradient.Clear();
        for (int k = steps - 1; k >= 0; k--)
        {
            int t = StepAt<TLayer>(k);
            for (int s = 0; s < samples; s++)
            {
                int sample = start + s;
                int row = sample * steps + t;

                // dh = dL/dy_t + (dgates_{t+1} W_hh, from the step after), the whole gradient of h_t but a GRU's z term;
                // one fused pass per sample over the hidden units
                var lanes = new GradientRefs(
                    ref MemoryMarshal.GetReference(gates.Slice(row * width, width)),
                    ref MemoryMarshal.GetReference(hiddenGradient.Slice(s * hidden, hidden)),
                    ref MemoryMarshal.GetReference(dy.Slice(row * TLayer.OutputStride + TLayer.OutputOffset, hidden)),
                    ref MemoryMarshal.GetReference(planes.InputGates.Slice(row * width, width)),
                    ref MemoryMarshal.GetReference(planes.HiddenGates.Slice(row * width, width)),
                    ref MemoryMarshal.GetReference(step.Slice(s * width, width)),
                    samples > 1);
                switch (TLayer.Cell)
                {
                    case RecurrentCell.Lstm:
                        ReadOnlySpan<float> cells = extra.Slice(sample * steps * hidden, steps * hidden);
                        int before = TLayer.Reverse ? t + 1 : t - 1;
                        LstmCellsBackward<TLayer>(lanes, ref MemoryMarshal.GetReference(cells.Slice(t * hidden, hidden)), ref MemoryMarshal.GetReference(cells.Slice(k == 0 ? t * hidden : before * hidden, hidden)), k > 0, ref MemoryMarshal.GetReference(carryGradient.Slice(s * hidden, hidden)));
                        break;
                    case RecurrentCell.Gru:
                        GruCellsBackward<TLayer>(lanes, ref MemoryMarshal.GetReference(extra.Slice(row * hidden, hidden)), ref MemoryMarshal.GetReference(previous.Slice(row * hidden, hidden)), ref MemoryMarshal.GetReference(carryGradient.Slice(s * hidden, hidden)));
                        break;
                    default:
                        RnnCellsBackward<TLayer>(lanes);
                        break;
                }
            }

            // dh_{t-1} = dgates_hh W_hh for the part's samples in one product (a sample alone: straight from its row of
            // the hidden-side gradients); the first step's is dL/dh_0, not needed
            if (k > 0)
            {
                ReadOnlySpan<float> dz = samples > 1 ? step : planes.HiddenGates.Slice((start * steps + t) * width, width);
                DenseKernels.InputGradient<HiddenProduct<TLayer>>(weightHh, dz, hiddenGradient, 0, samples);
            }
        }
    }

    /// <summary>
    /// Where one sample's step back reads and writes: its gate activations, its dh (the gradient from the step after; only
    /// read), its row of dy, its rows of the input-side and hidden-side gate gradients, and its row of the step's
    /// contiguous hidden-side block (written when <see cref="HasStep"/>: more than one sample in the part).
    /// </summary>
    private readonly ref struct GradientRefs
    {
        public GradientRefs(ref float gates, ref float dh, ref float dy, ref float dInput, ref float dHidden, ref float step, bool hasStep)
        {
            Gates = ref gates;
            Dh = ref dh;
            Dy = ref dy;
            DInput = ref dInput;
            DHidden = ref dHidden;
            Step = ref step;
            HasStep = hasStep;
        }

        public readonly ref float Gates;
        public readonly ref float Dh;
        public readonly ref float Dy;
        public readonly ref float DInput;
        public readonly ref float DHidden;
        public readonly ref float Step;
        public readonly bool HasStep;

        /// <summary>A hidden-side gate gradient at <paramref name="index"/>, into its row and the step's block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void StoreHidden<TV>(TV value, int index)
            where TV : struct, IMathLanes<TV>
        {
            value.Store(ref DHidden, (nuint)index);
            if (HasStep)
            {
                value.Store(ref Step, (nuint)index);
            }
        }
    }

    /// <summary>An LSTM step back of one sample over every hidden unit, the widths as <see cref="LstmCells{TLayer}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmCellsBackward<TLayer>(in GradientRefs lanes, ref float cell, ref float cellBefore, bool hasBefore, ref float cellGradient)
        where TLayer : struct, IRecurrentLayer
    {
        int j = 0;
        if (Simd.Use512)
        {
            j = LstmCellsBackward<TLayer, V512>(lanes, ref cell, ref cellBefore, hasBefore, ref cellGradient, j);
        }

        if (Simd.Use256)
        {
            j = LstmCellsBackward<TLayer, V256>(lanes, ref cell, ref cellBefore, hasBefore, ref cellGradient, j);
        }

        if (Simd.Use128)
        {
            j = LstmCellsBackward<TLayer, V128>(lanes, ref cell, ref cellBefore, hasBefore, ref cellGradient, j);
        }

        LstmCellsBackward<TLayer, V1>(lanes, ref cell, ref cellBefore, hasBefore, ref cellGradient, j);
    }

    /// <summary>
    /// Hidden units <paramref name="j"/> onward: with <c>dh = dh_next + dy</c> and <c>dc = dc_next + dh ⊙ o ⊙ (1 − tanh²c)</c>,
    /// the pre-activation gradients <c>di = dc ⊙ g ⊙ i(1 − i)</c>, <c>df = dc ⊙ c_prev ⊙ f(1 − f)</c>,
    /// <c>dg = dc ⊙ i ⊙ (1 − g²)</c>, <c>do = dh ⊙ tanh c ⊙ o(1 − o)</c> (the input and hidden sides share them), and
    /// <c>dc_prev = dc ⊙ f</c> into <paramref name="cellGradient"/>. Returns the first unit left.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int LstmCellsBackward<TLayer, TV>(in GradientRefs lanes, ref float cell, ref float cellBefore, bool hasBefore, ref float cellGradient, int j)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden;
        ref float gates = ref lanes.Gates;
        TV one = TV.Create(1f);
        for (; j + TV.Count <= hidden; j += TV.Count)
        {
            TV dh = Load<TV>(ref lanes.Dh, j) + Load<TV>(ref lanes.Dy, j);
            TV i = Load<TV>(ref gates, j), f = Load<TV>(ref gates, hidden + j), g = Load<TV>(ref gates, 2 * hidden + j), o = Load<TV>(ref gates, 3 * hidden + j);
            TV tc = Tanh(Load<TV>(ref cell, j));
            TV dc = Load<TV>(ref cellGradient, j) + dh * o * (one - tc * tc);
            TV cp = hasBefore ? Load<TV>(ref cellBefore, j) : TV.Zero;
            TV di = dc * g * (i * (one - i));
            TV df = dc * cp * (f * (one - f));
            TV dg = dc * i * (one - g * g);
            TV dout = dh * tc * (o * (one - o));
            lanes.StoreHidden(di, j);
            lanes.StoreHidden(df, hidden + j);
            lanes.StoreHidden(dg, 2 * hidden + j);
            lanes.StoreHidden(dout, 3 * hidden + j);
            (dc * f).Store(ref cellGradient, (nuint)j);
        }

        return j;
    }

    /// <summary>A GRU step back of one sample over every hidden unit, the widths as <see cref="LstmCells{TLayer}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruCellsBackward<TLayer>(in GradientRefs lanes, ref float hiddenN, ref float hiddenBefore, ref float direct)
        where TLayer : struct, IRecurrentLayer
    {
        int j = 0;
        if (Simd.Use512)
        {
            j = GruCellsBackward<TLayer, V512>(lanes, ref hiddenN, ref hiddenBefore, ref direct, j);
        }

        if (Simd.Use256)
        {
            j = GruCellsBackward<TLayer, V256>(lanes, ref hiddenN, ref hiddenBefore, ref direct, j);
        }

        if (Simd.Use128)
        {
            j = GruCellsBackward<TLayer, V128>(lanes, ref hiddenN, ref hiddenBefore, ref direct, j);
        }

        GruCellsBackward<TLayer, V1>(lanes, ref hiddenN, ref hiddenBefore, ref direct, j);
    }

    /// <summary>
    /// Hidden units <paramref name="j"/> onward, with <c>dh = (dh_next + dy) + dh_next ⊙ z_next</c> (the direct term kept in
    /// <paramref name="direct"/>): <c>dn = dh ⊙ (1 − z) ⊙ (1 − n²)</c>, <c>dz = dh ⊙ (h_prev − n) ⊙ z(1 − z)</c>,
    /// <c>dr = dn ⊙ hiddenN ⊙ r(1 − r)</c>; the input side's gradients are <c>[dr, dz, dn]</c>, the hidden side's
    /// <c>[dr, dz, dn ⊙ r]</c> (r scales <c>W_hn h + b_hn</c>), and <c>dh ⊙ z</c> goes back into <paramref name="direct"/> for
    /// the step before. Returns the first unit left.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int GruCellsBackward<TLayer, TV>(in GradientRefs lanes, ref float hiddenN, ref float hiddenBefore, ref float direct, int j)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden;
        ref float gates = ref lanes.Gates;
        TV one = TV.Create(1f);
        for (; j + TV.Count <= hidden; j += TV.Count)
        {
            TV r = Load<TV>(ref gates, j), z = Load<TV>(ref gates, hidden + j), n = Load<TV>(ref gates, 2 * hidden + j);
            TV dh = Load<TV>(ref lanes.Dh, j) + Load<TV>(ref lanes.Dy, j) + Load<TV>(ref direct, j);
            TV dn = dh * (one - z) * (one - n * n);
            TV dz = dh * (Load<TV>(ref hiddenBefore, j) - n) * (z * (one - z));
            TV dr = dn * Load<TV>(ref hiddenN, j) * (r * (one - r));
            dr.Store(ref lanes.DInput, (nuint)j);
            dz.Store(ref lanes.DInput, (nuint)(hidden + j));
            dn.Store(ref lanes.DInput, (nuint)(2 * hidden + j));
            lanes.StoreHidden(dr, j);
            lanes.StoreHidden(dz, hidden + j);
            lanes.StoreHidden(dn * r, 2 * hidden + j);
            (dh * z).Store(ref direct, (nuint)j);
        }

        return j;
    }

    /// <summary>An RNN step back of one sample over every hidden unit, the widths as <see cref="LstmCells{TLayer}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RnnCellsBackward<TLayer>(in GradientRefs lanes)
        where TLayer : struct, IRecurrentLayer
    {
        int j = 0;
        if (Simd.Use512)
        {
            j = RnnCellsBackward<TLayer, V512>(lanes, j);
        }

        if (Simd.Use256)
        {
            j = RnnCellsBackward<TLayer, V256>(lanes, j);
        }

        if (Simd.Use128)
        {
            j = RnnCellsBackward<TLayer, V128>(lanes, j);
        }

        RnnCellsBackward<TLayer, V1>(lanes, j);
    }

    /// <summary>
    /// Hidden units <paramref name="j"/> onward: <c>da = dh ⊙ act'(a)</c> from the output h = a kept in the gate row,
    /// <c>1 − h²</c> (tanh) or <c>[h &gt; 0]</c> (ReLU). Returns the first unit left.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int RnnCellsBackward<TLayer, TV>(in GradientRefs lanes, int j)
        where TLayer : struct, IRecurrentLayer
        where TV : struct, IMathLanes<TV>
    {
        int hidden = TLayer.Hidden;
        for (; j + TV.Count <= hidden; j += TV.Count)
        {
            TV dh = Load<TV>(ref lanes.Dh, j) + Load<TV>(ref lanes.Dy, j);
            TV a = Load<TV>(ref lanes.Gates, j);
            TV da = TLayer.Cell == RecurrentCell.Relu ? TV.SelectLess(TV.Zero, a, dh, TV.Zero) : dh * (TV.Create(1f) - a * a);
            lanes.StoreHidden(da, j);
        }

        return j;
    }
}
