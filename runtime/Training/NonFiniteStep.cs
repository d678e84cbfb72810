using System;

namespace NetGen;

/// <summary>
/// What <see cref="Trainer{TNetwork}"/> does with a step whose loss or gradient norm is not finite (NaN or
/// infinite). Either way the step is not applied: the parameters, the optimizer's state (moments, step count)
/// and the network's buffers (batch norm's running statistics) are exactly as they were before it.
/// </summary>
public enum NonFiniteStepPolicy
{
    /// <summary>
    /// Skip the step and count it (<see cref="Trainer{TNetwork}.SkippedSteps"/>,
    /// <see cref="EpochResult.SkippedSteps"/>, <see cref="TrainingProgress.SkippedSteps"/>), then go on with the
    /// next batch, as PyTorch's AMP <c>GradScaler</c> skips <c>optimizer.step()</c> when it finds inf or NaN
    /// gradients. The default.
    /// </summary>
    Skip,

    /// <summary>
    /// Throw <see cref="NonFiniteStepException"/>, as Lightning's <c>terminate_on_nan</c> or Keras'
    /// <c>TerminateOnNaN</c> stop a run: for data that must never produce such a step.
    /// </summary>
    Throw,

    /// <summary>
    /// End <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> without throwing: it
    /// returns a <see cref="FitResult"/> whose <see cref="FitResult.StopReason"/> is <see cref="StopReason.NonFiniteStep"/> and whose
    /// <see cref="FitResult.NonFiniteStep"/> says where and why (the exception <see cref="Throw"/> would throw). The trainer stands
    /// before the bad batch, as after <see cref="Throw"/>. <see cref="Trainer{TNetwork}.TrainStep"/>, which has no run to end, and
    /// the <c>Fit</c> overload that returns a list (which has no room for the reason) throw as under <see cref="Throw"/>.
    /// </summary>
    Stop,
}

/// <summary>
/// Thrown by <see cref="Trainer{TNetwork}.Fit(Dataset, int, int, Dataset?, Action{TrainingProgress}?, System.Threading.CancellationToken)"/>
/// and <see cref="Trainer{TNetwork}.TrainStep"/> under <see cref="NonFiniteStepPolicy.Throw"/> (and returned in
/// <see cref="FitResult.NonFiniteStep"/> under <see cref="NonFiniteStepPolicy.Stop"/>) when a step's loss or gradient norm is not finite. The step was not
/// applied: the parameters, the optimizer's state and the buffers are as they were before it, and
/// <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> stands before the batch (the next call tries it again).
/// </summary>
/// <remarks>
/// <see cref="NotFiniteNumberException.OffendingNumber"/> is the loss when it is not finite, else the gradient norm.
/// </remarks>
public sealed class NonFiniteStepException : NotFiniteNumberException
{
    /// <summary>Creates the exception with a default message.</summary>
    public NonFiniteStepException()
        : this("A training step's loss or gradient norm is not finite; the step was not applied.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NonFiniteStepException(string message)
        : base(message, double.NaN)
    {
        Loss = float.NaN;
        GradientNorm = float.NaN;
        Sample = -1;
    }

    /// <summary>Creates the exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public NonFiniteStepException(string message, Exception? innerException)
        : base(message, double.NaN, innerException)
    {
        Loss = float.NaN;
        GradientNorm = float.NaN;
        Sample = -1;
    }

    /// <summary>Creates the exception for a step of <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/> or <see cref="Trainer{TNetwork}.TrainStep"/>.</summary>
    /// <param name="message">What happened, where, and what was left unchanged.</param>
    /// <param name="epoch">The epoch (from 1) of the step in Fit; 0 for TrainStep.</param>
    /// <param name="batch">The batch (from 1) of the step within its epoch in Fit; 0 for TrainStep.</param>
    /// <param name="loss">The batch's mean loss.</param>
    /// <param name="gradientNorm">The gradients' global L2 norm (before clipping).</param>
    /// <param name="sample">The first sample whose input is not finite, or -1 when every input is finite.</param>
    public NonFiniteStepException(string message, int epoch, int batch, float loss, float gradientNorm, int sample)
        : base(message, float.IsFinite(loss) ? gradientNorm : loss)
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        GradientNorm = gradientNorm;
        Sample = sample;
    }

    /// <summary>The epoch (from 1) of the step in <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>; 0 for <see cref="Trainer{TNetwork}.TrainStep"/>.</summary>
    public int Epoch { get; }

    /// <summary>The batch (from 1) within its epoch in <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>; 0 for <see cref="Trainer{TNetwork}.TrainStep"/>.</summary>
    public int Batch { get; }

    /// <summary>The batch's mean loss (finite when only the gradients were not).</summary>
    public float Loss { get; }

    /// <summary>The gradients' global L2 norm, before clipping (NaN when not known).</summary>
    public float GradientNorm { get; }

    /// <summary>
    /// The first sample of the batch whose input holds a NaN or an infinity: its data set index in
    /// <see cref="Trainer{TNetwork}.Fit(Dataset, TrainingOptions, System.Threading.CancellationToken)"/>, its index in the batch in <see cref="Trainer{TNetwork}.TrainStep"/>;
    /// -1 when every input is finite (the values overflowed inside the network or the loss).
    /// </summary>
    public int Sample { get; }
}
