using System;
using System.Numerics.Tensors;

namespace NetGen.CompilerServices;

public static partial class RecurrentKernels
{
    /// <summary>
    /// One direction of the layer over a batch of sequences, from a zero initial state: <paramref name="x"/> is
    /// <c>[batch, T, F]</c>; this direction writes <c>h_t</c> into columns <c>OutputOffset .. OutputOffset + H − 1</c> of
    /// <paramref name="y"/> <c>[batch, T, OutputStride]</c> (the other columns are not touched) and fills
    /// <paramref name="state"/> (<c>batch · StateLength</c> floats, laid out as <see cref="StateLength{TLayer}"/> says) with
    /// what <see cref="Backward{TLayer}"/> needs. The weights are PyTorch's: <paramref name="weightIh"/> <c>[G·H, F]</c>,
    /// <paramref name="weightHh"/> <c>[G·H, H]</c>, <paramref name="biasIh"/> and <paramref name="biasHh"/> <c>[G·H]</c> (empty
    /// without a bias). With <paramref name="threads"/> &gt; 1 the input product and, for a large enough batch, the recurrence
    /// (by samples) are split across threads, giving the bits of one thread.
    /// </summary>
    public static void Forward<TLayer>(
        ReadOnlySpan<float> weightIh, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> x, Span<float> y, Span<float> state, int batch, int threads)
        where TLayer : struct, IRecurrentLayer
    {
        int rows = batch * TLayer.Steps;
        var offsets = new StateOffsets<TLayer>(batch);
        state = state.Slice(0, offsets.End);

        // gates[b, t] = W_ih x[b, t] + b_ih for every sample and step at once: one product over B·T rows
        DenseKernels.Forward<InputProduct<TLayer>>(weightIh, biasIh, x.Slice(0, rows * TLayer.Inputs), state.Slice(0, rows * GateWidth<TLayer>()), rows, threads);

        y = y.Slice(0, rows * TLayer.OutputStride);
        if (threads > 1 && batch >= MinSamplesForThreads<TLayer>())
        {
            KernelThreads.For(threads, batch, 1, new KernelSpans(weightHh, biasHh, default, y, state),
                static (in KernelSpans s, int start, int end) => ForwardSamples<TLayer>(s.In0, s.In1, s.Out0, s.Out1, start, end));
        }
        else
        {
            ForwardSamples<TLayer>(weightHh, biasHh, y, state, 0, batch);
        }
    }

    /// <summary>
    /// The recurrence of samples <paramref name="start"/> .. <paramref name="end"/> - 1, step after step; the batch is the
    /// state's length over <see cref="StateLength{TLayer}"/> (Forward cuts the region to it).
    /// </summary>
    private static void ForwardSamples<TLayer>(ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, Span<float> y, Span<float> state, int start, int end)
        where TLayer : struct, IRecurrentLayer
    {
        int steps = TLayer.Steps, hidden = TLayer.Hidden, width = GateWidth<TLayer>();
        int batch = state.Length / StateLength<TLayer>();
        int samples = end - start;
        var offsets = new StateOffsets<TLayer>(batch);
        Span<float> gates = state.Slice(0, offsets.Previous);
        Span<float> previous = state.Slice(offsets.Previous, offsets.Extra - offsets.Previous);
        Span<float> extra = state.Slice(offsets.Extra, offsets.Carry - offsets.Extra);
        Span<float> carry = state.Slice(offsets.Carry + start * hidden, samples * hidden);
        Span<float> recurrent = state.Slice(offsets.Recurrent + start * width, samples * width);

        carry.Clear();
        for (int k = 0; k < steps; k++)
        {
            int t = StepAt<TLayer>(k);

            // recurrent[s] = W_hh h[s] + b_hh, every gate and every sample of the part in one product (h = 0 at the first step)
            if (k == 0)
            {
                for (int s = 0; s < samples; s++)
                {
                    if (TLayer.HasBias)
                    {
                        biasHh.Slice(0, width).CopyTo(recurrent.Slice(s * width, width));
                    }
                    else
                    {
                        recurrent.Slice(s * width, width).Clear();
                    }
                }
            }
            else
            {
                DenseKernels.Forward<HiddenProduct<TLayer>>(weightHh, biasHh, carry, recurrent, samples, threads: 1);
            }

            for (int s = 0; s < samples; s++)
            {
                int row = (start + s) * steps + t;
                Span<float> h = carry.Slice(s * hidden, hidden);
                h.CopyTo(previous.Slice(row * hidden, hidden));
                Span<float> g = gates.Slice(row * width, width);
                ReadOnlySpan<float> r = recurrent.Slice(s * width, width);
                switch (TLayer.Cell)
                {
                    case RecurrentCell.Lstm:
                        // c_prev: the cell state of the step run before, 0 at the first
                        Span<float> cells = extra.Slice((start + s) * steps * hidden, steps * hidden);
                        int before = TLayer.Reverse ? t + 1 : t - 1;
                        LstmStep(g, r, k == 0 ? default : cells.Slice(before * hidden, hidden), cells.Slice(t * hidden, hidden), h);
                        break;
                    case RecurrentCell.Gru:
                        GruStep(g, r, extra.Slice(row * hidden, hidden), h);
                        break;
                    default:
                        RnnStep(TLayer.Cell, g, r, h);
                        break;
                }

                h.CopyTo(y.Slice(row * TLayer.OutputStride + TLayer.OutputOffset, hidden));
            }
        }
    }

    /// <summary><c>h = act(g + r)</c>, kept in <paramref name="g"/> too (the activation's output is all backward needs).</summary>
    private static void RnnStep(RecurrentCell cell, Span<float> g, ReadOnlySpan<float> r, Span<float> h)
    {
        TensorPrimitives.Add(g, r, g);
        if (cell == RecurrentCell.Relu)
        {
            TensorPrimitives.Max(g, 0f, g);
        }
        else
        {
            TensorPrimitives.Tanh(g, g);
        }

        g.CopyTo(h);
    }

    /// <summary>
    /// <c>i, f, g, o = σ, σ, tanh, σ of (gates + recurrent)</c> in place; <c>c = f ⊙ c_prev + i ⊙ g</c> (<paramref name="cellBefore"/>
    /// empty at the first step: c_prev = 0); <c>h = o ⊙ tanh(c)</c>. PyTorch's order: the two products rounded, then added.
    /// </summary>
    private static void LstmStep(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> cellBefore, Span<float> cell, Span<float> h)
    {
        int hidden = h.Length;
        TensorPrimitives.Add(gates, recurrent, gates);
        Span<float> inputFore = gates.Slice(0, 2 * hidden), candidate = gates.Slice(2 * hidden, hidden), output = gates.Slice(3 * hidden, hidden);
        TensorPrimitives.Sigmoid(inputFore, inputFore);
        TensorPrimitives.Tanh(candidate, candidate);
        TensorPrimitives.Sigmoid(output, output);

        ReadOnlySpan<float> input = gates.Slice(0, hidden), forget = gates.Slice(hidden, hidden);
        TensorPrimitives.Multiply(input, candidate, cell);
        if (!cellBefore.IsEmpty)
        {
            // c = (f ⊙ c_prev) + (i ⊙ g): MultiplyAdd rounds the product before the sum (it is not the fused one)
            TensorPrimitives.MultiplyAdd(forget, cellBefore, cell, cell);
        }

        TensorPrimitives.Tanh(cell, h);
        TensorPrimitives.Multiply(h, output, h);
    }

    /// <summary>
    /// <c>r, z = σ(gates + recurrent)</c>; <c>hiddenN = W_hn h + b_hn</c> kept; <c>n = tanh(gates_n + r ⊙ hiddenN)</c>;
    /// <c>h = n + z ⊙ (h − n)</c>, which is <c>(1 − z) ⊙ n + z ⊙ h</c> in PyTorch's order of operations.
    /// </summary>
    private static void GruStep(Span<float> gates, ReadOnlySpan<float> recurrent, Span<float> hiddenN, Span<float> h)
    {
        int hidden = h.Length;
        Span<float> resetUpdate = gates.Slice(0, 2 * hidden), candidate = gates.Slice(2 * hidden, hidden);
        TensorPrimitives.Add(resetUpdate, recurrent.Slice(0, 2 * hidden), resetUpdate);
        TensorPrimitives.Sigmoid(resetUpdate, resetUpdate);
        recurrent.Slice(2 * hidden, hidden).CopyTo(hiddenN);

        ReadOnlySpan<float> reset = gates.Slice(0, hidden), update = gates.Slice(hidden, hidden);
        TensorPrimitives.MultiplyAdd(reset, hiddenN, candidate, candidate);
        TensorPrimitives.Tanh(candidate, candidate);
        TensorPrimitives.Subtract(h, candidate, h);
        TensorPrimitives.MultiplyAdd(h, update, candidate, h);
    }
}
