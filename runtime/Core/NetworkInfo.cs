using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// A network's constants, reachable from an instance: <c>net.Info.Summary</c>, <c>net.Info.ParameterCount</c>. The generated
/// class has them as <c>const</c>s too (<c>MnistMlp.Summary</c>), which C# reaches only through the type name (CS0176 on
/// <c>net.Summary</c>); <see cref="INetwork.Info"/> gives the same values from the object.
/// </summary>
public sealed class NetworkInfo
{
    private readonly int[] _inputShape;
    private readonly int[] _outputShape;

    /// <summary>Copies the constants of <paramref name="network"/> (the generated class calls this once per type).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public NetworkInfo(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _inputShape = network.InputShape.ToArray();
        _outputShape = network.OutputShape.ToArray();
        InputLength = network.InputLength;
        OutputLength = network.OutputLength;
        ParameterCount = network.ParameterCount;
        WorkspaceLength = network.WorkspaceLength;
        FlopsPerSample = network.FlopsPerSample;
        Summary = network.Summary;
    }

    /// <summary>The shape of one input sample, outermost axis first.</summary>
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <summary>The shape of one output sample.</summary>
    public IReadOnlyList<int> OutputShape => _outputShape;

    /// <summary>Floats in one input sample.</summary>
    public int InputLength { get; }

    /// <summary>Floats in one output sample.</summary>
    public int OutputLength { get; }

    /// <summary>Floats in the parameter buffer.</summary>
    public int ParameterCount { get; }

    /// <summary>Floats of workspace per sample.</summary>
    public int WorkspaceLength { get; }

    /// <summary>Two times the multiply-adds of one sample's forward pass.</summary>
    public long FlopsPerSample { get; }

    /// <summary>One line per layer: index, kind, output shape, parameters, FLOPs; then the totals.</summary>
    public string Summary { get; }

    /// <summary>The <see cref="Summary"/>, so that <c>Console.WriteLine(net.Info)</c> prints the table.</summary>
    public override string ToString() => Summary;
}
