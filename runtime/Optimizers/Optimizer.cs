using System;

namespace NetGen;

/// <summary>
/// Updates a network's flat parameter span from its gradient span, in place, as the PyTorch optimizer of
/// the same name does. State (momentum, moment estimates) is allocated on the first step, sized to the
/// parameters, so steps after the first allocate nothing.
/// </summary>
/// <remarks>
/// <para>
/// State is <see cref="StateVectorCount"/> vectors of one float per parameter, stored back to back in one
/// array: vector <c>k</c> holds <c>state[k * n .. (k + 1) * n)</c> for <c>n</c> parameters. Each optimizer
/// documents its vectors in PyTorch's <c>state_dict</c> order. A checkpoint saves <see cref="GetState"/>,
/// <see cref="StepCount"/> and <see cref="LearningRate"/>, and restores them with <see cref="SetState"/>.
/// </para>
/// <para>An optimizer is not thread-safe; it belongs to one training loop.</para>
/// </remarks>
public abstract class Optimizer
{
    private float[]? _state;

    // Parameters the state is sized for; -1 before the first step and after Reset. The array survives
    // Reset, so stepping the same parameters again reuses it.
    private int _parameterCount = -1;
    private float _learningRate;

    /// <summary>Sets the learning rate.</summary>
    protected Optimizer(float learningRate)
    {
        if (!(learningRate >= 0f) || float.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a finite number, 0 or more.");
        }

        _learningRate = learningRate;
    }

    /// <summary>The step size, a finite number, 0 or more; a scheduler may change it between steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to NaN, an infinity or a negative number; the rate is unchanged.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "LearningRate must be a finite number, 0 or more.");
            }

            _learningRate = value;
        }
    }

    /// <summary>Steps taken so far (Adam's bias correction counts from it).</summary>
    public long StepCount { get; protected set; }

    /// <summary>
    /// How many parameter-sized state vectors this optimizer keeps: 0 for SGD without momentum, 2 for Adam.
    /// Fixed by the constructor's arguments.
    /// </summary>
    public abstract int StateVectorCount { get; }

    /// <summary>
    /// The number of parameters the state is sized for: set by the first <see cref="Step(Span{float}, ReadOnlySpan{float})"/> (or by
    /// <see cref="SetState"/>), -1 before that and after <see cref="Reset"/>.
    /// </summary>
    public int ParameterCount => _parameterCount;

    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The spans differ in length, or differ from the length of earlier steps (call <see cref="Reset"/>
    /// before stepping a different parameter set).
    /// </exception>
    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>
    /// Applies one update as <see cref="Step(Span{float}, ReadOnlySpan{float})"/> does, split across up to
    /// <paramref name="threads"/> threads (the calling thread and NetGen's kernel workers) when the parameters are many
    /// enough to pay for it. The update is elementwise and each parameter is computed by the same code whatever the
    /// split, so the result is the same bit for bit for every thread count. The built-in optimizers split; an optimizer
    /// that does not override this runs <see cref="Step(Span{float}, ReadOnlySpan{float})"/> on the calling thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Step(Span{float}, ReadOnlySpan{float})"/>.</exception>
    public virtual void Step(Span<float> parameters, ReadOnlySpan<float> gradients, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Step(parameters, gradients);
    }

    /// <summary>Forgets all state, as a newly constructed optimizer.</summary>
    public abstract void Reset();

    /// <summary>The number of state floats for <paramref name="parameterCount"/> parameters, for sizing a checkpoint.</summary>
    public int StateLength(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        return checked(StateVectorCount * parameterCount);
    }

    /// <summary>
    /// The state, <see cref="StateVectorCount"/> vectors of <see cref="ParameterCount"/> floats (see the
    /// remarks on <see cref="Optimizer"/> for the layout); empty before the first step. A view, not a copy:
    /// it changes with every step.
    /// </summary>
    public ReadOnlySpan<float> GetState() => _parameterCount < 0 ? default : _state.AsSpan(0, StateLength(_parameterCount));

    /// <summary>
    /// Restores state saved from <see cref="GetState"/> and <see cref="StepCount"/> of an optimizer of the
    /// same type and arguments. A <paramref name="stepCount"/> of 0 is the same as <see cref="Reset"/> (the
    /// state must then be empty). Otherwise the next step must have <see cref="ParameterCount"/> parameters,
    /// inferred as <c>state.Length / StateVectorCount</c>; an optimizer without state vectors accepts an
    /// empty span and any parameter count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepCount"/> is negative.</exception>
    /// <exception cref="ArgumentException">The state's length does not fit this optimizer.</exception>
    public void SetState(ReadOnlySpan<float> state, long stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        int vectors = StateVectorCount;
        if (stepCount == 0 || vectors == 0)
        {
            if (!state.IsEmpty)
            {
                throw new ArgumentException(
                    $"Expected no state ({(vectors == 0 ? "this optimizer keeps none" : "no steps taken")}), got {state.Length} floats.", nameof(state));
            }

            ForgetState();
            StepCount = stepCount;
            return;
        }

        if (state.IsEmpty || state.Length % vectors != 0)
        {
            throw new ArgumentException(
                $"Expected {vectors} state vectors of one float per parameter, got {state.Length} floats, not a non-zero multiple of {vectors}.", nameof(state));
        }

        int parameterCount = state.Length / vectors;
        AllocateState(parameterCount);
        state.CopyTo(_state);
        _parameterCount = parameterCount;
        StepCount = stepCount;
    }

    /// <summary>Throws unless the two spans have the same length.</summary>
    protected static void CheckLengths(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (gradients.Length != parameters.Length)
        {
            throw new ArgumentException(
                $"Expected {parameters.Length} gradients (one per parameter), got {gradients.Length}.", nameof(gradients));
        }
    }

    /// <summary>
    /// Starts a step: checks the lengths, sizes and initializes the state on the first step after
    /// construction or <see cref="Reset"/> (<paramref name="firstStep"/> tells which), counts the step and
    /// returns the state (<see cref="StateVectorCount"/> vectors of <c>parameters.Length</c> floats).
    /// </summary>
    protected Span<float> BeginStep(Span<float> parameters, ReadOnlySpan<float> gradients, out bool firstStep)
    {
        CheckLengths(parameters, gradients);
        int count = parameters.Length;
        firstStep = _parameterCount < 0;
        if (firstStep)
        {
            AllocateState(count);
            Span<float> fresh = _state.AsSpan(0, StateLength(count));
            InitializeState(fresh);
            _parameterCount = count;
        }
        else if (count != _parameterCount)
        {
            throw new ArgumentException(
                $"This optimizer's state is sized for {_parameterCount} parameters, but this step has {count}. Call Reset() before stepping a different set of parameters.",
                nameof(parameters));
        }

        StepCount++;
        return _state.AsSpan(0, StateLength(count));
    }

    /// <summary>Marks the state as unused and the step count as 0; the next step starts afresh.</summary>
    protected void ForgetState()
    {
        _parameterCount = -1;
        StepCount = 0;
    }

    /// <summary>Sets the state before a first step. The default clears it; override for other starting values.</summary>
    protected virtual void InitializeState(Span<float> state) => state.Clear();

    private void AllocateState(int parameterCount)
    {
        int length = StateLength(parameterCount);
        if (_state is null || _state.Length != length)
        {
            _state = length == 0 ? Array.Empty<float>() : new float[length];
        }
    }
}
