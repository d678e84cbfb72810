using System;
using System.Collections.Generic;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>
/// The non-finite guard: a step whose loss or gradient norm is not finite leaves the parameters, the optimizer's
/// state and the buffers (batch norm's running statistics) exactly as they were, and is counted or thrown.
/// </summary>
public sealed class NonFiniteStepTests
{
    private const int Samples = 200;
    private const int BatchSize = 10;

    [Fact]
    public void A_NaN_input_in_the_middle_of_Fit_leaves_the_model_finite()
    {
        Dataset train = BnVectorLabels(Samples, poisoned: 137);
        Trainer<BnVector> trainer = BnVectorTrainer();

        IReadOnlyList<EpochResult> results = trainer.Fit(train, epochs: 2, BatchSize);

        Assert.True(AllFinite(trainer.Network.Parameters), "parameters");
        Assert.True(AllFinite(trainer.Network.Buffers), "buffers");
        Assert.True(AllFinite(trainer.Optimizer.GetState()), "Adam's moments");
        Assert.All(results, r => Assert.True(float.IsFinite(r.Loss), $"epoch {r.Epoch} loss {r.Loss}"));
    }

    [Fact]
    public void A_NaN_batch_in_Fit_is_skipped_counted_and_changes_nothing()
    {
        Dataset train = BnVectorLabels(Samples, poisoned: 137);
        Trainer<BnVector> trainer = BnVectorTrainer();
        var skippedAt = new List<(int Epoch, int Batch)>();
        State previous = Capture(trainer);
        int lastSkipped = 0;

        IReadOnlyList<EpochResult> results = trainer.Fit(train, epochs: 2, BatchSize, progress: p =>
        {
            State now = Capture(trainer);
            if (p.Batch == 1)
            {
                lastSkipped = 0;
            }

            if (p.SkippedSteps > lastSkipped)
            {
                // The batch holding sample 137: parameters, running statistics, Adam's moments and step count as
                // they were after the batch before it, bit for bit.
                skippedAt.Add((p.Epoch, p.Batch));
                Assert.True(previous.SameAs(now), $"epoch {p.Epoch} batch {p.Batch} moved something");
            }
            else
            {
                Assert.False(previous.SameAs(now), $"epoch {p.Epoch} batch {p.Batch} was not applied");
            }

            Assert.True(float.IsFinite(p.Loss));
            lastSkipped = p.SkippedSteps;
            previous = now;
        });

        Assert.Equal(2, skippedAt.Count);
        Assert.Equal([1, 2], skippedAt.ConvertAll(s => s.Epoch));
        Assert.All(results, r => Assert.Equal(1, r.SkippedSteps));
        Assert.All(results, r => Assert.True(float.IsFinite(r.Loss) && float.IsFinite(r.Accuracy)));
        Assert.Equal(2, trainer.SkippedSteps);
        Assert.Equal(38, trainer.StepCount);
        Assert.Equal(38, trainer.Optimizer.StepCount);
        Assert.Equal(2, trainer.CompletedEpochs);
        Assert.True(AllFinite(trainer.Network.Parameters) && AllFinite(trainer.Network.Buffers) && AllFinite(trainer.Optimizer.GetState()));
    }

    [Fact]
    public void The_epoch_loss_and_accuracy_are_over_the_applied_batch_only()
    {
        // Two batches of 10, one of them holding the NaN sample: the epoch's means are the applied batch's. Every
        // position of the NaN sample is tried, so both the first and the second batch are the skipped one.
        var skippedBatches = new HashSet<int>();
        for (int poisoned = 0; poisoned < 20; poisoned++)
        {
            Dataset train = BnVectorLabels(20, poisoned: poisoned);
            Trainer<BnVector> trainer = BnVectorTrainer();
            var seen = new List<TrainingProgress>();

            EpochResult result = trainer.Fit(train, epochs: 1, BatchSize, progress: seen.Add)[0];

            Assert.Equal(1, result.SkippedSteps);
            Assert.Equal(1, seen[1].SkippedSteps);
            int skipped = seen[0].SkippedSteps == 1 ? 0 : 1;
            int applied = 1 - skipped;
            skippedBatches.Add(skipped);
            if (skipped == 0)
            {
                // Every step so far skipped: no mean yet.
                Assert.True(float.IsNaN(seen[0].Loss) && float.IsNaN(seen[0].Accuracy));
            }

            // The applied batch's own mean, not diluted by the skipped batch's samples.
            Assert.True(float.IsFinite(seen[applied].Loss));
            Assert.Equal(seen[applied].Loss, result.Loss);
            Assert.Equal(seen[applied].Accuracy, result.Accuracy);
            Assert.Equal(seen[1].Loss, result.Loss);
            Assert.Equal(1, trainer.StepCount);
        }

        Assert.Equal(2, skippedBatches.Count);
    }

    [Fact]
    public void Throw_policy_throws_naming_the_epoch_batch_and_sample_and_changes_nothing()
    {
        Dataset train = BnVectorLabels(Samples, poisoned: 137);
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.NonFiniteStepPolicy = NonFiniteStepPolicy.Throw;
        trainer.ClipGradientNorm = 1f;
        State previous = Capture(trainer);
        int batchesSeen = 0;

        NonFiniteStepException error = Assert.Throws<NonFiniteStepException>(() => trainer.Fit(train, epochs: 2, BatchSize, progress: p =>
        {
            batchesSeen = p.Batch;
            previous = Capture(trainer);
        }));

        Assert.True(previous.SameAs(Capture(trainer)), "the thrown step moved something");
        Assert.Equal(1, error.Epoch);
        Assert.Equal(batchesSeen + 1, error.Batch);
        Assert.Equal(137, error.Sample);
        Assert.True(float.IsNaN(error.Loss));
        Assert.True(float.IsNaN(error.GradientNorm));
        Assert.True(double.IsNaN(error.OffendingNumber));
        Assert.StartsWith(
            $"Epoch 1, batch {error.Batch} of 20: the loss is NaN, so the step was not applied; the parameters, the optimizer's state and the buffers are as they were before it. " +
            "Sample 137 of the training set has a non-finite input (NaN at position 2).",
            error.Message,
            StringComparison.Ordinal);
        Assert.Equal(0, trainer.SkippedSteps);
        Assert.Equal(batchesSeen, trainer.StepCount);
        Assert.Equal(batchesSeen, trainer.BatchesIntoEpoch);

        // The trainer stands before the bad batch: Skip from here finishes the run, skipping it.
        trainer.NonFiniteStepPolicy = NonFiniteStepPolicy.Skip;
        IReadOnlyList<EpochResult> rest = trainer.Fit(train, epochs: 2, BatchSize);
        Assert.Equal([1, 1], [rest[0].SkippedSteps, rest[1].SkippedSteps]);
    }

    [Fact]
    public void TrainStep_under_Throw_names_the_sample_in_the_batch_and_changes_nothing()
    {
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.NonFiniteStepPolicy = NonFiniteStepPolicy.Throw;
        Dataset good = BnVectorLabels(BatchSize, seed: 1);
        Dataset bad = BnVectorLabels(BatchSize, seed: 2, poisoned: 6, poison: float.PositiveInfinity);
        trainer.TrainStep(good.Inputs, good.Targets);
        State before = Capture(trainer);

        NonFiniteStepException error = Assert.Throws<NonFiniteStepException>(() => trainer.TrainStep(bad.Inputs, bad.Targets));

        Assert.True(before.SameAs(Capture(trainer)));
        Assert.Equal((0, 0, 6), (error.Epoch, error.Batch, error.Sample));
        Assert.StartsWith("TrainStep: the loss is NaN, so the step was not applied;", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sample 6 of the batch has a non-finite input (∞ at position 2).".Replace("∞", float.PositiveInfinity.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
        Assert.Equal(1, trainer.StepCount);
    }

    [Fact]
    public void An_overflowing_loss_with_finite_inputs_is_skipped_and_TrainStep_returns_it()
    {
        var trainer = new Trainer<BnVector>(new BnVector(seed: 3), new Adam(1e-2f), Loss.MeanSquaredError, seed: 5);
        Dataset data = BnVectorLabels(BatchSize, seed: 1);
        var targets = new float[BatchSize * BnVector.OutputLength];
        targets[4] = 3e38f; // (y - t)^2 / N is finite in double but not in float: the mean loss is +infinity
        trainer.TrainStep(data.Inputs, new float[targets.Length]);
        State before = Capture(trainer);

        float loss = trainer.TrainStep(data.Inputs, targets);

        Assert.Equal(float.PositiveInfinity, loss);
        Assert.True(before.SameAs(Capture(trainer)));
        Assert.Equal((1L, 1L), (trainer.StepCount, trainer.SkippedSteps));

        trainer.NonFiniteStepPolicy = NonFiniteStepPolicy.Throw;
        NonFiniteStepException error = Assert.Throws<NonFiniteStepException>(() => trainer.TrainStep(data.Inputs, targets));
        Assert.Equal(-1, error.Sample);
        Assert.Equal(double.PositiveInfinity, error.OffendingNumber);
        Assert.Contains("Every input of the batch is finite", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, trainer.SkippedSteps);
    }

    [Fact]
    public void A_checkpoint_saved_after_a_skipped_step_resumes_bit_for_bit()
    {
        Dataset train = BnVectorLabels(Samples, poisoned: 137);
        Trainer<BnVector> reference = BnVectorTrainer();
        IReadOnlyList<EpochResult> expected = reference.Fit(train, epochs: 2, BatchSize);

        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "netgen-skip-" + Guid.NewGuid().ToString("N") + ".ckpt");
        try
        {
            Trainer<BnVector> first = BnVectorTrainer();
            Assert.Throws<OperationCanceledException>(() => first.Fit(train, epochs: 2, BatchSize, progress: p =>
            {
                if (p.Epoch == 2 && p.SkippedSteps == 1)
                {
                    first.SaveCheckpoint(path); // right after the skipped batch, mid-epoch
                    throw new OperationCanceledException();
                }
            }));

            Trainer<BnVector> resumed = BnVectorTrainer(seed: 99);
            resumed.LoadCheckpoint(path);
            IReadOnlyList<EpochResult> finished = resumed.Fit(train, 2 - resumed.CompletedEpochs, BatchSize);

            // the epoch's report too: the skipped step stays counted, and out of the mean loss and accuracy
            Assert.Equal(expected[^1].SkippedSteps, finished[^1].SkippedSteps);
            Assert.Equal(expected[^1].Loss, finished[^1].Loss);
            Assert.Equal(expected[^1].Accuracy, finished[^1].Accuracy);
            Assert.Equal(reference.SkippedSteps, resumed.SkippedSteps);
            Assert.Equal(Bits(reference.Network.Parameters), Bits(resumed.Network.Parameters));
            Assert.Equal(Bits(reference.Network.Buffers), Bits(resumed.Network.Buffers));
            Assert.Equal(Bits(reference.Optimizer.GetState()), Bits(resumed.Optimizer.GetState()));
            Assert.Equal(reference.StepCount, resumed.StepCount);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void An_unknown_policy_is_refused()
    {
        Trainer<BnVector> trainer = BnVectorTrainer();

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.NonFiniteStepPolicy = (NonFiniteStepPolicy)3);

        Assert.Equal("value", error.ParamName);
        Assert.Equal(NonFiniteStepPolicy.Skip, trainer.NonFiniteStepPolicy);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainStep_allocates_nothing_after_warm_up_applied_or_skipped(bool clip)
    {
        var trainer = new Trainer<BnTwice>(new BnTwice(seed: 3), new Adam(1e-3f), Loss.SoftmaxCrossEntropy, seed: 5)
        {
            ClipGradientNorm = clip ? 0.5f : null,
        };
        var rng = new Rng(8);
        var x = new float[BatchSize * BnTwice.InputLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        var nan = (float[])x.Clone();
        nan[17] = float.NaN;
        var labels = new float[BatchSize];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % BnTwice.OutputLength;
        }

        AllocationAssert.Zero(() =>
        {
            trainer.TrainStep(x, labels);
            trainer.TrainStep(nan, labels);
        });
        Assert.True(trainer.SkippedSteps > 0 && trainer.StepCount == trainer.SkippedSteps);
        Assert.True(AllFinite(trainer.Network.Parameters) && AllFinite(trainer.Network.Buffers));
    }

    public static TheoryData<string> Optimizers => new() { "adam", "adamw", "sgd", "sgd-momentum", "rmsprop-centered-momentum", "adagrad" };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void TrainStep_on_a_NaN_batch_changes_nothing(string optimizer)
    {
        AssertBadBatchChangesNothing(optimizer, float.NaN, clip: null);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void TrainStep_on_a_non_finite_batch_with_clipping_changes_nothing(float poison)
    {
        AssertBadBatchChangesNothing("adam", poison, clip: 1f);
    }

    private static void AssertBadBatchChangesNothing(string optimizer, float poison, float? clip)
    {
        var trainer = new Trainer<BnVector>(new BnVector(seed: 3), NewOptimizer(optimizer), Loss.SoftmaxCrossEntropy, seed: 5)
        {
            ClipGradientNorm = clip,
        };
        Dataset good = BnVectorLabels(BatchSize, seed: 1);
        Dataset bad = BnVectorLabels(BatchSize, seed: 2, poisoned: 4, poison: poison);
        trainer.TrainStep(good.Inputs, good.Targets); // the optimizer's state exists; the next step would move it
        State before = Capture(trainer);

        trainer.TrainStep(bad.Inputs, bad.Targets);

        State after = Capture(trainer);
        Assert.Equal(before.Parameters, after.Parameters);
        Assert.Equal(before.Buffers, after.Buffers);
        Assert.Equal(before.OptimizerState, after.OptimizerState);
        Assert.Equal(before.OptimizerSteps, after.OptimizerSteps);
    }

    private static Optimizer NewOptimizer(string name) => name switch
    {
        "adam" => new Adam(learningRate: 1e-2f, weightDecay: 1e-3f),
        "adamw" => new AdamW(learningRate: 1e-2f),
        "sgd" => new Sgd(0.1f),
        "sgd-momentum" => new Sgd(0.1f, momentum: 0.9f, weightDecay: 1e-3f),
        "rmsprop-centered-momentum" => new RmsProp(momentum: 0.5f, centered: true),
        "adagrad" => new AdaGrad(initialAccumulatorValue: 0.1f),
        _ => throw new ArgumentException(name, nameof(name)),
    };
}
