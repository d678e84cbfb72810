using System;
using System.Linq;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>Metrics chosen by the loss: confusion matrices worked by hand, MAE and RMSE, no accuracy for a regression.</summary>
public sealed class MetricsTests
{
    [Fact]
    public void A_confusion_matrix_counts_precision_and_recall_as_worked_by_hand()
    {
        // actual → predicted: 0→0 ×3, 0→1, 1→1 ×2, 2→0, 2→2; class 1 is predicted 3 times, right twice.
        var m = new ConfusionMatrix(3);
        foreach ((int a, int p) in new[] { (0, 0), (0, 0), (0, 1), (0, 0), (1, 1), (1, 1), (2, 0), (2, 2) })
        {
            m.Add(a, p);
        }

        Assert.Equal(new long[] { 3, 1, 0, 0, 2, 0, 1, 0, 1 }, m.ToArray());
        Assert.Equal(8, m.Total);
        Assert.Equal(6f / 8, m.Accuracy);
        Assert.Equal(3f / 4, m.Precision(0));
        Assert.Equal(2f / 3, m.Precision(1));
        Assert.Equal(1f, m.Precision(2));
        Assert.Equal(3f / 4, m.Recall(0));
        Assert.Equal(1f, m.Recall(1));
        Assert.Equal(1f / 2, m.Recall(2));
        Assert.Equal(4, m.Support(0));
        Assert.Equal(3, m.Predicted(1));
        Assert.Equal(1, m[2, 0]);
        Assert.Equal(
            "actual\\predicted      0      1      2  recall\n" +
            "               0      3      1      0   75.0%\n" +
            "               1      0      2      0  100.0%\n" +
            "               2      1      0      1   50.0%\n" +
            "precision         75.0%  66.7% 100.0%",
            m.ToString());
    }

    [Fact]
    public void A_class_never_predicted_or_never_seen_has_no_precision_or_recall()
    {
        var m = new ConfusionMatrix(3);
        m.Add(0, 0);
        m.Add(1, 0);
        Assert.True(float.IsNaN(m.Precision(1)));
        Assert.True(float.IsNaN(m.Recall(2)));
        Assert.Equal(0f, m.Recall(1));
        Assert.True(float.IsNaN(new ConfusionMatrix(2).Accuracy));
        Assert.Equal("actual", Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(3, 0)).ParamName);
        Assert.Equal("predicted", Assert.Throws<ArgumentOutOfRangeException>(() => m[0, -1]).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(0)).ParamName);
    }

    [Fact]
    public void Softmax_cross_entropy_counts_the_argmax_against_the_label()
    {
        float[] logits =
        [
            2, 1, 0,   // → 0, label 0
            0, 3, 1,   // → 1, label 2
            0, 0, 5,   // → 2, label 2
            1, 1, 0,   // → 0 (the first on ties), label 1
        ];
        var m = new ConfusionMatrix(Loss.SoftmaxCrossEntropy.ClassCount(3));
        Loss.SoftmaxCrossEntropy.AddToConfusion(logits, [0, 2, 2, 1], 4, m);
        Assert.Equal(new long[] { 1, 0, 0, 1, 0, 0, 0, 1, 1 }, m.ToArray());
        Assert.Equal(LossTask.Classification, Loss.SoftmaxCrossEntropy.Task);
    }

    [Fact]
    public void Binary_cross_entropy_counts_every_output_as_a_two_class_prediction()
    {
        // Two outputs per sample; predicted 1 when the logit is above 0, actually 1 when the target is above 0.5.
        float[] logits = [1.5f, -2f, 0f, 0.1f, -0.3f, 4f];
        float[] targets = [1f, 0f, 1f, 0.5f, 0f, 0.9f];
        var m = new ConfusionMatrix(Loss.BinaryCrossEntropy.ClassCount(2));
        Loss.BinaryCrossEntropy.AddToConfusion(logits, targets, 3, m);

        // (1,1) (0,0) (1,0) (0,1) (0,0) (1,1)
        Assert.Equal(new long[] { 2, 1, 1, 2 }, m.ToArray());
        Assert.Equal(2f / 3, m.Precision(1));
        Assert.Equal(2f / 3, m.Recall(1));
    }

    [Fact]
    public void Sequence_cross_entropy_counts_each_counted_position_and_skips_the_ignored_ones()
    {
        SequenceCrossEntropyLoss loss = Loss.SequenceCrossEntropy(classes: 2, ignoreIndex: -1);
        // One sample of 3 steps, 2 classes per step: argmax 1, 0, 1; targets 1, -1 (ignored), 0.
        float[] logits = [0f, 1f, 2f, 0f, -1f, 1f];
        var m = new ConfusionMatrix(loss.ClassCount(6));
        loss.AddToConfusion(logits, [1f, -1f, 0f], 1, m);
        Assert.Equal(new long[] { 0, 1, 0, 1 }, m.ToArray());
        Assert.Equal(2, m.Total);
    }

    [Fact]
    public void Evaluate_gives_a_classifiers_confusion_matrix_of_its_argmax_predictions()
    {
        Dataset data = BnVectorLabels(70);
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.Fit(data, 2, batchSize: 16);
        Evaluation e = trainer.Evaluate(data, batchSize: 32);

        var expected = new long[9];
        var outputs = new float[BnVector.OutputLength];
        Workspace ws = trainer.Network.CreateWorkspace();
        int right = 0;
        for (int i = 0; i < data.Count; i++)
        {
            trainer.Network.Forward(data.Input(i), outputs, ws);
            int predicted = Array.IndexOf(outputs, outputs.Max());
            int actual = (int)data.Target(i)[0];
            expected[(actual * 3) + predicted]++;
            right += predicted == actual ? 1 : 0;
        }

        Assert.NotNull(e.Confusion);
        Assert.Equal(expected, e.Confusion!.ToArray());
        Assert.Equal((float)right / data.Count, e.Accuracy);
        Assert.Equal(e.Accuracy, e.Confusion.Accuracy);
        Assert.True(float.IsNaN(e.MeanAbsoluteError) && float.IsNaN(e.RootMeanSquaredError));
    }

    [Fact]
    public void A_regression_reports_MAE_and_RMSE_worked_by_hand_and_no_accuracy()
    {
        // All parameters 0: every output is 0, so MAE = mean |t| and RMSE = sqrt(mean t²).
        var net = new RegressionNet(0);
        net.Parameters.Clear();
        var trainer = new Trainer<RegressionNet>(net, new Sgd(0.01f), Loss.MeanSquaredError);
        var data = new Dataset(new float[6], 3, [1f, -2f, 3f, 0.5f], 2);
        Evaluation e = trainer.Evaluate(data);

        Assert.Equal(6.5f / 4, e.MeanAbsoluteError);
        Assert.Equal(MathF.Sqrt(14.25f / 4), e.RootMeanSquaredError);
        Assert.Equal(14.25f / 4, e.Loss);
        Assert.True(float.IsNaN(e.Accuracy));
        Assert.Null(e.Confusion);
        Assert.Equal(LossTask.Regression, Loss.MeanSquaredError.Task);
    }

    [Fact]
    public void A_regression_epoch_has_training_MAE_and_RMSE_and_no_accuracy()
    {
        var rng = new Rng(3);
        var x = new float[40 * 3];
        var y = new float[40 * 2];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        for (int s = 0; s < 40; s++)
        {
            y[2 * s] = x[3 * s] - (0.5f * x[(3 * s) + 1]);
            y[(2 * s) + 1] = x[(3 * s) + 2];
        }

        var data = new Dataset(x, 3, y, 2);
        var trainer = new Trainer<RegressionNet>(new RegressionNet(1), new Adam(0.01f), Loss.MeanSquaredError, seed: 2);
        var progress = new System.Collections.Generic.List<TrainingProgress>();
        FitResult result = trainer.Fit(data, new TrainingOptions { Epochs = 3, BatchSize = 8, Validation = data, BatchEnded = new Inline<TrainingProgress>(progress.Add) });

        foreach (EpochResult epoch in result.Epochs)
        {
            Assert.True(float.IsNaN(epoch.Accuracy));
            Assert.True(float.IsNaN(epoch.Validation!.Value.Accuracy));
            Assert.True(epoch.MeanAbsoluteError > 0 && epoch.MeanAbsoluteError < epoch.RootMeanSquaredError * 1.0001f);

            // The mean squared error is the loss: RMSE² is the epoch's loss to rounding.
            Assert.Equal(epoch.Loss, epoch.RootMeanSquaredError * epoch.RootMeanSquaredError, epoch.Loss * 1e-5f);
            Assert.Equal(epoch.Validation!.Value.Loss, epoch.Validation.Value.RootMeanSquaredError * epoch.Validation.Value.RootMeanSquaredError, epoch.Loss * 1e-5f);
        }

        Assert.All(progress, p => Assert.True(float.IsNaN(p.Accuracy)));
        Assert.True(result.Epochs[2].RootMeanSquaredError < result.Epochs[0].RootMeanSquaredError);
        Assert.Equal(result.Epochs.Select(e => e.MeanAbsoluteError), trainer.History.Series(TrainingMetric.MeanAbsoluteError));
    }
}
