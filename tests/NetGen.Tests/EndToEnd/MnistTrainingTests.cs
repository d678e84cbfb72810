using System;
using NetGen.Tests.Data;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>The trainer on the real digits: it learns, it is reproducible, and a step allocates nothing.</summary>
public class MnistTrainingTests
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> s_mnist = new(() => (
        Idx.LoadMnist(TestDataPaths.Mnist("train-images-idx3-ubyte"), TestDataPaths.Mnist("train-labels-idx1-ubyte")),
        Idx.LoadMnist(TestDataPaths.Mnist("t10k-images-idx3-ubyte"), TestDataPaths.Mnist("t10k-labels-idx1-ubyte"))));

    [Fact]
    public void Two_epochs_of_Adam_reach_over_92_percent_on_the_held_out_digits()
    {
        (Dataset train, Dataset test) = s_mnist.Value;
        var net = new Mlp(seed: 0);
        var trainer = new Trainer<Mlp>(net, new Adam(1e-3f), Loss.SoftmaxCrossEntropy, seed: 0);
        Evaluation before = trainer.Evaluate(test);

        var epochs = trainer.Fit(train, epochs: 2, batchSize: 64, validation: test);

        Evaluation after = trainer.Evaluate(test);
        Assert.InRange(before.Accuracy, 0f, 0.3f);
        Assert.True(after.Accuracy > 0.92f, $"test accuracy {after.Accuracy:P2}");
        Assert.True(epochs[1].Loss < epochs[0].Loss, "the training loss falls from epoch 1 to 2");
        Assert.Equal(after, epochs[1].Validation);
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_weights_and_another_seed_does_not()
    {
        Dataset subset = Subset(s_mnist.Value.Train, 640);
        float[] first = TrainWithDropout(subset, seed: 7);
        float[] again = TrainWithDropout(subset, seed: 7);
        float[] other = TrainWithDropout(subset, seed: 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_training_step_allocates_nothing_after_warm_up()
    {
        Dataset data = Subset(s_mnist.Value.Train, 64);
        var trainer = new Trainer<Mlp>(new Mlp(), new Adam(), Loss.SoftmaxCrossEntropy) { ClipGradientNorm = 5f };
        trainer.TrainStep(data.Inputs, data.Targets);
        trainer.TrainStep(data.Inputs, data.Targets);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            trainer.TrainStep(data.Inputs, data.Targets);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Fit_rejects_data_of_the_wrong_shape_with_the_sizes_in_the_message()
    {
        var trainer = new Trainer<Mlp>(new Mlp(), new Sgd(0.1f), Loss.SoftmaxCrossEntropy);
        var wrong = new Dataset(new float[3 * 10], 10, new float[3], 1);
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(wrong, epochs: 1, batchSize: 2));
        Assert.Contains("784", error.Message);
        Assert.Contains("10", error.Message);
    }

    private static float[] TrainWithDropout(Dataset data, ulong seed)
    {
        var net = new Zoo(seed);
        var small = new Dataset(Project(data, 13), 13, OneHot(data, 4), 4);
        var trainer = new Trainer<Zoo>(net, new Sgd(0.05f, momentum: 0.9f), Loss.MeanSquaredError, seed);
        trainer.Fit(small, epochs: 2, batchSize: 32);
        return net.Parameters.ToArray();
    }

    /// <summary>The first 13 pixels' worth of each digit, summed in blocks, so the tiny Zoo network gets real inputs.</summary>
    private static float[] Project(Dataset data, int features)
    {
        float[] result = new float[data.Count * features];
        for (int s = 0; s < data.Count; s++)
        {
            ReadOnlySpan<float> image = data.Input(s);
            for (int i = 0; i < image.Length; i++)
            {
                result[s * features + i % features] += image[i] / 60f;
            }
        }

        return result;
    }

    private static float[] OneHot(Dataset data, int classes)
    {
        float[] targets = new float[data.Count * classes];
        for (int s = 0; s < data.Count; s++)
        {
            targets[s * classes + (int)data.Target(s)[0] % classes] = 1f;
        }

        return targets;
    }

    private static Dataset Subset(Dataset data, int count)
        => new(data.Inputs[..(count * data.InputLength)].ToArray(), data.InputLength, data.Targets[..(count * data.TargetLength)].ToArray(), data.TargetLength);
}
