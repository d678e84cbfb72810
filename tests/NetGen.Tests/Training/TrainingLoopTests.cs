using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>Fit with options: a callback after every epoch, cancellation, stopping on a non-finite step, threads, the split, Info.</summary>
public sealed class TrainingLoopTests
{
    [Fact]
    public void EpochEnded_runs_after_every_epoch_before_Fit_returns_with_the_epochs_result()
    {
        Dataset train = BnVectorLabels(40);
        Dataset validation = BnVectorLabels(12, seed: 3);
        Trainer<BnVector> trainer = BnVectorTrainer();
        var reports = new List<(EpochResult Epoch, int HistoryCount, long Steps)>();
        FitResult result = trainer.Fit(train, new TrainingOptions
        {
            Epochs = 3,
            BatchSize = 16,
            Validation = validation,
            EpochEnded = new SynchronousProgress<EpochResult>(e => reports.Add((e, trainer.History.Count, trainer.StepCount))),
        });

        Assert.Equal(StopReason.Completed, result.StopReason);
        Assert.Equal(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch.Epoch));
        Assert.Equal(new[] { 1, 2, 3 }, reports.Select(r => r.HistoryCount)); // told as each epoch ends, not at the end
        Assert.Equal(new long[] { 3, 6, 9 }, reports.Select(r => r.Steps));
        Assert.Equal(result.Epochs, reports.Select(r => r.Epoch));
        Assert.Equal(result.Epochs, trainer.History.Epochs);
        Assert.Equal(result.Epochs.Select(e => e.Validation!.Value.Loss), trainer.History.Series(TrainingMetric.ValidationLoss));
        Assert.Equal(new[] { 1, 2, 3 }, trainer.History.EpochNumbers());
        Assert.All(result.Epochs, e => Assert.Equal(validation.Count, e.Validation!.Value.Confusion!.Total));
    }

    [Fact]
    public void The_options_overload_gives_the_same_run_as_the_list_overload()
    {
        Dataset train = BnVectorLabels(40);
        Dataset validation = BnVectorLabels(12, seed: 3);
        Trainer<BnVector> a = BnVectorTrainer();
        Trainer<BnVector> b = BnVectorTrainer();
        IReadOnlyList<EpochResult> list = a.Fit(train, 3, 16, validation);
        FitResult result = b.Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 16, Validation = validation });
        Assert.True(Capture(a).SameAs(Capture(b)));
        Assert.Equal(list.Select(e => (e.Loss, e.Accuracy, e.Validation!.Value.Loss)), result.Epochs.Select(e => (e.Loss, e.Accuracy, e.Validation!.Value.Loss)));
    }

    [Fact]
    public void Cancellation_stops_between_batches_and_the_next_Fit_continues_bit_for_bit()
    {
        Dataset train = BnVectorLabels(50);
        Trainer<BnVector> whole = BnVectorTrainer();
        whole.Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 8 });

        Trainer<BnVector> cut = BnVectorTrainer();
        using var cancel = new CancellationTokenSource();
        var options = new TrainingOptions
        {
            Epochs = 3,
            BatchSize = 8,
            BatchEnded = new Inline<TrainingProgress>(p =>
            {
                if (p.Epoch == 2 && p.Batch == 4)
                {
                    cancel.Cancel();
                }
            }),
        };
        Assert.Throws<OperationCanceledException>(() => cut.Fit(train, options, cancel.Token));
        Assert.Equal((1, 4, 11L), (cut.CompletedEpochs, cut.BatchesIntoEpoch, cut.StepCount)); // 7 batches of epoch 1, 4 of epoch 2
        Assert.Single(cut.History.Epochs);

        FitResult rest = cut.Fit(train, new TrainingOptions { Epochs = 2, BatchSize = 8 });
        Assert.Equal(new[] { 2, 3 }, rest.Epochs.Select(e => e.Epoch));
        Assert.True(Capture(whole).SameAs(Capture(cut)));
        Assert.Equal(whole.History.Series(TrainingMetric.Loss), cut.History.Series(TrainingMetric.Loss));
    }

    [Fact]
    public void NonFiniteStepPolicy_Stop_ends_Fit_with_a_result_that_says_why_and_the_trainer_before_the_bad_batch()
    {
        Dataset train = BnVectorLabels(30, poisoned: 17);
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.NonFiniteStepPolicy = NonFiniteStepPolicy.Stop;
        FitResult result = trainer.Fit(train, new TrainingOptions { Epochs = 5, BatchSize = 10 });

        Assert.Equal(StopReason.NonFiniteStep, result.StopReason);
        Assert.Empty(result.Epochs);
        NonFiniteStepException why = result.NonFiniteStep!;
        Assert.Equal(1, why.Epoch);
        Assert.Equal(17, why.Sample);
        Assert.StartsWith($"Epoch 1, batch {why.Batch} of 3: the loss is NaN, so the step was not applied;", why.Message, StringComparison.Ordinal);
        Assert.Equal(why.Batch - 1, trainer.BatchesIntoEpoch);
        Assert.Equal(why.Batch - 1, trainer.StepCount);
        Assert.Equal(0, trainer.SkippedSteps);
        Assert.True(AllFinite(trainer.Network.Parameters));

        // The list overload has no room for the reason: it throws, as TrainStep does.
        Assert.Throws<NonFiniteStepException>(() => trainer.Fit(train, 1, batchSize: 10));
        float[] bad = new float[BnVector.InputLength];
        bad[0] = float.NaN;
        Assert.Throws<NonFiniteStepException>(() => trainer.TrainStep(bad, [0f]));
    }

    [Fact]
    public void Training_on_two_threads_is_bit_identical_run_to_run_and_to_one_thread()
    {
        var rng = new Rng(11);
        var x = new float[256 * WideClassifier.InputLength];
        var y = new float[256];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = rng.NextInt(WideClassifier.OutputLength);
        }

        var data = new Dataset(x, WideClassifier.InputLength, y, 1);
        (int[] Parameters, float[] Losses) Run(int threads)
        {
            var trainer = new Trainer<WideClassifier>(new WideClassifier(4), new Adam(1e-3f), Loss.SoftmaxCrossEntropy, seed: 5) { Threads = threads };
            FitResult r = trainer.Fit(data, new TrainingOptions { Epochs = 2, BatchSize = 64, Validation = data });
            Assert.Equal(threads, trainer.Threads);
            return (Bits(trainer.Network.Parameters), r.Epochs.SelectMany(e => new[] { e.Loss, e.Validation!.Value.Loss }).ToArray());
        }

        (int[] p2a, float[] l2a) = Run(2);
        (int[] p2b, float[] l2b) = Run(2);
        (int[] p1, float[] l1) = Run(1);
        Assert.Equal(p2a, p2b);
        Assert.Equal(l2a, l2b);
        Assert.Equal(p1, p2a);
        Assert.Equal(l1, l2a);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => BnVectorTrainer().Threads = 0).ParamName);
    }

    [Fact]
    public void Threads_set_after_the_workspace_exists_reaches_it()
    {
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.Fit(BnVectorLabels(20), 1, batchSize: 10);
        trainer.Threads = 2;
        trainer.Fit(BnVectorLabels(20), 1, batchSize: 10);
        Assert.Equal(2, trainer.Threads);
    }

    [Fact]
    public void Split_is_deterministic_disjoint_and_keeps_the_original_order()
    {
        var inputs = Enumerable.Range(0, 20).Select(i => (float)i).ToArray();
        var targets = Enumerable.Range(0, 10).Select(i => (float)(i % 3)).ToArray();
        var data = new Dataset(inputs, 2, targets, 1);
        (Dataset train, Dataset validation) = data.Split(0.25, seed: 4);
        (Dataset train2, Dataset validation2) = data.Split(0.25, seed: 4);
        (_, Dataset other) = data.Split(0.25, seed: 5);

        Assert.Equal(3, validation.Count); // ⌈0.25 × 10⌉
        Assert.Equal(7, train.Count);
        int[] Samples(Dataset d) => Enumerable.Range(0, d.Count).Select(i => (int)d.Input(i)[0] / 2).ToArray();
        int[] v = Samples(validation), t = Samples(train);
        Assert.Equal(Enumerable.Range(0, 10), v.Concat(t).Order());
        Assert.Equal(v.Order(), v);
        Assert.Equal(t.Order(), t);
        Assert.Equal(v, Samples(validation2));
        Assert.Equal(t, Samples(train2));
        Assert.NotEqual(v, Samples(other));
        for (int i = 0; i < train.Count; i++)
        {
            Assert.Equal((float)(t[i] % 3), train.Target(i)[0]);
            Assert.Equal((float)((2 * t[i]) + 1), train.Input(i)[1]);
        }

        Assert.Equal("validationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1.0)).ParamName);
        Assert.Equal("validationFraction", Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0)).ParamName);
        ArgumentException e = Assert.Throws<ArgumentException>(() => new Dataset([1f], 1, [0f], 1).Split(0.5));
        Assert.Equal("Holding out 0.5 of 1 samples leaves nothing to train on: each part needs at least one.", e.Message.Split(" (Parameter")[0]);
    }

    [Fact]
    public void Info_reaches_the_constants_from_an_instance()
    {
        var net = new Mlp(0);
        NetworkInfo info = net.Info;
        Assert.Equal(Mlp.Summary, info.Summary);
        Assert.Equal(Mlp.ParameterCount, info.ParameterCount);
        Assert.Equal(Mlp.InputLength, info.InputLength);
        Assert.Equal(Mlp.OutputLength, info.OutputLength);
        Assert.Equal(Mlp.WorkspaceLength, info.WorkspaceLength);
        Assert.Equal(Mlp.FlopsPerSample, info.FlopsPerSample);
        Assert.Equal(new[] { 784 }, info.InputShape);
        Assert.Equal(new[] { 10 }, info.OutputShape);
        Assert.Same(info, new Mlp(1).Info);
        Assert.Same(info, ((INetwork)net).Info);
        Assert.Equal(Mlp.Summary, info.ToString());
    }
}
