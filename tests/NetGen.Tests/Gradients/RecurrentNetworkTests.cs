using System;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Gradients;

/// <summary>
/// The generated sequence networks beyond their gradients: inference and training forward agree, the int and float
/// paths of a token network agree, two threads give the bits of one, a sample alone agrees with its row of a batch (to rounding, RowAgreement),
/// nothing is allocated after warm-up, and bad token ids and input gradients are refused.
/// </summary>
public sealed class RecurrentNetworkTests
{
    /// <summary>The float-input networks without dropout (whose training forward differs from inference, and from itself).</summary>
    public static TheoryData<string> FloatNetworks()
    {
        var data = new TheoryData<string>();
        foreach (string name in RecurrentGradientTests.Networks.Keys)
        {
            if (name != "RecDropout")
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FloatNetworks))]
    public void Inference_gives_the_bits_of_the_training_forward_and_a_sample_alone_agrees_with_its_row_of_a_batch(string network)
    {
        INetwork net = RecurrentGradientTests.Networks[network].Create();
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

    /// <summary>
    /// The recurrent product sums every gate in one order whichever block takes it (three samples, two, one, or one sample
    /// over two panels side by side), and the input product as well, so without a dense layer after it a sample alone gets
    /// the bits of its row of a batch, in both directions.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void A_sample_alone_gets_the_bits_of_its_row_of_a_batch_through_an_lstm(int batch)
    {
        var net = new RecLstmPanels(seed: 61);
        float[] x = GradientCheck.UniformInputs(batch * RecLstmPanels.InputLength, seed: 62);
        var batched = new float[batch * RecLstmPanels.OutputLength];
        net.Forward(x, batched, net.CreateWorkspace(batch));
        Workspace one = net.CreateWorkspace(1);
        var row = new float[RecLstmPanels.OutputLength];
        for (int b = 0; b < batch; b++)
        {
            net.Forward(x.AsSpan(b * RecLstmPanels.InputLength, RecLstmPanels.InputLength), row, one);
            Assert.Equal(batched.AsSpan(b * RecLstmPanels.OutputLength, RecLstmPanels.OutputLength).ToArray(), row);
        }
    }

    /// <summary>Backward without input gradients (as the trainer calls it) gives the parameter gradients of Backward with them.</summary>
    [Theory]
    [MemberData(nameof(FloatNetworks))]
    public void Backward_without_input_gradients_gives_the_same_parameter_gradients(string network)
    {
        INetwork net = RecurrentGradientTests.Networks[network].Create();
        const int batch = 3;
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 68);
        float[] dy = GradientCheck.UniformInputs(batch * net.OutputLength, seed: 69);
        Workspace workspace = net.CreateWorkspace(batch);
        var y = new float[batch * net.OutputLength];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, new float[x.Length], workspace);
        float[] with = net.Gradients.ToArray();
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, default, workspace);
        Assert.Equal(with, net.Gradients.ToArray());
    }

    /// <summary>
    /// Nothing is read before it is written: a workspace whose every float is NaN, larger than the batch, gives the bits
    /// of a fresh one (the zero initial state, the cleared last-state gradient and the ping-pong buffers are all written
    /// by the call, not assumed from a new workspace's zeros).
    /// </summary>
    [Theory]
    [MemberData(nameof(FloatNetworks))]
    [InlineData("RecEmbedLstm")]
    [InlineData("RecEmbedGruLast")]
    [InlineData("RecEmbedDenseGru")]
    public void A_workspace_full_of_NaN_and_larger_than_the_batch_gives_the_bits_of_a_fresh_one(string network)
    {
        bool tokens = RecurrentGradientTests.TokenNetworks.ContainsKey(network);
        Func<INetwork> create = tokens ? RecurrentGradientTests.TokenNetworks[network] : RecurrentGradientTests.Networks[network].Create;
        INetwork net = create();
        const int batch = 3;
        float[] x = tokens
            ? RecurrentGradientTests.Tokens(batch * net.InputLength, net.ParameterTensors[0].Shape[0], seed: 76)
            : GradientCheck.UniformInputs(batch * net.InputLength, seed: 76);
        float[] dy = GradientCheck.UniformInputs(batch * net.OutputLength, seed: 77);
        (float[] y1, float[] dx1, float[] g1, float[] i1) = RunOn(net, net.CreateWorkspace(batch), x, dy, tokens);

        Workspace dirty = net.CreateWorkspace(batch + 5);
        dirty.Buffer.Fill(float.NaN);
        dirty.Scratch.Fill(float.NaN);
        (float[] y2, float[] dx2, float[] g2, float[] i2) = RunOn(net, dirty, x, dy, tokens);
        Assert.Equal(y1, y2);
        Assert.Equal(i1, i2);
        Assert.Equal(g1, g2);
        Assert.Equal(dx1, dx2);

        // And again on the same workspace, after a bigger batch left its values there.
        float[] big = tokens
            ? RecurrentGradientTests.Tokens((batch + 5) * net.InputLength, net.ParameterTensors[0].Shape[0], seed: 78)
            : GradientCheck.UniformInputs((batch + 5) * net.InputLength, seed: 78);
        RunOn(net, dirty, big, GradientCheck.UniformInputs((batch + 5) * net.OutputLength, seed: 79), tokens);
        (float[] y3, float[] dx3, float[] g3, float[] i3) = RunOn(net, dirty, x, dy, tokens);
        Assert.Equal(y1, y3);
        Assert.Equal(i1, i3);
        Assert.Equal(g1, g3);
        Assert.Equal(dx1, dx3);
    }

    /// <summary>
    /// The recurrent forward reads W_hh from a copy it packs into the workspace's scratch; weights written through
    /// <see cref="INetwork.Parameters"/> between two calls on the same workspace are the ones the second call uses (the
    /// bits of a network made with those weights, on a fresh workspace), for inference, training and a batch split across
    /// threads.
    /// </summary>
    [Theory]
    [MemberData(nameof(FloatNetworks))]
    public void Weights_written_between_calls_are_the_weights_the_next_call_uses(string network)
    {
        INetwork net = RecurrentGradientTests.Networks[network].Create();
        INetwork other = RecurrentGradientTests.Networks[network].Create();
        GradientCheck.UniformInputs(other.ParameterCount, seed: 95).CopyTo(other.Parameters);
        const int batch = 8;
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 96);
        var expected = new float[batch * net.OutputLength];
        var expectedTraining = new float[expected.Length];
        other.Forward(x, expected, other.CreateWorkspace(batch));
        other.ForwardTraining(x, expectedTraining, other.CreateWorkspace(batch));

        foreach (int threads in new[] { 1, 2 })
        {
            Workspace workspace = net.CreateWorkspace(batch);
            workspace.Threads = threads;
            RecurrentGradientTests.Networks[network].Create().Parameters.CopyTo(net.Parameters);
            var y = new float[expected.Length];
            net.Forward(x, y, workspace);
            other.Parameters.CopyTo(net.Parameters);
            net.Forward(x, y, workspace);
            Assert.Equal(expected, y);

            RecurrentGradientTests.Networks[network].Create().Parameters.CopyTo(net.Parameters);
            net.ForwardTraining(x, y, workspace);
            other.Parameters.CopyTo(net.Parameters);
            net.ForwardTraining(x, y, workspace);
            Assert.Equal(expectedTraining, y);
        }
    }

    /// <summary>
    /// The forward keeps W_hh packed in the workspace between calls and reuses it while W_hh is bit for bit the same: a
    /// single weight of a W_hh (its last, so a comparison that stopped early would miss it), or one changed only in its
    /// sign (0 to −0), written through a span the caller kept from before the first call, is the weight the next call
    /// uses: the bits of a fresh network with those weights. And a call with nothing changed gives the bits it gave.
    /// </summary>
    [Theory]
    [MemberData(nameof(FloatNetworks))]
    public void One_recurrent_weight_written_through_a_kept_span_is_the_weight_the_next_call_uses(string network)
    {
        INetwork net = RecurrentGradientTests.Networks[network].Create();
        const int batch = 3;
        float[] x = GradientCheck.UniformInputs(batch * net.InputLength, seed: 97);
        Workspace workspace = net.CreateWorkspace(batch);
        Span<float> parameters = net.Parameters;
        var first = new float[batch * net.OutputLength];
        net.Forward(x, first, workspace);
        var again = new float[first.Length];
        net.Forward(x, again, workspace);
        Assert.Equal(first, again);

        foreach (ParameterTensor tensor in net.ParameterTensors)
        {
            if (!tensor.Name.Contains("weight_hh", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (float value in new[] { 0.75f, 0f, -0f })
            {
                parameters[tensor.Offset + tensor.Length - 1] = value;
                var y = new float[first.Length];
                net.Forward(x, y, workspace);

                INetwork fresh = RecurrentGradientTests.Networks[network].Create();
                net.Parameters.CopyTo(fresh.Parameters);
                var expected = new float[first.Length];
                fresh.Forward(x, expected, fresh.CreateWorkspace(batch));
                Assert.True(
                    expected.AsSpan().SequenceEqual(y) && BitsEqual(expected, y),
                    $"{network}: after {tensor.Name}[^1] = {value:R}, the forward gave other bits than a fresh network with the same weights");
            }
        }
    }

    private static bool BitsEqual(float[] a, float[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static (float[] Training, float[] InputGradients, float[] Gradients, float[] Inference) RunOn(INetwork net, Workspace workspace, float[] x, float[] dy, bool tokens)
    {
        int batch = x.Length / net.InputLength;
        var y = new float[batch * net.OutputLength];
        var dx = new float[tokens ? 0 : x.Length];
        net.ZeroGradients();
        net.ForwardTraining(x, y, workspace);
        net.Backward(x, dy, dx, workspace);
        var inference = new float[y.Length];
        net.Forward(x, inference, workspace);
        return (y, dx, net.Gradients.ToArray(), inference);
    }

    [Fact]
    public void The_int_and_float_paths_of_a_token_network_agree()
    {
        var net = new RecEmbedLstm(seed: 43);
        const int batch = 4;
        int[] tokens = IntTokens(batch * RecEmbedLstm.InputLength, 7, seed: 44);
        float[] ids = Array.ConvertAll(tokens, t => (float)t);
        float[] dy = GradientCheck.UniformInputs(batch * RecEmbedLstm.OutputLength, seed: 45);
        Workspace workspace = net.CreateWorkspace(batch);

        var yInt = new float[batch * RecEmbedLstm.OutputLength];
        net.ZeroGradients();
        net.ForwardTraining(tokens, yInt, workspace);
        net.Backward(tokens, dy, workspace);
        float[] gInt = net.Gradients.ToArray();

        var yFloat = new float[yInt.Length];
        net.ZeroGradients();
        net.ForwardTraining(ids, yFloat, workspace);
        net.Backward(ids, dy, default, workspace);
        float[] gFloat = net.Gradients.ToArray();
        Assert.Equal(yInt, yFloat);
        Assert.Equal(gInt, gFloat);

        var inferenceInt = new float[yInt.Length];
        var inferenceFloat = new float[yInt.Length];
        net.Forward(tokens, inferenceInt, workspace);
        net.Forward(ids, inferenceFloat, workspace);
        Assert.Equal(yInt, inferenceInt);
        Assert.Equal(yInt, inferenceFloat);

        // The workspace-free overloads too.
        var cached = new float[yInt.Length];
        net.Forward(tokens, cached);
        Assert.Equal(yInt, cached);
        net.Forward(ids, cached);
        Assert.Equal(yInt, cached);
    }

    /// <summary>Batches large enough that the recurrence itself splits across threads (2^18 multiply-adds per part), not only the products.</summary>
    [Theory]
    [InlineData("RecLstmT7", 400)]
    [InlineData("RecGruStackedBiLast", 600)]
    [InlineData("RecRnnReluStacked", 1500)]
    [InlineData("RecChain", 300)]
    [InlineData("RecWide", 70)]
    [InlineData("RecWide", 3)]
    public void Two_threads_give_the_bits_of_one(string network, int batch)
    {
        Func<INetwork> create = RecurrentGradientTests.Networks[network].Create;
        INetwork single = create(), threaded = create();
        float[] x = GradientCheck.UniformInputs(batch * single.InputLength, seed: 46);
        float[] dy = GradientCheck.UniformInputs(batch * single.OutputLength, seed: 47);
        (float[] y1, float[] dx1, float[] g1, float[] i1) = Run(single, x, dy, batch, threads: 1);
        (float[] y2, float[] dx2, float[] g2, float[] i2) = Run(threaded, x, dy, batch, threads: 2);
        Assert.Equal(y1, y2);
        Assert.Equal(i1, i2);
        Assert.Equal(g1, g2);
        Assert.Equal(dx1, dx2);
    }

    [Fact]
    public void Two_threads_give_the_bits_of_one_for_token_ids()
    {
        const int batch = 450;
        int[] tokens = IntTokens(batch * RecEmbedLstm.InputLength, 7, seed: 48);
        float[] dy = GradientCheck.UniformInputs(batch * RecEmbedLstm.OutputLength, seed: 49);
        (float[] y1, float[] g1) = RunTokens(new RecEmbedLstm(seed: 50), tokens, dy, batch, threads: 1);
        (float[] y2, float[] g2) = RunTokens(new RecEmbedLstm(seed: 50), tokens, dy, batch, threads: 2);
        Assert.Equal(y1, y2);
        Assert.Equal(g1, g2);
    }

    /// <summary>At the Names model's size the recurrence splits from 2 samples on; odd batches split unevenly.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    public void Two_threads_give_the_bits_of_one_for_the_names_model(int batch)
    {
        int[] tokens = IntTokens(batch * RecNamesModel.InputLength, 30, seed: 73);
        float[] dy = GradientCheck.UniformInputs(batch * RecNamesModel.OutputLength, seed: 74);
        var results = new (float[] Outputs, float[] Gradients, float[] Inference)[2];
        for (int threads = 1; threads <= 2; threads++)
        {
            var net = new RecNamesModel(seed: 75);
            Workspace workspace = net.CreateWorkspace(batch);
            workspace.Threads = threads;
            var y = new float[batch * RecNamesModel.OutputLength];
            net.ForwardTraining(tokens, y, workspace);
            net.Backward(tokens, dy, workspace);
            var inference = new float[y.Length];
            net.Forward(tokens, inference, workspace);
            results[threads - 1] = (y, net.Gradients.ToArray(), inference);
        }

        Assert.Equal(results[0].Outputs, results[1].Outputs);
        Assert.Equal(results[0].Inference, results[1].Inference);
        Assert.Equal(results[0].Outputs, results[0].Inference);
        Assert.Equal(results[0].Gradients, results[1].Gradients);

        // And a sample alone agrees with its row of the batch.
        var alone = new RecNamesModel(seed: 75);
        var row = new float[RecNamesModel.OutputLength];
        for (int b = 0; b < batch; b += 7)
        {
            alone.Forward(tokens.AsSpan(b * RecNamesModel.InputLength, RecNamesModel.InputLength), row, alone.CreateWorkspace(1));
            RowAgreement.AssertAgrees(results[0].Inference.AsSpan(b * RecNamesModel.OutputLength, RecNamesModel.OutputLength), row, $"sample {b}");
        }
    }

    [Fact]
    public void A_token_sample_alone_agrees_with_its_row_of_a_batch()
    {
        var net = new RecEmbedGruLast(seed: 51);
        const int batch = 6;
        int[] tokens = IntTokens(batch * RecEmbedGruLast.InputLength, 6, seed: 52);
        var batched = new float[batch * RecEmbedGruLast.OutputLength];
        net.Forward(tokens, batched, net.CreateWorkspace(batch));
        var row = new float[RecEmbedGruLast.OutputLength];
        Workspace one = net.CreateWorkspace(1);
        for (int b = 0; b < batch; b++)
        {
            net.Forward(tokens.AsSpan(b * RecEmbedGruLast.InputLength, RecEmbedGruLast.InputLength), row, one);
            RowAgreement.AssertAgrees(batched.AsSpan(b * RecEmbedGruLast.OutputLength, RecEmbedGruLast.OutputLength), row, $"sample {b}");
        }
    }

    [Fact]
    public void Inference_and_a_training_step_allocate_nothing_after_warm_up()
    {
        const int batch = 8;
        var net = new RecEmbedLstm(seed: 53);
        int[] tokens = IntTokens(batch * RecEmbedLstm.InputLength, 7, seed: 54);
        float[] ids = Array.ConvertAll(tokens, t => (float)t);
        var y = new float[batch * RecEmbedLstm.OutputLength];
        float[] dy = GradientCheck.UniformInputs(y.Length, seed: 55);
        Workspace workspace = net.CreateWorkspace(batch);
        AllocationAssert.Zero(() => net.Forward(tokens, y, workspace));
        AllocationAssert.Zero(() => net.Forward(ids, y, workspace));
        AllocationAssert.Zero(() => net.Forward(tokens.AsSpan(0, RecEmbedLstm.InputLength), y.AsSpan(0, RecEmbedLstm.OutputLength)));
        AllocationAssert.Zero(() =>
        {
            net.ForwardTraining(tokens, y, workspace);
            net.Backward(tokens, dy, workspace);
        });
        AllocationAssert.Zero(() =>
        {
            net.ForwardTraining(ids, y, workspace);
            net.Backward(ids, dy, default, workspace);
        });

        var stacked = new RecGruStackedBiLast(seed: 56);
        float[] x = GradientCheck.UniformInputs(batch * RecGruStackedBiLast.InputLength, seed: 57);
        var sy = new float[batch * RecGruStackedBiLast.OutputLength];
        float[] sdy = GradientCheck.UniformInputs(sy.Length, seed: 58);
        var sdx = new float[x.Length];
        Workspace sw = stacked.CreateWorkspace(batch);
        AllocationAssert.Zero(() => stacked.Forward(x, sy, sw));
        AllocationAssert.Zero(() =>
        {
            stacked.ForwardTraining(x, sy, sw);
            stacked.Backward(x, sdy, sdx, sw);
        });

        // A whole trainer step: the per-step loss with an ignore index, gradient clipping and Adam.
        var trainer = new Trainer<RecEmbedLstm>(net, new Adam(1e-3f), Loss.SequenceCrossEntropy(7, ignoreIndex: -1)) { ClipGradientNorm = 1f };
        float[] targets = Array.ConvertAll(IntTokens(batch * RecEmbedLstm.InputLength, 7, seed: 59), t => (float)t);
        targets[3] = -1;
        AllocationAssert.Zero(() => trainer.TrainStep(ids, targets));
    }

    [Fact]
    public void A_threaded_training_step_allocates_nothing()
    {
        AssertThreadedStepAllocatesNothing(new RecEmbedLstm(seed: 60), 7, batch: 450);
        AssertThreadedStepAllocatesNothing(new RecNamesModel(seed: 60), 30, batch: 64);
    }

    private static void AssertThreadedStepAllocatesNothing<T>(T net, int vocabulary, int batch)
        where T : INetwork
    {
        int[] tokens = IntTokens(batch * net.InputLength, vocabulary, seed: 61);
        float[] ids = Array.ConvertAll(tokens, t => (float)t);
        var y = new float[batch * net.OutputLength];
        float[] dy = GradientCheck.UniformInputs(y.Length, seed: 62);
        Workspace workspace = net.CreateWorkspace(batch);
        workspace.Threads = 2;

        void Step()
        {
            switch (net)
            {
                case RecEmbedLstm small:
                    small.ForwardTraining(tokens, y, workspace);
                    small.Backward(tokens, dy, workspace);
                    small.Forward(tokens, y, workspace);
                    break;
                case RecNamesModel names:
                    names.ForwardTraining(tokens, y, workspace);
                    names.Backward(tokens, dy, workspace);
                    names.Forward(tokens, y, workspace);
                    break;
            }

            net.ForwardTraining(ids, y, workspace);
            net.Backward(ids, dy, default, workspace);
        }

        // Past tiered compilation, then measured on this thread (see BatchKernelTests' threaded test).
        for (int i = 0; i < 100; i++)
        {
            Step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void An_out_of_range_token_id_throws_naming_sample_position_and_value_and_leaves_outputs_untouched(int bad)
    {
        var net = new RecEmbedLstm(seed: 63);
        const int batch = 3;
        int[] tokens = IntTokens(batch * RecEmbedLstm.InputLength, 7, seed: 64);
        tokens[(2 * RecEmbedLstm.InputLength) + 4] = bad; // sample 2, position 4
        float[] ids = Array.ConvertAll(tokens, t => (float)t);
        var outputs = new float[batch * RecEmbedLstm.OutputLength];
        Workspace workspace = net.CreateWorkspace(batch);
        string value = bad.ToString(System.Globalization.CultureInfo.InvariantCulture);

        void Expect(Action action, string parameter, string shown)
        {
            Array.Fill(outputs, 12.5f);
            var e = Assert.Throws<ArgumentException>(action);
            Assert.Equal(parameter, e.ParamName);
            Assert.Contains("sample 2", e.Message, StringComparison.Ordinal);
            Assert.Contains("Token 4", e.Message, StringComparison.Ordinal);
            Assert.Contains($"is {shown}", e.Message, StringComparison.Ordinal);
            Assert.All(outputs, v => Assert.Equal(12.5f, v));
        }

        Expect(() => net.Forward(tokens, outputs, workspace), "tokens", value);
        Expect(() => net.Forward(tokens, outputs), "tokens", value);
        Expect(() => net.ForwardTraining(tokens, outputs, workspace), "tokens", value);
        string floatValue = ((float)bad).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Expect(() => net.Forward(ids, outputs, workspace), "inputs", floatValue);
        Expect(() => net.Forward(ids, outputs), "inputs", floatValue);
        Expect(() => net.ForwardTraining(ids, outputs, workspace), "inputs", floatValue);
        Expect(() => ((INetwork)net).Forward(ids, outputs, workspace), "inputs", floatValue);
    }

    /// <summary>Backward given ids that are not valid (they must be the training forward's) throws before any gradient moves.</summary>
    [Fact]
    public void A_bad_token_id_in_Backward_throws_and_leaves_the_gradients_untouched()
    {
        var net = new RecEmbedLstm(seed: 70);
        const int batch = 2;
        int[] tokens = IntTokens(batch * RecEmbedLstm.InputLength, 7, seed: 71);
        var y = new float[batch * RecEmbedLstm.OutputLength];
        float[] dy = GradientCheck.UniformInputs(y.Length, seed: 72);
        Workspace workspace = net.CreateWorkspace(batch);
        net.ForwardTraining(tokens, y, workspace);
        net.Gradients.Fill(0.25f);
        int[] bad = (int[])tokens.Clone();
        bad[RecEmbedLstm.InputLength + 3] = 9; // sample 1, position 3
        var e = Assert.Throws<ArgumentException>(() => net.Backward(bad, dy, workspace));
        Assert.Contains("Token 3 of sample 1 is 9", e.Message, StringComparison.Ordinal);
        Assert.True(net.Gradients.IndexOfAnyExcept(0.25f) < 0, "a refused Backward moved gradients");

        float[] badIds = Array.ConvertAll(bad, t => (float)t);
        e = Assert.Throws<ArgumentException>(() => net.Backward(badIds, dy, default, workspace));
        Assert.Contains("Token 3 of sample 1 is 9", e.Message, StringComparison.Ordinal);
        Assert.True(net.Gradients.IndexOfAnyExcept(0.25f) < 0, "a refused Backward moved gradients");

        net.Backward(tokens, dy, workspace);
        Assert.True(net.Gradients.IndexOfAnyExcept(0.25f) >= 0);
    }

    [Fact]
    public void A_fractional_float_id_throws_and_leaves_outputs_untouched()
    {
        var net = new RecEmbedOnly(seed: 65);
        var ids = new float[] { 0, 1, 2, 3, 4, 1.5f, 2, 3 };
        var outputs = new float[2 * RecEmbedOnly.OutputLength];
        Array.Fill(outputs, -3f);
        var e = Assert.Throws<ArgumentException>(() => net.Forward(ids, outputs, net.CreateWorkspace(2)));
        Assert.Contains("Token 1 of sample 1 is 1.5", e.Message, StringComparison.Ordinal);
        Assert.All(outputs, v => Assert.Equal(-3f, v));
    }

    [Fact]
    public void A_token_network_refuses_input_gradients()
    {
        var net = new RecEmbedGruLast(seed: 66);
        const int batch = 2;
        float[] ids = Array.ConvertAll(IntTokens(batch * RecEmbedGruLast.InputLength, 6, seed: 67), t => (float)t);
        var y = new float[batch * RecEmbedGruLast.OutputLength];
        Workspace workspace = net.CreateWorkspace(batch);
        net.ForwardTraining(ids, y, workspace);
        net.ZeroGradients();
        var e = Assert.Throws<ArgumentException>(() => net.Backward(ids, y, new float[ids.Length], workspace));
        Assert.Equal("inputGradients", e.ParamName);
        Assert.True(net.Gradients.IndexOfAnyExcept(0f) < 0, "a refused Backward wrote gradients");
        net.Backward(ids, y, default, workspace);
        Assert.True(net.Gradients.IndexOfAnyExcept(0f) >= 0);
    }

    internal static int[] IntTokens(int length, int vocabulary, ulong seed)
    {
        var random = new Rng(seed);
        var tokens = new int[length];
        for (int i = 0; i < length; i++)
        {
            tokens[i] = random.NextInt(vocabulary);
        }

        return tokens;
    }

    private static (float[] Training, float[] InputGradients, float[] Gradients, float[] Inference) Run(INetwork net, float[] x, float[] dy, int batch, int threads)
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

    private static (float[] Outputs, float[] Gradients) RunTokens(RecEmbedLstm net, int[] tokens, float[] dy, int batch, int threads)
    {
        Workspace workspace = net.CreateWorkspace(batch);
        workspace.Threads = threads;
        var y = new float[batch * RecEmbedLstm.OutputLength];
        net.ZeroGradients();
        net.ForwardTraining(tokens, y, workspace);
        net.Backward(tokens, dy, workspace);
        var inference = new float[y.Length];
        net.Forward(tokens, inference, workspace);
        Assert.Equal(y, inference);
        return (y, net.Gradients.ToArray());
    }
}
