using System;

namespace NetGen;

/// <summary>
/// A number of an <see cref="EpochResult"/> that <see cref="EarlyStopping"/> and <see cref="PlateauSchedule"/> watch and
/// <see cref="TrainingHistory.Series"/> reads (<see cref="EpochResult.Metric"/>).
/// </summary>
public enum TrainingMetric
{
    /// <summary>The validation set's mean loss (Keras' <c>val_loss</c>), the default; lower is better.</summary>
    ValidationLoss,

    /// <summary>The validation set's accuracy (classification and other non-regression losses); higher is better.</summary>
    ValidationAccuracy,

    /// <summary>The validation set's mean absolute error (regression); lower is better.</summary>
    ValidationMeanAbsoluteError,

    /// <summary>The validation set's root mean squared error (regression); lower is better.</summary>
    ValidationRootMeanSquaredError,

    /// <summary>The epoch's mean training loss; lower is better.</summary>
    Loss,

    /// <summary>The epoch's training accuracy (in training mode); higher is better.</summary>
    Accuracy,

    /// <summary>The epoch's training mean absolute error (regression); lower is better.</summary>
    MeanAbsoluteError,

    /// <summary>The epoch's training root mean squared error (regression); lower is better.</summary>
    RootMeanSquaredError,
}

/// <summary>Whether a watched value should go down or up.</summary>
public enum MonitorMode
{
    /// <summary>Chosen from the metric, as Keras' <c>'auto'</c>: <see cref="Max"/> for accuracy, <see cref="Min"/> for losses and errors.</summary>
    Auto,

    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>Helpers over <see cref="TrainingMetric"/>.</summary>
public static class TrainingMetrics
{
    /// <summary>Whether the metric is read from <see cref="EpochResult.Validation"/> (and so needs validation data).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a member of the enum.</exception>
    public static bool IsValidation(TrainingMetric metric) => Check(metric) <= TrainingMetric.ValidationRootMeanSquaredError;

    /// <summary><see cref="MonitorMode.Max"/> for the accuracies, <see cref="MonitorMode.Min"/> for the rest.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a member of the enum.</exception>
    public static MonitorMode NaturalMode(TrainingMetric metric) =>
        Check(metric) is TrainingMetric.Accuracy or TrainingMetric.ValidationAccuracy ? MonitorMode.Max : MonitorMode.Min;

    /// <summary>The mode to use: <paramref name="mode"/>, or the metric's natural mode for <see cref="MonitorMode.Auto"/>.</summary>
    internal static MonitorMode ResolveMode(TrainingMetric metric, MonitorMode mode, string metricName, string modeName)
    {
        if (metric < TrainingMetric.ValidationLoss || metric > TrainingMetric.RootMeanSquaredError)
        {
            throw new ArgumentOutOfRangeException(metricName, metric, "Not a TrainingMetric.");
        }

        return mode switch
        {
            MonitorMode.Auto => NaturalMode(metric),
            MonitorMode.Min or MonitorMode.Max => mode,
            _ => throw new ArgumentOutOfRangeException(modeName, mode, "The mode must be Auto, Min or Max."),
        };
    }

    private static TrainingMetric Check(TrainingMetric metric) =>
        metric is >= TrainingMetric.ValidationLoss and <= TrainingMetric.RootMeanSquaredError
            ? metric
            : throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a TrainingMetric.");
}
