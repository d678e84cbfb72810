using System;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>
/// The generated attention and composition networks beyond their gradients: inference gives the bits of the training
/// forward, a sample alone agrees with its row of a batch (RowAgreement), two threads the bits of one, a workspace full of NaN the bits of a
/// fresh one, nothing is allocated after warm-up, and dropout acts only in training.
/// </summary>
public sealed class AttentionNetworkTests
{
    public static TheoryData<string> FloatNetworks()
    {
        var data = new TheoryData<string>();
        foreach (string name in AttentionGradientTests.Networks.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FloatNetworks))]
    public void Inference_gives_the_bits_of_the_training_forward_and_a_sample_alone_agrees_with_its_row_of_a_batch(string network)
    {
        INetwork net = Create(network);
        const int batch = 5;
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 41);
        float[] dy = GradientCheck.UniformInputs(batch * net.OutputLength, seed: 42);
        Workspace workspace = net.CreateWorkspace(batch);
        var training = new float[batch * net.OutputLength];
        var dx = new float[batch * net.InputLength];
        net.ForwardTraining(x, training, workspace);
        net.Backward(x, dy, dx, workspace);
        var inference = new float[training.Length];
        net.Forward(x, inference, workspace);
        Assert.Equal(training, inference);

        Workspace one = net.CreateWorkspace(1);
        var row = new float[net.OutputLength];
        var rowGradient = new float[net.InputLength];
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> sample = x.AsSpan(b * net.InputLength, net.InputLength);
            net.Forward(sample, row, one);
            RowAgreement.AssertAgrees(inference.AsSpan(b * net.OutputLength, net.OutputLength), row, $"{network} y of sample {b}");
            net.ForwardTraining(sample, row, one);
            net.Backward(sample, dy.AsSpan(b * net.OutputLength, net.OutputLength), rowGradient, one);
            RowAgreement.AssertAgrees(dx.AsSpan(b * net.InputLength, net.InputLength), rowGradient, $"{network} dx of sample {b}");
        }
    }

    /// <summary>Batches large enough that the kernels split them across threads.</summary>
    [Theory]
    [InlineData("GradEncoderPost", 300)]
    [InlineData("GradEncoderPreGelu", 300)]
    [InlineData("GradMhaCausalT7", 700)]
    [InlineData("GradNested", 900)]
    [InlineData("GradLayerNorm", 5000)]
    public void Two_threads_give_the_bits_of_one(string network, int batch)
    {
        INetwork single = Create(network), threaded = Create(network);
        float[] x = GradientCheck.UniformInputs(batch * single.InputLength, seed: 46);
        float[] dy = GradientCheck.UniformInputs(batch * single.OutputLength, seed: 47);
        (float[] y1, float[] dx1, float[] g1, float[] i1) = Run(single, single.CreateWorkspace(batch), x, dy, threads: 1);
        (float[] y2, float[] dx2, float[] g2, float[] i2) = Run(threaded, threaded.CreateWorkspace(batch), x, dy, threads: 2);
        Assert.Equal(y1, y2);
        Assert.Equal(i1, i2);
        Assert.Equal(g1, g2);
        Assert.Equal(dx1, dx2);
    }

    /// <summary>Nothing is read before it is written: a larger workspace full of NaN gives the bits of a fresh one.</summary>
    [Theory]
    [MemberData(nameof(FloatNetworks))]
    public void A_workspace_full_of_NaN_and_larger_than_the_batch_gives_the_bits_of_a_fresh_one(string network)
    {
        INetwork net = Create(network);
        const int batch = 3;
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 76);
        float[] dy = GradientCheck.UniformInputs(batch * net.OutputLength, seed: 77);
        (float[] y1, float[] dx1, float[] g1, float[] i1) = Run(net, net.CreateWorkspace(batch), x, dy, threads: 1);
        Workspace dirty = net.CreateWorkspace(batch + 5);
        dirty.Buffer.Fill(float.NaN);
        (float[] y2, float[] dx2, float[] g2, float[] i2) = Run(net, dirty, x, dy, threads: 1);
        Assert.Equal(y1, y2);
        Assert.Equal(i1, i2);
        Assert.Equal(g1, g2);
        Assert.Equal(dx1, dx2);
    }

    [Fact]
    public void Inference_and_training_steps_allocate_nothing()
    {
        const int batch = 4;
        foreach (string network in new[] { "GradEncoderPost", "GradNested", "GradMhaCausalT7" })
        {
            INetwork net = Create(network);
            float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 57);
            var y = new float[batch * net.OutputLength];
            float[] dy = GradientCheck.UniformInputs(y.Length, seed: 58);
            var dx = new float[x.Length];
            Workspace workspace = net.CreateWorkspace(batch);
            AllocationAssert.Zero(() => net.Forward(x, y, workspace));
            AllocationAssert.Zero(() =>
            {
                net.ForwardTraining(x, y, workspace);
                net.Backward(x, dy, dx, workspace);
            });
        }

        var gpt = new GradTinyGpt(seed: 59);
        int[] tokens = RecurrentNetworkTests.IntTokens(batch * GradTinyGpt.InputLength, 7, seed: 60);
        float[] ids = Array.ConvertAll(tokens, t => (float)t);
        var logits = new float[batch * GradTinyGpt.OutputLength];
        Workspace gw = gpt.CreateWorkspace(batch);
        AllocationAssert.Zero(() => gpt.Forward(tokens, logits, gw));
        var trainer = new Trainer<GradTinyGpt>(gpt, new AdamW(1e-3f), Loss.SequenceCrossEntropy(7)) { ClipGradientNorm = 1f };
        AllocationAssert.Zero(() => trainer.TrainStep(ids, ids));

        var dropout = new GradEncoderDropout(seed: 61);
        float[] dxs = GradientCheck.UniformInputs(batch * GradEncoderDropout.InputLength, seed: 62);
        var dys = new float[batch * GradEncoderDropout.OutputLength];
        Workspace dw = dropout.CreateWorkspace(batch);
        AllocationAssert.Zero(() =>
        {
            dropout.ForwardTraining(dxs, dys, dw);
            dropout.Backward(dxs, dys, default, dw);
        });
    }

    /// <summary>
    /// Dropout (on the attention weights and in the three places of the encoder layer) acts in training only: inference
    /// is deterministic and differs from a training forward, two training forwards differ from each other, and a
    /// training forward at p = 0.2 keeps the output's scale (inverted dropout).
    /// </summary>
    [Fact]
    public void Dropout_acts_in_training_only()
    {
        var net = new GradEncoderDropout(seed: 63);
        const int batch = 8;
        float[] x = GradientCheck.UniformInputs(batch * GradEncoderDropout.InputLength, seed: 64);
        Workspace workspace = net.CreateWorkspace(batch);
        var a = new float[x.Length];
        var b = new float[x.Length];
        net.Forward(x, a, workspace);
        net.Forward(x, b, workspace);
        Assert.Equal(a, b);
        var t1 = new float[x.Length];
        var t2 = new float[x.Length];
        net.ForwardTraining(x, t1, workspace);
        net.ForwardTraining(x, t2, workspace);
        Assert.NotEqual(a, t1);
        Assert.NotEqual(t1, t2);

        // Post-norm: every token's output is layer-normalized (γ = 1, β = 0 at initialization), in training too.
        for (int r = 0; r < x.Length / 8; r++)
        {
            double mean = 0, square = 0;
            for (int k = 0; k < 8; k++)
            {
                mean += t1[(r * 8) + k];
                square += t1[(r * 8) + k] * (double)t1[(r * 8) + k];
            }

            Assert.Equal(0, mean / 8, 4);
            Assert.Equal(1, (square / 8) - ((mean / 8) * (mean / 8)), 2);
        }
    }

    internal static INetwork Create(string network)
    {
        INetwork net = AttentionGradientTests.Networks[network].Create();
        AttentionGradientTests.Randomize(net, seed: 77);
        return net;
    }

    private static (float[] Training, float[] InputGradients, float[] Gradients, float[] Inference) Run(INetwork net, Workspace workspace, float[] x, float[] dy, int threads)
    {
        workspace.Threads = threads;
        int batch = x.Length / net.InputLength;
        var y = new float[batch * net.OutputLength];
        var dx = new float[x.Length];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, dx, workspace);
        var inference = new float[y.Length];
        net.Forward(x, inference, workspace);
        return (y, dx, net.Gradients.ToArray(), inference);
    }
}
