using System.IO;
using NetGen;

namespace NetGen.Samples;

/// <summary>
/// The digit samples' <c>--plots DIR</c>: the training history (<see cref="Trainer{TNetwork}.History"/>) and the test
/// digits' confusion matrix (<see cref="Evaluation.Confusion"/>) as two SVG files, drawn by <see cref="SvgPlot"/>.
/// </summary>
internal static class SamplePlots
{
    /// <summary>The name of the training history file <see cref="Write"/> writes.</summary>
    public const string HistoryFile = "history.svg";

    /// <summary>The name of the confusion matrix file <see cref="Write"/> writes.</summary>
    public const string ConfusionFile = "confusion.svg";

    /// <summary>
    /// Writes <see cref="HistoryFile"/> and <see cref="ConfusionFile"/> into <paramref name="directory"/> (created if
    /// missing; files of those names are replaced); returns their full paths.
    /// </summary>
    public static (string History, string Confusion) Write(string directory, TrainingHistory history, ConfusionMatrix confusion)
    {
        Directory.CreateDirectory(directory);
        string historyPath = Path.GetFullPath(Path.Combine(directory, HistoryFile));
        string confusionPath = Path.GetFullPath(Path.Combine(directory, ConfusionFile));
        File.WriteAllText(historyPath, SvgPlot.TrainingHistory(history));
        File.WriteAllText(confusionPath, SvgPlot.ConfusionMatrix(confusion, title: "Confusion matrix (test digits)"));
        return (historyPath, confusionPath);
    }
}
