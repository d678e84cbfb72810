using System;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Backward continues the last training forward on its workspace. An inference <c>Forward</c> on the same workspace
/// overwrites the activations that forward kept, so backward after it refuses instead of computing gradients from
/// the wrong activations; inference on another workspace changes nothing. And a null workspace is an
/// <see cref="ArgumentNullException"/> naming it, from each entry point.
/// </summary>
public sealed class StaleWorkspaceTests
{
    private const int Batch = 3;

    private static readonly float[] s_x = GradientCheck.UniformInputs(Batch * Networks.Mlp.InputLength, seed: 1);
    private static readonly float[] s_otherX = GradientCheck.UniformInputs(Batch * Networks.Mlp.InputLength, seed: 2);
    private static readonly float[] s_dy = GradientCheck.UniformInputs(Batch * Networks.Mlp.OutputLength, seed: 3);

    /// <summary>Gradients and dL/dx of a plain ForwardTraining then Backward on <see cref="s_x"/>.</summary>
    private static (float[] Gradients, float[] InputGradients) Reference()
    {
        var net = new Networks.Mlp(seed: 7);
        Workspace workspace = net.CreateWorkspace(Batch);
        var y = new float[s_dy.Length];
        var dx = new float[s_x.Length];
        net.ForwardTraining(s_x, y, workspace);
        net.Backward(s_x, s_dy, dx, workspace);
        return (net.Gradients.ToArray(), dx);
    }

    [Fact]
    public void Backward_after_an_inference_forward_on_the_same_workspace_throws_and_leaves_the_gradients()
    {
        var net = new Networks.Mlp(seed: 7);
        Workspace workspace = net.CreateWorkspace(Batch);
        var y = new float[s_dy.Length];
        var dx = new float[s_x.Length];
        net.ForwardTraining(s_x, y, workspace);
        net.Forward(s_otherX, new float[s_dy.Length], workspace);

        var error = Assert.Throws<InvalidOperationException>(() => net.Backward(s_x, s_dy, dx, workspace));
        Assert.Contains("inference Forward", error.Message, StringComparison.Ordinal);
        Assert.Contains("overwr", error.Message, StringComparison.Ordinal);
        Assert.Contains("Call ForwardTraining on this workspace again", error.Message, StringComparison.Ordinal);
        Assert.All(net.Gradients.ToArray(), g => Assert.Equal(0f, g));
        Assert.All(dx, g => Assert.Equal(0f, g));
        Assert.Equal(0, workspace.TrainingBatchSize);
    }

    [Fact]
    public void Backward_after_an_inference_forward_through_the_interface_throws_too()
    {
        INetwork net = new Networks.Mlp(seed: 7);
        Workspace workspace = net.CreateWorkspace(Batch);
        net.ForwardTraining(s_x, new float[s_dy.Length], workspace);
        net.Forward(s_x, new float[s_dy.Length], workspace);
        Assert.Throws<InvalidOperationException>(() => net.Backward(s_x, s_dy, default, workspace));
    }

    [Fact]
    public void ForwardTraining_again_after_the_inference_forward_gives_the_exact_gradients()
    {
        (float[] expected, float[] expectedDx) = Reference();
        var net = new Networks.Mlp(seed: 7);
        Workspace workspace = net.CreateWorkspace(Batch);
        var y = new float[s_dy.Length];
        var dx = new float[s_x.Length];
        net.ForwardTraining(s_x, y, workspace);
        net.Forward(s_otherX, new float[s_dy.Length], workspace);
        net.ForwardTraining(s_x, y, workspace);
        net.Backward(s_x, s_dy, dx, workspace);

        Assert.Equal(expected, net.Gradients.ToArray());
        Assert.Equal(expectedDx, dx);
        Assert.Contains(expected, g => g != 0f);
    }

    [Fact]
    public void Inference_on_another_workspace_in_between_leaves_backward_exact()
    {
        (float[] expected, float[] expectedDx) = Reference();
        var net = new Networks.Mlp(seed: 7);
        Workspace training = net.CreateWorkspace(Batch);
        Workspace inference = net.CreateWorkspace(Batch);
        var y = new float[s_dy.Length];
        var dx = new float[s_x.Length];
        net.ForwardTraining(s_x, y, training);
        net.Forward(s_otherX, new float[s_dy.Length], inference);
        net.Forward(s_otherX, new float[s_dy.Length]); // the thread's own workspace
        net.Backward(s_x, s_dy, dx, training);

        Assert.Equal(expected, net.Gradients.ToArray());
        Assert.Equal(expectedDx, dx);
        Assert.Equal(Batch, training.TrainingBatchSize);
    }

    [Fact]
    public void Null_workspace_is_an_ArgumentNullException_naming_it_from_every_entry_point()
    {
        var net = new Networks.Mlp(seed: 7);
        var y = new float[s_dy.Length];
        AssertNamesWorkspace(Assert.Throws<ArgumentNullException>(() => net.Forward(s_x, y, null!)));
        AssertNamesWorkspace(Assert.Throws<ArgumentNullException>(() => net.ForwardTraining(s_x, y, null!)));
        AssertNamesWorkspace(Assert.Throws<ArgumentNullException>(() => net.Backward(s_x, s_dy, default, null!)));
        INetwork seen = net;
        AssertNamesWorkspace(Assert.Throws<ArgumentNullException>(() => seen.Forward(s_x, y, null!)));

        // Also for a network whose workspace carries scratch (a convolution's), whose check differs.
        var conv = new Networks.LeNet5(seed: 1);
        var convY = new float[Networks.LeNet5.OutputLength];
        float[] convX = new float[Networks.LeNet5.InputLength];
        AssertNamesWorkspace(Assert.Throws<ArgumentNullException>(() => conv.Forward(convX, convY, null!)));
        AssertNamesWorkspace(Assert.Throws<ArgumentNullException>(() => conv.Backward(convX, convY, default, null!)));

        static void AssertNamesWorkspace(ArgumentNullException error) => Assert.Equal("workspace", error.ParamName);
    }
}
