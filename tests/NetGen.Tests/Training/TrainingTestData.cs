using System;
using NetGen.Tests.Networks;

namespace NetGen.Tests.Training;

/// <summary>Data sets and state snapshots the trainer tests share.</summary>
internal static class TrainingTestData
{
    /// <summary>
    /// <paramref name="count"/> samples for <see cref="BnVector"/> (5 Gaussian inputs, a label in [0, 3)), from a
    /// fixed stream; sample <paramref name="poisoned"/>, if any, gets <paramref name="poison"/> as its third input.
    /// </summary>
    public static Dataset BnVectorLabels(int count, ulong seed = 2024, int poisoned = -1, float poison = float.NaN)
    {
        var rng = new Rng(seed);
        var x = new float[count * BnVector.InputLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        if (poisoned >= 0)
        {
            x[(poisoned * BnVector.InputLength) + 2] = poison;
        }

        var labels = new float[count];
        for (int s = 0; s < count; s++)
        {
            labels[s] = rng.NextInt(BnVector.OutputLength);
        }

        return new Dataset(x, BnVector.InputLength, labels, 1);
    }

    /// <summary>A trainer of a fresh <see cref="BnVector"/> with Adam and softmax cross-entropy.</summary>
    public static Trainer<BnVector> BnVectorTrainer(ulong seed = 7) =>
        new(new BnVector(seed), new Adam(learningRate: 1e-2f), Loss.SoftmaxCrossEntropy, seed);

    /// <summary>The bits of each float, so that comparisons are exact (NaN equals NaN, -0 differs from 0).</summary>
    public static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }

    /// <summary>Everything a step may move: parameters, buffers, the optimizer's state and step count.</summary>
    public static State Capture<TNetwork>(Trainer<TNetwork> trainer)
        where TNetwork : INetwork
    {
        INetwork net = trainer.Network;
        return new State(Bits(net.Parameters), Bits(net.Buffers), Bits(trainer.Optimizer.GetState()), trainer.Optimizer.StepCount);
    }

    /// <summary>True when every float is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A snapshot of what a step may move, compared element by element.</summary>
    public sealed record State(int[] Parameters, int[] Buffers, int[] OptimizerState, long OptimizerSteps)
    {
        /// <summary>Equal bit for bit in every part.</summary>
        public bool SameAs(State other) =>
            Parameters.AsSpan().SequenceEqual(other.Parameters) && Buffers.AsSpan().SequenceEqual(other.Buffers)
            && OptimizerState.AsSpan().SequenceEqual(other.OptimizerState) && OptimizerSteps == other.OptimizerSteps;
    }
}
