using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// What every generated network is, seen from code that does not know its shapes: the trainer, the
/// weight I/O and tests. The generated class implements it explicitly beside its own constants
/// (<c>MnistMlp.InputLength</c> is a <c>const</c>; <c>((INetwork)net).InputLength</c> and <c>net.Info.InputLength</c> the same value).
/// </summary>
public interface INetwork
{
    /// <summary>The shape of one input sample, outermost axis first.</summary>
    ReadOnlySpan<int> InputShape { get; }

    /// <summary>The shape of one output sample.</summary>
    ReadOnlySpan<int> OutputShape { get; }

    /// <summary>Floats in one input sample.</summary>
    int InputLength { get; }

    /// <summary>Floats in one output sample.</summary>
    int OutputLength { get; }

    /// <summary>Floats in the parameter buffer.</summary>
    int ParameterCount { get; }

    /// <summary>Floats of workspace one sample needs (activations kept for backward, dropout masks, scratch).</summary>
    int WorkspaceLength { get; }

    /// <summary>Multiply-adds times two of one sample's forward pass.</summary>
    long FlopsPerSample { get; }

    /// <summary>One line per layer: kind, output shape, parameters, FLOPs.</summary>
    string Summary { get; }

    /// <summary>
    /// The constants above as one object, reachable from an instance of the generated class (<c>net.Info.Summary</c>, where
    /// <c>net.Summary</c> is CS0176 because <c>Summary</c> is a <c>const</c>). Generated networks return one shared object; this
    /// default makes a new one.
    /// </summary>
    NetworkInfo Info => new(this);

    /// <summary>Every parameter, in the documented order of <see cref="ParameterTensors"/>.</summary>
    Span<float> Parameters { get; }

    /// <summary>Gradients of the loss with respect to <see cref="Parameters"/>; backward adds into them.</summary>
    Span<float> Gradients { get; }

    /// <summary>The named tensors that make up <see cref="Parameters"/>, with PyTorch-compatible names.</summary>
    IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    /// <summary>
    /// State that is saved with the weights but not trained: batch norm's running statistics. Optimizers never see
    /// it (it is not in <see cref="Parameters"/> and has no gradient); training-mode forward updates it,
    /// <see cref="Initialize"/> resets it. Empty for a network without such layers.
    /// </summary>
    Span<float> Buffers => Span<float>.Empty;

    /// <summary>The named tensors that make up <see cref="Buffers"/>, named as PyTorch names its buffers (<c>1.running_mean</c>).</summary>
    IReadOnlyList<ParameterTensor> BufferTensors => Array.Empty<ParameterTensor>();

    /// <summary>Creates a workspace for batches of up to <paramref name="batchCapacity"/> samples.</summary>
    Workspace CreateWorkspace(int batchCapacity = 1);

    /// <summary>
    /// Inference on a batch: <paramref name="inputs"/> holds <c>n * InputLength</c> floats and
    /// <paramref name="outputs"/> <c>n * OutputLength</c>; dropout is the identity. Allocates nothing.
    /// </summary>
    void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, Workspace workspace);

    /// <summary>
    /// Training-mode forward on a batch: dropout is active and every activation backward needs is kept in
    /// <paramref name="workspace"/>.
    /// </summary>
    void ForwardTraining(ReadOnlySpan<float> inputs, Span<float> outputs, Workspace workspace);

    /// <summary>
    /// Backward through the batch of the last <see cref="ForwardTraining"/> on <paramref name="workspace"/>:
    /// adds dL/dθ into <see cref="Gradients"/> and, when <paramref name="inputGradients"/> is not empty,
    /// writes dL/dx there. <paramref name="inputs"/> must be the inputs of that forward.
    /// </summary>
    void Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, Span<float> inputGradients, Workspace workspace);

    /// <summary>Sets every gradient to zero.</summary>
    void ZeroGradients();

    /// <summary>Re-initializes every parameter as PyTorch would, from <paramref name="seed"/>, and resets every buffer.</summary>
    void Initialize(ulong seed);
}
