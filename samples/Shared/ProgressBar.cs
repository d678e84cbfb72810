using System;

namespace NetGen.Samples;

/// <summary>
/// One line per epoch: a bar redrawn in place on a terminal, with the running loss and accuracy; when the
/// output goes to a file or a pipe, only the finished line.
/// </summary>
internal sealed class ProgressBar
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

    public void Finish(EpochResult epoch)
    {
        _lastFilled = -1;
        string bar = new('#', Width);
        string line = $"Epoch {epoch.Epoch,2} [{bar}] loss {epoch.Loss:F4}  accuracy {epoch.Accuracy:P1}  {epoch.Elapsed.TotalSeconds:F1} s";
        Console.WriteLine(_interactive ? "\r" + line : line);
    }
}
