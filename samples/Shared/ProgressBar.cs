using System;

namespace NetGen.Samples;

/// <summary>
/// One line per epoch: a bar redrawn in place on a terminal, with the running loss and accuracy; when the
/// output goes to a file or a pipe, only the finished line. It is the trainer's <see cref="TrainingOptions.BatchEnded"/> and
/// <see cref="TrainingOptions.EpochEnded"/>, and writes in <c>Report</c>, on the training thread, so each epoch's line appears as
/// the epoch ends.
/// </summary>
internal sealed class ProgressBar : IProgress<TrainingProgress>, IProgress<EpochResult>
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private int _lastFilled = -1;

    public void Report(TrainingProgress p)
    {
        int filled = p.Batch * Width / p.Batches;
        if (!_interactive || (filled == _lastFilled && p.Batch != p.Batches))
        {
            return;
        }

        _lastFilled = filled;
        Console.Write($"\rEpoch {p.Epoch,2}/{p.Epochs} [{new string('#', filled)}{new string('-', Width - filled)}] loss {p.Loss:F4}  accuracy {p.Accuracy:P1}");
    }

    public void Report(EpochResult epoch)
    {
        _lastFilled = -1;
        string bar = new('#', Width);
        string validation = epoch.Validation is Evaluation v ? $"  validation loss {v.Loss:F4}  accuracy {v.Accuracy:P1}" : string.Empty;
        string line = $"Epoch {epoch.Epoch,2} [{bar}] loss {epoch.Loss:F4}  accuracy {epoch.Accuracy:P1}{validation}  {epoch.Elapsed.TotalSeconds:F1} s";
        Console.WriteLine(_interactive ? "\r" + line : line);
    }
}
