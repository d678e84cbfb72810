using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>
/// Every pass of a training step that the trainer splits across threads gives the same bits on 1, 2 and 3 threads: each pass
/// on its own (the optimizers' updates, clearing and scaling the gradients, their norm, the loss by sample), then whole steps
/// of Fit (with the batch gather) on an MLP and on LeNet-5 with every optimizer and clipping on; and a step allocates nothing.
/// </summary>
public sealed class ThreadedStepTests
{
    // Past every threshold (TrainingKernels.MinFloatsForThreads), with a tail that is not a multiple of the grain or of a lane.
    private const int Floats = 3 * TrainingKernels.MinFloatsForThreads + TrainingKernels.Grain + 13;

    private static readonly int[] ThreadCounts = { 1, 2, 3 };

    public static IEnumerable<object[]> OptimizerNames() =>
        new[] { "sgd", "sgd-nesterov-decay", "adam", "adam-decay", "adamw", "rmsprop", "rmsprop-centered-momentum", "adagrad" }
            .Select(name => new object[] { name });

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.05f, momentum: 0.9f),
        "sgd-nesterov-decay" => new Sgd(0.05f, momentum: 0.9f, weightDecay: 1e-3f, nesterov: true),
        "adam" => new Adam(1e-3f),
        "adam-decay" => new Adam(1e-3f, weightDecay: 1e-2f),
        "adamw" => new AdamW(1e-3f),
        "rmsprop" => new RmsProp(1e-3f),
        "rmsprop-centered-momentum" => new RmsProp(1e-3f, momentum: 0.9f, centered: true, weightDecay: 1e-3f),
        "adagrad" => new AdaGrad(1e-2f, learningRateDecay: 1e-3f, initialAccumulatorValue: 0.1f),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void The_optimizers_update_gives_the_same_bits_on_every_thread_count(string name)
    {
        float[] start = Gaussian(Floats, seed: 1);
        (int[] Parameters, int[] State) Run(int threads)
        {
            Optimizer optimizer = Create(name);
            float[] parameters = (float[])start.Clone();
            for (int step = 0; step < 3; step++)
            {
                optimizer.Step(parameters, Gaussian(Floats, seed: 10 + (ulong)step), threads);
            }

            return (Bits(parameters), Bits(optimizer.GetState()));
        }

        (int[] p1, int[] s1) = Run(1);
        Assert.NotEqual(Bits(start), p1);
        foreach (int threads in ThreadCounts.Skip(1))
        {
            (int[] p, int[] s) = Run(threads);
            Assert.Equal(p1, p);
            Assert.Equal(s1, s);
        }

        // The two-argument overload is the one-thread update.
        Optimizer single = Create(name);
        float[] same = (float[])start.Clone();
        for (int step = 0; step < 3; step++)
        {
            single.Step(same, Gaussian(Floats, seed: 10 + (ulong)step));
        }

        Assert.Equal(p1, Bits(same));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(name).Step(new float[4], new float[4], 0));
    }

    [Fact]
    public void Clearing_and_scaling_the_gradients_give_the_same_bits_on_every_thread_count()
    {
        float[] values = Gaussian(Floats, seed: 2);
        float[] expected = values.Select(v => v * 0.37f).ToArray();
        foreach (int threads in ThreadCounts)
        {
            float[] scaled = (float[])values.Clone();
            TrainingKernels.Scale(scaled, 0.37f, threads);
            Assert.Equal(Bits(expected), Bits(scaled));
            TrainingKernels.Clear(scaled, threads);
            Assert.All(scaled, v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v)));
        }
    }

    [Fact]
    public void The_gradient_norm_adds_fixed_chunks_in_order_on_every_thread_count()
    {
        // Chunks of unlike sizes, so that adding their sums in another order would round differently.
        float[] values = Gaussian(Floats, seed: 3);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= 1f + (i / TrainingKernels.ReductionChunk % 7 * 13.7f);
        }

        var partials = new float[TrainingKernels.ChunkCount(values.Length)];

        // What the chunks must add up to, chunk by chunk, each chunk's sum in double (rounding differs from the float sums,
        // so this checks the value; the bits are checked across thread counts).
        double reference = 0;
        for (int c = 0; c < partials.Length; c++)
        {
            double chunk = 0;
            for (int i = c * TrainingKernels.ReductionChunk; i < Math.Min(values.Length, (c + 1) * TrainingKernels.ReductionChunk); i++)
            {
                chunk += (double)values[i] * values[i];
            }

            reference += chunk;
        }

        float squares = TrainingKernels.SumOfSquares(values, 1, default);
        float one = GradientClipping.GlobalNorm(values, 1, default);
        Assert.Equal(BitConverter.SingleToInt32Bits(MathF.Sqrt(squares)), BitConverter.SingleToInt32Bits(one));
        Assert.Equal(Math.Sqrt(reference), one, 1e-6 * Math.Sqrt(reference));
        foreach (int threads in ThreadCounts)
        {
            Array.Fill(partials, float.NaN);
            Assert.Equal(BitConverter.SingleToInt32Bits(squares), BitConverter.SingleToInt32Bits(TrainingKernels.SumOfSquares(values, threads, partials)));
            Assert.Equal(BitConverter.SingleToInt32Bits(one), BitConverter.SingleToInt32Bits(GradientClipping.GlobalNorm(values, threads, partials)));

            // Clipping on threads: the public one-thread clip's norm and gradients, bit for bit.
            float[] clipped = (float[])values.Clone();
            float[] publicClip = (float[])values.Clone();
            float norm = GradientClipping.ClipByGlobalNorm(clipped, 1f, threads, partials);
            Assert.Equal(BitConverter.SingleToInt32Bits(GradientClipping.ClipByGlobalNorm(publicClip, 1f)), BitConverter.SingleToInt32Bits(norm));
            Assert.Equal(Bits(publicClip), Bits(clipped));
        }
    }

    [Fact]
    public void Softmax_cross_entropy_by_sample_gives_the_bits_of_Compute_and_CountCorrect_on_every_thread_count()
    {
        const int batch = 67, classes = 11;
        float[] outputs = Gaussian(batch * classes, seed: 4);
        float[] targets = Enumerable.Range(0, batch).Select(i => (float)((i * 7) % classes)).ToArray();
        var expectedGradients = new float[outputs.Length];
        SoftmaxCrossEntropyLoss loss = Loss.SoftmaxCrossEntropy;
        float expected = loss.Compute(outputs, targets, expectedGradients, batch);
        int expectedCorrect = loss.CountCorrect(outputs, targets, batch);
        Assert.InRange(expectedCorrect, 1, batch - 1);
        foreach (int threads in ThreadCounts)
        {
            var gradients = new float[outputs.Length];
            var scratch = new double[loss.TrainingScratchLength(batch)];
            float value = loss.ComputeForTraining(outputs, targets, gradients, batch, threads, scratch, out int correct);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(value));
            Assert.Equal(expectedCorrect, correct);
            Assert.Equal(Bits(expectedGradients), Bits(gradients));
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Fit_on_an_mlp_with_clipping_gives_the_same_bits_on_one_two_and_three_threads(string name) =>
        AssertFitMatches(name, seed => new Mlp(seed), Mlp.InputLength, Mlp.OutputLength, samples: 200);

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop-centered-momentum")]
    [InlineData("adagrad")]
    public void Fit_on_lenet_with_clipping_gives_the_same_bits_on_one_two_and_three_threads(string name) =>
        AssertFitMatches(name, seed => new LeNet5(seed), LeNet5.InputLength, LeNet5.OutputLength, samples: 136);

    [Fact]
    public void A_step_on_two_threads_allocates_nothing_after_warm_up()
    {
        foreach (string name in new[] { "sgd", "adam", "rmsprop-centered-momentum", "adagrad" })
        {
            var trainer = new Trainer<Mlp>(new Mlp(1), Create(name), Loss.SoftmaxCrossEntropy, seed: 2) { Threads = 2, ClipGradientNorm = 0.5f };
            float[] x = Gaussian(64 * Mlp.InputLength, seed: 5);
            float[] y = Enumerable.Range(0, 64).Select(i => (float)(i % Mlp.OutputLength)).ToArray();
            AllocationAssert.Zero(() => trainer.TrainStep(x, y));
        }

        var lenet = new Trainer<LeNet5>(new LeNet5(1), new Adam(1e-3f), Loss.SoftmaxCrossEntropy, seed: 2) { Threads = 2, ClipGradientNorm = 0.5f };
        float[] images = Gaussian(64 * LeNet5.InputLength, seed: 6);
        float[] labels = Enumerable.Range(0, 64).Select(i => (float)(i % LeNet5.OutputLength)).ToArray();
        AllocationAssert.Zero(() => lenet.TrainStep(images, labels), warmup: 10, repeats: 2);
    }

    [Fact]
    public void Fit_on_two_threads_allocates_the_same_for_two_batches_as_for_eight()
    {
        // Per epoch Fit allocates its results; per batch (the gather and the step) nothing.
        Dataset data = Classification(8 * 64, Mlp.InputLength, Mlp.OutputLength, seed: 7);
        var trainer = new Trainer<Mlp>(new Mlp(1), new Adam(1e-3f), Loss.SoftmaxCrossEntropy, seed: 2) { Threads = 2, ClipGradientNorm = 0.5f };
        long Allocated(Dataset train)
        {
            long least = long.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                trainer.Fit(train, 1, batchSize: 64);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            return least;
        }

        Dataset small = Classification(2 * 64, Mlp.InputLength, Mlp.OutputLength, seed: 8);
        for (int i = 0; i < 20; i++)
        {
            trainer.Fit(data, 1, batchSize: 64);
            trainer.Fit(small, 1, batchSize: 64);
        }

        Assert.Equal(Allocated(small), Allocated(data));
    }

    private static void AssertFitMatches<T>(string name, Func<ulong, T> create, int inputLength, int outputLength, int samples)
        where T : INetwork
    {
        Dataset data = Classification(samples, inputLength, outputLength, seed: 9);
        (int[] Parameters, int[] State, float[] Losses) Run(int threads)
        {
            var trainer = new Trainer<T>(create(3), Create(name), Loss.SoftmaxCrossEntropy, seed: 4) { Threads = threads, ClipGradientNorm = 0.25f };
            FitResult result = trainer.Fit(data, new TrainingOptions { Epochs = 2, BatchSize = 64 });
            Assert.Equal(0, trainer.SkippedSteps);
            return (Bits(trainer.Network.Parameters), Bits(trainer.Optimizer.GetState()), result.Epochs.Select(e => e.Loss).ToArray());
        }

        (int[] p1, int[] s1, float[] l1) = Run(1);
        foreach (int threads in ThreadCounts.Skip(1))
        {
            (int[] p, int[] s, float[] l) = Run(threads);
            Assert.Equal(p1, p);
            Assert.Equal(s1, s);
            Assert.Equal(l1, l);
        }
    }

    private static Dataset Classification(int samples, int inputLength, int classes, ulong seed)
    {
        float[] x = Gaussian(samples * inputLength, seed);
        var y = new float[samples];
        var rng = new Rng(seed + 100);
        for (int i = 0; i < samples; i++)
        {
            y[i] = rng.NextInt(classes);
        }

        return new Dataset(x, inputLength, y, 1);
    }

    private static float[] Gaussian(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = rng.NextGaussian();
        }

        return values;
    }
}
