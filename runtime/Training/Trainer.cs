using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using NetGen.CompilerServices;

namespace NetGen;

/// <summary>
/// Trains a network with mini-batch gradient descent: seeded shuffling each epoch, forward in training mode,
/// the loss and its gradient, backward, optional clipping by global norm, an optimizer step. A step whose loss
/// or gradient norm is not finite is not applied (see <see cref="NonFiniteStepPolicy"/>), and targets are
/// checked before anything moves. Buffers are sized on the first batch, so a step allocates nothing after
/// warm-up. The same seed gives the same run, bit for bit. The user guide is <c>docs/training.md</c>.
/// </summary>
/// <remarks>
/// The trainer knows where it stands: <see cref="CompletedEpochs"/>, <see cref="BatchesIntoEpoch"/> and
/// <see cref="StepCount"/>. <see cref="SaveCheckpoint(string)"/> writes that position with the parameters,
/// the optimizer's state and both random streams (shuffling and dropout);
/// <see cref="LoadCheckpoint(string)"/> restores it, and the next <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> continues from there as
/// if training had never stopped, bit for bit (single-threaded).
/// </remarks>
/// <typeparam name="TNetwork">The generated network type.</typeparam>
public sealed partial class Trainer<TNetwork>
    where TNetwork : INetwork
{
    private Rng _shuffle;

    // Dropout's stream while no workspace exists; a workspace created later starts from it, and a larger
    // workspace replacing a smaller one carries the stream on.
    private Rng _dropout;
    private Workspace? _workspace;
    private float[] _inputs = Array.Empty<float>();
    private float[] _targets = Array.Empty<float>();
    private float[] _outputs = Array.Empty<float>();
    private float[] _outputGradients = Array.Empty<float>();
    private int[] _order = Array.Empty<int>();

    // The loss's per-sample scratch (Loss.ComputeForTraining) and the gradient norm's per-chunk sums: what lets those
    // passes split across threads with the bits of one.
    private double[] _lossScratch = Array.Empty<double>();
    private readonly float[] _normPartials;

    // The network's buffers (batch norm's running statistics) as they were before the step's forward pass,
    // restored when the step is not applied. Sized once: a network's buffer count is fixed.
    private readonly float[] _bufferSnapshot;
    private float? _clipGradientNorm;

    // Whether the network's backward reads Workspace.OverwriteGradients (every generated network does); false once one
    // is seen not to.
    private bool _networkOverwrites = true;
    private NonFiniteStepPolicy _nonFiniteStepPolicy;
    private long _skippedSteps;

    // Where training stands. An epoch in progress (_batchesIntoEpoch > 0) has its shuffle (drawn from
    // _epochShuffle, the stream as it was before the epoch), batch size, data set size and running sums here,
    // so Fit can finish it after a cancellation or from a checkpoint.
    private int _completedEpochs;
    private int _batchesIntoEpoch;
    private long _stepCount;
    private Rng _epochShuffle;
    private int _epochBatchSize;
    private int _epochSamples;
    private double _epochLossSum;
    private long _epochCorrect;
    private int _epochSeen;

    // Predictions of the epoch's applied steps (Loss.CountPredictions: samples, or positions that count for a
    // sequence loss): what the epoch's accuracy and mean loss divide by.
    private long _epochPredictions;
    private bool _orderIsCurrent;
    private bool _fitting;

    // Steps of the epoch in progress that were skipped as not finite, and their samples: the epoch's loss and
    // accuracy are means over the other samples. A checkpoint carries them beside EpochSeen (which counts every
    // sample, skipped or not, so that it stays whole batches).
    private int _epochSkipped;
    private int _epochSkippedSamples;

    // A regression loss's sums over the epoch's applied steps: |output - target| and (output - target)², in double.
    private double _epochAbsoluteErrorSum;
    private double _epochSquaredErrorSum;

    // The optimizer's rate at the epoch's first batch (EpochResult.LearningRate).
    private float _epochLearningRate;
    private int _threads = 1;
    private LearningRateSchedule? _schedule;

    /// <summary>Creates a trainer; <paramref name="seed"/> drives shuffling and dropout.</summary>
    public Trainer(TNetwork network, Optimizer optimizer, Loss loss, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        Network = network;
        Optimizer = optimizer;
        Loss = loss;
        _shuffle = new Rng(seed);
        _dropout = new Rng(seed ^ 0xD809_0A7D_5EEDUL);
        int buffers = network.Buffers.Length;
        _bufferSnapshot = buffers == 0 ? Array.Empty<float>() : new float[buffers];
        _normPartials = new float[TrainingKernels.ChunkCount(network.Gradients.Length)];
    }

    /// <summary>
    /// Every epoch this trainer object has finished (both <c>Fit</c> overloads), oldest first: training and validation loss and
    /// metrics, learning rate, time. Not saved in checkpoints; <see cref="LoadCheckpoint(string)"/> empties it.
    /// </summary>
    public TrainingHistory History { get; } = new();

    /// <summary>
    /// Threads each training and evaluation batch is split across (<see cref="Workspace.Threads"/> of the trainer's workspace): 1,
    /// the default, keeps everything on the calling thread; 2 or more add NetGen's worker threads, up to the processor count.
    /// Every run with the same settings is the same bit for bit whatever the value, and the kernels split their work so that the
    /// numbers equal the one-thread numbers. Takes effect at the next step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1; the value is unchanged.</exception>
    public int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _threads = value;
            if (_workspace is not null)
            {
                _workspace.Threads = value;
            }
        }
    }

    /// <summary>
    /// The learning-rate schedule Fit follows (<see cref="LearningRateSchedule.Step"/>, <see cref="LearningRateSchedule.Exponential"/>,
    /// <see cref="LearningRateSchedule.Cosine"/>, <see cref="LearningRateSchedule.ReduceOnPlateau"/>); <see langword="null"/> (the
    /// default) leaves the rate alone. Setting one starts it: its base rate is the optimizer's current rate, and the optimizer's rate
    /// becomes the schedule's first. Fit moves it on after each epoch (or batch, <see cref="ScheduleInterval.Step"/>) and sets the
    /// optimizer's rate to its <see cref="LearningRateSchedule.Rate"/>. Checkpoints save its position and state:
    /// to resume, set a schedule made with the same arguments, then <see cref="LoadCheckpoint(string)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set while Fit is running.</exception>
    public LearningRateSchedule? Schedule
    {
        get => _schedule;
        set
        {
            if (_fitting)
            {
                throw new InvalidOperationException("The schedule cannot be changed while Fit is running.");
            }

            if (value is not null)
            {
                value.Start(Optimizer.LearningRate);
                Optimizer.LearningRate = (float)value.Rate;
            }

            _schedule = value;
        }
    }

    /// <summary>The network being trained.</summary>
    public TNetwork Network { get; }

    /// <summary>The optimizer that applies each step.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The loss minimized.</summary>
    public Loss Loss { get; }

    /// <summary>
    /// When set, gradients are scaled down so their global L2 norm is at most this value before each step, as
    /// <c>torch.nn.utils.clip_grad_norm_</c> (<see cref="GradientClipping.ClipByGlobalNorm(Span{float}, float)"/>); <see langword="null"/>
    /// (the default) does not clip. A positive number; <see cref="float.PositiveInfinity"/> never clips.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to NaN, 0 or a negative number; the value is unchanged.</exception>
    public float? ClipGradientNorm
    {
        get => _clipGradientNorm;
        set
        {
            if (value is float norm && !(norm > 0f))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(value), norm, "ClipGradientNorm must be a positive number (or null, for no clipping): 0 would zero every gradient.");
            }

            _clipGradientNorm = value;
        }
    }

    /// <summary>
    /// What a step whose loss or gradients' global L2 norm is NaN or infinite does. It is never applied: the
    /// parameters, the optimizer's state (moments, step count) and the buffers (batch norm's running statistics,
    /// which the forward pass had moved) are left exactly as they were. <see cref="NonFiniteStepPolicy.Skip"/>
    /// (the default) counts it in <see cref="SkippedSteps"/>, <see cref="TrainingProgress.SkippedSteps"/> and
    /// <see cref="EpochResult.SkippedSteps"/> and goes on; <see cref="NonFiniteStepPolicy.Throw"/> throws
    /// <see cref="NonFiniteStepException"/>.
    /// </summary>
    /// <remarks>
    /// The norm is that of the gradients before clipping, computed in float as clipping computes it, so gradients
    /// whose squares sum past <see cref="float.MaxValue"/> count as not finite too. The dropout stream has drawn the
    /// skipped step's masks and is not rewound. <see cref="Network"/>'s <c>Gradients</c> keep the skipped step's
    /// values until the next step.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not a member of the enum.</exception>
    public NonFiniteStepPolicy NonFiniteStepPolicy
    {
        get => _nonFiniteStepPolicy;
        set
        {
            if (value is not (NonFiniteStepPolicy.Skip or NonFiniteStepPolicy.Throw or NonFiniteStepPolicy.Stop))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "NonFiniteStepPolicy must be Skip, Throw or Stop.");
            }

            _nonFiniteStepPolicy = value;
        }
    }

    /// <summary>
    /// Steps this trainer skipped under <see cref="NonFiniteStepPolicy.Skip"/> because their loss or gradient norm
    /// was not finite (a thrown step is not counted), over <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> and <see cref="TrainStep"/>; saved in
    /// checkpoints and restored by <see cref="LoadCheckpoint(string)"/>.
    /// </summary>
    public long SkippedSteps => _skippedSteps;

    /// <summary>Epochs <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> has finished, over all calls (and restored by <see cref="LoadCheckpoint(string)"/>).</summary>
    public int CompletedEpochs => _completedEpochs;

    /// <summary>
    /// Batches done of an epoch not yet finished (after a cancellation, or in a checkpoint saved from the
    /// progress callback); 0 between epochs. The next <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> finishes that epoch first.
    /// </summary>
    public int BatchesIntoEpoch => _batchesIntoEpoch;

    /// <summary>
    /// Optimization steps applied: batches of <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> and calls of <see cref="TrainStep"/>. A step skipped
    /// as not finite is not counted here (it is in <see cref="SkippedSteps"/>), as the optimizer's own
    /// <see cref="Optimizer.StepCount"/> does not move for it either.
    /// </summary>
    public long StepCount => _stepCount;

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs over <paramref name="train"/>, calling
    /// <paramref name="progress"/> after every batch and evaluating on <paramref name="validation"/> after every epoch.
    /// </summary>
    /// <remarks>
    /// Epochs are numbered over the trainer's life: after <see cref="CompletedEpochs"/> epochs, this call runs
    /// epochs <c>CompletedEpochs + 1</c> to <c>CompletedEpochs + epochs</c>. An epoch left part-way (a
    /// cancellation, or a checkpoint saved from <paramref name="progress"/>) is finished first, with its own
    /// shuffle and running loss, and counts as one of the <paramref name="epochs"/>; it needs the same batch size
    /// and number of samples it began with. To resume a run of <c>N</c> epochs from a checkpoint, call
    /// <c>Fit(train, N - trainer.CompletedEpochs, ...)</c>: the result is the run that never stopped.
    /// <para>
    /// Before anything moves, every target of <paramref name="train"/> and <paramref name="validation"/> is checked
    /// with <see cref="Loss.FindInvalidTarget"/>; a bad one throws, naming its data set index (its index in the
    /// data set, not in the shuffled batch). A batch whose loss or gradient norm is not finite is not applied; see
    /// <see cref="NonFiniteStepPolicy"/>. A <paramref name="batchSize"/> above the number of samples makes one batch
    /// of all of them.
    /// </para>
    /// <para>
    /// <paramref name="progress"/> runs after each batch (applied or skipped) and may call
    /// <see cref="SaveCheckpoint(string)"/>, <see cref="Evaluate"/> and <see cref="TrainStep"/>, but not
    /// <see cref="Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> or <see cref="LoadCheckpoint(string)"/>. An exception it throws ends Fit where it stands,
    /// after that batch.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The data does not fit the network or the loss, a target is not valid for the loss (the message names the
    /// sample's data set index, its value and what is valid; nothing has moved), or an epoch part-way through was
    /// begun with another batch size or number of samples.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="epochs"/> is negative or more than <c>int.MaxValue - CompletedEpochs</c>, or
    /// <paramref name="batchSize"/> is below 1.
    /// </exception>
    /// <exception cref="NonFiniteStepException">A step was not finite under <see cref="NonFiniteStepPolicy.Throw"/>.</exception>
    /// <exception cref="InvalidOperationException">Called while Fit is running (from its own progress callback).</exception>
    public IReadOnlyList<EpochResult> Fit(
        Dataset train,
        int epochs,
        int batchSize,
        Dataset? validation = null,
        Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return FitCore(train, epochs, batchSize, validation, 256, progress, null, null, stopOnNonFinite: false, nameof(epochs), cancellationToken).Epochs;
    }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs over <paramref name="train"/>, as the other overload does, with
    /// the options' callbacks after each batch and each epoch, the <see cref="Schedule"/>, early stopping, and the
    /// <see cref="NonFiniteStepPolicy.Stop"/> policy; returns what happened.
    /// </summary>
    /// <remarks>
    /// After each epoch, in this order: the validation set is evaluated (<see cref="Evaluate"/>'s figures, the confusion matrix
    /// of a classification loss included); the epoch's <see cref="EpochResult"/> is made; a schedule with
    /// <see cref="ScheduleInterval.Epoch"/> moves on (a plateau schedule reads the result); early stopping reads it; it is added to
    /// <see cref="History"/> and reported to <see cref="TrainingOptions.EpochEnded"/>; and if early stopping says so, the best
    /// weights are put back (they are in the network when <see cref="TrainingOptions.EpochEnded"/> runs for the last epoch) and Fit
    /// returns <see cref="StopReason.EarlyStopped"/>.
    /// <para>
    /// <paramref name="cancellationToken"/> is checked before every batch: a cancelled Fit throws
    /// <see cref="OperationCanceledException"/> between two batches, and nothing is lost. The epochs finished are in
    /// <see cref="History"/>, the trainer stands after the last batch run, and the next Fit (or a checkpoint saved now and loaded
    /// later) continues from there, bit for bit as if it had not stopped.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// As for the other overload; or early stopping or a plateau schedule watches a validation figure and there is no
    /// <see cref="TrainingOptions.Validation"/>, or a figure the loss does not have (an accuracy of a regression, an error of a
    /// classification).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TrainingOptions.Epochs"/> is more than <c>int.MaxValue - CompletedEpochs</c>.</exception>
    /// <exception cref="NonFiniteStepException">A step was not finite under <see cref="NonFiniteStepPolicy.Throw"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Called while Fit is running (from one of its own callbacks).</exception>
    public FitResult Fit(Dataset train, TrainingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        EarlyStopping? early = options.EarlyStopping;
        if (early is not null)
        {
            CheckMonitor(early.Monitor, options.Validation is not null, "early stopping", nameof(options));
        }

        if (_schedule is PlateauSchedule plateau)
        {
            CheckMonitor(plateau.Monitor, options.Validation is not null, "the plateau schedule", nameof(options));
        }

        IProgress<TrainingProgress>? batches = options.BatchEnded;
        return FitCore(
            train,
            options.Epochs,
            options.BatchSize,
            options.Validation,
            options.ValidationBatchSize,
            batches is null ? null : batches.Report,
            options.EpochEnded,
            early,
            stopOnNonFinite: true,
            "options.Epochs",
            cancellationToken);
    }

    private void CheckMonitor(TrainingMetric metric, bool hasValidation, string who, string paramName)
    {
        if (TrainingMetrics.IsValidation(metric) && !hasValidation)
        {
            throw new ArgumentException($"{char.ToUpperInvariant(who[0])}{who[1..]} watches {metric}, but the options have no Validation data set.", paramName);
        }

        bool regression = Loss.Task == LossTask.Regression;
        bool wantsAccuracy = metric is TrainingMetric.Accuracy or TrainingMetric.ValidationAccuracy;
        bool wantsErrors = metric is TrainingMetric.MeanAbsoluteError or TrainingMetric.RootMeanSquaredError
            or TrainingMetric.ValidationMeanAbsoluteError or TrainingMetric.ValidationRootMeanSquaredError;
        if ((regression && wantsAccuracy) || (!regression && wantsErrors))
        {
            throw new ArgumentException(
                $"{char.ToUpperInvariant(who[0])}{who[1..]} watches {metric}, which {(regression ? "a regression loss has not (it has no accuracy)" : "only a regression loss (mean squared error) has")}.",
                paramName);
        }
    }

    private FitResult FitCore(
        Dataset train,
        int epochs,
        int batchSize,
        Dataset? validation,
        int validationBatchSize,
        Action<TrainingProgress>? progress,
        IProgress<EpochResult>? epochEnded,
        EarlyStopping? early,
        bool stopOnNonFinite,
        string epochsName,
        CancellationToken cancellationToken)
    {
        if (_fitting)
        {
            throw new InvalidOperationException(
                "Fit is already running: it cannot be called from its own progress callback. The callback may call " +
                "SaveCheckpoint, Evaluate and TrainStep; to train further, return from it and call Fit again after Fit returns.");
        }

        ArgumentNullException.ThrowIfNull(train);
        if (epochs > int.MaxValue - _completedEpochs)
        {
            throw new ArgumentOutOfRangeException(
                epochsName,
                epochs,
                $"Epochs are counted in an int: after {_completedEpochs} completed epochs, at most {int.MaxValue - _completedEpochs} more can be run.");
        }

        CheckDataset(train, nameof(train));
        if (validation is not null)
        {
            CheckDataset(validation, nameof(validation));
        }

        CheckTargets(train.Targets, train.TargetLength, "training set", nameof(train));
        if (validation is not null)
        {
            CheckTargets(validation.Targets, validation.TargetLength, "validation set", nameof(validation));
        }

        if (_batchesIntoEpoch > 0 && (batchSize != _epochBatchSize || train.Count != _epochSamples))
        {
            throw new ArgumentException(
                $"Epoch {_completedEpochs + 1} stopped after {_batchesIntoEpoch} batches of {_epochBatchSize} from {_epochSamples} samples; " +
                $"finishing it needs the same batch size and number of samples, got {batchSize} and {train.Count}.",
                batchSize != _epochBatchSize ? nameof(batchSize) : nameof(train));
        }

        if (_order.Length != train.Count)
        {
            _order = new int[train.Count];
            _orderIsCurrent = false;
        }

        // The list is not sized by epochs, which may be int.MaxValue (train until cancelled); the batch count is
        // computed in long, as train.Count + batchSize - 1 overflows an int for a batchSize near int.MaxValue.
        var results = new List<EpochResult>(Math.Min(epochs, 64));
        int batches = (int)(((long)train.Count + batchSize - 1) / batchSize);
        int lastEpoch = _completedEpochs + epochs;
        bool regression = MeasuresErrors;
        _fitting = true;
        try
        {
            while (_completedEpochs < lastEpoch)
            {
                int epoch = _completedEpochs + 1;
                var clock = Stopwatch.StartNew();
                BeginOrContinueEpoch(batchSize, train.Count);
                for (int b = _batchesIntoEpoch; b < batches; b++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int start = b * batchSize;
                    int count = Math.Min(batchSize, train.Count - start);
                    ReadOnlySpan<int> indices = _order.AsSpan(start, count);
                    Gather(train, indices);
                    ReadOnlySpan<float> inputs = _inputs.AsSpan(0, count * train.InputLength);
                    ReadOnlySpan<float> targets = _targets.AsSpan(0, count * train.TargetLength);
                    bool applied = Step(inputs, targets, count, out float loss, out int batchCorrect, out int batchPredictions, out float norm);
                    if (applied)
                    {
                        _epochLossSum += (double)loss * batchPredictions;
                        _epochCorrect += batchCorrect;
                        _epochPredictions += batchPredictions;
                        if (regression)
                        {
                            AddErrors(_outputs.AsSpan(0, targets.Length), targets, ref _epochAbsoluteErrorSum, ref _epochSquaredErrorSum);
                        }
                    }
                    else if (_nonFiniteStepPolicy == NonFiniteStepPolicy.Throw || (_nonFiniteStepPolicy == NonFiniteStepPolicy.Stop && !stopOnNonFinite))
                    {
                        throw NonFinite(epoch, b + 1, batches, loss, norm, inputs, train.InputLength, indices);
                    }
                    else if (_nonFiniteStepPolicy == NonFiniteStepPolicy.Stop)
                    {
                        NonFiniteStepException why = NonFinite(epoch, b + 1, batches, loss, norm, inputs, train.InputLength, indices);
                        return new FitResult(results, StopReason.NonFiniteStep, early?.BestEpoch ?? 0, early?.BestValue ?? float.NaN, why);
                    }
                    else
                    {
                        _skippedSteps++;
                        _epochSkipped++;
                        _epochSkippedSamples += count;
                    }

                    _epochSeen += count;
                    _batchesIntoEpoch = b + 1;
                    if (_schedule is { Interval: ScheduleInterval.Step } stepSchedule)
                    {
                        stepSchedule.Advance(null);
                        Optimizer.LearningRate = (float)stepSchedule.Rate;
                    }

                    progress?.Invoke(new TrainingProgress(
                        epoch, lastEpoch, b + 1, batches, EpochMeanLoss(), EpochAccuracy(), clock.Elapsed, _epochSkipped));
                }

                TimeSpan elapsed = clock.Elapsed;
                float epochLoss = EpochMeanLoss();
                float epochAccuracy = EpochAccuracy();
                int skipped = _epochSkipped;
                long elements = _epochPredictions * Network.OutputLength;
                float mae = regression && elements > 0 ? (float)(_epochAbsoluteErrorSum / elements) : float.NaN;
                float rmse = regression && elements > 0 ? (float)Math.Sqrt(_epochSquaredErrorSum / elements) : float.NaN;
                _completedEpochs = epoch;
                _batchesIntoEpoch = 0;
                Evaluation? check = validation is null ? null : EvaluateChecked(validation, validationBatchSize);
                var result = new EpochResult(epoch, epochLoss, epochAccuracy, check, elapsed, skipped)
                {
                    LearningRate = _epochLearningRate,
                    MeanAbsoluteError = mae,
                    RootMeanSquaredError = rmse,
                };
                if (_schedule is { Interval: ScheduleInterval.Epoch } epochSchedule)
                {
                    epochSchedule.Advance(result);
                    Optimizer.LearningRate = (float)epochSchedule.Rate;
                }

                bool stop = early is not null && early.Update(result, Network);
                if (stop && early!.RestoreBestWeights)
                {
                    early.RestoreBest(Network);
                }

                results.Add(result);
                History.Add(result);
                epochEnded?.Report(result);
                if (stop)
                {
                    return new FitResult(results, StopReason.EarlyStopped, early!.BestEpoch, early.BestValue, null);
                }
            }
        }
        finally
        {
            _fitting = false;
        }

        return new FitResult(results, StopReason.Completed, early?.BestEpoch ?? 0, early?.BestValue ?? float.NaN, null);
    }

    /// <summary>Whether the loss is a regression whose targets are the outputs' shape, so MAE and RMSE can be measured.</summary>
    private bool MeasuresErrors => Loss.Task == LossTask.Regression && Loss.TargetLength(Network.OutputLength) == Network.OutputLength;

    /// <summary>Adds <c>|o - t|</c> and <c>(o - t)²</c> over the elements, in double.</summary>
    private static void AddErrors(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ref double absoluteSum, ref double squaredSum)
    {
        double a = 0, q = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            double d = (double)outputs[i] - targets[i];
            a += Math.Abs(d);
            q += d * d;
        }

        absoluteSum += a;
        squaredSum += q;
    }

    /// <summary>
    /// At an epoch boundary, draws the epoch's shuffle and clears its sums; part-way through an epoch, makes
    /// sure <see cref="_order"/> holds that epoch's shuffle (redrawn after a checkpoint was loaded).
    /// </summary>
    private void BeginOrContinueEpoch(int batchSize, int samples)
    {
        if (_batchesIntoEpoch == 0)
        {
            _epochShuffle = _shuffle;
            ShuffleOrder();
            _epochBatchSize = batchSize;
            _epochSamples = samples;
            _epochLossSum = 0;
            _epochCorrect = 0;
            _epochPredictions = 0;
            _epochSeen = 0;
            _epochSkipped = 0;
            _epochSkippedSamples = 0;
            _epochAbsoluteErrorSum = 0;
            _epochSquaredErrorSum = 0;
            _epochLearningRate = Optimizer.LearningRate;
        }
        else if (!_orderIsCurrent)
        {
            // A checkpoint was loaded part-way through an epoch (the only way the order is lost mid-epoch).
            _shuffle = _epochShuffle;
            ShuffleOrder();
        }
    }

    /// <summary>
    /// The epoch's mean loss over the predictions (samples, or counted positions) of its applied steps; NaN when there
    /// were none.
    /// </summary>
    private float EpochMeanLoss() => _epochPredictions > 0 ? (float)(_epochLossSum / _epochPredictions) : float.NaN;

    /// <summary>The epoch's accuracy over the predictions of its applied steps; NaN when there were none.</summary>
    private float EpochAccuracy() =>
        _epochPredictions > 0 && Loss.Task != LossTask.Regression ? (float)_epochCorrect / _epochPredictions : float.NaN;

    private void ShuffleOrder()
    {
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        _shuffle.Shuffle(_order.AsSpan());
        _orderIsCurrent = true;
    }

    /// <summary>
    /// One optimization step on a batch given as spans (<c>n * InputLength</c> inputs, <c>n * TargetLength</c>
    /// targets); returns the batch's mean loss. Allocates nothing once a batch this large has been seen.
    /// </summary>
    /// <remarks>
    /// The targets are checked (<see cref="Loss.FindInvalidTarget"/>) before anything moves. A step whose loss or
    /// gradient norm is not finite is not applied (<see cref="NonFiniteStepPolicy"/>): under
    /// <see cref="NonFiniteStepPolicy.Skip"/> it returns the loss it computed (NaN or infinite, or finite when only
    /// the gradients were not) and adds one to <see cref="SkippedSteps"/>, not to <see cref="StepCount"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The spans are not whole samples, or a target is not valid for the loss (the message names the sample's index
    /// in the batch, its value and what is valid); nothing has moved.
    /// </exception>
    /// <exception cref="NonFiniteStepException">The step was not finite under <see cref="NonFiniteStepPolicy.Throw"/>.</exception>
    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        INetwork net = Network;
        if (inputs.IsEmpty || inputs.Length % net.InputLength != 0)
        {
            throw new ArgumentException($"Expected a whole number of samples of {net.InputLength} floats, got {inputs.Length}.", nameof(inputs));
        }

        int count = inputs.Length / net.InputLength;
        int targetLength = Loss.TargetLength(net.OutputLength);
        if (targets.Length != count * targetLength)
        {
            throw new ArgumentException($"Expected {count * targetLength} targets for {count} samples, got {targets.Length}.", nameof(targets));
        }

        CheckTargets(targets, targetLength, "batch", nameof(targets));
        EnsureBuffers(count);
        if (Step(inputs, targets, count, out float loss, out _, out _, out float norm))
        {
            return loss;
        }

        if (_nonFiniteStepPolicy is NonFiniteStepPolicy.Throw or NonFiniteStepPolicy.Stop)
        {
            throw NonFinite(0, 0, 0, loss, norm, inputs, net.InputLength, default);
        }

        _skippedSteps++;
        return loss;
    }

    /// <summary>
    /// Mean loss and the loss's metrics on <paramref name="data"/> in inference mode (dropout off): for a classification loss
    /// accuracy and the <see cref="Evaluation.Confusion"/> matrix (per-class precision and recall), for a regression loss the mean
    /// absolute error and root mean squared error and no accuracy (NaN), for another loss accuracy.
    /// </summary>
    /// <remarks>
    /// Targets are checked first (<see cref="Loss.FindInvalidTarget"/>). A <paramref name="batchSize"/> above the
    /// number of samples evaluates them in one batch. Changes nothing the next training step reads.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// The data does not fit the network or the loss, or a target is not valid for the loss (the message names the
    /// sample's data set index, its value and what is valid).
    /// </exception>
    public Evaluation Evaluate(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckDataset(data, nameof(data));
        CheckTargets(data.Targets, data.TargetLength, "data set", nameof(data));
        return EvaluateChecked(data, batchSize);
    }

    /// <summary>Evaluate, on a data set whose shape and targets have been checked.</summary>
    private Evaluation EvaluateChecked(Dataset data, int batchSize)
    {
        INetwork net = Network;
        batchSize = Math.Min(batchSize, data.Count);
        EnsureBuffers(batchSize);
        LossTask task = Loss.Task;
        int classes = task == LossTask.Classification ? Loss.ClassCount(net.OutputLength) : 0;
        ConfusionMatrix? confusion = classes > 0 ? new ConfusionMatrix(classes) : null;
        double lossSum = 0, absoluteSum = 0, squaredSum = 0;
        long correct = 0;
        long predictions = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            ReadOnlySpan<float> inputs = data.Inputs.Slice(start * data.InputLength, count * data.InputLength);
            ReadOnlySpan<float> targets = data.Targets.Slice(start * data.TargetLength, count * data.TargetLength);
            Span<float> outputs = _outputs.AsSpan(0, count * net.OutputLength);
            net.Forward(inputs, outputs, _workspace!);
            int batchPredictions = Loss.CountPredictions(targets, count);
            lossSum += (double)Loss.Compute(outputs, targets, default, count) * batchPredictions;
            correct += Loss.CountCorrect(outputs, targets, count);
            predictions += batchPredictions;
            if (confusion is not null)
            {
                Loss.AddToConfusion(outputs, targets, count, confusion);
            }
            else if (MeasuresErrors)
            {
                AddErrors(outputs, targets, ref absoluteSum, ref squaredSum);
            }
        }

        if (predictions == 0)
        {
            return new Evaluation(float.NaN, float.NaN, data.Count) { Confusion = confusion };
        }

        long elements = predictions * net.OutputLength;
        return new Evaluation((float)(lossSum / predictions), task == LossTask.Regression ? float.NaN : (float)correct / predictions, data.Count)
        {
            Confusion = confusion,
            MeanAbsoluteError = task == LossTask.Regression ? (float)(absoluteSum / elements) : float.NaN,
            RootMeanSquaredError = task == LossTask.Regression ? (float)Math.Sqrt(squaredSum / elements) : float.NaN,
        };
    }

    /// <summary>
    /// One step on a batch of <paramref name="count"/> samples, read where they are (no copy), with checked targets.
    /// Returns whether it was applied: false when the loss or the gradients' norm (before clipping) is not finite,
    /// and then the parameters, the optimizer and the buffers are as they were. An exception (from a loss of the
    /// user's) leaves the buffers as they were too.
    /// </summary>
    private bool Step(
        ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int count, out float loss, out int correct, out int predictions, out float norm)
    {
        INetwork net = Network;
        Span<float> outputs = _outputs.AsSpan(0, count * net.OutputLength);
        Span<float> outputGradients = _outputGradients.AsSpan(0, count * net.OutputLength);
        Span<float> buffers = net.Buffers;
        buffers.CopyTo(_bufferSnapshot);
        bool buffersFinal = false;
        try
        {
            // Every pass is split across the trainer's threads with the bits of one thread: the network's kernels, the loss
            // by sample, clearing the gradients, their norm by fixed chunks, and the optimizer's elementwise update.
            int threads = _threads;
            net.ForwardTraining(inputs, outputs, _workspace!);
            loss = Loss.ComputeForTraining(outputs, targets, outputGradients, count, threads, _lossScratch, out correct);
            predictions = Loss.CountPredictions(targets, count);
            // The generated backward writes the gradients rather than adding into them when asked (the dense layers write
            // theirs, the rest is cleared for the layers that add), which saves a pass over all of them. A network that
            // leaves the request unread added into stale gradients: it is run again the old way, and never asked again.
            Span<float> gradients = net.Gradients;
            _workspace!.OverwriteGradients = _networkOverwrites;
            if (!_networkOverwrites)
            {
                TrainingKernels.Clear(gradients, threads); // net.ZeroGradients(), split
            }

            net.Backward(inputs, outputGradients, default, _workspace);
            if (_workspace.OverwriteGradients)
            {
                _workspace.OverwriteGradients = false;
                _networkOverwrites = false;
                TrainingKernels.Clear(gradients, threads);
                net.Backward(inputs, outputGradients, default, _workspace);
            }

            norm = _clipGradientNorm is float maxNorm
                ? GradientClipping.ClipByGlobalNorm(gradients, maxNorm, threads, _normPartials) // leaves non-finite gradients as they are
                : GradientClipping.GlobalNorm(gradients, threads, _normPartials);
            if (!float.IsFinite(loss) || !float.IsFinite(norm))
            {
                return false;
            }

            Optimizer.Step(net.Parameters, gradients, threads);
            buffersFinal = true;
            _stepCount++;
            return true;
        }
        finally
        {
            if (!buffersFinal)
            {
                _bufferSnapshot.CopyTo(buffers);
            }
        }
    }

    /// <summary>
    /// The exception for a step that was not finite under <see cref="NonFiniteStepPolicy.Throw"/>, naming the first
    /// sample of the batch with a non-finite input: its data set index through <paramref name="indices"/> (Fit),
    /// else its index in the batch (TrainStep, <paramref name="epoch"/> 0).
    /// </summary>
    private static NonFiniteStepException NonFinite(
        int epoch, int batch, int batches, float loss, float norm, ReadOnlySpan<float> inputs, int inputLength, ReadOnlySpan<int> indices)
    {
        int sample = -1;
        int position = 0;
        float value = 0f;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!float.IsFinite(inputs[i]))
            {
                int inBatch = i / inputLength;
                sample = indices.IsEmpty ? inBatch : indices[inBatch];
                position = i % inputLength;
                value = inputs[i];
                break;
            }
        }

        CultureInfo c = CultureInfo.InvariantCulture;
        string where = epoch > 0 ? $"Epoch {epoch}, batch {batch} of {batches}" : "TrainStep";
        string what = float.IsFinite(loss)
            ? $"the loss is {loss.ToString(c)} but the gradients' norm is {norm.ToString(c)}"
            : $"the loss is {loss.ToString(c)}";
        string cause = sample < 0
            ? "Every input of the batch is finite: the values overflowed inside the network or the loss (a learning rate or inputs too large?)."
            : $"Sample {sample} of the {(epoch > 0 ? "training set" : "batch")} has a non-finite input ({value.ToString(c)} at position {position}).";
        return new NonFiniteStepException(
            $"{where}: {what}, so the step was not applied; the parameters, the optimizer's state and the buffers are as they were before it. " +
            $"{cause} With NonFiniteStepPolicy.Skip such steps are skipped and counted instead.",
            epoch,
            batch,
            loss,
            norm,
            sample);
    }

    /// <summary>
    /// Throws unless every target is valid for the loss, naming the first bad one's sample (its index in
    /// <paramref name="targets"/>, which is the data set index for a whole data set), output, value and what is valid.
    /// </summary>
    private void CheckTargets(ReadOnlySpan<float> targets, int targetLength, string what, string paramName)
    {
        int outputs = Network.OutputLength;
        int bad = Loss.FindInvalidTarget(targets, outputs);
        if (bad < 0)
        {
            return;
        }

        CultureInfo c = CultureInfo.InvariantCulture;
        string output = targetLength == 1 ? string.Empty
            : Loss is SequenceCrossEntropyLoss ? $" at step {bad % targetLength}"
            : $" at output {bad % targetLength}";
        string consequence = what == "batch" ? "The step was not taken." : "Nothing has been trained or evaluated.";
        throw new ArgumentException(
            $"Sample {bad / targetLength} of the {what} has target {targets[bad].ToString(c)}{output}; {Loss.DescribeValidTargets(outputs)}. {consequence}",
            paramName);
    }

    /// <summary>Copies the samples <paramref name="indices"/> names into the batch buffers, split across threads by sample.</summary>
    private unsafe void Gather(Dataset data, ReadOnlySpan<int> indices)
    {
        EnsureBuffers(indices.Length);
        int count = indices.Length;
        var spans = new KernelSpans(data.Inputs, data.Targets, default, _inputs, _targets);
        fixed (int* order = indices)
        {
            var batch = new GatherBatch(order, data.InputLength, data.TargetLength);
            if (_threads > 1 && count >= 2 * GatherGrain && (long)count * data.InputLength >= TrainingKernels.MinFloatsForThreads)
            {
                KernelThreads.For(_threads, count, GatherGrain, spans, batch,
                    static (in KernelSpans s, in GatherBatch b, int start, int end) => GatherRows(s, b, start, end));
            }
            else
            {
                GatherRows(spans, batch, 0, count);
            }
        }
    }

    // Samples per piece of a split gather.
    private const int GatherGrain = 4;

    private readonly unsafe struct GatherBatch(int* order, int inputLength, int targetLength)
    {
        public readonly int* Order = order;
        public readonly int InputLength = inputLength;
        public readonly int TargetLength = targetLength;
    }

    private static unsafe void GatherRows(in KernelSpans s, in GatherBatch b, int start, int end)
    {
        int inLength = b.InputLength, targetLength = b.TargetLength;
        for (int i = start; i < end; i++)
        {
            int sample = b.Order[i];
            s.In0.Slice(sample * inLength, inLength).CopyTo(s.Out0.Slice(i * inLength, inLength));
            s.In1.Slice(sample * targetLength, targetLength).CopyTo(s.Out1.Slice(i * targetLength, targetLength));
        }
    }

    private void EnsureBuffers(int count)
    {
        if (_workspace is not null && _workspace.BatchCapacity >= count)
        {
            return;
        }

        INetwork net = Network;
        Rng dropout = _workspace is null ? _dropout : _workspace.Random;
        _workspace = net.CreateWorkspace(count);
        _workspace.Random = dropout;
        _workspace.Threads = _threads;
        _inputs = new float[count * net.InputLength];
        _targets = new float[count * Loss.TargetLength(net.OutputLength)];
        _outputs = new float[count * net.OutputLength];
        _outputGradients = new float[count * net.OutputLength];
        _lossScratch = new double[Loss.TrainingScratchLength(count)];
    }

    private void CheckDataset(Dataset data, string name)
    {
        INetwork net = Network;
        if (data.InputLength != net.InputLength)
        {
            throw new ArgumentException($"The network takes {net.InputLength} floats per sample; the data set has {data.InputLength}.", name);
        }

        int targetLength = Loss.TargetLength(net.OutputLength);
        if (data.TargetLength != targetLength)
        {
            throw new ArgumentException($"The loss expects {targetLength} target floats per sample; the data set has {data.TargetLength}.", name);
        }

        if (data.Count == 0)
        {
            throw new ArgumentException("The data set is empty.", name);
        }
    }
}
