using System;
using System.IO;
using System.Linq;
using NetGen.Tests.Gradients;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.BatchNorm;

/// <summary>
/// What batch norm's buffers are at run time: outside the parameters and gradients, moved only by training-mode
/// forward, reset by Initialize, saved and loaded with the weights; and no allocation in forward or a training step.
/// </summary>
public sealed class BatchNormRuntimeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netgen-bn-" + Guid.NewGuid().ToString("N"));

    public BatchNormRuntimeTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Buffers_are_named_as_PyTorch_and_kept_apart_from_parameters()
    {
        var net = new BnTwice(seed: 1);
        Assert.Equal(
            new[] { "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "4.running_mean", "4.running_var", "4.num_batches_tracked" },
            net.BufferTensors.Select(t => t.Name).ToArray());
        Assert.Equal(new[] { "0.weight", "0.bias", "bn1.weight", "bn1.bias", "3.weight", "3.bias", "4.weight", "4.bias", "5.weight", "5.bias" }, net.ParameterTensors.Select(t => t.Name).ToArray());
        Assert.Equal((2 * 5) + 1 + (2 * 9) + 1, BnTwice.BufferCount);
        Assert.Equal(BnTwice.BufferCount, net.Buffers.Length);
        Assert.Equal(net.Parameters.Length, net.Gradients.Length);
        Assert.True(net.BufferTensors.Single(t => t.Name == "4.num_batches_tracked").IsCount);
        Assert.Equal(0, net.BufferTensors.Single(t => t.Name == "4.num_batches_tracked").Shape.Length);
        Assert.Equal(9, net.Layer4RunningVar.Length);
        Assert.All(net.Bn1RunningVar.ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Training_forward_moves_the_running_statistics_inference_and_backward_do_not_and_Initialize_resets_them()
    {
        var net = new BnImage(seed: 2);
        float[] initialBuffers = net.Buffers.ToArray();
        float[] initialParameters = net.Parameters.ToArray();
        const int Batch = 4;
        float[] x = GradientCheck.UniformInputs(Batch * BnImage.InputLength, seed: 3, min: 1f, max: 4f);
        var y = new float[Batch * BnImage.OutputLength];
        Workspace workspace = net.CreateWorkspace(Batch);

        net.Forward(x, y, workspace);
        Assert.Equal(initialBuffers, net.Buffers.ToArray());

        net.ForwardTraining(x, y, workspace);
        float[] afterOne = net.Buffers.ToArray();
        Assert.NotEqual(initialBuffers, afterOne);
        Assert.Equal(1f, net.Buffers[net.BufferTensors.Single(t => t.IsCount).Offset]);

        net.Backward(x, y, default, workspace);
        net.Forward(x, y, workspace);
        Assert.Equal(afterOne, net.Buffers.ToArray());

        // Running mean after one batch: 0.9 · 0 + 0.1 · (batch mean, here about 2.5).
        ParameterTensor mean = net.BufferTensors.Single(t => t.Name == "0.running_mean");
        Assert.All(net.Buffers.Slice(mean.Offset, mean.Length).ToArray(), v => Assert.InRange(v, 0.2f, 0.3f));

        net.Parameters.Fill(3f);
        net.Initialize(2);
        Assert.Equal(initialBuffers, net.Buffers.ToArray());
        Assert.Equal(initialParameters, net.Parameters.ToArray());
    }

    [Fact]
    public void Save_and_load_round_trip_includes_the_buffers()
    {
        var net = new BnTwice(seed: 3);
        const int Batch = 5;
        float[] x = GradientCheck.UniformInputs(Batch * BnTwice.InputLength, seed: 4);
        var y = new float[Batch * BnTwice.OutputLength];
        Workspace workspace = net.CreateWorkspace(Batch);
        for (int k = 0; k < 3; k++)
        {
            net.ForwardTraining(x, y, workspace);
        }

        string path = Path.Combine(_directory, "bn.safetensors");
        net.Save(path);
        var copy = new BnTwice(seed: 99);
        copy.Load(path);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        Assert.Equal(net.Buffers.ToArray(), copy.Buffers.ToArray());
        Assert.Equal(3f, copy.Buffers[copy.BufferTensors.Single(t => t.Name == "bn1.num_batches_tracked").Offset]);

        // Same inference outputs, which read the running statistics.
        var y1 = new float[y.Length];
        var y2 = new float[y.Length];
        net.Forward(x, y1, workspace);
        copy.Forward(x, y2, workspace);
        Assert.Equal(y1, y2);

        // A file whose running variance does not match by name: strict loading names the missing buffer and changes
        // nothing; non-strict loading takes the rest and keeps the network's own running variance.
        var other = new BnTwice(seed: 5);
        float[] before = other.Buffers.ToArray();
        var rename = new System.Collections.Generic.Dictionary<string, string> { ["bn1.running_var"] = "elsewhere" };
        var error = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(other, File.ReadAllBytes(path).AsSpan(), new SafeTensorsLoadOptions { Rename = rename }));
        Assert.Contains("bn1.running_var", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, other.Buffers.ToArray());

        SafeTensors.Load(other, File.ReadAllBytes(path).AsSpan(), new SafeTensorsLoadOptions { Rename = rename, Strict = false });
        Assert.Equal(net.Layer4RunningMean.ToArray(), other.Layer4RunningMean.ToArray());
        Assert.Equal(net.Bn1RunningMean.ToArray(), other.Bn1RunningMean.ToArray());
        Assert.All(other.Bn1RunningVar.ToArray(), v => Assert.Equal(1f, v));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void Forward_and_training_step_allocate_nothing(int batch)
    {
        var net = new BnTwice(seed: 6);
        float[] x = GradientCheck.UniformInputs(batch * BnTwice.InputLength, seed: 7);
        var y = new float[batch * BnTwice.OutputLength];
        var dx = new float[x.Length];
        Workspace workspace = net.CreateWorkspace(batch);
        var sgd = new Sgd(0.01f);
        AssertNoAllocation(() => net.Forward(x, y, workspace));
        AssertNoAllocation(() => net.Forward(x, y));
        AssertNoAllocation(() =>
        {
            net.ZeroGradients();
            net.ForwardTraining(x, y, workspace);
            net.Backward(x, y, dx, workspace);
            sgd.Step(net.Parameters, net.Gradients);
        });

        var image = new BnImage(seed: 8);
        float[] xi = GradientCheck.UniformInputs(batch * BnImage.InputLength, seed: 9);
        var yi = new float[batch * BnImage.OutputLength];
        Workspace wi = image.CreateWorkspace(batch);
        AssertNoAllocation(() =>
        {
            image.Forward(xi, yi, wi);
            image.ForwardTraining(xi, yi, wi);
            image.Backward(xi, yi, default, wi);
        });
    }

    [Fact]
    public void A_batch_with_one_value_per_channel_gives_beta_and_leaves_the_running_statistics()
    {
        var net = new BnVector(seed: 10);
        float[] x = GradientCheck.UniformInputs(BnVector.InputLength, seed: 11);
        var y = new float[BnVector.OutputLength];
        Workspace workspace = net.CreateWorkspace(1);
        float[] before = net.Buffers.ToArray();
        net.ForwardTraining(x, y, workspace);
        Assert.Equal(before, net.Buffers.ToArray());
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
    }

    private static void AssertNoAllocation(Action action) => AllocationAssert.Zero(action);
}
