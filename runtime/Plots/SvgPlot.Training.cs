using System;
using System.Collections.Generic;

namespace NetGen;

public static partial class SvgPlot
{
    /// <summary>
    /// The training history of a <see cref="Trainer{TNetwork}"/> (<see cref="Trainer{TNetwork}.History"/>) as
    /// <see cref="TrainingHistory(IReadOnlyList{PlotSeries}, IReadOnlyList{PlotSeries}, string, string)"/> draws it: the
    /// training loss per epoch, and the validation loss when the epochs have one; beside it the accuracy (training, and
    /// validation when there is one) for a classification loss, or the root mean squared error for a regression.
    /// </summary>
    /// <param name="history">The epochs to draw, at least one.</param>
    /// <param name="title">The title over both charts; empty for none.</param>
    /// <returns>An SVG document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> or <paramref name="title"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="history"/> has no epochs.</exception>
    public static string TrainingHistory(TrainingHistory history, string title = "Training history")
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            throw new ArgumentException("The history has no epochs; draw it after at least one epoch of Fit.", nameof(history));
        }

        double[] epochs = Array.ConvertAll(history.EpochNumbers(), e => (double)e);
        var losses = new List<PlotSeries> { Series("training", epochs, history.Series(TrainingMetric.Loss)) };
        AddIfAny(losses, "validation", epochs, history.Series(TrainingMetric.ValidationLoss));

        // The metric the loss has: accuracy for a classification, RMSE for a regression, none otherwise.
        var metrics = new List<PlotSeries>();
        string metricTitle = "accuracy";
        AddIfAny(metrics, "training", epochs, history.Series(TrainingMetric.Accuracy));
        AddIfAny(metrics, "validation", epochs, history.Series(TrainingMetric.ValidationAccuracy));
        if (metrics.Count == 0)
        {
            metricTitle = "RMSE";
            AddIfAny(metrics, "training", epochs, history.Series(TrainingMetric.RootMeanSquaredError));
            AddIfAny(metrics, "validation", epochs, history.Series(TrainingMetric.ValidationRootMeanSquaredError));
        }

        return TrainingHistory(losses, metrics, metricTitle, title);
    }

    /// <summary>
    /// A <see cref="NetGen.ConfusionMatrix"/> (<see cref="Evaluation.Confusion"/>) as
    /// <see cref="ConfusionMatrix(int[,], IReadOnlyList{string}, string)"/> draws it.
    /// </summary>
    /// <param name="matrix">The counts, <c>[actual, predicted]</c>.</param>
    /// <param name="labels">The class names, one per class; null for 0, 1, 2, ...</param>
    /// <param name="title">The title above the matrix; empty for none.</param>
    /// <returns>An SVG document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    /// <exception cref="ArgumentException">A count is larger than <see cref="int.MaxValue"/>, or <paramref name="labels"/> does not fit.</exception>
    public static string ConfusionMatrix(ConfusionMatrix matrix, IReadOnlyList<string>? labels = null, string title = "Confusion matrix")
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int classes = matrix.Classes;
        var counts = new int[classes, classes];
        for (int actual = 0; actual < classes; actual++)
        {
            for (int predicted = 0; predicted < classes; predicted++)
            {
                long count = matrix[actual, predicted];
                if (count > int.MaxValue)
                {
                    throw new ArgumentException($"The count of class {actual} predicted as {predicted} is {count}, more than a picture's cells can say ({int.MaxValue}).", nameof(matrix));
                }

                counts[actual, predicted] = (int)count;
            }
        }

        return ConfusionMatrix(counts, labels, title);
    }

    private static PlotSeries Series(string name, double[] epochs, float[] values)
        => new(name, epochs, Array.ConvertAll(values, v => (double)v));

    /// <summary>Adds the series when it has a finite value (an epoch without validation data has NaN).</summary>
    private static void AddIfAny(List<PlotSeries> series, string name, double[] epochs, float[] values)
    {
        if (Array.Exists(values, float.IsFinite))
        {
            series.Add(Series(name, epochs, values));
        }
    }
}
