using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics.Tensors;

namespace NetGen.Samples;

/// <summary>
/// What <c>--plots DIR</c> writes for the digit samples: <c>history.svg</c> (loss and accuracy per epoch, training
/// and validation) and <c>confusion.svg</c> (the test digits' confusion matrix), both drawn by
/// <see cref="SvgPlot"/>. It takes plain arrays, so it does not depend on how the Trainer reports an epoch:
/// <code>
/// var (history, confusion) = SamplePlots.Write(options.PlotsDirectory,
///     trainLoss, trainAccuracy, validationLoss, validationAccuracy, SamplePlots.CountConfusion(net, test));
/// </code>
/// </summary>
internal static class SamplePlots
{
    /// <summary>The name of the training history file <see cref="Write"/> writes.</summary>
    public const string HistoryFile = "history.svg";

    /// <summary>The name of the confusion matrix file <see cref="Write"/> writes.</summary>
    public const string ConfusionFile = "confusion.svg";

    /// <summary>
    /// Writes <see cref="HistoryFile"/> and <see cref="ConfusionFile"/> into <paramref name="directory"/> (created if
    /// missing; files of those names are replaced).
    /// </summary>
    /// <param name="directory">The folder to write into.</param>
    /// <param name="trainLoss">Training loss per epoch, epoch 1 first.</param>
    /// <param name="trainAccuracy">Training accuracy per epoch (a fraction, 0 to 1).</param>
    /// <param name="validationLoss">Validation loss per epoch, or null when there was no validation set.</param>
    /// <param name="validationAccuracy">Validation accuracy per epoch, or null.</param>
    /// <param name="confusion">Counts as <c>[true digit, predicted digit]</c> (<see cref="CountConfusion"/>).</param>
    /// <param name="labels">The class names; null for 0, 1, 2, ...</param>
    /// <returns>The full paths of the two files written.</returns>
    public static (string History, string Confusion) Write(
        string directory,
        IReadOnlyList<float> trainLoss,
        IReadOnlyList<float> trainAccuracy,
        IReadOnlyList<float>? validationLoss,
        IReadOnlyList<float>? validationAccuracy,
        int[,] confusion,
        IReadOnlyList<string>? labels = null)
    {
        var losses = new List<PlotSeries> { PlotSeries.PerEpoch("training", trainLoss) };
        var accuracies = new List<PlotSeries> { PlotSeries.PerEpoch("training", trainAccuracy) };
        if (validationLoss is not null)
        {
            losses.Add(PlotSeries.PerEpoch("validation", validationLoss));
        }

        if (validationAccuracy is not null)
        {
            accuracies.Add(PlotSeries.PerEpoch("validation", validationAccuracy));
        }

        Directory.CreateDirectory(directory);
        string history = Path.GetFullPath(Path.Combine(directory, HistoryFile));
        string matrix = Path.GetFullPath(Path.Combine(directory, ConfusionFile));
        File.WriteAllText(history, SvgPlot.TrainingHistory(losses, accuracies, "accuracy"));
        File.WriteAllText(matrix, SvgPlot.ConfusionMatrix(confusion, labels, "Confusion matrix (test digits)"));
        return (history, matrix);
    }

    /// <summary>
    /// Counts <c>[true class, predicted class]</c> over <paramref name="data"/>: the predicted class is the largest
    /// output, the true one the sample's target (a class index, as the digit data sets hold).
    /// </summary>
    public static int[,] CountConfusion<TNetwork>(TNetwork net, Dataset data)
        where TNetwork : INetwork
    {
        int classes = net.OutputLength;
        var counts = new int[classes, classes];
        float[] outputs = new float[classes];
        Workspace workspace = net.CreateWorkspace();
        for (int i = 0; i < data.Count; i++)
        {
            net.Forward(data.Input(i), outputs, workspace);
            counts[(int)data.Target(i)[0], TensorPrimitives.IndexOfMax<float>(outputs)]++;
        }

        return counts;
    }
}
