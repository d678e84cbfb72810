using System;
using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>
/// The copies between a recurrent layer's output sequence and its last state, for a layer declared with
/// <c>ReturnSequences = false</c>: forward picks the last state of each direction out of <c>[batch, T, D·H]</c>, backward
/// puts its gradient back at those steps (and zero everywhere else).
/// </summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SequenceKernels
{
    /// <summary>
    /// <c>last[b] = sequence[b, T − 1, 0 .. H − 1]</c>, and with two directions also
    /// <c>last[b, H .. 2H − 1] = sequence[b, 0, H .. 2H − 1]</c> (the reverse direction ends at step 0): PyTorch's
    /// <c>h_n[-1]</c>, or <c>cat(h_n[-2], h_n[-1])</c>.
    /// </summary>
    public static void LastStates(ReadOnlySpan<float> sequence, Span<float> last, int steps, int hidden, bool bidirectional, int batch)
    {
        int width = bidirectional ? 2 * hidden : hidden;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> sample = sequence.Slice(b * steps * width, steps * width);
            Span<float> target = last.Slice(b * width, width);
            sample.Slice((steps - 1) * width, hidden).CopyTo(target);
            if (bidirectional)
            {
                sample.Slice(hidden, hidden).CopyTo(target.Slice(hidden));
            }
        }
    }

    /// <summary>The gradient of <see cref="LastStates"/>: <paramref name="dSequence"/> is cleared, then <paramref name="dLast"/> is put at the steps it came from.</summary>
    public static void LastStatesBackward(ReadOnlySpan<float> dLast, Span<float> dSequence, int steps, int hidden, bool bidirectional, int batch)
    {
        int width = bidirectional ? 2 * hidden : hidden;
        dSequence = dSequence.Slice(0, batch * steps * width);
        dSequence.Clear();
        for (int b = 0; b < batch; b++)
        {
            Span<float> sample = dSequence.Slice(b * steps * width, steps * width);
            ReadOnlySpan<float> source = dLast.Slice(b * width, width);
            source.Slice(0, hidden).CopyTo(sample.Slice((steps - 1) * width, hidden));
            if (bidirectional)
            {
                source.Slice(hidden, hidden).CopyTo(sample.Slice(hidden, hidden));
            }
        }
    }
}
