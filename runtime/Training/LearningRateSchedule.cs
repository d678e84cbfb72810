using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>When a <see cref="LearningRateSchedule"/> moves to its next rate.</summary>
public enum ScheduleInterval
{
    /// <summary>After every epoch of <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>, as a PyTorch loop calls <c>scheduler.step()</c> once per epoch.</summary>
    Epoch,

    /// <summary>
    /// After every batch Fit runs (applied or skipped as not finite), as a loop that calls <c>scheduler.step()</c> after each
    /// <c>optimizer.step()</c> (warm-up and cosine schedules of transformers). <see cref="Trainer{TNetwork}.TrainStep"/> does not move it.
    /// </summary>
    Step,
}

/// <summary>
/// A learning-rate schedule that <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>
/// applies to the trainer's optimizer: set <see cref="Trainer{TNetwork}.Schedule"/>. The schedules are PyTorch's: <see cref="Step"/>
/// (<c>StepLR</c>), <see cref="Exponential"/> (<c>ExponentialLR</c>), <see cref="Cosine"/> (<c>CosineAnnealingLR</c> after an
/// optional <c>LinearLR</c> warm-up) and <see cref="ReduceOnPlateau"/> (<c>ReduceLROnPlateau</c>). Checkpoints save and restore
/// the schedule's position and state, so a resumed run has the same rates as one that never stopped.
/// </summary>
/// <remarks>
/// Rates are computed in double, as PyTorch's are, and given to the optimizer as a float. Setting
/// <see cref="Trainer{TNetwork}.Schedule"/> starts the schedule: its <see cref="BaseRate"/> is the optimizer's rate at that moment
/// (PyTorch's <c>initial_lr</c>), its <see cref="Position"/> 0, and the optimizer's rate becomes <see cref="Rate"/>, the rate of
/// the first epoch (or batch). Each epoch (or batch) then moves it one position on. The classes cannot be derived from: a
/// checkpoint must know how to save every schedule.
/// </remarks>
public abstract class LearningRateSchedule
{
    private protected LearningRateSchedule(ScheduleInterval interval)
    {
        if (interval is not (ScheduleInterval.Epoch or ScheduleInterval.Step))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be Epoch or Step.");
        }

        Interval = interval;
        BaseRate = double.NaN;
        Rate = double.NaN;
    }

    /// <summary>Whether the schedule moves after each epoch or after each batch.</summary>
    public ScheduleInterval Interval { get; }

    /// <summary>The optimizer's rate when the schedule was started (PyTorch's <c>initial_lr</c>); NaN before.</summary>
    public double BaseRate { get; private protected set; }

    /// <summary>
    /// How many times the schedule has moved on (PyTorch's <c>last_epoch</c>): epochs, or batches for
    /// <see cref="ScheduleInterval.Step"/>, since it was started.
    /// </summary>
    public long Position { get; private protected set; }

    /// <summary>The rate for the epoch (or batch) at <see cref="Position"/>, which the optimizer has; NaN before the schedule is started.</summary>
    public double Rate { get; private protected set; }

    /// <summary>Whether <see cref="Trainer{TNetwork}.Schedule"/> has started the schedule.</summary>
    public bool IsStarted => !double.IsNaN(BaseRate);

    /// <summary><c>StepLR</c>: the base rate times <paramref name="gamma"/> every <paramref name="stepSize"/> positions. See <see cref="StepSchedule"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is below 1, or <paramref name="gamma"/> is not a finite number above 0.</exception>
    public static StepSchedule Step(int stepSize, double gamma = 0.1, ScheduleInterval interval = ScheduleInterval.Epoch) => new(stepSize, gamma, interval);

    /// <summary><c>ExponentialLR</c>: the base rate times <paramref name="gamma"/> at every position. See <see cref="ExponentialSchedule"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is not a finite number above 0.</exception>
    public static ExponentialSchedule Exponential(double gamma, ScheduleInterval interval = ScheduleInterval.Epoch) => new(gamma, interval);

    /// <summary>
    /// A linear warm-up over <paramref name="warmup"/> positions from <paramref name="warmupStartFactor"/> times the base rate,
    /// then a half cosine down to <paramref name="minRate"/> at position <paramref name="total"/>. See <see cref="CosineSchedule"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="total"/> is below 1, <paramref name="warmup"/> is negative or not below <paramref name="total"/>,
    /// <paramref name="minRate"/> is negative or not finite, or <paramref name="warmupStartFactor"/> is not from 0 to 1.
    /// </exception>
    public static CosineSchedule Cosine(
        int total, int warmup = 0, double minRate = 0, double warmupStartFactor = 0, ScheduleInterval interval = ScheduleInterval.Epoch) =>
        new(total, warmup, minRate, warmupStartFactor, interval);

    /// <summary>
    /// <c>ReduceLROnPlateau</c>: the rate times <paramref name="factor"/> when <paramref name="monitor"/> has not improved for more
    /// than <paramref name="patience"/> epochs. See <see cref="PlateauSchedule"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside the range <see cref="PlateauSchedule"/> documents.</exception>
    public static PlateauSchedule ReduceOnPlateau(
        TrainingMetric monitor = TrainingMetric.ValidationLoss,
        MonitorMode mode = MonitorMode.Auto,
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Relative,
        int cooldown = 0,
        double minRate = 0,
        double epsilon = 1e-8) =>
        new(monitor, mode, factor, patience, threshold, thresholdMode, cooldown, minRate, epsilon);

    /// <summary>The name a checkpoint records (<c>StepLR</c>, ...).</summary>
    internal abstract string Kind { get; }

    /// <summary>Starts the schedule from <paramref name="baseRate"/> at position 0.</summary>
    internal void Start(double baseRate)
    {
        BaseRate = baseRate;
        Position = 0;
        Reset();
        Rate = RateAtPosition(0);
    }

    /// <summary>Moves one position on, after an epoch whose results are <paramref name="epoch"/> (a batch: <see langword="null"/>).</summary>
    internal virtual void Advance(in EpochResult? epoch)
    {
        Position++;
        Rate = RateAtPosition(Position);
    }

    /// <summary>The hyperparameters, as invariant round-trip text in a fixed order: a resumed run must have the same.</summary>
    internal abstract void AddHyperparameters(List<KeyValuePair<string, string>> into);

    /// <summary>The state a checkpoint saves.</summary>
    internal virtual ScheduleState CaptureState() => new(Position, BaseRate, Rate, double.NaN, 0, 0);

    /// <summary>Takes a state read from a checkpoint (checked by the reader).</summary>
    internal virtual void RestoreState(ScheduleState state)
    {
        Position = state.Position;
        BaseRate = state.BaseRate;
        Rate = state.Rate;
    }

    /// <summary>The closed-form rate at <paramref name="position"/> from <see cref="BaseRate"/>; the plateau schedule, which has none, keeps its rate.</summary>
    private protected abstract double RateAtPosition(long position);

    /// <summary>Clears state beyond the position (the plateau schedule's best value and counters).</summary>
    private protected virtual void Reset()
    {
    }

    private protected static void CheckPositiveFinite(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number above 0.");
        }
    }

    private protected static void CheckBaseRate(double baseRate)
    {
        if (!(baseRate >= 0) || double.IsInfinity(baseRate))
        {
            throw new ArgumentOutOfRangeException(nameof(baseRate), baseRate, "The base rate must be a finite number, 0 or more.");
        }
    }

    private protected static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private protected static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What a checkpoint saves of a schedule: its position, base rate and current rate, and the plateau schedule's counters.</summary>
internal readonly record struct ScheduleState(long Position, double BaseRate, double Rate, double Best, int BadEpochs, int CooldownLeft);

/// <summary>
/// PyTorch's <c>StepLR(step_size, gamma)</c>: the rate at position <c>t</c> is <c>base × gamma^⌊t / stepSize⌋</c>, so with the
/// default <see cref="ScheduleInterval.Epoch"/> epochs 1 to <c>stepSize</c> train at the base rate, the next
/// <c>stepSize</c> epochs at <c>base × gamma</c>, and so on.
/// </summary>
public sealed class StepSchedule : LearningRateSchedule
{
    internal StepSchedule(int stepSize, double gamma, ScheduleInterval interval)
        : base(interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        CheckPositiveFinite(gamma, nameof(gamma));
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Positions (epochs or batches) between two decays.</summary>
    public int StepSize { get; }

    /// <summary>The factor of each decay.</summary>
    public double Gamma { get; }

    internal override string Kind => "StepLR";

    /// <summary>The rate at <paramref name="position"/> from <paramref name="baseRate"/>: <c>baseRate × Gamma^⌊position / StepSize⌋</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="baseRate"/> is negative or not finite, or <paramref name="position"/> is negative.</exception>
    public double RateAt(double baseRate, long position)
    {
        CheckBaseRate(baseRate);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return baseRate * Math.Pow(Gamma, position / StepSize);
    }

    internal override void AddHyperparameters(List<KeyValuePair<string, string>> into)
    {
        into.Add(new("step_size", Text(StepSize)));
        into.Add(new("gamma", Text(Gamma)));
        into.Add(new("interval", Interval.ToString()));
    }

    private protected override double RateAtPosition(long position) => RateAt(BaseRate, position);
}

/// <summary>PyTorch's <c>ExponentialLR(gamma)</c>: the rate at position <c>t</c> is <c>base × gamma^t</c>.</summary>
public sealed class ExponentialSchedule : LearningRateSchedule
{
    internal ExponentialSchedule(double gamma, ScheduleInterval interval)
        : base(interval)
    {
        CheckPositiveFinite(gamma, nameof(gamma));
        Gamma = gamma;
    }

    /// <summary>The factor at each position.</summary>
    public double Gamma { get; }

    internal override string Kind => "ExponentialLR";

    /// <summary>The rate at <paramref name="position"/> from <paramref name="baseRate"/>: <c>baseRate × Gamma^position</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="baseRate"/> is negative or not finite, or <paramref name="position"/> is negative.</exception>
    public double RateAt(double baseRate, long position)
    {
        CheckBaseRate(baseRate);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return baseRate * Math.Pow(Gamma, position);
    }

    internal override void AddHyperparameters(List<KeyValuePair<string, string>> into)
    {
        into.Add(new("gamma", Text(Gamma)));
        into.Add(new("interval", Interval.ToString()));
    }

    private protected override double RateAtPosition(long position) => RateAt(BaseRate, position);
}

/// <summary>
/// A linear warm-up, then cosine annealing: PyTorch's
/// <c>SequentialLR([LinearLR(start_factor=f, total_iters=W), CosineAnnealingLR(T_max=total - W, eta_min=min)], milestones=[W])</c>.
/// At position <c>t</c> the rate is <c>base × (f + (1 - f) × t / W)</c> while <c>t &lt; W</c>, then
/// <c>min + (base - min) × (1 + cos(π (t - W) / (total - W))) / 2</c>, which is the base rate at <c>W</c> and <c>min</c> at <c>total</c>.
/// </summary>
/// <remarks>
/// Two differences from PyTorch: after <c>total</c> the rate stays at <c>min</c> (PyTorch's cosine is periodic and climbs back
/// to the base rate over the next <c>total - W</c> positions), and the start factor may be 0 (PyTorch's <c>LinearLR</c> refuses 0;
/// Hugging Face's <c>get_cosine_schedule_with_warmup</c> is this schedule with <c>f = 0</c> and <c>min = 0</c>).
/// Without warm-up (<c>W = 0</c>) it is <c>CosineAnnealingLR(T_max=total, eta_min=min)</c>. With
/// <see cref="ScheduleInterval.Step"/>, give <c>total</c> and <c>W</c> in batches (epochs × batches per epoch).
/// </remarks>
public sealed class CosineSchedule : LearningRateSchedule
{
    internal CosineSchedule(int total, int warmup, double minRate, double warmupStartFactor, ScheduleInterval interval)
        : base(interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        if (warmup >= total)
        {
            throw new ArgumentOutOfRangeException(nameof(warmup), warmup, $"The warm-up must be shorter than the whole schedule ({total} positions).");
        }

        if (!(minRate >= 0) || double.IsInfinity(minRate))
        {
            throw new ArgumentOutOfRangeException(nameof(minRate), minRate, "minRate must be a finite number, 0 or more.");
        }

        if (!(warmupStartFactor >= 0 && warmupStartFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(warmupStartFactor), warmupStartFactor, "warmupStartFactor must be from 0 to 1.");
        }

        Total = total;
        Warmup = warmup;
        MinRate = minRate;
        WarmupStartFactor = warmupStartFactor;
    }

    /// <summary>The position at which the rate reaches <see cref="MinRate"/>, warm-up included.</summary>
    public int Total { get; }

    /// <summary>Positions of linear warm-up (0 for none).</summary>
    public int Warmup { get; }

    /// <summary>The rate at the end (PyTorch's <c>eta_min</c>).</summary>
    public double MinRate { get; }

    /// <summary>The fraction of the base rate at position 0 of the warm-up (PyTorch's <c>LinearLR</c> <c>start_factor</c>).</summary>
    public double WarmupStartFactor { get; }

    internal override string Kind => "CosineLR";

    /// <summary>The rate at <paramref name="position"/> from <paramref name="baseRate"/> (see <see cref="CosineSchedule"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="baseRate"/> is negative or not finite, or <paramref name="position"/> is negative.</exception>
    public double RateAt(double baseRate, long position)
    {
        CheckBaseRate(baseRate);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (position < Warmup)
        {
            return baseRate * (WarmupStartFactor + ((1 - WarmupStartFactor) * position / Warmup));
        }

        if (position >= Total)
        {
            return MinRate;
        }

        double t = position - Warmup;
        return MinRate + ((baseRate - MinRate) * (1 + Math.Cos(Math.PI * t / (Total - Warmup))) / 2);
    }

    internal override void AddHyperparameters(List<KeyValuePair<string, string>> into)
    {
        into.Add(new("total", Text(Total)));
        into.Add(new("warmup", Text(Warmup)));
        into.Add(new("min_rate", Text(MinRate)));
        into.Add(new("warmup_start_factor", Text(WarmupStartFactor)));
        into.Add(new("interval", Interval.ToString()));
    }

    private protected override double RateAtPosition(long position) => RateAt(BaseRate, position);
}

/// <summary>How <see cref="PlateauSchedule"/> compares a value with the best so far.</summary>
public enum ThresholdMode
{
    /// <summary>
    /// Better means beyond the best by a fraction: <c>value &lt; best × (1 - threshold)</c> when minimizing,
    /// <c>value &gt; best × (1 + threshold)</c> when maximizing (PyTorch's <c>'rel'</c>).
    /// </summary>
    Relative,

    /// <summary>Better means beyond the best by an amount: <c>value &lt; best - threshold</c>, or <c>&gt; best + threshold</c> (PyTorch's <c>'abs'</c>).</summary>
    Absolute,
}

/// <summary>
/// PyTorch's <c>ReduceLROnPlateau</c>, after every epoch (its interval is always <see cref="ScheduleInterval.Epoch"/>): when the
/// epoch's <see cref="Monitor"/> is better than the best so far (see <see cref="ThresholdMode"/>) it becomes the best and the bad
/// epochs are reset, else one more epoch is bad; during a cooldown the bad epochs stay 0. When more than <see cref="Patience"/>
/// epochs in a row are bad, the rate becomes <c>max(rate × Factor, MinRate)</c> (unchanged when that changes it by
/// <see cref="Epsilon"/> or less) and a cooldown of <see cref="Cooldown"/> epochs starts.
/// </summary>
/// <remarks>
/// A monitored value that is NaN (say, the validation loss of a run without validation data, which Fit refuses before it starts)
/// is never better. The best value and the counters are saved in checkpoints.
/// </remarks>
public sealed class PlateauSchedule : LearningRateSchedule
{
    private double _best;
    private int _badEpochs;
    private int _cooldownLeft;

    internal PlateauSchedule(
        TrainingMetric monitor, MonitorMode mode, double factor, int patience, double threshold, ThresholdMode thresholdMode, int cooldown, double minRate, double epsilon)
        : base(ScheduleInterval.Epoch)
    {
        Mode = TrainingMetrics.ResolveMode(monitor, mode, nameof(monitor), nameof(mode));
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be above 0 and below 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        if (!(threshold >= 0) || double.IsInfinity(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a finite number, 0 or more.");
        }

        if (thresholdMode is not (ThresholdMode.Relative or ThresholdMode.Absolute))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdMode), thresholdMode, "thresholdMode must be Relative or Absolute.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (!(minRate >= 0) || double.IsInfinity(minRate))
        {
            throw new ArgumentOutOfRangeException(nameof(minRate), minRate, "minRate must be a finite number, 0 or more.");
        }

        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a finite number, 0 or more.");
        }

        Monitor = monitor;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinRate = minRate;
        Epsilon = epsilon;
        Reset();
    }

    /// <summary>The value watched after each epoch.</summary>
    public TrainingMetric Monitor { get; }

    /// <summary>Whether lower (<see cref="MonitorMode.Min"/>) or higher (<see cref="MonitorMode.Max"/>) is better; never Auto.</summary>
    public MonitorMode Mode { get; }

    /// <summary>The factor of each reduction (PyTorch's <c>factor</c>, default 0.1).</summary>
    public double Factor { get; }

    /// <summary>Bad epochs tolerated before a reduction (PyTorch's default 10).</summary>
    public int Patience { get; }

    /// <summary>How much better a value must be to count as better (PyTorch's default 1e-4).</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is a fraction or an amount.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Epochs after a reduction during which bad epochs are not counted.</summary>
    public int Cooldown { get; }

    /// <summary>The lowest rate (PyTorch's <c>min_lr</c>).</summary>
    public double MinRate { get; }

    /// <summary>A reduction that changes the rate by this much or less is not made (PyTorch's <c>eps</c>, 1e-8).</summary>
    public double Epsilon { get; }

    /// <summary>The best monitored value so far (infinite, of the losing sign, before the first epoch).</summary>
    public double Best => _best;

    /// <summary>Bad epochs in a row (PyTorch's <c>num_bad_epochs</c>).</summary>
    public int BadEpochs => _badEpochs;

    /// <summary>Epochs of cooldown left (PyTorch's <c>cooldown_counter</c>).</summary>
    public int CooldownLeft => _cooldownLeft;

    internal override string Kind => "ReduceLROnPlateau";

    /// <summary>Whether <paramref name="value"/> is better than <paramref name="best"/> under this schedule's mode and threshold.</summary>
    public bool IsBetter(double value, double best) => (Mode, ThresholdMode) switch
    {
        (MonitorMode.Min, ThresholdMode.Relative) => value < best * (1 - Threshold),
        (MonitorMode.Min, _) => value < best - Threshold,
        (_, ThresholdMode.Relative) => value > best * (Threshold + 1),
        _ => value > best + Threshold,
    };

    internal override void Advance(in EpochResult? epoch)
    {
        double current = epoch is EpochResult e ? e.Metric(Monitor) : double.NaN;
        Position++;
        if (IsBetter(current, _best))
        {
            _best = current;
            _badEpochs = 0;
        }
        else
        {
            _badEpochs++;
        }

        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _badEpochs = 0;
        }

        if (_badEpochs > Patience)
        {
            double old = Rate;
            double reduced = Math.Max(old * Factor, MinRate);
            if (old - reduced > Epsilon)
            {
                Rate = reduced;
            }

            _cooldownLeft = Cooldown;
            _badEpochs = 0;
        }
    }

    internal override void AddHyperparameters(List<KeyValuePair<string, string>> into)
    {
        into.Add(new("monitor", Monitor.ToString()));
        into.Add(new("mode", Mode.ToString()));
        into.Add(new("factor", Text(Factor)));
        into.Add(new("patience", Text(Patience)));
        into.Add(new("threshold", Text(Threshold)));
        into.Add(new("threshold_mode", ThresholdMode.ToString()));
        into.Add(new("cooldown", Text(Cooldown)));
        into.Add(new("min_rate", Text(MinRate)));
        into.Add(new("eps", Text(Epsilon)));
    }

    internal override ScheduleState CaptureState() => new(Position, BaseRate, Rate, _best, _badEpochs, _cooldownLeft);

    internal override void RestoreState(ScheduleState state)
    {
        base.RestoreState(state);
        _best = state.Best;
        _badEpochs = state.BadEpochs;
        _cooldownLeft = state.CooldownLeft;
    }

    private protected override double RateAtPosition(long position) => position == 0 ? BaseRate : Rate;

    private protected override void Reset()
    {
        _best = Mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        _badEpochs = 0;
        _cooldownLeft = 0;
    }
}
