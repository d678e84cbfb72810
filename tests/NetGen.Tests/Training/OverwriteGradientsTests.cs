using System;
using NetGen.CompilerServices;
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
        float[] x = Values(new Random(1), 2 * Mlp.InputLength), outputs = new float[2 * Mlp.OutputLength], dy = Values(new Random(2), outputs.Length);

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
        float[] x = Values(rng, batch * net.InputLength), outputs = new float[batch * net.OutputLength], dy = Values(rng, outputs.Length);
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

    private static float[] Values(Random rng, int count)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return values;
    }
}
