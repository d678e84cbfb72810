using System;
using System.Collections.Generic;
using NetGen;

namespace NetGen.Tests.IO;

/// <summary>
/// A hand-written stand-in for a generated network, shaped like <c>nn.Sequential(Linear(4, 3), ReLU(), Linear(3, 2, bias=False))</c>:
/// "0.weight" [3, 4] at 0, "0.bias" [3] at 12, "2.weight" [2, 3] at 15. Only what weight I/O touches is implemented.
/// </summary>
internal sealed class FakeNetwork : INetwork
{
    public const int Count = 21;

    private readonly float[] _parameters = new float[Count];
    private readonly ParameterTensor[] _tensors;

    public FakeNetwork(float start = 0f, ParameterTensor[]? tensors = null)
    {
        _tensors = tensors ??
        [
            new ParameterTensor("0.weight", 0, 3, 4),
            new ParameterTensor("0.bias", 12, 3),
            new ParameterTensor("2.weight", 15, 2, 3),
        ];
        for (int i = 0; i < Count; i++)
        {
            _parameters[i] = start + i;
        }
    }

    /// <summary>The parameters as raw bits, so comparisons see NaN payloads and the sign of zero.</summary>
    public int[] Bits()
    {
        var bits = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(_parameters[i]);
        }

        return bits;
    }

    public float this[int index] => _parameters[index];

    public Span<float> Parameters => _parameters;

    public IReadOnlyList<ParameterTensor> ParameterTensors => _tensors;

    public int ParameterCount => Count;

    public ReadOnlySpan<int> InputShape => throw new NotSupportedException();

    public ReadOnlySpan<int> OutputShape => throw new NotSupportedException();

    public int InputLength => throw new NotSupportedException();

    public int OutputLength => throw new NotSupportedException();

    public int WorkspaceLength => throw new NotSupportedException();

    public long FlopsPerSample => throw new NotSupportedException();

    public string Summary => throw new NotSupportedException();

    public Span<float> Gradients => throw new NotSupportedException();

    public Workspace CreateWorkspace(int batchCapacity = 1) => throw new NotSupportedException();

    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, Workspace workspace) => throw new NotSupportedException();

    public void ForwardTraining(ReadOnlySpan<float> inputs, Span<float> outputs, Workspace workspace) => throw new NotSupportedException();

    public void Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, Span<float> inputGradients, Workspace workspace) =>
        throw new NotSupportedException();

    public void ZeroGradients() => throw new NotSupportedException();

    public void Initialize(ulong seed) => throw new NotSupportedException();
}
