using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Data;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>
/// The schedules' rates step by step against PyTorch 1.13's schedulers (schedules_pytorch.py wrote schedules_pytorch.json),
/// against values worked by hand, through Fit, and across a checkpoint.
/// </summary>
public sealed class LearningRateScheduleTests
{
    private static readonly Lazy<JsonDocument> PyTorch = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestDataPaths.RepositoryRoot, "tests", "NetGen.Tests", "Training", "schedules_pytorch.json"))));

    private static JsonElement Case(string name) => PyTorch.Value.RootElement.GetProperty(name);

    private static double[] Doubles(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    /// <summary>The rates a schedule gives from a base rate in double, one per position, advanced with the metrics (plateau) or none.</summary>
    private static double[] Rates(LearningRateSchedule schedule, double baseRate, int steps, double[]? validationLosses = null, bool accuracy = false)
    {
        schedule.Start(baseRate);
        var rates = new double[steps];
        for (int k = 0; k < steps; k++)
        {
            rates[k] = schedule.Rate;
            if (validationLosses is null)
            {
                schedule.Advance(null);
            }
            else
            {
                float m = (float)validationLosses[k];
                var evaluation = accuracy ? new Evaluation(0f, m, 1) : new Evaluation(m, 0f, 1);
                EpochResult epoch = new(k + 1, 0f, 0f, evaluation, TimeSpan.Zero);
                schedule.Advance(epoch);
            }
        }

        return rates;
    }

    private static void SameAsPyTorch(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            // The optimizer gets the rate as a float: those are equal bit for bit; the doubles agree to rounding.
            Assert.True((float)expected[k] == (float)actual[k], $"position {k}: PyTorch {expected[k]:R}, NetGen {actual[k]:R}");
            Assert.Equal(expected[k], actual[k], 1e-15 * Math.Max(1, expected[k]));
        }
    }

    [Fact]
    public void The_script_ran_on_PyTorch_1_13()
    {
        Assert.StartsWith("1.13", PyTorch.Value.RootElement.GetProperty("torch").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Step_matches_StepLR()
    {
        JsonElement c = Case("step");
        SameAsPyTorch(Doubles(c, "rates"), Rates(LearningRateSchedule.Step(stepSize: 3, gamma: 0.5), 0.1, 10));
        Assert.Equal(new[] { 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125 }, Rates(LearningRateSchedule.Step(3, 0.5), 0.1, 10));
    }

    [Fact]
    public void Exponential_matches_ExponentialLR()
    {
        SameAsPyTorch(Doubles(Case("exponential"), "rates"), Rates(LearningRateSchedule.Exponential(0.9), 0.01, 10));
        Assert.Equal(0.01 * 0.9 * 0.9 * 0.9, LearningRateSchedule.Exponential(0.9).RateAt(0.01, 3), 1e-17);
    }

    [Fact]
    public void Cosine_with_warmup_matches_LinearLR_then_CosineAnnealingLR()
    {
        double[] ours = Rates(LearningRateSchedule.Cosine(total: 10, warmup: 3, minRate: 1e-4, warmupStartFactor: 0.1), 0.1, 10);
        SameAsPyTorch(Doubles(Case("cosine_warmup"), "rates"), ours);

        // By hand: 0.1 × (0.1 + 0.9 t / 3) while warming up, the base rate at t = 3, then 1e-4 + (0.1 - 1e-4)(1 + cos(π (t - 3) / 7)) / 2.
        Assert.Equal(0.01, ours[0], 1e-17);
        Assert.Equal(0.04, ours[1], 1e-17);
        Assert.Equal(0.07, ours[2], 1e-16);
        Assert.Equal(0.1, ours[3]);
        Assert.Equal(1e-4 + (0.0999 * (1 + Math.Cos(Math.PI * 4 / 7)) / 2), ours[7], 1e-17);
    }

    [Fact]
    public void Cosine_without_warmup_matches_CosineAnnealingLR_and_then_stays_at_its_minimum()
    {
        SameAsPyTorch(Doubles(Case("cosine"), "rates"), Rates(LearningRateSchedule.Cosine(total: 8), 0.05, 9));

        // PyTorch's cosine is periodic and would climb again; this one holds its minimum.
        CosineSchedule s = LearningRateSchedule.Cosine(total: 8, minRate: 0.001);
        Assert.Equal(0.001, s.RateAt(0.05, 8));
        Assert.Equal(0.001, s.RateAt(0.05, 9));
        Assert.Equal(0.001, s.RateAt(0.05, 1000));
    }

    [Fact]
    public void Plateau_matches_ReduceLROnPlateau_in_min_relative_mode_with_cooldown_and_minimum()
    {
        JsonElement c = Case("plateau_min");
        PlateauSchedule s = LearningRateSchedule.ReduceOnPlateau(factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, minRate: 0.002);
        double[] ours = Rates(s, 0.01, 16, Doubles(c, "metrics"));
        SameAsPyTorch(Doubles(c, "rates"), ours);

        // By hand: 1.0, then 0.9 is better than 1.0 × 0.99; 0.895, 0.894 and 0.893 are not better than 0.9 × 0.99 = 0.891: the
        // third bad epoch (more than 2) halves the rate for epoch 6.
        Assert.Equal(new[] { 0.01, 0.01, 0.01, 0.01, 0.01, 0.005 }, ours.Take(6));
        Assert.Equal(0.002, ours[15]); // halved to 0.00125, raised to the minimum
    }

    [Fact]
    public void Plateau_matches_ReduceLROnPlateau_in_max_absolute_mode()
    {
        JsonElement c = Case("plateau_max_abs");
        PlateauSchedule s = LearningRateSchedule.ReduceOnPlateau(TrainingMetric.ValidationAccuracy, factor: 0.1, patience: 1, threshold: 0.02, thresholdMode: ThresholdMode.Absolute);
        Assert.Equal(MonitorMode.Max, s.Mode);
        SameAsPyTorch(Doubles(c, "rates"), Rates(s, 0.2, 12, Doubles(c, "metrics"), accuracy: true));
    }

    [Fact]
    public void Fit_trains_each_epoch_at_the_schedules_rate_and_reports_it()
    {
        Dataset train = BnVectorLabels(40);
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.Optimizer.LearningRate = 0.02f;
        trainer.Schedule = LearningRateSchedule.Step(stepSize: 2, gamma: 0.5);
        Assert.Equal(0.02f, trainer.Optimizer.LearningRate);

        FitResult result = trainer.Fit(train, new TrainingOptions { Epochs = 5, BatchSize = 16 });

        Assert.Equal(new[] { 0.02f, 0.02f, 0.01f, 0.01f, 0.005f }, result.Epochs.Select(e => e.LearningRate));
        Assert.Equal(0.005f, trainer.Optimizer.LearningRate); // the rate of epoch 6 (position 5)
        Assert.Equal(5, trainer.Schedule.Position);
        Assert.Equal(result.Epochs.Select(e => e.LearningRate), trainer.History.LearningRates());
    }

    [Fact]
    public void A_step_schedule_moves_after_every_batch()
    {
        Dataset train = BnVectorLabels(40);
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.Optimizer.LearningRate = 0.01f;
        CosineSchedule cosine = LearningRateSchedule.Cosine(total: 9, warmup: 3, interval: ScheduleInterval.Step);
        trainer.Schedule = cosine;
        var seen = new List<float>();
        trainer.Fit(train, new TrainingOptions
        {
            Epochs = 3,
            BatchSize = 16, // 3 batches per epoch
            BatchEnded = new Inline<TrainingProgress>(_ => seen.Add(trainer.Optimizer.LearningRate)),
        });

        // After batch k (from 1) the optimizer has the rate of position k.
        float[] expected = Enumerable.Range(1, 9).Select(k => (float)cosine.RateAt(0.01f, k)).ToArray();
        Assert.Equal(expected, seen);
        Assert.Equal(0f, seen[^1]); // the end of the cosine, minRate 0
        Assert.Equal(new[] { 0f, 0.01f, (float)cosine.RateAt(0.01f, 6) }, trainer.History.LearningRates());
    }

    [Theory]
    [InlineData("step")]
    [InlineData("exponential")]
    [InlineData("cosine-batches")]
    [InlineData("plateau")]
    public void A_resumed_run_has_the_same_rates_and_weights_bit_for_bit(string kind)
    {
        Dataset train = BnVectorLabels(50);
        Dataset validation = BnVectorLabels(20, seed: 99);
        var options = new TrainingOptions { Epochs = 6, BatchSize = 16, Validation = validation };

        Trainer<BnVector> whole = BnVectorTrainer();
        whole.Schedule = Make(kind);
        FitResult all = whole.Fit(train, options);

        // Stop after epoch 2 and one batch into epoch 3 (a checkpoint mid-epoch), then resume in a new trainer.
        Trainer<BnVector> first = BnVectorTrainer();
        first.Schedule = Make(kind);
        first.Fit(train, new TrainingOptions { Epochs = 2, BatchSize = 16, Validation = validation });
        using var checkpoint = new MemoryStream();
        try
        {
            first.Fit(train, new TrainingOptions
            {
                Epochs = 1,
                BatchSize = 16,
                Validation = validation,
                BatchEnded = new Inline<TrainingProgress>(_ =>
                {
                    first.SaveCheckpoint(checkpoint);
                    throw new OperationCanceledException();
                }),
            });
        }
        catch (OperationCanceledException)
        {
        }

        Trainer<BnVector> resumed = BnVectorTrainer(seed: 7);
        resumed.Network.Initialize(123); // different weights before loading: the checkpoint must bring them all
        resumed.Schedule = Make(kind);
        checkpoint.Position = 0;
        resumed.LoadCheckpoint(checkpoint);
        FitResult rest = resumed.Fit(train, new TrainingOptions { Epochs = 4, BatchSize = 16, Validation = validation });

        Assert.Equal(all.Epochs.Skip(2).Select(e => e.LearningRate), rest.Epochs.Select(e => e.LearningRate));
        Assert.Equal(all.Epochs.Skip(2).Select(e => e.Loss), rest.Epochs.Select(e => e.Loss));
        Assert.True(Capture(whole).SameAs(Capture(resumed)));
        Assert.Equal(whole.Schedule!.Rate, resumed.Schedule!.Rate);
        Assert.Equal(whole.Schedule.Position, resumed.Schedule.Position);
        Assert.Equal(whole.Optimizer.LearningRate, resumed.Optimizer.LearningRate);
        Assert.True(all.Epochs.Select(e => e.LearningRate).Distinct().Count() > 1, "the schedule changed the rate");
    }

    private static LearningRateSchedule Make(string kind) => kind switch
    {
        "step" => LearningRateSchedule.Step(2, 0.5),
        "exponential" => LearningRateSchedule.Exponential(0.7),
        "cosine-batches" => LearningRateSchedule.Cosine(total: 20, warmup: 4, warmupStartFactor: 0.2, interval: ScheduleInterval.Step),
        _ => LearningRateSchedule.ReduceOnPlateau(TrainingMetric.Loss, factor: 0.5, patience: 0, threshold: 0.5),
    };

    [Fact]
    public void A_checkpoint_refuses_a_different_or_missing_schedule_and_changes_nothing()
    {
        Dataset train = BnVectorLabels(30);
        Trainer<BnVector> saved = BnVectorTrainer();
        saved.Schedule = LearningRateSchedule.Step(2, 0.5);
        saved.Fit(train, 1, batchSize: 10);
        using var file = new MemoryStream();
        saved.SaveCheckpoint(file);

        Trainer<BnVector> other = BnVectorTrainer();
        other.Schedule = LearningRateSchedule.Step(3, 0.5);
        file.Position = 0;
        WeightFormatException e = Assert.Throws<WeightFormatException>(() => other.LoadCheckpoint(file));
        Assert.Equal("Schedule StepLR: the checkpoint has step_size 2, this trainer's schedule 3. Resume with the same schedule.", e.Message);
        Assert.Equal(0, other.CompletedEpochs);

        Trainer<BnVector> none = BnVectorTrainer();
        file.Position = 0;
        e = Assert.Throws<WeightFormatException>(() => none.LoadCheckpoint(file));
        Assert.Equal("The checkpoint was saved with learning-rate schedule StepLR; this trainer has none. Set Trainer.Schedule to the same schedule before loading.", e.Message);

        Trainer<BnVector> exponential = BnVectorTrainer();
        exponential.Schedule = LearningRateSchedule.Exponential(0.5);
        file.Position = 0;
        e = Assert.Throws<WeightFormatException>(() => exponential.LoadCheckpoint(file));
        Assert.Equal("The checkpoint was saved with learning-rate schedule StepLR; this trainer's is ExponentialLR.", e.Message);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Equal("stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Exponential(0)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Exponential(double.NaN)).ParamName);
        Assert.Equal("warmup", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(5, warmup: 5)).ParamName);
        Assert.Equal("warmupStartFactor", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(5, 1, warmupStartFactor: 1.5)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ReduceOnPlateau(factor: 1)).ParamName);
        Assert.Equal("patience", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ReduceOnPlateau(patience: -1)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ReduceOnPlateau(mode: (MonitorMode)9)).ParamName);
        Assert.Equal("position", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(2).RateAt(0.1, -1)).ParamName);
    }

    [Fact]
    public void A_plateau_schedule_on_the_validation_loss_needs_validation_data()
    {
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.Schedule = LearningRateSchedule.ReduceOnPlateau();
        ArgumentException e = Assert.Throws<ArgumentException>(() => trainer.Fit(BnVectorLabels(20), new TrainingOptions { Epochs = 1 }));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith("The plateau schedule watches ValidationLoss, but the options have no Validation data set.", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its action in <c>Report</c>, on the caller's thread.</summary>
internal sealed class Inline<T> : IProgress<T>
{
    private readonly Action<T> _action;

    public Inline(Action<T> action) => _action = action;

    public void Report(T value) => _action(value);
}
