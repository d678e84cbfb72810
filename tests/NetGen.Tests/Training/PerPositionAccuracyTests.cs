using System;
using System.IO;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// With <see cref="Loss.SequenceCrossEntropy"/>, the trainer's accuracy and mean loss are per counted position
/// (<see cref="Loss.CountPredictions"/>), in <c>Fit</c>'s results, <c>Evaluate</c> and checkpoints taken mid-epoch.
/// </summary>
public sealed class PerPositionAccuracyTests
{
    private const int Steps = 12;
    private const int Classes = 3;
    private const int Ignore = -100;

    /// <summary><paramref name="count"/> sequences with Gaussian features and a target per step, about a third ignored.</summary>
    private static Dataset Data(int count, ulong seed = 5)
    {
        var rng = new Rng(seed);
        var x = new float[count * StepClassifier.InputLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextGaussian();
        }

        var targets = new float[count * Steps];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = rng.NextInt(3) == 0 ? Ignore : rng.NextInt(Classes);
        }

        return new Dataset(x, StepClassifier.InputLength, targets, Steps);
    }

    /// <summary>The right answers counted by hand: right positions over counted positions, and the mean loss over counted positions.</summary>
    private static (double Accuracy, double Loss, int Counted) ByHand(StepClassifier net, Dataset data)
    {
        var outputs = new float[data.Count * StepClassifier.OutputLength];
        net.Forward(data.Inputs, outputs, net.CreateWorkspace(data.Count));
        int right = 0, counted = 0;
        double lossSum = 0;
        for (int p = 0; p < data.Targets.Length; p++)
        {
            float target = data.Targets[p];
            if (target == Ignore)
            {
                continue;
            }

            ReadOnlySpan<float> z = outputs.AsSpan(p * Classes, Classes);
            int best = 0;
            for (int c = 1; c < Classes; c++)
            {
                best = z[c] > z[best] ? c : best;
            }

            double max = Math.Max(z[0], Math.Max(z[1], z[2]));
            double sum = Math.Exp(z[0] - max) + Math.Exp(z[1] - max) + Math.Exp(z[2] - max);
            lossSum += Math.Log(sum) - (z[(int)target] - max);
            right += best == (int)target ? 1 : 0;
            counted++;
        }

        return ((double)right / counted, lossSum / counted, counted);
    }

    [Fact]
    public void Evaluate_reports_accuracy_and_loss_per_counted_position()
    {
        Dataset data = Data(37);
        var net = new StepClassifier(seed: 3);
        var trainer = new Trainer<StepClassifier>(net, new Sgd(learningRate: 0.1f), Loss.SequenceCrossEntropy(Classes));
        (double accuracy, double loss, int counted) = ByHand(net, data);
        Assert.InRange(counted, (37 * Steps / 2) + 1, 37 * Steps);   // many more predictions than sequences

        Evaluation e = trainer.Evaluate(data, batchSize: 8);        // batches with different numbers of counted positions
        Assert.Equal(37, e.Count);
        Assert.Equal(accuracy, e.Accuracy, 1e-6);
        Assert.Equal(loss, e.Loss, 1e-5);
        Assert.InRange(e.Accuracy, 0f, 1f);
    }

    [Fact]
    public void Fit_reports_per_position_accuracy_for_the_epoch()
    {
        Dataset data = Data(40);
        var net = new StepClassifier(seed: 4);
        (double accuracy, double loss, _) = ByHand(net, data);

        // A learning rate of 0 keeps the network as it is, so the epoch's training accuracy is that of the
        // network on the whole set, whatever the shuffle and the batches' sizes.
        var trainer = new Trainer<StepClassifier>(net, new Sgd(learningRate: 0f), Loss.SequenceCrossEntropy(Classes), seed: 1);
        EpochResult epoch = trainer.Fit(data, epochs: 1, batchSize: 7)[0];
        Assert.Equal(accuracy, epoch.Accuracy, 1e-6);
        Assert.Equal(loss, epoch.Loss, 1e-5);
        Assert.Equal(trainer.Evaluate(data).Accuracy, epoch.Accuracy);
    }

    [Fact]
    public void A_checkpoint_mid_epoch_resumes_to_the_uninterrupted_runs_per_position_numbers()
    {
        Dataset data = Data(30);
        Trainer<StepClassifier> Make() =>
            new(new StepClassifier(seed: 6), new Adam(learningRate: 1e-2f), Loss.SequenceCrossEntropy(Classes), seed: 9);

        Trainer<StepClassifier> uninterrupted = Make();
        EpochResult whole = uninterrupted.Fit(data, epochs: 1, batchSize: 4)[0];

        var interrupted = Make();
        var checkpoint = new MemoryStream();
        interrupted.Fit(data, 1, 4, progress: p =>
        {
            if (p.Batch == 5)
            {
                interrupted.SaveCheckpoint(checkpoint);         // 20 sequences in: more positions right than sequences seen
            }
        });

        var resumed = Make();
        checkpoint.Position = 0;
        resumed.LoadCheckpoint(checkpoint);
        Assert.Equal(5, resumed.BatchesIntoEpoch);
        EpochResult end = resumed.Fit(data, epochs: 1, batchSize: 4)[0];
        Assert.Equal(whole.Accuracy, end.Accuracy);
        Assert.Equal(whole.Loss, end.Loss);
        Assert.Equal(TrainingTestData.Bits(uninterrupted.Network.Parameters), TrainingTestData.Bits(resumed.Network.Parameters));
    }

    [Fact]
    public void A_checkpoint_from_before_the_prediction_count_resumes_counting_its_samples()
    {
        Dataset data = TrainingTestData.BnVectorLabels(40);
        Trainer<BnVector> uninterrupted = TrainingTestData.BnVectorTrainer();
        EpochResult whole = uninterrupted.Fit(data, epochs: 1, batchSize: 8)[0];

        Trainer<BnVector> interrupted = TrainingTestData.BnVectorTrainer();
        byte[] file = Array.Empty<byte>();
        interrupted.Fit(data, 1, 8, progress: p =>
        {
            if (p.Batch == 3)
            {
                var stream = new MemoryStream();
                interrupted.SaveCheckpoint(stream);
                file = stream.ToArray();
            }
        });

        // An older checkpoint lacks the key: rename it to one NetGen does not know (same length, so no offset moves).
        byte[] key = System.Text.Encoding.ASCII.GetBytes("\"netgen.epoch.predictions\"");
        int at = file.AsSpan().IndexOf(key);
        Assert.True(at > 0);
        file[at + key.Length - 2] = (byte)'z';

        Trainer<BnVector> resumed = TrainingTestData.BnVectorTrainer();
        resumed.LoadCheckpoint(new MemoryStream(file));
        EpochResult end = resumed.Fit(data, epochs: 1, batchSize: 8)[0];
        Assert.Equal(whole.Accuracy, end.Accuracy);
        Assert.Equal(whole.Loss, end.Loss);
    }

    [Fact]
    public void A_bad_target_is_named_by_sample_and_step()
    {
        Dataset data = Data(6);
        float[] targets = data.Targets.ToArray();
        targets[(4 * Steps) + 7] = 3;
        var bad = new Dataset(data.Inputs.ToArray(), StepClassifier.InputLength, targets, Steps);
        var trainer = new Trainer<StepClassifier>(new StepClassifier(seed: 1), new Sgd(learningRate: 0.1f), Loss.SequenceCrossEntropy(Classes));
        ArgumentException e = Assert.Throws<ArgumentException>(() => trainer.Fit(bad, 1, 2));
        Assert.Equal("train", e.ParamName);
        Assert.StartsWith("Sample 4 of the training set has target 3 at step 7; sequence cross-entropy needs a class index at each step: a whole number from 0 to 2", e.Message);
    }

    [Fact]
    public void Losses_with_one_prediction_per_sample_count_as_before()
    {
        Dataset data = TrainingTestData.BnVectorLabels(50);
        var trainer = TrainingTestData.BnVectorTrainer();
        EpochResult epoch = trainer.Fit(data, epochs: 1, batchSize: 16)[0];
        Assert.InRange(epoch.Accuracy * 50, 0, 50);
        Assert.Equal(Math.Round(epoch.Accuracy * 50), epoch.Accuracy * 50, 4);    // a whole number of samples
    }
}
