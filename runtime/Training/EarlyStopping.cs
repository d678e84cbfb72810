using System;

namespace NetGen;

/// <summary>
/// Stops training when a figure of the epochs (by default the validation loss) has not improved for <see cref="Patience"/>
/// epochs, and puts back the weights of the best epoch, as Keras' <c>EarlyStopping(monitor, min_delta, patience, mode,
/// restore_best_weights)</c>. Give it to <see cref="TrainingOptions.EarlyStopping"/>.
/// </summary>
/// <remarks>
/// <para>
/// After each epoch: a value is an improvement when it beats the best so far by more than <see cref="MinDelta"/>
/// (<c>value &lt; best - MinDelta</c> when minimizing, <c>value &gt; best + MinDelta</c> when maximizing; NaN never improves).
/// Then it becomes the best, <see cref="Wait"/> returns to 0 and, with <see cref="RestoreBestWeights"/>, the network's parameters
/// and buffers (batch norm's running statistics) are copied aside. Otherwise <see cref="Wait"/> goes up by one, and when it
/// reaches <see cref="Patience"/> the run stops (<see cref="StopReason.EarlyStopped"/>) and the copied weights are put back, bit
/// for bit. The optimizer's state, the trainer's position and the history stay those of the last epoch run.
/// </para>
/// <para>
/// Differences from Keras: <see cref="RestoreBestWeights"/> is on by default (Keras: off); the state (best value, wait, the best
/// weights) lives in this object and carries over from one <c>Fit</c> call to the next, so a loop that calls <c>Fit</c> one epoch
/// at a time stops as one long call would (Keras resets it at each <c>fit</c>; call <see cref="Reset"/> for that); and the weights
/// are put back only when the run stops early, as in Keras 2 (Keras 3 also puts them back when <c>fit</c> runs out of epochs:
/// call <see cref="RestoreBest"/>). The state is not saved in checkpoints.
/// </para>
/// </remarks>
public sealed class EarlyStopping
{
    private TrainingMetric _monitor = TrainingMetric.ValidationLoss;
    private MonitorMode _mode = MonitorMode.Auto;
    private int _patience = 5;
    private float _minDelta;
    private float[]? _bestParameters;
    private float[]? _bestBuffers;

    /// <summary>The figure watched (default <see cref="TrainingMetric.ValidationLoss"/>, which needs <see cref="TrainingOptions.Validation"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not a member of the enum.</exception>
    public TrainingMetric Monitor
    {
        get => _monitor;
        set
        {
            TrainingMetrics.ResolveMode(value, MonitorMode.Auto, nameof(Monitor), nameof(Mode));
            _monitor = value;
        }
    }

    /// <summary>Whether lower or higher is better; <see cref="MonitorMode.Auto"/> (the default) takes the metric's (<see cref="TrainingMetrics.NaturalMode"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not a member of the enum.</exception>
    public MonitorMode Mode
    {
        get => _mode;
        set
        {
            TrainingMetrics.ResolveMode(_monitor, value, nameof(Monitor), nameof(Mode));
            _mode = value;
        }
    }

    /// <summary>Epochs without improvement after which the run stops (default 5); 0 stops at the first epoch that does not improve.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative number.</exception>
    public int Patience
    {
        get => _patience;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Patience));
            _patience = value;
        }
    }

    /// <summary>How much a value must beat the best by to count as an improvement (default 0, Keras' <c>min_delta</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative number, NaN or infinity.</exception>
    public float MinDelta
    {
        get => _minDelta;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(MinDelta), value, "MinDelta must be a finite number, 0 or more.");
            }

            _minDelta = value;
        }
    }

    /// <summary>Whether stopping puts back the best epoch's parameters and buffers (default <see langword="true"/>).</summary>
    public bool RestoreBestWeights { get; set; } = true;

    /// <summary>The epoch (over the trainer's life) of the best value so far; 0 before any.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The best value so far; NaN before any.</summary>
    public float BestValue { get; private set; } = float.NaN;

    /// <summary>Epochs since the best (Keras' <c>wait</c>).</summary>
    public int Wait { get; private set; }

    /// <summary>The epoch at which the run stopped; 0 while it has not.</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>Forgets the best value, the wait and the copied weights, as Keras does at the start of each <c>fit</c>.</summary>
    public void Reset()
    {
        BestEpoch = 0;
        BestValue = float.NaN;
        Wait = 0;
        StoppedEpoch = 0;
        _bestParameters = null;
        _bestBuffers = null;
    }

    /// <summary>
    /// Copies the best epoch's parameters and buffers into <paramref name="network"/> (which must be the network trained); does
    /// nothing before any epoch improved or when <see cref="RestoreBestWeights"/> was off while training.
    /// </summary>
    /// <returns>Whether weights were copied.</returns>
    /// <exception cref="ArgumentException">The network's sizes are not those of the copied weights.</exception>
    public bool RestoreBest(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (_bestParameters is null || _bestBuffers is null)
        {
            return false;
        }

        if (network.Parameters.Length != _bestParameters.Length || network.Buffers.Length != _bestBuffers.Length)
        {
            throw new ArgumentException(
                $"The best weights are {_bestParameters.Length} parameters and {_bestBuffers.Length} buffer floats; this network has {network.Parameters.Length} and {network.Buffers.Length}.",
                nameof(network));
        }

        _bestParameters.CopyTo(network.Parameters);
        _bestBuffers.CopyTo(network.Buffers);
        return true;
    }

    /// <summary>After an epoch: whether the run should stop now.</summary>
    internal bool Update(in EpochResult epoch, INetwork network)
    {
        float value = epoch.Metric(_monitor);
        bool max = TrainingMetrics.ResolveMode(_monitor, _mode, nameof(Monitor), nameof(Mode)) == MonitorMode.Max;
        bool improved = BestEpoch == 0
            ? !float.IsNaN(value)
            : max ? value - _minDelta > BestValue : value + _minDelta < BestValue;
        if (improved)
        {
            BestValue = value;
            BestEpoch = epoch.Epoch;
            Wait = 0;
            if (RestoreBestWeights)
            {
                Copy(network.Parameters, ref _bestParameters);
                Copy(network.Buffers, ref _bestBuffers);
            }

            return false;
        }

        Wait++;
        if (Wait < _patience)
        {
            return false;
        }

        StoppedEpoch = epoch.Epoch;
        return true;
    }

    private static void Copy(ReadOnlySpan<float> from, ref float[]? into)
    {
        if (into is null || into.Length != from.Length)
        {
            into = new float[from.Length];
        }

        from.CopyTo(into);
    }
}
