using System;
using System.Collections.Generic;
using System.Threading;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>
/// Numbers nothing used to check: epoch counts and batch sizes at the edge of <see cref="int"/>, workspace
/// capacities that overflow, and clipping norms that are not positive.
/// </summary>
public sealed class TrainerNumberTests
{
    [Fact]
    public void Fit_for_int_MaxValue_epochs_trains_until_cancelled()
    {
        Dataset train = BnVectorLabels(30);
        Trainer<BnVector> trainer = BnVectorTrainer();
        using var cancel = new CancellationTokenSource();
        var seen = new List<TrainingProgress>();

        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(train, int.MaxValue, batchSize: 10, progress: p =>
        {
            seen.Add(p);
            if (p.Epoch == 2 && p.Batch == 1)
            {
                cancel.Cancel();
            }
        }, cancellationToken: cancel.Token));

        Assert.Equal(4, seen.Count);
        Assert.Equal(int.MaxValue, seen[0].Epochs);
        Assert.Equal(1, trainer.CompletedEpochs);
        Assert.Equal(1, trainer.BatchesIntoEpoch);
    }

    [Fact]
    public void Fit_refuses_more_epochs_than_the_epoch_counter_holds()
    {
        Dataset train = BnVectorLabels(30);
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.Fit(train, 1, batchSize: 10);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train, int.MaxValue, batchSize: 10));

        Assert.Equal("epochs", error.ParamName);
        Assert.Contains($"at most {int.MaxValue - 1}", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, trainer.CompletedEpochs);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 5)]
    [InlineData(31)]
    public void A_batch_larger_than_the_data_set_is_one_batch_of_everything(int batchSize)
    {
        Dataset train = BnVectorLabels(30);
        Trainer<BnVector> trainer = BnVectorTrainer();
        var seen = new List<TrainingProgress>();
        Trainer<BnVector> reference = BnVectorTrainer();
        EpochResult expected = reference.Fit(train, 1, batchSize: 30)[0];

        IReadOnlyList<EpochResult> results = trainer.Fit(train, 1, batchSize, progress: seen.Add);

        TrainingProgress only = Assert.Single(seen);
        Assert.Equal((1, 1), (only.Batch, only.Batches));
        Assert.Equal(1, trainer.StepCount);
        Assert.Equal(expected.Loss, Assert.Single(results).Loss);
        Assert.Equal(Bits(reference.Network.Parameters), Bits(trainer.Network.Parameters));
    }

    [Fact]
    public void Evaluate_with_a_batch_larger_than_the_data_set_gives_the_same_result()
    {
        Dataset data = BnVectorLabels(300);
        Trainer<BnVector> trainer = BnVectorTrainer();
        Evaluation expected = trainer.Evaluate(data, batchSize: 300);

        Assert.Equal(expected, trainer.Evaluate(data, batchSize: int.MaxValue));
        Assert.Equal(expected, trainer.Evaluate(data, batchSize: int.MaxValue - 200));
    }

    [Fact]
    public void CreateWorkspace_beyond_the_largest_buffer_names_batchCapacity_and_the_largest_that_fits()
    {
        var net = new BnVector(1);
        int perSample = ((INetwork)net).WorkspaceLength;
        Assert.True(perSample > 1);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => net.CreateWorkspace(int.MaxValue));

        int largest = (Array.MaxLength - 15) / perSample;
        Assert.Equal("batchCapacity", error.ParamName);
        Assert.Contains($"at most {largest} ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{perSample} floats per sample", error.Message, StringComparison.Ordinal);
        Assert.Equal(int.MaxValue, (int)error.ActualValue!);
    }

    [Fact]
    public void The_workspace_constructor_refuses_a_buffer_beyond_the_largest_array()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new Workspace(1000, 3_000_000));

        Assert.Equal("batchCapacity", error.ParamName);
        Assert.Contains($"at most {(Array.MaxLength - 15) / 1000} ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-1f)]
    [InlineData(0f)]
    [InlineData(float.NegativeInfinity)]
    public void ClipGradientNorm_must_be_positive(float value)
    {
        Trainer<BnVector> trainer = BnVectorTrainer();
        trainer.ClipGradientNorm = 2f;

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.ClipGradientNorm = value);

        Assert.Equal("value", error.ParamName);
        Assert.Contains("ClipGradientNorm", error.Message, StringComparison.Ordinal);
        Assert.Equal(2f, trainer.ClipGradientNorm);
    }

    [Fact]
    public void ClipGradientNorm_takes_null_a_positive_number_and_infinity()
    {
        Trainer<BnVector> trainer = BnVectorTrainer();

        trainer.ClipGradientNorm = 1e-3f;
        Assert.Equal(1e-3f, trainer.ClipGradientNorm);
        trainer.ClipGradientNorm = float.PositiveInfinity;
        Assert.Equal(float.PositiveInfinity, trainer.ClipGradientNorm);
        trainer.ClipGradientNorm = null;
        Assert.Null(trainer.ClipGradientNorm);
    }
}
