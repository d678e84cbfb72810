using System;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>
/// Targets are checked before anything moves: <see cref="Trainer{TNetwork}.Fit"/> checks the whole data set when it
/// starts and names the data set index of a bad sample; <see cref="Trainer{TNetwork}.TrainStep"/> checks its batch
/// before the forward pass moves batch norm's statistics; <see cref="Trainer{TNetwork}.Evaluate"/> names the data set
/// index too.
/// </summary>
public sealed class TargetValidationTests
{
    [Theory]
    [InlineData(3f, "3")]
    [InlineData(-1f, "-1")]
    [InlineData(1.5f, "1.5")]
    [InlineData(float.NaN, "NaN")]
    public void A_bad_label_at_index_7000_of_a_shuffled_set_is_refused_before_any_step(float label, string shown)
    {
        Dataset train = WithTarget(BnVectorLabels(8000), 7000, label);
        Trainer<BnVector> trainer = BnVectorTrainer();
        State before = Capture(trainer);

        ArgumentException error = Assert.Throws<ArgumentException>(() => trainer.Fit(train, epochs: 1, batchSize: 64));

        Assert.Equal("train", error.ParamName);
        Assert.StartsWith(
            $"Sample 7000 of the training set has target {shown}; softmax cross-entropy needs a class index: a whole number from 0 to 2 (the network has 3 outputs). Nothing has been trained",
            error.Message,
            StringComparison.Ordinal);
        Assert.True(before.SameAs(Capture(trainer)), "the parameters, buffers or optimizer moved");
        Assert.Equal(0, trainer.StepCount);
        Assert.Equal(0, trainer.BatchesIntoEpoch);
    }

    [Fact]
    public void A_bad_label_in_the_validation_set_is_refused_before_the_first_epoch()
    {
        Dataset train = BnVectorLabels(100);
        Dataset validation = WithTarget(BnVectorLabels(50, seed: 9), 42, 7f);
        Trainer<BnVector> trainer = BnVectorTrainer();
        State before = Capture(trainer);

        ArgumentException error = Assert.Throws<ArgumentException>(() => trainer.Fit(train, epochs: 1, batchSize: 10, validation));

        Assert.Equal("validation", error.ParamName);
        Assert.StartsWith("Sample 42 of the validation set has target 7;", error.Message, StringComparison.Ordinal);
        Assert.True(before.SameAs(Capture(trainer)), "training began before the validation set was checked");
        Assert.Equal(0, trainer.CompletedEpochs);
    }

    [Fact]
    public void TrainStep_with_a_bad_label_leaves_parameters_and_buffers_unchanged()
    {
        Trainer<BnVector> trainer = BnVectorTrainer();
        Dataset good = BnVectorLabels(8, seed: 1);
        trainer.TrainStep(good.Inputs, good.Targets);
        Dataset bad = WithTarget(BnVectorLabels(8, seed: 2), 5, 3f);
        State before = Capture(trainer);

        ArgumentException error = Assert.Throws<ArgumentException>(() => trainer.TrainStep(bad.Inputs, bad.Targets));

        Assert.Equal("targets", error.ParamName);
        Assert.StartsWith("Sample 5 of the batch has target 3; softmax cross-entropy", error.Message, StringComparison.Ordinal);
        Assert.True(before.SameAs(Capture(trainer)), "the bad batch moved the parameters, buffers or optimizer");
        Assert.Equal(1, trainer.StepCount);
    }

    [Fact]
    public void Evaluate_names_the_data_set_index_of_a_bad_label()
    {
        Trainer<BnVector> trainer = BnVectorTrainer();
        Dataset data = WithTarget(BnVectorLabels(8000), 7000, 12f);

        ArgumentException error = Assert.Throws<ArgumentException>(() => trainer.Evaluate(data, batchSize: 256));

        Assert.Equal("data", error.ParamName);
        Assert.StartsWith("Sample 7000 of the data set has target 12; softmax cross-entropy", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    public void Binary_cross_entropy_targets_outside_0_to_1_are_refused(float value)
    {
        Dataset train = Targets(BnVectorLabels(40), 0.25f, sample: 33, output: 1, value);
        var trainer = new Trainer<BnVector>(new BnVector(1), new Sgd(0.1f), Loss.BinaryCrossEntropy);
        State before = Capture(trainer);

        ArgumentException error = Assert.Throws<ArgumentException>(() => trainer.Fit(train, 1, 8));

        Assert.Equal("train", error.ParamName);
        Assert.StartsWith(
            $"Sample 33 of the training set has target {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} at output 1; binary cross-entropy needs a probability: a number from 0 to 1.",
            error.Message,
            StringComparison.Ordinal);
        Assert.True(before.SameAs(Capture(trainer)));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.NegativeInfinity)]
    public void Mean_squared_error_targets_must_be_finite(float value)
    {
        Dataset train = Targets(BnVectorLabels(40), 0.5f, sample: 21, output: 2, value);
        var trainer = new Trainer<BnVector>(new BnVector(1), new Sgd(0.1f), Loss.MeanSquaredError);

        ArgumentException error = Assert.Throws<ArgumentException>(() => trainer.Fit(train, 1, 8));

        Assert.Equal("train", error.ParamName);
        Assert.StartsWith("Sample 21 of the training set has target ", error.Message, StringComparison.Ordinal);
        Assert.Contains(" at output 2; mean squared error needs a finite number.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_fractional_binary_targets_train()
    {
        Dataset train = Targets(BnVectorLabels(40), 0.25f, sample: 3, output: 0, 1f);
        var trainer = new Trainer<BnVector>(new BnVector(1), new Sgd(0.1f), Loss.BinaryCrossEntropy);

        Assert.Single(trainer.Fit(train, 1, 8));
        Assert.Equal(5, trainer.StepCount);
    }

    /// <summary>The same inputs with sample <paramref name="index"/>'s label replaced.</summary>
    private static Dataset WithTarget(Dataset data, int index, float label)
    {
        float[] labels = data.Targets.ToArray();
        labels[index] = label;
        return new Dataset(data.Inputs.ToArray(), data.InputLength, labels, 1);
    }

    /// <summary>The same inputs with one target per output, all <paramref name="fill"/> but one.</summary>
    private static Dataset Targets(Dataset data, float fill, int sample, int output, float value)
    {
        var targets = new float[data.Count * BnVector.OutputLength];
        Array.Fill(targets, fill);
        targets[(sample * BnVector.OutputLength) + output] = value;
        return new Dataset(data.Inputs.ToArray(), data.InputLength, targets, BnVector.OutputLength);
    }
}
