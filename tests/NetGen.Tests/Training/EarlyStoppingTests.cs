using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>Early stopping: when it stops, and the best epoch's weights put back bit for bit.</summary>
public sealed class EarlyStoppingTests
{
    /// <summary>Labels that do not follow the inputs: the validation loss soon rises as the network memorizes the training set.</summary>
    private static (Dataset Train, Dataset Validation) Overfitting() => (BnVectorLabels(24, seed: 5), BnVectorLabels(60, seed: 6));

    [Fact]
    public void It_stops_after_patience_epochs_without_improvement_and_restores_the_best_epochs_weights_bit_for_bit()
    {
        (Dataset train, Dataset validation) = Overfitting();
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.Optimizer.LearningRate = 0.05f;
        var weights = new Dictionary<int, (int[] Parameters, int[] Buffers)>();
        var early = new EarlyStopping { Patience = 3 };
        FitResult result = trainer.Fit(train, new TrainingOptions
        {
            Epochs = 200,
            BatchSize = 8,
            Validation = validation,
            EarlyStopping = early,
            EpochEnded = new Inline<EpochResult>(e =>
            {
                if (e.Epoch != early.StoppedEpoch)
                {
                    weights[e.Epoch] = (Bits(trainer.Network.Parameters), Bits(trainer.Network.Buffers));
                }
            }),
        });

        Assert.Equal(StopReason.EarlyStopped, result.StopReason);
        float[] losses = result.Epochs.Select(e => e.Validation!.Value.Loss).ToArray();
        int best = Array.IndexOf(losses, losses.Min()) + 1;
        Assert.Equal(best, result.BestEpoch);
        Assert.Equal(losses.Min(), result.BestValue);
        Assert.Equal(best + 3, result.Epochs.Count); // three epochs in a row no better, then stop
        Assert.Equal(best + 3, early.StoppedEpoch);
        Assert.True(result.Epochs.Count < 200);
        Assert.True(trainer.Network.Buffers.Length > 0);
        Assert.Equal(weights[best].Parameters, Bits(trainer.Network.Parameters));
        Assert.Equal(weights[best].Buffers, Bits(trainer.Network.Buffers));
        Assert.NotEqual(weights[best + 2].Parameters, Bits(trainer.Network.Parameters));

        // The restored network evaluates to the best epoch's validation loss exactly.
        Assert.Equal(result.BestValue, trainer.Evaluate(validation).Loss);
        Assert.Equal(best + 3, trainer.CompletedEpochs);
    }

    [Fact]
    public void Improvement_must_beat_the_best_by_more_than_min_delta()
    {
        var early = new EarlyStopping { Patience = 2, MinDelta = 0.1f, RestoreBestWeights = false };
        var net = new BnVector(1);
        Assert.False(early.Update(Epoch(1, 1.0f), net));
        Assert.False(early.Update(Epoch(2, 0.95f), net)); // better, but not by more than 0.1
        Assert.Equal(1, early.Wait);
        Assert.False(early.Update(Epoch(3, 0.85f), net)); // 0.85 + 0.1 < 1.0
        Assert.Equal((3, 0.85f, 0), (early.BestEpoch, early.BestValue, early.Wait));
        Assert.False(early.Update(Epoch(4, 0.80f), net));
        Assert.True(early.Update(Epoch(5, float.NaN), net)); // NaN never improves
        Assert.Equal(5, early.StoppedEpoch);
        Assert.False(early.RestoreBest(net));
    }

    [Fact]
    public void Max_mode_watches_for_a_rise_and_patience_zero_stops_at_the_first_epoch_that_does_not_improve()
    {
        var early = new EarlyStopping { Monitor = TrainingMetric.ValidationAccuracy, Patience = 0, RestoreBestWeights = false };
        var net = new BnVector(1);
        Assert.False(early.Update(Accuracy(1, 0.5f), net));
        Assert.False(early.Update(Accuracy(2, 0.6f), net));
        Assert.True(early.Update(Accuracy(3, 0.6f), net));
        Assert.Equal((2, 0.6f), (early.BestEpoch, early.BestValue));
    }

    [Fact]
    public void Its_state_carries_over_from_one_Fit_to_the_next()
    {
        (Dataset train, Dataset validation) = Overfitting();
        Trainer<BnVector> once = BnVectorTrainer();
        once.Optimizer.LearningRate = 0.05f;
        FitResult whole = once.Fit(train, new TrainingOptions { Epochs = 200, BatchSize = 8, Validation = validation, EarlyStopping = new EarlyStopping { Patience = 3 } });

        Trainer<BnVector> stepwise = BnVectorTrainer();
        stepwise.Optimizer.LearningRate = 0.05f;
        var early = new EarlyStopping { Patience = 3 };
        FitResult last;
        do
        {
            last = stepwise.Fit(train, new TrainingOptions { Epochs = 1, BatchSize = 8, Validation = validation, EarlyStopping = early });
        }
        while (last.StopReason == StopReason.Completed);

        Assert.Equal(whole.Epochs.Count, stepwise.CompletedEpochs);
        Assert.Equal(whole.BestEpoch, last.BestEpoch);
        Assert.Equal(Bits(once.Network.Parameters), Bits(stepwise.Network.Parameters));
    }

    [Fact]
    public void Settings_and_options_are_checked()
    {
        Assert.Equal("Patience", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { Patience = -1 }).ParamName);
        Assert.Equal("MinDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { MinDelta = float.NaN }).ParamName);
        Assert.Equal("Mode", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { Mode = (MonitorMode)7 }).ParamName);

        Trainer<BnVector> trainer = BnVectorTrainer();
        ArgumentException e = Assert.Throws<ArgumentException>(() => trainer.Fit(BnVectorLabels(10), new TrainingOptions { EarlyStopping = new EarlyStopping() }));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith("Early stopping watches ValidationLoss, but the options have no Validation data set.", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => trainer.Fit(BnVectorLabels(10), new TrainingOptions
        {
            Validation = BnVectorLabels(5),
            EarlyStopping = new EarlyStopping { Monitor = TrainingMetric.ValidationRootMeanSquaredError },
        }));
        Assert.StartsWith("Early stopping watches ValidationRootMeanSquaredError, which only a regression loss (mean squared error) has.", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, trainer.StepCount);
    }

    private static EpochResult Epoch(int epoch, float validationLoss) => new(epoch, 0f, 0f, new Evaluation(validationLoss, 0f, 1), TimeSpan.Zero);

    private static EpochResult Accuracy(int epoch, float accuracy) => new(epoch, 0f, 0f, new Evaluation(0f, accuracy, 1), TimeSpan.Zero);
}
