using System;
using System.Collections.Generic;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>
/// The overloads that draw a trainer's own results: <see cref="SvgPlot.TrainingHistory(TrainingHistory, string)"/> draws
/// the series the history holds (validation only when there was some; accuracy for a classification, RMSE for a
/// regression), exactly as the series overload draws them, and <see cref="SvgPlot.ConfusionMatrix(ConfusionMatrix, IReadOnlyList{string}, string)"/>
/// the counts of an evaluation.
/// </summary>
public sealed class TrainingPlotTests
{
    [Fact]
    public void A_classifiers_history_is_drawn_with_its_validation_losses_and_accuracies()
    {
        (Trainer<GradLayerNormPlain> trainer, Dataset data) = Classifier();
        (Dataset train, Dataset validation) = data.Split(0.25, seed: 3);
        trainer.Fit(train, new TrainingOptions { Epochs = 3, BatchSize = 4, Validation = validation });

        TrainingHistory history = trainer.History;
        double[] epochs = { 1, 2, 3 };
        string expected = SvgPlot.TrainingHistory(
            new[] { Series("training", epochs, history.Series(TrainingMetric.Loss)), Series("validation", epochs, history.Series(TrainingMetric.ValidationLoss)) },
            new[] { Series("training", epochs, history.Series(TrainingMetric.Accuracy)), Series("validation", epochs, history.Series(TrainingMetric.ValidationAccuracy)) },
            "accuracy");
        Assert.Equal(expected, SvgPlot.TrainingHistory(history));
        Assert.Contains(">validation<", expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_validation_only_the_training_curves_are_drawn()
    {
        (Trainer<GradLayerNormPlain> trainer, Dataset data) = Classifier();
        trainer.Fit(data, new TrainingOptions { Epochs = 2, BatchSize = 4 });

        string svg = SvgPlot.TrainingHistory(trainer.History);
        Assert.DoesNotContain(">validation<", svg, StringComparison.Ordinal);
        Assert.Contains(">accuracy<", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regressions_history_shows_the_rmse_and_no_accuracy()
    {
        var net = new GradLayerNormPlain(seed: 5);
        var trainer = new Trainer<GradLayerNormPlain>(net, new Sgd(0.05f), Loss.MeanSquaredError);
        float[] x = Tests.Gradients.GradientCheck.UniformInputs(16 * 4, seed: 6);
        float[] y = Tests.Gradients.GradientCheck.UniformInputs(16 * 2, seed: 7);
        trainer.Fit(new Dataset(x, 4, y, 2), new TrainingOptions { Epochs = 2, BatchSize = 4 });

        string svg = SvgPlot.TrainingHistory(trainer.History);
        Assert.Contains(">RMSE<", svg, StringComparison.Ordinal);
        Assert.DoesNotContain(">accuracy<", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void An_evaluations_confusion_matrix_is_drawn_from_its_counts()
    {
        var matrix = new ConfusionMatrix(3);
        matrix.Add(0, 0);
        matrix.Add(0, 0);
        matrix.Add(1, 2);
        matrix.Add(2, 2);
        var counts = new int[,] { { 2, 0, 0 }, { 0, 0, 1 }, { 0, 0, 1 } };
        Assert.Equal(SvgPlot.ConfusionMatrix(counts, new[] { "a", "b", "c" }, "t"), SvgPlot.ConfusionMatrix(matrix, new[] { "a", "b", "c" }, "t"));
    }

    [Fact]
    public void An_empty_history_is_refused()
    {
        (Trainer<GradLayerNormPlain> trainer, _) = Classifier();
        ArgumentException e = Assert.Throws<ArgumentException>(() => SvgPlot.TrainingHistory(trainer.History));
        Assert.Equal("history", e.ParamName);
    }

    private static (Trainer<GradLayerNormPlain> Trainer, Dataset Data) Classifier()
    {
        var net = new GradLayerNormPlain(seed: 1);
        var trainer = new Trainer<GradLayerNormPlain>(net, new Adam(0.01f), Loss.SoftmaxCrossEntropy);
        float[] x = Tests.Gradients.GradientCheck.UniformInputs(20 * 4, seed: 2);
        var labels = new byte[20];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = (byte)(x[i * 4] > 0 ? 1 : 0);
        }

        return (trainer, Dataset.FromLabels(x, 4, labels));
    }

    private static PlotSeries Series(string name, double[] epochs, float[] values) => new(name, epochs, Array.ConvertAll(values, v => (double)v));
}
