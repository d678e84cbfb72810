using System;
using Xunit;

namespace NetGen.Tests.Data;

/// <summary><see cref="Dataset"/>: constructor validation and the per-sample views.</summary>
public sealed class DatasetTests
{
    [Fact]
    public void Wraps_inputs_and_targets_sample_by_sample()
    {
        float[] inputs = { 1, 2, 3, 4, 5, 6 };
        float[] targets = { 10, 11, 20, 21, 30, 31 };
        var data = new Dataset(inputs, 2, targets, 2);
        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.InputLength);
        Assert.Equal(2, data.TargetLength);
        Assert.Equal(new float[] { 5, 6 }, data.Input(2).ToArray());
        Assert.Equal(new float[] { 20, 21 }, data.Target(1).ToArray());
        Assert.Equal(6, data.Inputs.Length);
        inputs[0] = 99;                                   // wrapped, not copied
        Assert.Equal(99, data.Input(0)[0]);
    }

    [Fact]
    public void FromLabels_keeps_one_float_label_per_sample()
    {
        var data = Dataset.FromLabels(new float[6], 3, new byte[] { 7, 0 });
        Assert.Equal(2, data.Count);
        Assert.Equal(1, data.TargetLength);
        Assert.Equal(new float[] { 7, 0 }, data.Targets.ToArray());
        ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(new float[6], 3, new byte[] { 1, 2, 3 }));
        Assert.Contains("2 samples need 2 target floats", e.Message);
        Assert.Contains("got 3", e.Message);
    }

    [Fact]
    public void Constructor_rejects_bad_arguments_naming_the_sizes()
    {
        Assert.Throws<ArgumentNullException>(() => new Dataset(null!, 1, new float[1], 1));
        Assert.Throws<ArgumentNullException>(() => new Dataset(new float[1], 1, null!, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[1], 0, new float[1], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[1], 1, new float[1], 0));

        ArgumentException e = Assert.Throws<ArgumentException>(() => new Dataset(new float[7], 3, new float[2], 1));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("7 input floats", e.Message);
        Assert.Contains("samples of 3", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 3, new float[5], 2));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("2 samples need 4 target floats (2 each), got 5", e.Message);
    }

    [Fact]
    public void Empty_dataset_has_no_samples()
    {
        var data = new Dataset(Array.Empty<float>(), 4, Array.Empty<float>(), 1);
        Assert.Equal(0, data.Count);
    }
}
