using System;

namespace NetGen.Samples.Names;

/// <summary>
/// One line per epoch, as the digit samples draw it: a bar redrawn in place on a terminal with the running loss
/// (nats per character) and next-character accuracy; when the output goes to a file or a pipe, only the finished line.
/// </summary>
internal sealed class NamesProgress
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private readonly int _epochs;
    private int _lastFilled = -1;

    /// <param name="epochs">The run's epochs: the sample calls Fit one epoch at a time, so each Fit's own count is 1.</param>
    public NamesProgress(int epochs) => _epochs = epochs;

    public void Report(TrainingProgress p)
    {
        int filled = p.Batch * Width / p.Batches;
        if (!_interactive || (filled == _lastFilled && p.Batch != p.Batches))
        {
            return;
        }

        _lastFilled = filled;
        Console.Write($"\rEpoch {p.Epoch,2}/{_epochs} [{new string('#', filled)}{new string('-', Width - filled)}] loss {p.Loss:F4}  accuracy {p.Accuracy:P1}");
    }

    public void Finish(EpochResult epoch, Evaluation heldOut)
    {
        _lastFilled = -1;
        string line = $"Epoch {epoch.Epoch,2}/{_epochs} [{new string('#', Width)}] train {epoch.Loss:F4}  held out {heldOut.Loss:F4} nats/char ({heldOut.Accuracy:P1} right)  {epoch.Elapsed.TotalSeconds:F1} s";
        Console.WriteLine(_interactive ? "\r" + line : line);
    }
}
