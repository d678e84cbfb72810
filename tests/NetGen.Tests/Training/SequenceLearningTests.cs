using System;
using System.Collections.Generic;
using NetGen.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Training;

/// <summary>
/// A generated token network learns a task that needs its recurrence, end to end through <see cref="Dataset.FromTokens"/>,
/// <see cref="Trainer{TNetwork}.Fit"/> with clipping, the per-step loss with an ignore index and <see cref="Trainer{TNetwork}.Evaluate"/>.
/// </summary>
public sealed class SequenceLearningTests
{
    private readonly ITestOutputHelper _output;

    public SequenceLearningTests(ITestOutputHelper output) => _output = output;

    /// <summary>The target at step t is the token at step t − 1 (step 0 does not count): only the carried state knows it.</summary>
    [Fact]
    public void An_embedding_lstm_learns_to_repeat_the_previous_token()
    {
        const int steps = RecEmbedLstm.InputLength, vocabulary = 7;
        Dataset train = Task(512, steps, vocabulary, seed: 80);
        Dataset held = Task(128, steps, vocabulary, seed: 81);
        var net = new RecEmbedLstm(seed: 82);
        var trainer = new Trainer<RecEmbedLstm>(net, new Adam(0.03f), Loss.SequenceCrossEntropy(vocabulary, ignoreIndex: -1), seed: 83) { ClipGradientNorm = 1f };
        Evaluation before = trainer.Evaluate(held);
        IReadOnlyList<EpochResult> epochs = trainer.Fit(train, epochs: 60, batchSize: 32);
        Evaluation after = trainer.Evaluate(held);
        _output.WriteLine($"held out: loss {before.Loss:F3} → {after.Loss:F3} nats, accuracy {before.Accuracy:P1} → {after.Accuracy:P1} (uniform {Math.Log(vocabulary):F3} nats); {epochs.Count} epochs");
        Assert.True(after.Accuracy >= 0.95f, $"held-out accuracy {after.Accuracy:P1}");
        Assert.True(after.Loss < 0.3f, $"held-out loss {after.Loss}");
    }

    private static Dataset Task(int count, int steps, int vocabulary, ulong seed)
    {
        var random = new Rng(seed);
        var tokens = new int[count * steps];
        var targets = new int[tokens.Length];
        for (int s = 0; s < count; s++)
        {
            for (int t = 0; t < steps; t++)
            {
                int i = s * steps + t;
                tokens[i] = random.NextInt(vocabulary);
                targets[i] = t == 0 ? -1 : tokens[i - 1];
            }
        }

        return Dataset.FromTokens(tokens, steps, targets, ignoreIndex: -1, vocabulary: vocabulary);
    }
}
