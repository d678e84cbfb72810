using System;
using System.Numerics.Tensors;

namespace NetGen.CompilerServices;

public static partial class RecurrentKernels
{
    /// <summary>
    /// Backward of one direction from <paramref name="dy"/> = dL/dy (<c>[batch, T, OutputStride]</c>, this direction's columns
    /// read) and the <paramref name="state"/> its <see cref="Forward{TLayer}"/> left (same batch): the weight and bias
    /// gradients are ADDED into (<c>dW_ih += dgatesᵀ X</c>, <c>dW_hh += dgatesᵀ H_prev</c>, <c>db_ih += Σ dgates</c>,
    /// <c>db_hh += Σ dgates_hh</c>, empty bias spans without a bias), as <see cref="DenseKernels.Backward{TLayer}"/> does.
    /// <paramref name="dx"/> (<c>[batch, T, F]</c>) is skipped when empty; otherwise it is OVERWRITTEN with
    /// <c>dgates W_ih</c>, or, when <see cref="IRecurrentLayer.AddsInputGradient"/>, that is added into it (the second
    /// direction of a bidirectional layer). <paramref name="scratch"/> holds <c>batch · BackwardScratchLength</c> floats that
    /// nothing reads after the call; <paramref name="state"/> is only read, so backward may run again. With
    /// <paramref name="threads"/> &gt; 1 the recurrence (by samples, for a large enough batch) and the products are split
    /// across threads, giving the bits of one thread.
    /// </summary>
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
                int row = (start + s) * steps + t;

                // dh = dL/dy_t + (dgates_{t+1} W_hh, from the step after), the whole gradient of h_t but a GRU's z term
                Span<float> dh = hiddenGradient.Slice(s * hidden, hidden);
                TensorPrimitives.Add(dh, dy.Slice(row * TLayer.OutputStride + TLayer.OutputOffset, hidden), dh);
                ReadOnlySpan<float> g = gates.Slice(row * width, width);
                Span<float> dInput = planes.InputGates.Slice(row * width, width);
                Span<float> dHidden = planes.HiddenGates.Slice(row * width, width);
                switch (TLayer.Cell)
                {
                    case RecurrentCell.Lstm:
                        ReadOnlySpan<float> cells = extra.Slice((start + s) * steps * hidden, steps * hidden);
                        int before = TLayer.Reverse ? t + 1 : t - 1;
                        Span<float> tanhCell = step.Slice(s * width, hidden); // overwritten by the copy below, after its last read
                        TensorPrimitives.Tanh(cells.Slice(t * hidden, hidden), tanhCell);
                        LstmStepBackward(g, k == 0 ? default : cells.Slice(before * hidden, hidden), tanhCell, dh, carryGradient.Slice(s * hidden, hidden), dInput);
                        break;
                    case RecurrentCell.Gru:
                        GruStepBackward(g, extra.Slice(row * hidden, hidden), previous.Slice(row * hidden, hidden), dh, carryGradient.Slice(s * hidden, hidden), dInput, dHidden);
                        break;
                    default:
                        RnnStepBackward(TLayer.Cell, g, dh, dInput);
                        break;
                }

                dHidden.CopyTo(step.Slice(s * width, width));
            }

            // dh_{t-1} = dgates_hh W_hh for the part's samples in one product; the first step's is dL/dh_0, not needed
            if (k > 0)
            {
                DenseKernels.InputGradient<HiddenProduct<TLayer>>(weightHh, step, hiddenGradient, 0, samples);
            }
        }
    }

    /// <summary><c>da = dh ⊙ act'(a)</c> from the output h = a kept in <paramref name="h"/>: <c>1 − h²</c> (tanh), <c>[h &gt; 0]</c> (ReLU).</summary>
    private static void RnnStepBackward(RecurrentCell cell, ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> da)
    {
        for (int j = 0; j < dh.Length; j++)
        {
            float a = h[j];
            da[j] = cell == RecurrentCell.Relu ? (a > 0f ? dh[j] : 0f) : dh[j] * (1f - a * a);
        }
    }

    /// <summary>
    /// One LSTM step back: with <c>dc = dc_next + dh ⊙ o ⊙ (1 − tanh²c)</c>, the pre-activation gradients
    /// <c>di = dc ⊙ g ⊙ i(1 − i)</c>, <c>df = dc ⊙ c_prev ⊙ f(1 − f)</c>, <c>dg = dc ⊙ i ⊙ (1 − g²)</c>,
    /// <c>do = dh ⊙ tanh c ⊙ o(1 − o)</c>, and <c>dc_prev = dc ⊙ f</c> into <paramref name="cellGradient"/>.
    /// </summary>
    private static void LstmStepBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cellBefore, ReadOnlySpan<float> tanhCell, ReadOnlySpan<float> dh, Span<float> cellGradient, Span<float> dGates)
    {
        int hidden = dh.Length;
        for (int j = 0; j < hidden; j++)
        {
            float i = gates[j], f = gates[hidden + j], g = gates[2 * hidden + j], o = gates[3 * hidden + j];
            float tc = tanhCell[j], dhj = dh[j];
            float dc = cellGradient[j] + dhj * o * (1f - tc * tc);
            float cp = cellBefore.IsEmpty ? 0f : cellBefore[j];
            dGates[j] = dc * g * (i * (1f - i));
            dGates[hidden + j] = dc * cp * (f * (1f - f));
            dGates[2 * hidden + j] = dc * i * (1f - g * g);
            dGates[3 * hidden + j] = dhj * tc * (o * (1f - o));
            cellGradient[j] = dc * f;
        }
    }

    /// <summary>
    /// One GRU step back, with <c>dh</c> completed by the direct term <c>dh_next ⊙ z_next</c> kept in <paramref name="direct"/>:
    /// <c>dn = dh ⊙ (1 − z) ⊙ (1 − n²)</c>, <c>dz = dh ⊙ (h_prev − n) ⊙ z(1 − z)</c>, <c>dr = dn ⊙ hiddenN ⊙ r(1 − r)</c>;
    /// the input side's gradients are <c>[dr, dz, dn]</c>, the hidden side's <c>[dr, dz, dn ⊙ r]</c> (r scales
    /// <c>W_hn h + b_hn</c>), and <c>dh ⊙ z</c> goes back into <paramref name="direct"/> for the step before.
    /// </summary>
    private static void GruStepBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> hiddenN, ReadOnlySpan<float> hiddenBefore, ReadOnlySpan<float> dh, Span<float> direct, Span<float> dInput, Span<float> dHidden)
    {
        int hidden = dh.Length;
        for (int j = 0; j < hidden; j++)
        {
            float r = gates[j], z = gates[hidden + j], n = gates[2 * hidden + j];
            float dhj = dh[j] + direct[j];
            float dn = dhj * (1f - z) * (1f - n * n);
            float dz = dhj * (hiddenBefore[j] - n) * (z * (1f - z));
            float dr = dn * hiddenN[j] * (r * (1f - r));
            dInput[j] = dr;
            dInput[hidden + j] = dz;
            dInput[2 * hidden + j] = dn;
            dHidden[j] = dr;
            dHidden[hidden + j] = dz;
            dHidden[2 * hidden + j] = dn * r;
            direct[j] = dhj * z;
        }
    }
}
