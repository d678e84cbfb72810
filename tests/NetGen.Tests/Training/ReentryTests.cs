using System;
using System.IO;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Training;

/// <summary>Fit's progress callback may save a checkpoint, step and evaluate, but not start Fit again.</summary>
public sealed class ReentryTests
{
    [Fact]
    public void Fit_from_its_own_progress_callback_is_refused_and_the_outer_run_stands_where_it_was()
    {
        Dataset train = BnVectorLabels(30);
        Trainer<BnVector> trainer = BnVectorTrainer();
        int calls = 0;

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(train, 2, batchSize: 10, progress: _ =>
        {
            calls++;
            trainer.Fit(train, 1, batchSize: 10);
        }));

        Assert.Contains("progress callback", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, calls);
        Assert.Equal(0, trainer.CompletedEpochs);
        Assert.Equal(1, trainer.BatchesIntoEpoch);
        Assert.Equal(1, trainer.StepCount);

        // The refusal did not leave the trainer thinking it is still fitting: Fit continues the epoch.
        Assert.Equal(2, trainer.Fit(train, 2, batchSize: 10).Count);
        Assert.Equal(2, trainer.CompletedEpochs);
    }

    [Fact]
    public void The_progress_callback_may_save_a_checkpoint_evaluate_and_take_a_step()
    {
        Dataset train = BnVectorLabels(30);
        Trainer<BnVector> trainer = BnVectorTrainer();
        string path = Path.Combine(Path.GetTempPath(), "netgen-reentry-" + Guid.NewGuid().ToString("N") + ".ckpt");
        try
        {
            Evaluation? evaluation = null;
            trainer.Fit(train, 1, batchSize: 10, progress: p =>
            {
                if (p.Batch == 2)
                {
                    trainer.SaveCheckpoint(path);
                    evaluation = trainer.Evaluate(train);
                    trainer.TrainStep(train.Input(0), train.Target(0));
                }
            });

            Assert.True(File.Exists(path));
            Assert.Equal(30, evaluation!.Value.Count);
            Assert.Equal(4, trainer.StepCount);
            Assert.Throws<InvalidOperationException>(() => trainer.Fit(train, 1, batchSize: 10, progress: _ => trainer.LoadCheckpoint(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
