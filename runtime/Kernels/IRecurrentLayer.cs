using System.ComponentModel;

namespace NetGen.CompilerServices;

/// <summary>The cell a recurrent layer runs at each step, as PyTorch's <c>nn.RNN</c>, <c>nn.LSTM</c> and <c>nn.GRU</c>.</summary>
/// <remarks>For generated code only; not part of NetGen's supported API and may change between versions.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum RecurrentCell
{
    /// <summary><c>h' = tanh(W_ih x + b_ih + W_hh h + b_hh)</c>: <c>nn.RNN(nonlinearity='tanh')</c>, one gate.</summary>
    Tanh,

    /// <summary><c>h' = relu(W_ih x + b_ih + W_hh h + b_hh)</c>: <c>nn.RNN(nonlinearity='relu')</c>, one gate.</summary>
    Relu,

    /// <summary>
    /// <c>nn.LSTM</c>, four gates in the order i, f, g, o: <c>i, f, o = σ(...)</c>, <c>g = tanh(...)</c> of
    /// <c>W_ih x + b_ih + W_hh h + b_hh</c>; <c>c' = f ⊙ c + i ⊙ g</c>, <c>h' = o ⊙ tanh(c')</c>.
    /// </summary>
    Lstm,

    /// <summary>
    /// <c>nn.GRU</c>, three gates in the order r, z, n: <c>r, z = σ(W_i x + b_i + W_h h + b_h)</c>,
    /// <c>n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))</c>, <c>h' = (1 − z) ⊙ n + z ⊙ h</c>.
    /// </summary>
    Gru,
}

/// <summary>
/// What a recurrent layer's kernels (<see cref="RecurrentKernels"/>) need to know about one direction of it, as constants:
/// the generator writes one small struct per layer and direction
/// (<c>file readonly struct Lstm0 : IRecurrentLayer { public static int Inputs =&gt; 32; ... }</c>) and passes it as the type
/// argument, so every shape is a literal in the compiled kernel, as for <see cref="IDenseLayer"/>.
/// </summary>
/// <remarks>
/// <para>
/// The weights are PyTorch's, for <c>G</c> gates (<see cref="RecurrentKernels.Gates{TLayer}"/>: 1, 4 or 3):
/// <c>weight_ih [G·H, F]</c>, <c>weight_hh [G·H, H]</c>, <c>bias_ih [G·H]</c>, <c>bias_hh [G·H]</c>, the gates stacked in
/// the order the <see cref="RecurrentCell"/> names.
/// </para>
/// <para>
/// The input is <c>[B, T, F]</c> (<c>batch_first=True</c>); the output is <c>[B, T, OutputStride]</c> and this direction
/// writes columns <c>OutputOffset .. OutputOffset + H − 1</c> of each row. A unidirectional layer is stride H, offset 0;
/// a bidirectional one is two descriptors with stride 2H, the forward direction at offset 0 and the reverse one
/// (<see cref="Reverse"/>) at offset H, which is PyTorch's output layout.
/// </para>
/// <para>For generated code only; not part of NetGen's supported API and may change between versions.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IRecurrentLayer
{
    /// <summary>F: features of one time step of the input (the last axis).</summary>
    static abstract int Inputs { get; }

    /// <summary>H: features of the hidden state, and of this direction's part of an output row.</summary>
    static abstract int Hidden { get; }

    /// <summary>T: time steps of one sample (the sequence length, fixed at compile time).</summary>
    static abstract int Steps { get; }

    /// <summary>Whether the layer has <c>bias_ih</c> and <c>bias_hh</c> (PyTorch's <c>bias=True</c>).</summary>
    static abstract bool HasBias { get; }

    /// <summary>The cell, which fixes the gate count and the update.</summary>
    static abstract RecurrentCell Cell { get; }

    /// <summary>Whether this direction runs t = T − 1 … 0 (the reverse half of a bidirectional layer) instead of 0 … T − 1.</summary>
    static abstract bool Reverse { get; }

    /// <summary>Floats between the output rows of consecutive time steps: H, or 2H for a bidirectional layer.</summary>
    static abstract int OutputStride { get; }

    /// <summary>The first column of an output row this direction writes (and whose gradient it reads): 0, or H for the reverse half.</summary>
    static abstract int OutputOffset { get; }

    /// <summary>
    /// Whether <see cref="RecurrentKernels.Backward{TLayer}"/> adds its <c>dL/dx</c> into <c>dx</c> instead of overwriting
    /// it: true for the direction of a bidirectional layer whose backward runs second (both directions read the same x), so
    /// the two directions' input gradients sum without a pass of the caller's. It costs <c>T·F</c> floats of backward
    /// scratch per sample (<see cref="RecurrentKernels.BackwardScratchLength{TLayer}"/>).
    /// </summary>
    static abstract bool AddsInputGradient { get; }
}
