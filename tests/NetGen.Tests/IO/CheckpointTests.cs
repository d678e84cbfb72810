using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.IO;

/// <summary>
/// Checkpoints: a run stopped anywhere and resumed from its checkpoint ends bit for bit where the run that never
/// stopped ends; a checkpoint that does not fit is refused with <see cref="WeightFormatException"/> and changes
/// nothing.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private const int Epochs = 4;
    private const int BatchSize = 10;
    private const int Samples = 95; // 10 batches, the last one of 5

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netgen-ckpt-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static IEnumerable<object[]> Cases()
    {
        foreach (string optimizer in new[] { "adam", "sgd-momentum" })
        {
            // BnTwice: batch norm's running statistics are buffers the checkpoint must carry too.
            foreach (string network in new[] { "Zoo", "Sequence", "BnTwice" })
            {
                yield return [network, optimizer, 0, 0];   // before the first step
                yield return [network, optimizer, 2, 3];   // part-way through epoch 2
                yield return [network, optimizer, 1, 10];  // after epoch 1's last batch, before its validation
                yield return [network, optimizer, 3, 0];   // between epochs, after Fit returned
            }
        }
    }

    /// <summary>
    /// Train <see cref="Epochs"/> epochs with dropout and validation; separately, train to the point
    /// (<paramref name="epoch"/>, <paramref name="batch"/>), checkpoint, abandon that trainer, and resume from
    /// the file with a network, optimizer and trainer built with other seeds. Final parameters, optimizer state
    /// and the resumed epochs' results are identical.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Resumed_training_equals_uninterrupted_training_bit_for_bit(string network, string optimizer, int epoch, int batch)
    {
        (Dataset train, Dataset validation) = Data(network);
        Trainer<INetwork> reference = NewTrainer(network, optimizer, seed: 11);
        IReadOnlyList<EpochResult> expected = reference.Fit(train, Epochs, BatchSize, validation);

        string path = Path.Combine(_directory, "run.ckpt");
        Trainer<INetwork> first = NewTrainer(network, optimizer, seed: 11);
        if (epoch > 0 && batch == 0)
        {
            first.Fit(train, epoch, BatchSize, validation);
            first.SaveCheckpoint(path);
        }
        else if (epoch == 0)
        {
            first.SaveCheckpoint(path);
        }
        else
        {
            // Stop the run from the progress callback, as a crash right after the save would.
            Assert.Throws<StopTraining>(() => first.Fit(train, Epochs, BatchSize, validation, p =>
            {
                if (p.Epoch == epoch && p.Batch == batch)
                {
                    first.SaveCheckpoint(path);
                    throw new StopTraining();
                }
            }));
        }

        Trainer<INetwork> resumed = NewTrainer(network, optimizer, seed: 99);
        resumed.LoadCheckpoint(path);
        Assert.Equal(epoch - (batch > 0 ? 1 : 0), resumed.CompletedEpochs);
        Assert.Equal(batch, resumed.BatchesIntoEpoch);
        IReadOnlyList<EpochResult> rest = resumed.Fit(train, Epochs - resumed.CompletedEpochs, BatchSize, validation);

        Assert.Equal(Bits(reference.Network.Parameters), Bits(resumed.Network.Parameters));
        Assert.Equal(Bits(reference.Network.Buffers), Bits(resumed.Network.Buffers));
        Assert.Equal(Bits(reference.Optimizer.GetState()), Bits(resumed.Optimizer.GetState()));
        Assert.Equal(reference.Optimizer.StepCount, resumed.Optimizer.StepCount);
        Assert.Equal(reference.StepCount, resumed.StepCount);
        Assert.Equal(Epochs, resumed.CompletedEpochs);
        Assert.Equal(expected.Skip(expected.Count - rest.Count).Select(Comparable), rest.Select(Comparable));
    }

    [Fact]
    public void A_cancelled_fit_continues_its_epoch_on_the_next_call()
    {
        (Dataset train, _) = Data("Zoo");
        Trainer<INetwork> reference = NewTrainer("Zoo", "adam", seed: 3);
        reference.Fit(train, 2, BatchSize);

        Trainer<INetwork> stopped = NewTrainer("Zoo", "adam", seed: 3);
        using var cancel = new System.Threading.CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => stopped.Fit(train, 2, BatchSize, progress: p =>
        {
            if (p.Epoch == 1 && p.Batch == 4)
            {
                cancel.Cancel();
            }
        }, cancellationToken: cancel.Token));
        Assert.Equal(4, stopped.BatchesIntoEpoch);
        stopped.Fit(train, 2, BatchSize);

        Assert.Equal(Bits(reference.Network.Parameters), Bits(stopped.Network.Parameters));
    }

    [Fact]
    public void Finishing_an_epoch_needs_the_batch_size_and_data_size_it_began_with()
    {
        (Dataset train, _) = Data("Zoo");
        string path = Path.Combine(_directory, "mid.ckpt");
        Trainer<INetwork> first = NewTrainer("Zoo", "adam", seed: 3);
        Assert.Throws<StopTraining>(() => first.Fit(train, 1, BatchSize, progress: p =>
        {
            first.SaveCheckpoint(path);
            throw new StopTraining();
        }));

        Trainer<INetwork> resumed = NewTrainer("Zoo", "adam", seed: 3);
        resumed.LoadCheckpoint(path);
        ArgumentException error = Assert.Throws<ArgumentException>(() => resumed.Fit(train, 1, BatchSize + 1));
        Assert.Equal("batchSize", error.ParamName);
        Assert.Contains("1 batches of 10 from 95 samples", error.Message);
    }

    [Fact]
    public void A_checkpoint_is_a_safetensors_file_whose_parameters_load_as_weights()
    {
        (Dataset train, _) = Data("Zoo");
        Trainer<INetwork> trainer = NewTrainer("Zoo", "adam", seed: 5);
        trainer.Fit(train, 1, BatchSize);
        string path = Path.Combine(_directory, "zoo.ckpt");
        trainer.SaveCheckpoint(path);

        INetwork weights = new Zoo(seed: 77);
        weights.Load(path, strict: false); // the optimizer's tensors are extra
        Assert.Equal(Bits(trainer.Network.Parameters), Bits(weights.Parameters));

        var error = Assert.Throws<WeightFormatException>(() => new Zoo(seed: 77).Load(path));
        Assert.Contains("optimizer.exp_avg", error.Message);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));
    }

    [Fact]
    public void Refusals_say_what_does_not_fit_and_change_nothing()
    {
        (Dataset train, _) = Data("Zoo");
        Trainer<INetwork> source = NewTrainer("Zoo", "adam", seed: 5);
        source.Fit(train, 1, BatchSize);
        string checkpoint = Path.Combine(_directory, "zoo.ckpt");
        source.SaveCheckpoint(checkpoint);
        string weightsOnly = Path.Combine(_directory, "zoo.safetensors");
        source.Network.Save(weightsOnly);

        AssertRefused(NewTrainer("Zoo", "sgd-momentum", seed: 1), checkpoint, "optimizer Adam; this trainer's is Sgd");
        AssertRefused(new Trainer<INetwork>(new Zoo(seed: 1), new Adam(beta2: 0.99f), Loss.MeanSquaredError), checkpoint, "beta2 0.999, this trainer's optimizer 0.99");
        AssertRefused(NewTrainer("Sequence", "adam", seed: 1), checkpoint, "parameters; the network has");
        AssertRefused(NewTrainer("Zoo", "adam", seed: 1), weightsOnly, "not a NetGen checkpoint");
    }

    [Fact]
    public void Loading_restores_the_learning_rate_a_scheduler_had_set()
    {
        Trainer<INetwork> source = NewTrainer("Zoo", "adam", seed: 5);
        source.Optimizer.LearningRate = 1.2345e-4f;
        string path = Path.Combine(_directory, "lr.ckpt");
        source.SaveCheckpoint(path);

        Trainer<INetwork> target = NewTrainer("Zoo", "adam", seed: 6);
        target.LoadCheckpoint(path);
        Assert.Equal(1.2345e-4f, target.Optimizer.LearningRate);
        Assert.Equal(0, target.Optimizer.StepCount);
        Assert.True(target.Optimizer.GetState().IsEmpty);
    }

    /// <summary>
    /// Thousands of mutated checkpoints (<see cref="FileMutator"/>, whose structural and metadata mutations
    /// reach the checkpoint's own checks): each loads or throws <see cref="WeightFormatException"/>, and after a
    /// failure the network, the optimizer and the trainer are exactly as they were, checked by saving a
    /// checkpoint before and after and comparing the bytes.
    /// </summary>
    [Fact]
    public void Fuzzed_checkpoints_load_or_throw_weight_format_exception_and_failures_change_nothing()
    {
        const int Cases = 3000;
        (Dataset train, _) = Data("Zoo");
        Trainer<INetwork> source = NewTrainer("Zoo", "adam", seed: 5);
        Assert.Throws<StopTraining>(() => source.Fit(train, 2, BatchSize, progress: p =>
        {
            if (p.Epoch == 2 && p.Batch == 3)
            {
                throw new StopTraining();
            }
        }));
        byte[] valid = Save(source);

        Trainer<INetwork> target = NewTrainer("Zoo", "adam", seed: 6);
        target.Fit(train, 1, BatchSize);
        byte[] original = Save(target);

        var random = new Random(5);
        int loaded = 0, rejected = 0;
        for (int i = 0; i < Cases; i++)
        {
            byte[] file = FileMutator.Mutate(valid, random, i % FileMutator.Kinds);
            try
            {
                target.LoadCheckpoint(i % 2 == 0 ? new MemoryStream(file) : new TrickleStream(file));
                loaded++;
                target.LoadCheckpoint(new MemoryStream(original)); // back to the same start for the next case
            }
            catch (WeightFormatException)
            {
                rejected++;
                Assert.Equal(original, Save(target));
            }
        }

        Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} mutations were rejected");
        Assert.True(loaded > 10, $"only {loaded} of {Cases} mutations loaded");
    }

    private static void AssertRefused(Trainer<INetwork> trainer, string path, string message)
    {
        byte[] before = Save(trainer);
        var error = Assert.Throws<WeightFormatException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains(message, error.Message);
        Assert.Equal(before, Save(trainer));
    }

    private static byte[] Save(Trainer<INetwork> trainer)
    {
        var stream = new MemoryStream();
        trainer.SaveCheckpoint(stream);
        return stream.ToArray();
    }

    private static Trainer<INetwork> NewTrainer(string network, string optimizer, ulong seed)
    {
        INetwork net = network switch
        {
            "Zoo" => new Zoo(seed),
            "BnTwice" => new BnTwice(seed),
            _ => new Sequence(seed),
        };
        Optimizer opt = optimizer == "adam" ? new Adam(learningRate: 3e-3f) : new Sgd(0.05f, momentum: 0.9f);
        Loss loss = network == "Zoo" ? Loss.MeanSquaredError : Loss.SoftmaxCrossEntropy;
        return new Trainer<INetwork>(net, opt, loss, seed);
    }

    /// <summary>Random inputs and targets from a fixed stream: one-hot for Zoo (MSE on its softmax), labels for Sequence.</summary>
    private static (Dataset Train, Dataset Validation) Data(string network)
    {
        var rng = new Rng(2024);
        Dataset Make(int count)
        {
            int inputs = network switch { "Zoo" => 13, "BnTwice" => 6, _ => 15 };
            int classes = network switch { "Zoo" => 4, "BnTwice" => 2, _ => 3 };
            var x = new float[count * inputs];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = rng.NextGaussian();
            }

            if (network == "Zoo")
            {
                var y = new float[count * classes];
                for (int s = 0; s < count; s++)
                {
                    y[(s * classes) + rng.NextInt(classes)] = 1f;
                }

                return new Dataset(x, inputs, y, classes);
            }

            var labels = new float[count];
            for (int s = 0; s < count; s++)
            {
                labels[s] = rng.NextInt(classes);
            }

            return new Dataset(x, inputs, labels, 1);
        }

        return (Make(Samples), Make(300)); // validation above 256 samples grows the workspace
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }

    private static (int, float, float, Evaluation?) Comparable(EpochResult r) => (r.Epoch, r.Loss, r.Accuracy, r.Validation);

    private sealed class StopTraining : Exception
    {
    }
}
