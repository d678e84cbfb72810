using System;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>
/// The batched kernels (register blocks of rows, thread splits) against the one-row path and against one
/// thread: a row of a batch gets the bits it gets alone (below DenseKernels.ProductRows rows; from there on it agrees
/// to rounding, <see cref="RowAgreement"/>), and two threads give the bits of one, in forward,
/// in the parameter gradients and in the input gradients. CI runs these on every vector width.
/// </summary>
public sealed class BatchKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(64)]
    public void A_row_of_a_batch_gets_the_bits_it_gets_alone_in_a_small_batch_and_agrees_to_rounding_in_a_large_one(int batch)
    {
        AssertRowsMatch(new Mlp(seed: 1), batch);
        AssertRowsMatch(new GradWide(seed: 2), batch);
        AssertRowsMatch(new Zoo(seed: 3), batch);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(67)]
    public void Two_threads_give_the_bits_of_one_for_the_mlp(int batch) => AssertThreadsMatch(new Mlp(seed: 4), new Mlp(seed: 4), batch);

    [Fact]
    public void Two_threads_give_the_bits_of_one_with_tails_and_every_layer_split()
        => AssertThreadsMatch(new GradWide(seed: 5), new GradWide(seed: 5), batch: 203);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void A_sample_of_a_convolutional_batch_gets_the_bits_it_gets_alone_or_agrees_to_rounding(int batch)
    {
        AssertRowsMatch(new LeNet5(seed: 11), batch);
        AssertRowsMatch(new GradConvStrided(seed: 12), batch);
        AssertRowsMatch(new GradConv1D(seed: 13), batch);
    }

    [Fact]
    public void Two_threads_give_the_bits_of_one_for_convolutions()
    {
        // an odd batch: the samples split unevenly, and each thread im2cols into its own slot of scratch
        AssertThreadsMatch(new LeNet5(seed: 14), new LeNet5(seed: 14), batch: 13);
        AssertThreadsMatch(new GradConvDilated(seed: 15), new GradConvDilated(seed: 15), batch: 33);
    }

    [Fact]
    public void A_workspace_without_the_scratch_a_convolution_needs_is_refused()
    {
        var net = new LeNet5(seed: 16);
        var workspace = new Workspace(LeNet5.WorkspaceLength, batchCapacity: 2);
        var error = Assert.Throws<ArgumentException>(() => net.Forward(new float[2 * LeNet5.InputLength], new float[2 * LeNet5.OutputLength], workspace));
        Assert.Contains("scratch", error.Message, StringComparison.Ordinal);
        Assert.Contains("CreateWorkspace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_threaded_training_step_allocates_nothing()
    {
        AssertThreadedStepAllocatesNothing(new Mlp(seed: 6), batch: 64);
        AssertThreadedStepAllocatesNothing(new LeNet5(seed: 6), batch: 16);
    }

    private static void AssertThreadedStepAllocatesNothing<T>(T net, int batch)
        where T : INetwork
    {
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 7);
        var y = new float[batch * net.OutputLength];
        float[] dy = GradientCheck.UniformInputs(batch * net.OutputLength, seed: 8);
        var dx = new float[batch * net.InputLength];
        Workspace workspace = net.CreateWorkspace(batch);
        workspace.Threads = 2;

        void Step()
        {
            net.ForwardTraining(x, y, workspace);
            net.Backward(x, dy, dx, workspace);
            net.Forward(x, y, workspace);
        }

        // Past tiered compilation (whose rejits allocate a little on the calling thread), then 100 steps. The
        // process-wide counter is no use here: xunit's own threads allocate meanwhile. BenchmarkDotNet's memory
        // diagnoser counts the workers too (benchmarks/README.md).
        for (int i = 0; i < 300; i++)
        {
            Step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertRowsMatch<T>(T net, int batch)
        where T : INetwork
    {
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: (ulong)batch);
        var batched = new float[batch * net.OutputLength];
        net.Forward(x, batched, net.CreateWorkspace(batch));
        Workspace one = net.CreateWorkspace(1);
        var row = new float[net.OutputLength];
        for (int r = 0; r < batch; r++)
        {
            net.Forward(x.AsSpan(r * net.InputLength, net.InputLength), row, one);
            if (batch < NetGen.CompilerServices.DenseKernels.ProductRows)
            {
                Assert.Equal(row, batched.AsSpan(r * net.OutputLength, net.OutputLength).ToArray());
            }
            else
            {
                RowAgreement.AssertAgrees(batched.AsSpan(r * net.OutputLength, net.OutputLength), row, $"{typeof(T).Name} row {r} of {batch}");
            }
        }
    }

    private static void AssertThreadsMatch<T>(T single, T threaded, int batch)
        where T : INetwork
    {
        float[] x = GradientCheck.UniformInputs(batch * single.InputLength, seed: 9);
        float[] dy = GradientCheck.UniformInputs(batch * single.OutputLength, seed: 10);
        (float[] y1, float[] dx1, float[] g1, float[] yi1) = Run(single, x, dy, batch, threads: 1);
        (float[] y2, float[] dx2, float[] g2, float[] yi2) = Run(threaded, x, dy, batch, threads: 2);
        Assert.Equal(y1, y2);
        Assert.Equal(yi1, yi2);
        Assert.Equal(g1, g2);
        Assert.Equal(dx1, dx2);
    }

    private static (float[] Training, float[] InputGradients, float[] Gradients, float[] Inference) Run<T>(T net, float[] x, float[] dy, int batch, int threads)
        where T : INetwork
    {
        Workspace workspace = net.CreateWorkspace(batch);
        workspace.Threads = threads;
        var y = new float[batch * net.OutputLength];
        var dx = new float[batch * net.InputLength];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, dx, workspace);
        var inference = new float[y.Length];
        net.Forward(x, inference, workspace);
        return (y, dx, net.Gradients.ToArray(), inference);
    }
}
