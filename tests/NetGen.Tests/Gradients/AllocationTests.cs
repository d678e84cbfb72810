using System;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>
/// After warm-up, inference (both Forward overloads) and a whole training step (ForwardTraining, the loss,
/// ZeroGradients, Backward) allocate nothing: measured with the thread's allocation counter over several runs.
/// </summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Mlp_forward_allocates_nothing(int batch)
    {
        var net = new Mlp(seed: 1);
        float[] x = GradientCheck.UniformInputs(batch * Mlp.InputLength, seed: 2);
        var y = new float[batch * Mlp.OutputLength];
        Workspace workspace = net.CreateWorkspace(batch);
        AssertNoAllocation(() => net.Forward(x, y, workspace));
        AssertNoAllocation(() => net.Forward(x, y));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Zoo_and_Sequence_forward_allocate_nothing(int batch)
    {
        var zoo = new Zoo(seed: 3);
        float[] x = GradientCheck.UniformInputs(batch * Zoo.InputLength, seed: 4);
        var y = new float[batch * Zoo.OutputLength];
        Workspace workspace = zoo.CreateWorkspace(batch);
        AssertNoAllocation(() => zoo.Forward(x, y, workspace));
        AssertNoAllocation(() => zoo.Forward(x, y));

        var sequence = new Sequence(seed: 5);
        float[] xs = GradientCheck.UniformInputs(batch * Sequence.InputLength, seed: 6);
        var ys = new float[batch * Sequence.OutputLength];
        Workspace ws = sequence.CreateWorkspace(batch);
        AssertNoAllocation(() => sequence.Forward(xs, ys, ws));
        AssertNoAllocation(() => sequence.Forward(xs, ys));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Training_step_allocates_nothing(int batch)
    {
        var mlp = new Mlp(seed: 7);
        var labels = new float[batch];
        for (int b = 0; b < batch; b++)
        {
            labels[b] = b % Mlp.OutputLength;
        }

        AssertTrainingStepAllocatesNothing(mlp, batch, Loss.SoftmaxCrossEntropy, labels);

        var zoo = new Zoo(seed: 8);
        AssertTrainingStepAllocatesNothing(zoo, batch, Loss.MeanSquaredError, GradientCheck.UniformInputs(batch * Zoo.OutputLength, seed: 9, min: 0f, max: 1f));

        var sequence = new Sequence(seed: 10);
        var sequenceLabels = new float[batch];
        AssertTrainingStepAllocatesNothing(sequence, batch, Loss.SoftmaxCrossEntropy, sequenceLabels);

        var binary = new GradBinary(seed: 11);
        var bits = new float[batch * GradBinary.OutputLength];
        AssertTrainingStepAllocatesNothing(binary, batch, Loss.BinaryCrossEntropy, bits);
    }

    private static void AssertTrainingStepAllocatesNothing(INetwork net, int batch, Loss loss, float[] targets)
    {
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 12);
        var y = new float[batch * net.OutputLength];
        var dy = new float[y.Length];
        var dx = new float[x.Length];
        Workspace workspace = net.CreateWorkspace(batch);
        float sink = 0;
        AssertNoAllocation(() =>
        {
            net.ForwardTraining(x, y, workspace);
            sink += loss.Compute(y, targets, dy, batch);
            net.ZeroGradients();
            net.Backward(x, dy, dx, workspace);
            net.Backward(x, dy, default, workspace);
        });
        Assert.True(float.IsFinite(sink));
    }

    /// <summary>Runs <paramref name="action"/> to warm up (JIT, tiering, thread-static workspace), then counts.</summary>
    private static void AssertNoAllocation(Action action) => AllocationAssert.Zero(action);
}
