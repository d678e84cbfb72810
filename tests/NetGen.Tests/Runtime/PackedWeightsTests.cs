using System;
using System.IO;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Runtime;

/// <summary>
/// <see cref="Workspace.ReusePackedWeights"/>: a workspace that keeps the dense weights packed must give the bits of one that
/// packs them on every call, and must pack them again after every way the parameters change; the one write it cannot see
/// (through a span taken before the last forward) is the one its documentation names.
/// </summary>
public sealed class PackedWeightsTests
{
    private const int Batch = 13;

    private static float[] Inputs(int floats, int seed)
    {
        var rng = new Random(seed);
        float[] x = new float[floats];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return x;
    }

    /// <summary>The network's output on <paramref name="x"/> from a fresh workspace that keeps nothing.</summary>
    private static float[] Fresh(INetwork net, float[] x, int threads = 1)
    {
        int batch = x.Length / net.InputLength;
        float[] y = new float[batch * net.OutputLength];
        Workspace plain = net.CreateWorkspace(batch);
        plain.Threads = threads;
        net.Forward(x, y, plain);
        return y;
    }

    private static float[] Run(INetwork net, float[] x, Workspace workspace)
    {
        float[] y = new float[x.Length / net.InputLength * net.OutputLength];
        net.Forward(x, y, workspace);
        return y;
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: output {i} is {actual[i]:R}, packing on every call gives {expected[i]:R}.");
            }
        }
    }

    private static Workspace Keeping(INetwork net, int batch, int threads = 1)
    {
        Workspace workspace = net.CreateWorkspace(batch);
        workspace.Threads = threads;
        workspace.ReusePackedWeights = true;
        return workspace;
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(13, 1)]
    [InlineData(64, 1)]
    [InlineData(64, 2)]
    public void Kept_packing_gives_the_bits_of_packing_on_every_call(int batch, int threads)
    {
        var net = new PackedDense(seed: 3);
        Workspace workspace = Keeping(net, batch, threads);
        for (int call = 0; call < 3; call++)
        {
            float[] x = Inputs(batch * PackedDense.InputLength, seed: call);
            AssertBits(Fresh(net, x, threads), Run(net, x, workspace), $"batch {batch}, {threads} thread(s), call {call}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_network_whose_dense_layers_run_on_every_token_keeps_its_packing_at_batch_1(int batch)
    {
        // every dense layer of the encoder (its attention's projections, its feed-forward, the head) runs on the 6 tokens
        var net = new EncoderPreGelu(seed: 5);
        Workspace workspace = Keeping(net, batch);
        float[] x = Inputs(batch * EncoderPreGelu.InputLength, seed: 9);
        float[] first = Run(net, x, workspace);
        AssertBits(Fresh(net, x), first, $"encoder, batch {batch}, packing");
        AssertBits(Fresh(net, x), Run(net, x, workspace), $"encoder, batch {batch}, kept");

        net.Parameters[^5] += 1f; // the head's W, packed
        AssertBits(Fresh(net, x), Run(net, x, workspace), $"encoder, batch {batch}, after a write through Parameters");
    }

    /// <summary>Every way of changing the parameters a user has, each followed by a forward on the keeping workspace.</summary>
    public static TheoryData<string> Changes() => new() { "Parameters", "view", "Initialize", "TrainStep", "Load", "Optimizer.Step" };

    /// <summary>
    /// Changes <paramref name="net"/>'s parameters the way <paramref name="change"/> names (one of <see cref="Changes"/>):
    /// the two writes that name parameters of one network come from the caller, a load from <paramref name="other"/>'s weights.
    /// </summary>
    private static void Change<TNetwork>(TNetwork net, string change, float[] x, TNetwork other, Action throughParameters, Action throughView)
        where TNetwork : INetwork
    {
        switch (change)
        {
            case "Parameters":
                throughParameters();
                break;
            case "view":
                throughView();
                break;
            case "Initialize":
                net.Initialize(seed: 7);
                break;
            case "TrainStep":
                var trainer = new Trainer<TNetwork>(net, new Sgd(0.5f), Loss.MeanSquaredError);
                trainer.TrainStep(x, new float[x.Length / net.InputLength * net.OutputLength]);
                break;
            case "Load":
                string path = Path.Combine(Path.GetTempPath(), $"netgen-packed-{Guid.NewGuid():N}.safetensors");
                try
                {
                    other.Save(path);
                    net.Load(path);
                }
                finally
                {
                    File.Delete(path);
                }

                break;
            case "Optimizer.Step":
                var gradients = new float[net.ParameterCount];
                Array.Fill(gradients, 0.01f);
                new Adam(learningRate: 0.1f).Step(net.Parameters, gradients);
                break;
            default:
                throw new ArgumentException($"No such change: {change}.", nameof(change));
        }
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void Each_change_of_the_parameters_is_packed_again(string change)
    {
        var net = new PackedDense(seed: 1);
        Workspace workspace = Keeping(net, Batch);
        float[] x = Inputs(Batch * PackedDense.InputLength, seed: 2);
        float[] before = Run(net, x, workspace);
        Change(net, change, x, new PackedDense(seed: 11),
            throughParameters: () =>
            {
                net.Parameters[5] += 0.5f;                       // 0.weight[0, 5]
                net.Parameters[130 * 1030 + 130 + 17] -= 0.25f;  // 2.weight[0, 17]
            },
            throughView: () => net.Layer4Weight[3] = 2f);
        float[] after = Run(net, x, workspace);
        Assert.NotEqual(before, after);
        AssertBits(Fresh(net, x), after, $"after {change}");
    }

    [Fact]
    public void Two_networks_sharing_one_workspace_each_get_their_own_weights()
    {
        var first = new PackedDense(seed: 1);
        var second = new PackedDense(seed: 2);
        Workspace workspace = Keeping(first, Batch);
        float[] x = Inputs(Batch * PackedDense.InputLength, seed: 4);
        for (int round = 0; round < 2; round++)
        {
            AssertBits(Fresh(first, x), Run(first, x, workspace), $"first network, round {round}");
            AssertBits(Fresh(second, x), Run(second, x, workspace), $"second network, round {round}");
        }
    }

    [Fact]
    public void A_small_batch_between_a_change_and_a_large_one_packs_for_both()
    {
        var net = new PackedDense(seed: 1);
        Workspace workspace = Keeping(net, Batch);
        float[] x = Inputs(Batch * PackedDense.InputLength, seed: 2);
        Run(net, x, workspace);
        net.Parameters[(130 * 1030) + 130] = 3f; // 2.weight[0, 0], kept packed
        float[] two = x.AsSpan(0, 2 * PackedDense.InputLength).ToArray();
        float[] small = Run(net, two, workspace); // 2 rows: packs the kept W, then reads it a row at a time
        NetGen.Tests.Optimizers.OptimizerReference.AssertClose(small, Fresh(net, two), 1e-5, "batch 2 over the kept copy"); // layer 2 sums as in a batch
        AssertBits(Fresh(net, x), Run(net, x, workspace), "batch 13 after a batch of 2");
    }

    /// <summary>The outputs of each sample of <paramref name="x"/> as a fresh workspace gives them in a batch of at least 4 (padded with zeros).</summary>
    private static float[] InABatch(INetwork net, float[] x)
    {
        int samples = x.Length / net.InputLength;
        float[] padded = new float[Math.Max(samples, 4) * net.InputLength];
        x.CopyTo(padded, 0);
        return Fresh(net, padded).AsSpan(0, samples * net.OutputLength).ToArray();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 2)]
    public void With_kept_weights_a_sample_alone_gets_the_bits_it_gets_in_a_batch(int batch, int threads)
    {
        var net = new KeptDense(seed: 4);
        Workspace workspace = Keeping(net, batch, threads);
        for (int call = 0; call < 3; call++)
        {
            float[] x = Inputs(batch * KeptDense.InputLength, seed: 20 + call);
            float[] alone = Run(net, x, workspace);
            if (Simd.Use128)
            {
                AssertBits(InABatch(net, x), alone, $"batch {batch}, {threads} thread(s), call {call}");
            }
            else
            {
                // the scalar path (NETGEN_MAX_VECTOR_BITS=0) keeps nothing: a sample alone is read row by row either way
                AssertBits(Fresh(net, x), alone, $"batch {batch}, call {call}, on the scalar path");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_sample_alone_sees_each_change_of_the_parameters(string change)
    {
        var net = new KeptDense(seed: 1);
        Workspace workspace = Keeping(net, 1);
        float[] x = Inputs(KeptDense.InputLength, seed: 2);
        float[] before = Run(net, x, workspace);
        Change(net, change, x, new KeptDense(seed: 11),
            throughParameters: () => net.Parameters[(150 * 100) + 150 + 17] -= 0.25f, // 1.weight[0, 17]
            throughView: () => net.Layer0Weight[3] = 2f);
        float[] after = Run(net, x, workspace);
        Assert.NotEqual(before, after);
        AssertBits(Simd.Use128 ? InABatch(net, x) : Fresh(net, x), after, $"a sample alone after {change}");
    }

    [Fact]
    public void Training_forwards_leave_the_packing_alone_and_the_steps_are_seen()
    {
        var net = new PackedDense(seed: 1);
        Workspace workspace = Keeping(net, Batch);
        float[] x = Inputs(Batch * PackedDense.InputLength, seed: 2);
        float[] y = new float[Batch * PackedDense.OutputLength];
        Run(net, x, workspace);
        net.ForwardTraining(x, y, workspace);
        AssertBits(Fresh(net, x), Run(net, x, workspace), "inference after a training forward");
    }

    [Fact]
    public void A_write_through_a_span_taken_before_the_forward_is_the_documented_limit()
    {
        // This is what ReusePackedWeights' remarks warn about; the test shows that the second forward reads the kept
        // packing (it does not see the write), and that taking the span again after the forward is seen.
        var net = new PackedDense(seed: 1);
        Workspace workspace = Keeping(net, Batch);
        float[] x = Inputs(Batch * PackedDense.InputLength, seed: 2);
        // 2.weight[0, 0]: the first layer's W is past the kept limit and is read as it is on every call
        const int secondWeight = (130 * 1030) + 130;
        Span<float> held = net.Parameters;
        float[] before = Run(net, x, workspace);
        held[secondWeight] += 1f;
        if (Simd.Use128)
        {
            AssertBits(before, Run(net, x, workspace), "the held span's write, not seen");
        }
        else
        {
            // the scalar path (NETGEN_MAX_VECTOR_BITS=0) packs nothing, so every write is seen
            AssertBits(Fresh(net, x), Run(net, x, workspace), "the held span's write, on the scalar path");
        }

        net.Parameters[secondWeight] += 0f; // taken again: a new version
        AssertBits(Fresh(net, x), Run(net, x, workspace), "after taking Parameters again");
    }

    [Fact]
    public void Turning_it_off_reads_the_weights_as_they_are()
    {
        var net = new PackedDense(seed: 1);
        Workspace workspace = Keeping(net, Batch);
        float[] x = Inputs(Batch * PackedDense.InputLength, seed: 2);
        Span<float> held = net.Parameters;
        Run(net, x, workspace);
        held[(130 * 1030) + 130] += 1f; // 2.weight[0, 0], kept packed
        workspace.ReusePackedWeights = false;
        AssertBits(Fresh(net, x), Run(net, x, workspace), "off");
    }

    [Fact]
    public void A_kept_packing_allocates_nothing_after_its_first_call()
    {
        var net = new PackedDense(seed: 1);
        Workspace workspace = Keeping(net, Batch);
        float[] x = Inputs(Batch * PackedDense.InputLength, seed: 2);
        float[] y = new float[Batch * PackedDense.OutputLength];
        AllocationAssert.Zero(() => net.Forward(x, y, workspace));
        AllocationAssert.Zero(() =>
        {
            net.Parameters[0] += 0f;
            net.Forward(x, y, workspace);
        });

        // a sample alone over the kept copy, read as it is and packed after a change
        Workspace alone = Keeping(net, 1);
        float[] x1 = x.AsSpan(0, PackedDense.InputLength).ToArray(), y1 = new float[PackedDense.OutputLength];
        AllocationAssert.Zero(() => net.Forward(x1, y1, alone));
        AllocationAssert.Zero(() =>
        {
            net.Parameters[0] += 0f;
            net.Forward(x1, y1, alone);
        });
    }

    private readonly struct FarLayer : NetGen.CompilerServices.IDenseLayer
    {
        public static int Inputs => 1030;
        public static int Units => 130;
        public static bool HasBias => false;
        public static NetGen.CompilerServices.FusedActivation Activation => NetGen.CompilerServices.FusedActivation.None;
        public static float Slope => 0f;
    }

    [Fact]
    public void A_region_for_a_W_past_the_kept_limit_or_of_the_wrong_length_is_refused()
    {
        float[] w = new float[130 * 1030], x = new float[4 * 1030], y = new float[4 * 130];
        var far = Assert.Throws<ArgumentException>(() => NetGen.CompilerServices.DenseKernels.Forward<FarLayer>(w, default, x, y, 4, 1, new float[130 * 1030], repack: true));
        Assert.Contains("MaxKeptPackedFloats", far.Message);
        var wrong = Assert.Throws<ArgumentException>(() => NetGen.CompilerServices.DenseKernels.Forward<Layer>(new float[60], default, new float[40], new float[24], 4, 1, new float[59], repack: true));
        Assert.Contains("Expected 60 floats", wrong.Message);
    }

    private readonly struct Layer : NetGen.CompilerServices.IDenseLayer
    {
        public static int Inputs => 10;
        public static int Units => 6;
        public static bool HasBias => false;
        public static NetGen.CompilerServices.FusedActivation Activation => NetGen.CompilerServices.FusedActivation.None;
        public static float Slope => 0f;
    }
}
