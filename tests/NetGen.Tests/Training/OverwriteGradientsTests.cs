using System;
using NetGen.CompilerServices;
using NetGen.Tests.Kernels;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// A trainer's step clears no gradients: it asks the generated backward to write them (<c>Workspace.OverwriteGradients</c>),
/// the dense layers then write theirs and the generated code clears every other layer's first. The gradients must be
/// bit for bit those of <c>ZeroGradients</c> and a backward that adds, whatever the gradient buffer held before, for every
/// kind of layer, on one thread and on two, and with a batch large enough for dW to take several passes.
/// </summary>
public sealed class OverwriteGradientsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(100, 1)] // 100 rows of 784 inputs: dW in two passes of rows, the first stored and the second added
    [InlineData(100, 2)]
    public void Mlp_writes_the_gradients_adding_into_zeros_gives(int batch, int threads) => Check(new Mlp(seed: 3), batch, threads);

    [Fact]
    public void A_zoo_of_dense_layers_without_a_bias_and_with_dropout_writes_them_too() => Check(new Zoo(seed: 4), 9, 1);

    [Fact]
    public void Convolutions_are_cleared_and_add_while_the_dense_layers_write() => Check(new LeNet5(seed: 5), 6, 2);

    [Fact]
    public void Recurrent_layers_are_cleared_and_add() => Check(new RecLstmBi(seed: 6), 5, 1);

    [Fact]
    public void Attention_layer_norm_and_residual_blocks_are_cleared_and_add() => Check(new EncoderPreGelu(seed: 7), 4, 1);

    [Fact]
    public void Batch_norm_is_cleared_and_adds() => Check(new BnImage(seed: 8), 4, 1);

    [Fact]
    public void The_request_holds_for_one_backward_only()
    {
        var net = new Mlp(seed: 9);
        Workspace workspace = net.CreateWorkspace(2);
        float[] x = OrderedChain.Values(new Random(1), 2 * Mlp.InputLength), outputs = new float[2 * Mlp.OutputLength], dy = OrderedChain.Values(new Random(2), outputs.Length);

        // two backwards that add, from zeros
        net.ForwardTraining(x, outputs, workspace);
        net.ZeroGradients();
        net.Backward(x, dy, default, workspace);
        net.ForwardTraining(x, outputs, workspace);
        net.Backward(x, dy, default, workspace);
        float[] expected = net.Gradients.ToArray();

        // one that writes over garbage, then one that must add again
        net.Gradients.Fill(1e30f);
        net.ForwardTraining(x, outputs, workspace);
        workspace.OverwriteGradients = true;
        net.Backward(x, dy, default, workspace);
        Assert.False(workspace.OverwriteGradients);
        net.ForwardTraining(x, outputs, workspace);
        net.Backward(x, dy, default, workspace);
        ReadOnlySpan<float> actual = net.Gradients;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
        }
    }

    private static void Check<TNetwork>(TNetwork net, int batch, int threads)
        where TNetwork : INetwork
    {
        var rng = new Random(batch * 31 + threads);
        float[] x = OrderedChain.Values(rng, batch * net.InputLength), outputs = new float[batch * net.OutputLength], dy = OrderedChain.Values(rng, outputs.Length);
        float[] buffers = net.Buffers.ToArray();

        // adding into cleared gradients
        Workspace added = net.CreateWorkspace(batch);
        added.Threads = threads;
        net.ForwardTraining(x, outputs, added);
        net.ZeroGradients();
        net.Backward(x, dy, default, added);
        float[] expected = net.Gradients.ToArray();

        // written over a buffer of garbage, after the same forward (same dropout masks, same batch-norm buffers)
        buffers.CopyTo(net.Buffers);
        Workspace written = net.CreateWorkspace(batch);
        written.Threads = threads;
        net.ForwardTraining(x, outputs, written);
        net.Gradients.Fill(float.NaN);
        written.OverwriteGradients = true;
        net.Backward(x, dy, default, written);
        Assert.False(written.OverwriteGradients);

        ReadOnlySpan<float> actual = net.Gradients;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{typeof(TNetwork).Name}, batch {batch}, {threads} thread(s): gradient {i} is {actual[i]:R} written, {expected[i]:R} added into zeros");
        }
    }
}

/// <summary>
/// A network whose <c>Backward</c> adds and never reads the trainer's request (an <see cref="INetwork"/> written by hand):
/// here a generated Mlp behind a wrapper that hides the request from it and leaves it unread.
/// </summary>
internal sealed class AddingOnlyMlp(Mlp inner) : INetwork
{
    public ReadOnlySpan<int> InputShape => ((INetwork)inner).InputShape;

    public ReadOnlySpan<int> OutputShape => ((INetwork)inner).OutputShape;

    public int InputLength => Mlp.InputLength;

    public int OutputLength => Mlp.OutputLength;

    public int ParameterCount => Mlp.ParameterCount;

    public int WorkspaceLength => Mlp.WorkspaceLength;

    public long FlopsPerSample => Mlp.FlopsPerSample;

    public string Summary => Mlp.Summary;

    public Span<float> Parameters => inner.Parameters;

    public Span<float> Gradients => inner.Gradients;

    public System.Collections.Generic.IReadOnlyList<ParameterTensor> ParameterTensors => inner.ParameterTensors;

    public Workspace CreateWorkspace(int batchCapacity = 1) => inner.CreateWorkspace(batchCapacity);

    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, Workspace workspace) => inner.Forward(inputs, outputs, workspace);

    public void ForwardTraining(ReadOnlySpan<float> inputs, Span<float> outputs, Workspace workspace) => inner.ForwardTraining(inputs, outputs, workspace);

    public void Backward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputGradients, Span<float> inputGradients, Workspace workspace)
    {
        bool asked = workspace.OverwriteGradients;
        workspace.OverwriteGradients = false;
        inner.Backward(inputs, outputGradients, inputGradients, workspace);
        workspace.OverwriteGradients = asked;
    }

    public void ZeroGradients() => inner.ZeroGradients();

    public void Initialize(ulong seed) => inner.Initialize(seed);
}

public sealed class TrainerOverwriteFallbackTests
{
    [Fact]
    public void A_network_that_leaves_the_request_unread_trains_as_one_that_reads_it()
    {
        var rng = new Random(5);
        float[] x = new float[8 * Mlp.InputLength], labels = new float[8];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextDouble();
        }

        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 10;
        }

        var reads = new Mlp(seed: 12);
        var unread = new AddingOnlyMlp(new Mlp(seed: 12));
        unread.Gradients.Fill(1e30f); // what a step that trusted the request would add into
        var a = new Trainer<Mlp>(reads, new Sgd(0.05f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
        var b = new Trainer<AddingOnlyMlp>(unread, new Sgd(0.05f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
        for (int step = 0; step < 3; step++)
        {
            Assert.Equal(a.TrainStep(x, labels), b.TrainStep(x, labels));
        }

        Assert.True(reads.Parameters.SequenceEqual(unread.Parameters));
    }
}
