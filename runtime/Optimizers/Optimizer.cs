using System;

namespace NetGen;

/// <summary>
/// Updates a network's flat parameter span from its gradient span, in place, as the PyTorch optimizer of
/// the same name does. State (momentum, moment estimates) is allocated on the first step, sized to the
/// parameters, so steps after the first allocate nothing.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Sets the learning rate.</summary>
    protected Optimizer(float learningRate)
    {
        if (!(learningRate >= 0f) || float.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a finite number, 0 or more.");
        }

        LearningRate = learningRate;
    }

    /// <summary>The step size; a scheduler may change it between steps.</summary>
    public float LearningRate { get; set; }

    /// <summary>Steps taken so far (Adam's bias correction counts from it).</summary>
    public long StepCount { get; protected set; }

    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>Forgets all state, as a newly constructed optimizer.</summary>
    public abstract void Reset();

    /// <summary>Throws unless the two spans have the same, non-zero length.</summary>
    protected static void CheckLengths(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (gradients.Length != parameters.Length)
        {
            throw new ArgumentException(
                $"Expected {parameters.Length} gradients (one per parameter), got {gradients.Length}.", nameof(gradients));
        }
    }
}
