using System;
using System.IO;
using System.Linq;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.IO;

/// <summary>
/// Values a file may not carry: a checkpoint whose optimizer state, parameters, running statistics or step counts
/// would turn the next step to NaN is refused, naming the tensor, and changes nothing; a weight file keeps loading
/// non-finite weights as PyTorch does, but not a negative variance or count. And a batch norm's
/// <c>num_batches_tracked</c> that a file lacks is 0, as in PyTorch 1.13.
/// </summary>
public sealed class LoadedValueTests
{
    // ---------------------------------------------------------------- checkpoints: optimizer state

    public static TheoryData<string, string, float, string> BadOptimizerStates() => new()
    {
        { "adam", "optimizer.exp_avg_sq", -0.5f, "Adam's exp_avg_sq is a mean of squared gradients and cannot be negative" },
        { "adam", "optimizer.exp_avg_sq", float.NaN, "is NaN" },
        { "adam", "optimizer.exp_avg_sq", float.PositiveInfinity, "is Infinity" },
        { "adam", "optimizer.exp_avg", float.NaN, "is NaN" },
        { "adam", "optimizer.exp_avg", float.NegativeInfinity, "is -Infinity" },
        { "adamw", "optimizer.exp_avg_sq", -1e-30f, "AdamW's exp_avg_sq is a mean of squared gradients and cannot be negative" },
        { "rmsprop", "optimizer.square_avg", -2f, "RmsProp's square_avg is a mean of squared gradients and cannot be negative" },
        { "rmsprop", "optimizer.grad_avg", float.NaN, "is NaN" },
        { "adagrad", "optimizer.sum", -3f, "AdaGrad's sum is a sum of squared gradients and cannot be negative" },
        { "sgd", "optimizer.momentum_buffer", float.PositiveInfinity, "is Infinity" },
    };

    [Theory]
    [MemberData(nameof(BadOptimizerStates))]
    public void A_checkpoint_with_optimizer_state_that_poisons_training_is_refused(string optimizer, string tensor, float value, string message)
    {
        byte[] valid = Trained("BnTwice", optimizer);
        AssertRefused("BnTwice", optimizer, SafeTensorsEdit.SetFloat(valid, tensor, 4, value), tensor, message);
    }

    [Fact]
    public void A_negative_zero_second_moment_is_not_negative()
    {
        byte[] file = SafeTensorsEdit.SetFloat(Trained("BnTwice", "adam"), "optimizer.exp_avg_sq", 4, -0f);
        Trainer<INetwork> trainer = NewTrainer("BnTwice", "adam", seed: 2);
        trainer.LoadCheckpoint(new MemoryStream(file));
        Assert.Equal(-0f, trainer.Optimizer.GetState()[trainer.Network.ParameterCount + 4]);
    }

    // ---------------------------------------------------------------- checkpoints: parameters and buffers

    [Theory]
    [InlineData("0.weight", float.NaN, "is NaN")]
    [InlineData("0.bias", float.PositiveInfinity, "is Infinity")]
    [InlineData("bn1.running_mean", float.NaN, "is NaN")]
    [InlineData("bn1.running_var", -0.25f, "a variance cannot be negative")]
    [InlineData("bn1.running_var", float.PositiveInfinity, "is Infinity")]
    [InlineData("bn1.num_batches_tracked", -1f, "a count must be a whole number, 0 or more")]
    [InlineData("bn1.num_batches_tracked", 2.5f, "a count must be a whole number, 0 or more")]
    public void A_checkpoint_with_a_non_finite_parameter_or_an_impossible_statistic_is_refused(string tensor, float value, string message)
    {
        int index = tensor.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? 0 : 1;
        byte[] file = SafeTensorsEdit.SetFloat(Trained("BnTwice", "adam"), tensor, index, value);
        AssertRefused("BnTwice", "adam", file, tensor, message);
    }

    [Theory]
    [InlineData("netgen.optimizer.step", "9223372036854775807")]
    [InlineData("netgen.optimizer.step", "9223372036854775000")]
    [InlineData("netgen.optimizer.step", "9007199254740993")]
    [InlineData("netgen.optimizer.step", "-1")]
    [InlineData("netgen.step", "9223372036854775807")]
    [InlineData("netgen.step", "-5")]
    public void A_checkpoint_with_a_step_count_that_overflows_is_refused(string key, string value)
    {
        byte[] file = SafeTensorsEdit.SetMetadata(Trained("BnTwice", "adam"), key, value);
        Trainer<INetwork> trainer = NewTrainer("BnTwice", "adam", seed: 2);
        byte[] before = Save(trainer);
        var error = Assert.Throws<WeightFormatException>(() => trainer.LoadCheckpoint(new MemoryStream(file)));
        Assert.Contains($"'{key}' is \"{value}\"; expected an integer from 0 to 9007199254740992", error.Message);
        Assert.Equal(before, Save(trainer));
    }

    [Fact]
    public void The_largest_step_count_allowed_loads_and_the_next_step_is_finite()
    {
        byte[] file = SafeTensorsEdit.SetMetadata(Trained("BnTwice", "adam"), "netgen.optimizer.step", "9007199254740992");
        Trainer<INetwork> trainer = NewTrainer("BnTwice", "adam", seed: 2);
        trainer.LoadCheckpoint(new MemoryStream(file));
        Assert.Equal(9007199254740992L, trainer.Optimizer.StepCount);
        (float[] x, float[] y) = Data(8);
        trainer.TrainStep(x, y);
        Assert.True(trainer.Network.Parameters.ToArray().All(float.IsFinite));
    }

    // ---------------------------------------------------------------- weight files

    [Fact]
    public void A_weight_file_with_non_finite_weights_loads_as_in_pytorch()
    {
        byte[] file = SafeTensorsEdit.SetFloat(SafeTensorsFiles.Valid(), "0.weight", 2, float.NaN);
        file = SafeTensorsEdit.SetFloat(file, "0.bias", 0, float.NegativeInfinity);
        var net = new FakeNetwork();
        SafeTensors.Load(net, file);
        Assert.True(float.IsNaN(net[2]));
        Assert.Equal(float.NegativeInfinity, net[12]);
    }

    [Fact]
    public void A_weight_file_with_a_negative_variance_or_count_is_refused()
    {
        INetwork source = new BnTwice(seed: 1);
        var stream = new MemoryStream();
        SafeTensors.Save(source, stream);
        byte[] valid = stream.ToArray();

        AssertWeightsRefused(SafeTensorsEdit.SetFloat(valid, "bn1.running_var", 2, -1f), "bn1.running_var", "element 2 is -1; a variance cannot be negative");
        AssertWeightsRefused(SafeTensorsEdit.SetInt64(valid, "bn1.num_batches_tracked", -7), "bn1.num_batches_tracked", "element 0 is -7; a count must be a whole number, 0 or more");

        // NaN variance is a non-finite value like any other in a weight file: it loads.
        INetwork target = new BnTwice(seed: 2);
        SafeTensors.Load(target, SafeTensorsEdit.SetFloat(valid, "bn1.running_var", 2, float.NaN));
        Assert.True(float.IsNaN(target.Buffers[5 + 2]));
    }

    // ---------------------------------------------------------------- num_batches_tracked

    [Fact]
    public void A_state_dict_without_num_batches_tracked_loads_strictly_with_the_count_zero()
    {
        INetwork source = Trained(seed: 1);
        var stream = new MemoryStream();
        SafeTensors.Save(source, stream);
        byte[] withoutCounts = SafeTensorsEdit.RemoveTensors(stream.ToArray(), ".num_batches_tracked");

        INetwork target = Trained(seed: 2);
        float[] countsBefore = Counts(target);
        Assert.All(countsBefore, c => Assert.True(c > 0));
        SafeTensors.Load(target, withoutCounts);
        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.All(Counts(target), c => Assert.Equal(0f, c));
        for (int i = 0; i < target.Buffers.Length; i++)
        {
            if (!IsCountIndex(target, i))
            {
                Assert.Equal(source.Buffers[i], target.Buffers[i]);
            }
        }

        // The same bytes through a stream, seekable or not.
        INetwork streamed = Trained(seed: 2);
        SafeTensors.Load(streamed, new TrickleStream(withoutCounts));
        Assert.All(Counts(streamed), c => Assert.Equal(0f, c));

        // Not strict: a missing tensor keeps its value, counts included.
        INetwork loose = Trained(seed: 2);
        SafeTensors.Load(loose, withoutCounts, strict: false);
        Assert.Equal(countsBefore, Counts(loose));
    }

    [Theory]
    [InlineData(".running_var")]
    [InlineData(".running_mean")]
    [InlineData("bn1.weight")]
    [InlineData("bn1.bias")]
    public void Strict_loading_still_refuses_a_missing_weight_bias_or_running_statistic(string suffix)
    {
        INetwork source = new BnTwice(seed: 1);
        var stream = new MemoryStream();
        SafeTensors.Save(source, stream);
        byte[] file = SafeTensorsEdit.RemoveTensors(SafeTensorsEdit.RemoveTensors(stream.ToArray(), ".num_batches_tracked"), suffix);

        INetwork target = new BnTwice(seed: 2);
        float[] before = State(target);
        var error = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(target, file));
        Assert.Contains("The file lacks", error.Message);
        Assert.EndsWith(suffix, error.TensorName);
        Assert.DoesNotContain("num_batches_tracked", error.Message);
        Assert.Equal(before, State(target));
    }

    // ---------------------------------------------------------------- helpers

    private static void AssertRefused(string network, string optimizer, byte[] file, string tensor, string message)
    {
        Trainer<INetwork> trainer = NewTrainer(network, optimizer, seed: 2);
        (float[] x, float[] y) = Data(8);
        trainer.TrainStep(x, y);
        byte[] before = Save(trainer);
        var error = Assert.Throws<WeightFormatException>(() => trainer.LoadCheckpoint(new MemoryStream(file)));
        Assert.Equal(tensor, error.TensorName);
        Assert.Contains($"'{tensor}'", error.Message);
        Assert.Contains(message, error.Message);
        Assert.Equal(before, Save(trainer));
    }

    private static void AssertWeightsRefused(byte[] file, string tensor, string message)
    {
        INetwork target = new BnTwice(seed: 2);
        float[] before = State(target);
        var error = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(target, file));
        Assert.Equal(tensor, error.TensorName);
        Assert.Contains(message, error.Message);
        Assert.Equal(before, State(target));
        error = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(target, new TrickleStream(file)));
        Assert.Contains(message, error.Message);
        Assert.Equal(before, State(target));
    }

    /// <summary>A checkpoint after three steps of <paramref name="optimizer"/> on <paramref name="network"/>.</summary>
    private static byte[] Trained(string network, string optimizer)
    {
        Trainer<INetwork> trainer = NewTrainer(network, optimizer, seed: 1);
        (float[] x, float[] y) = Data(8);
        for (int i = 0; i < 3; i++)
        {
            trainer.TrainStep(x, y);
        }

        return Save(trainer);
    }

    /// <summary>A BnTwice whose running statistics and counts have moved (two training steps).</summary>
    private static INetwork Trained(ulong seed)
    {
        Trainer<INetwork> trainer = NewTrainer("BnTwice", "sgd", seed);
        (float[] x, float[] y) = Data(8);
        trainer.TrainStep(x, y);
        trainer.TrainStep(x, y);
        return trainer.Network;
    }

    private static float[] State(INetwork network) => [.. network.Parameters, .. network.Buffers];

    private static float[] Counts(INetwork network) =>
        network.BufferTensors.Where(t => t.IsCount).Select(t => network.Buffers[t.Offset]).ToArray();

    private static bool IsCountIndex(INetwork network, int index) =>
        network.BufferTensors.Any(t => t.IsCount && index >= t.Offset && index < t.Offset + t.Length);

    private static byte[] Save(Trainer<INetwork> trainer)
    {
        var stream = new MemoryStream();
        trainer.SaveCheckpoint(stream);
        return stream.ToArray();
    }

    private static Trainer<INetwork> NewTrainer(string network, string optimizer, ulong seed)
    {
        INetwork net = network == "BnTwice" ? new BnTwice(seed) : new Zoo(seed);
        Optimizer opt = optimizer switch
        {
            "adam" => new Adam(learningRate: 3e-3f),
            "adamw" => new AdamW(learningRate: 3e-3f),
            "rmsprop" => new RmsProp(learningRate: 1e-3f, momentum: 0.5f, centered: true),
            "adagrad" => new AdaGrad(learningRate: 1e-2f),
            _ => new Sgd(0.05f, momentum: 0.9f),
        };
        return new Trainer<INetwork>(net, opt, Loss.SoftmaxCrossEntropy, seed);
    }

    private static (float[] X, float[] Labels) Data(int samples)
    {
        var rng = new Rng(17);
        var x = new float[samples * 6];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        var labels = new float[samples];
        for (int s = 0; s < samples; s++)
        {
            labels[s] = s % 2;
        }

        return (x, labels);
    }
}
