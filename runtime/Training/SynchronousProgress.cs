using System;

namespace NetGen;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its action inside <see cref="Report"/>, on the reporting thread, before
/// <see cref="Report"/> returns: for <see cref="TrainingOptions.EpochEnded"/> and <see cref="TrainingOptions.BatchEnded"/>
/// when each line must be written as the epoch ends, in order. <see cref="Progress{T}"/> posts each report to the thread pool
/// (or the captured synchronization context, the UI thread of a desktop app) instead, which suits a UI but may print a console
/// line late or out of order.
/// </summary>
/// <typeparam name="T">What is reported.</typeparam>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    /// <summary>Reports go to <paramref name="handler"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public SynchronousProgress(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <summary>Calls the handler with <paramref name="value"/>; an exception it throws comes out of <c>Report</c> (and ends Fit).</summary>
    public void Report(T value) => _handler(value);
}
