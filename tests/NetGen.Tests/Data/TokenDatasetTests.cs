using System;
using Xunit;

namespace NetGen.Tests.Data;

/// <summary><see cref="Dataset.FromTokens"/> and <see cref="Dataset.FromTokenLabels"/>: token ids and targets stored as floats, checked up front.</summary>
public sealed class TokenDatasetTests
{
    [Fact]
    public void FromTokens_keeps_a_target_per_step_and_the_ids_exact_as_floats()
    {
        int[] tokens = { 5, 1, 0, (1 << 24) - 1, 2, 2 };
        int[] targets = { 1, 0, -100, 2, 2, -100 };
        var data = Dataset.FromTokens(tokens, 3, targets);
        Assert.Equal(2, data.Count);
        Assert.Equal(3, data.InputLength);
        Assert.Equal(3, data.TargetLength);
        Assert.Equal(new float[] { (1 << 24) - 1, 2, 2 }, data.Input(1).ToArray());
        Assert.Equal((1 << 24) - 1, (int)data.Input(1)[0]);
        Assert.Equal(new float[] { 1, 0, -100 }, data.Target(0).ToArray());
        tokens[0] = 9;                                             // copied, not wrapped
        Assert.Equal(5f, data.Input(0)[0]);

        var padded = Dataset.FromTokens(new[] { 1, 2 }, 2, new[] { 3, -1 }, ignoreIndex: -1, vocabulary: 3);
        Assert.Equal(new float[] { 3, -1 }, padded.Targets.ToArray());
    }

    [Fact]
    public void FromTokenLabels_keeps_one_label_per_sequence()
    {
        var data = Dataset.FromTokenLabels(new[] { 4, 4, 1, 0, 3, 3 }, 2, new[] { 1, 0, 7 }, vocabulary: 5);
        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.InputLength);
        Assert.Equal(1, data.TargetLength);
        Assert.Equal(new float[] { 1, 0, 7 }, data.Targets.ToArray());
        Assert.Equal(new float[] { 1, 0 }, data.Input(1).ToArray());
    }

    [Fact]
    public void Lengths_that_are_not_whole_sequences_are_refused_naming_the_counts()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.FromTokens(new int[7], 3, new int[7]));
        Assert.Equal("tokens", e.ParamName);
        Assert.Contains("7 tokens are not a whole number of sequences of 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dataset.FromTokens(new int[6], 3, new int[2]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("2 sequences of 3 tokens need 6 targets (one per step), got 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dataset.FromTokenLabels(new int[6], 3, new int[6]));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("need 2 labels (one per sequence), got 6", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromTokens(new int[6], 0, new int[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromTokens(new int[6], 3, new int[6], vocabulary: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromTokens(new int[6], 3, new int[6], vocabulary: (1 << 24) + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromTokens(new int[6], 3, new int[6], ignoreIndex: int.MinValue));
    }

    [Fact]
    public void A_bad_id_or_target_names_its_sequence_step_and_value()
    {
        int[] tokens = { 0, 1, 2, 3, 4, 5 };
        ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.FromTokens(tokens, 3, new int[6], vocabulary: 5));
        Assert.Equal("tokens", e.ParamName);
        Assert.StartsWith("Token 2 of sequence 1 (tokens[5]) is 5, outside [0, 5)", e.Message);
        tokens[4] = -3;
        e = Assert.Throws<ArgumentException>(() => Dataset.FromTokenLabels(tokens, 3, new int[2]));
        Assert.StartsWith("Token 1 of sequence 1 (tokens[4]) is -3, outside [0, 16777216)", e.Message);
        tokens[4] = 1 << 24;
        Assert.Throws<ArgumentException>(() => Dataset.FromTokens(tokens, 3, new int[6]));

        e = Assert.Throws<ArgumentException>(() => Dataset.FromTokens(new int[6], 3, new[] { 0, 1, -100, 2, -1, 0 }));
        Assert.Equal("targets", e.ParamName);
        Assert.StartsWith("Target 1 of sequence 1 (targets[4]) is -1; a target is a class index from 0 to 16777215, or -100 (the ignore index)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dataset.FromTokens(new int[2], 2, new[] { -100, 0 }, ignoreIndex: -1));
        Assert.StartsWith("Target 0 of sequence 0 (targets[0]) is -100", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dataset.FromTokenLabels(new int[4], 2, new[] { 0, -2 }));
        Assert.Equal("labels", e.ParamName);
        Assert.StartsWith("Label 1 (of sequence 1) is -2", e.Message);
    }
}
