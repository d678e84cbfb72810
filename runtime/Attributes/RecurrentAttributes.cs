using System;

namespace NetGen;

/// <summary>
/// What the recurrent layers share: a sequence <c>[T, F]</c> in (steps first, as PyTorch's <c>batch_first=True</c> per
/// sample), a state of <c>hidden</c> floats carried from step to step from zero, trained by backpropagation through
/// time. Parameters are named as PyTorch names them under the layer's index or <c>Name</c>: <c>{i}.weight_ih_l0</c>
/// <c>[G·H, F]</c>, <c>{i}.weight_hh_l0</c> <c>[G·H, H]</c>, <c>{i}.bias_ih_l0</c>, <c>{i}.bias_hh_l0</c> <c>[G·H]</c>, then
/// <c>..._l0_reverse</c> for the reverse direction and <c>..._l1</c> for the next stacked layer, so the twin module's
/// <c>state_dict</c> loads by name. Every parameter is initialized from U(−1/√H, 1/√H), as PyTorch does.
/// </summary>
public abstract class RecurrentAttribute : LayerAttribute
{
    private protected RecurrentAttribute(int hidden) => Hidden = hidden;

    /// <summary>H: floats of state, and of output per step and direction (PyTorch's <c>hidden_size</c>).</summary>
    public int Hidden { get; }

    /// <summary>Stacked layers, at least 1 (PyTorch's <c>num_layers</c>): layer l &gt; 0 reads layer l − 1's outputs. No dropout between them.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>
    /// Whether a second direction reads the sequence from its end (PyTorch's <c>bidirectional</c>). Each step's output is
    /// then <c>[h_fwd,t ; h_rev,t]</c>, 2H floats, both aligned to step t as in PyTorch.
    /// </summary>
    public bool Bidirectional { get; set; }

    /// <summary>
    /// Whether the layer outputs every step, <c>[T, H]</c> (<c>[T, 2H]</c> bidirectional: PyTorch's <c>output</c>), which is
    /// the default; or only the last state, <c>[H]</c>, which is PyTorch's <c>h_n[-1]</c> for one direction. Bidirectional,
    /// the last state is <c>[h_fwd after step T−1 ; h_rev after step 0]</c>, 2H floats: <c>torch.cat((h_n[-2], h_n[-1]))</c>.
    /// </summary>
    public bool ReturnSequences { get; set; } = true;

    /// <summary>Whether the layer has the biases <c>bias_ih</c> and <c>bias_hh</c>. On by default, as in PyTorch.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>The nonlinearity of an Elman <see cref="RnnAttribute"/> (PyTorch's <c>nonlinearity</c> argument).</summary>
public enum RnnNonlinearity
{
    /// <summary><c>tanh</c>, PyTorch's default.</summary>
    Tanh,

    /// <summary><c>relu</c>.</summary>
    Relu,
}

/// <summary>
/// An Elman recurrent layer, as PyTorch's <c>nn.RNN</c>: <c>h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)</c> (or ReLU,
/// <see cref="Nonlinearity"/>), <c>h_{−1} = 0</c>. One gate: <c>weight_ih_l0</c> is <c>[H, F]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RnnAttribute : RecurrentAttribute
{
    /// <summary>Declares an RNN layer with a state of <paramref name="hidden"/> floats.</summary>
    public RnnAttribute(int hidden)
        : base(hidden)
    {
    }

    /// <summary>tanh (the default) or ReLU.</summary>
    public RnnNonlinearity Nonlinearity { get; set; } = RnnNonlinearity.Tanh;
}

/// <summary>
/// A long short-term memory layer, as PyTorch's <c>nn.LSTM</c>: gates in PyTorch's order i, f, g, o,
/// <c>i = σ(W_ii x + b_ii + W_hi h + b_hi)</c>, <c>f</c> and <c>o</c> likewise, <c>g = tanh(...)</c>,
/// <c>c_t = f ⊙ c_{t−1} + i ⊙ g</c>, <c>h_t = o ⊙ tanh(c_t)</c>, from zero <c>h</c> and <c>c</c>. Four gates:
/// <c>weight_ih_l0</c> is <c>[4H, F]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : RecurrentAttribute
{
    /// <summary>Declares an LSTM layer with a state of <paramref name="hidden"/> floats.</summary>
    public LstmAttribute(int hidden)
        : base(hidden)
    {
    }
}

/// <summary>
/// A gated recurrent unit layer, as PyTorch's <c>nn.GRU</c>: gates in PyTorch's order r, z, n,
/// <c>r = σ(W_ir x + b_ir + W_hr h + b_hr)</c>, <c>z</c> likewise, <c>n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))</c>,
/// <c>h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}</c>. Three gates: <c>weight_ih_l0</c> is <c>[3H, F]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : RecurrentAttribute
{
    /// <summary>Declares a GRU layer with a state of <paramref name="hidden"/> floats.</summary>
    public GruAttribute(int hidden)
        : base(hidden)
    {
    }
}
