using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetGen.Tests.Networks;
using NetGen.Tests.Training;
using Xunit;

namespace NetGen.Tests.Data;

/// <summary><see cref="Dataset.FromLabels(ReadOnlyMemory{float}, int, ReadOnlySpan{int}, int)"/> and its kin: integer labels of any width; data sets over memory.</summary>
public sealed class LabelWidthTests
{
    [Fact]
    public void Int_and_long_labels_become_float_class_targets()
    {
        var inputs = new float[] { 1, 2, 3, 4, 5, 6 };
        Dataset a = Dataset.FromLabels(inputs, 2, new[] { 2, 0, 9 }, classes: 10);
        Assert.Equal(new float[] { 2, 0, 9 }, a.Targets.ToArray());
        Assert.Equal(3, a.Count);
        Assert.Equal(1, a.TargetLength);

        Dataset b = Dataset.FromLabels(inputs, 3, new long[] { 16_777_215, 4 });
        Assert.Equal(new float[] { 16_777_215, 4 }, b.Targets.ToArray());
    }

    [Fact]
    public void Generic_overload_takes_every_integer_width()
    {
        var inputs = new float[4];
        Assert.Equal(new float[] { 3, 65535 }, Dataset.FromLabels<ushort>(inputs, 2, new ushort[] { 3, 65535 }).Targets.ToArray());
        Assert.Equal(new float[] { 127, 0 }, Dataset.FromLabels<sbyte>(inputs, 2, new sbyte[] { 127, 0 }, classes: 1000).Targets.ToArray());
        Assert.Equal(new float[] { 7, 1 }, Dataset.FromLabels<byte>(inputs, 2, new byte[] { 7, 1 }, classes: 8).Targets.ToArray());
        Assert.Equal(new float[] { 5, 6 }, Dataset.FromLabels<ulong>(inputs, 2, new ulong[] { 5, 6 }).Targets.ToArray());
        Assert.Equal(new float[] { 5, 6 }, Dataset.FromLabels<uint>(inputs, 2, new uint[] { 5, 6 }).Targets.ToArray());
        Assert.Equal(new float[] { 5, 6 }, Dataset.FromLabels<short>(inputs, 2, new short[] { 5, 6 }).Targets.ToArray());
    }

    [Fact]
    public void A_label_outside_the_classes_is_refused_naming_sample_and_value()
    {
        var inputs = new float[6];
        ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(inputs, 2, new[] { 1, 9, 10 }, classes: 10));
        Assert.Equal("labels", e.ParamName);
        Assert.StartsWith("Sample 2 has label 10, outside [0, 10): a label is a class index from 0 to 9 (10 classes).", e.Message);

        e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(inputs, 2, new[] { 1, -1, 0 }));
        Assert.StartsWith("Sample 1 has label -1, outside [0, 16777216): a label is a class index from 0 to 16777215", e.Message);

        e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(inputs, 2, new long[] { 1L << 40, 0, 0 }));
        Assert.StartsWith("Sample 0 has label 1099511627776, outside [0, 16777216)", e.Message);

        e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels<ulong>(inputs, 2, new ulong[] { 0, 0, ulong.MaxValue }, classes: 3));
        Assert.StartsWith("Sample 2 has label 18446744073709551615, outside [0, 3)", e.Message);

        e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels<sbyte>(inputs, 2, new sbyte[] { 0, -128, 0 }, classes: 3));
        Assert.StartsWith("Sample 1 has label -128, outside [0, 3)", e.Message);
    }

    [Fact]
    public void Bad_classes_and_lengths_are_argument_errors()
    {
        var inputs = new float[6];
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromLabels(inputs, 2, new[] { 0, 0, 0 }, classes: 0)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromLabels(inputs, 2, new[] { 0, 0, 0 }, classes: (1 << 24) + 1)).ParamName);
        Assert.Equal("inputLength", Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.FromLabels(inputs, 0, new[] { 0, 0, 0 })).ParamName);
        ArgumentException e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(inputs, 2, new[] { 0, 0 }));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("3 samples need 3 target floats (1 each), got 2", e.Message);
    }

    [Fact]
    public void A_dataset_over_part_of_an_array_reads_it_in_place()
    {
        float[] buffer = { -1, -1, 1, 2, 3, 4, 5, 6, -1 };
        float[] targets = { 0, 1, 2 };
        var data = new Dataset(buffer.AsMemory(2, 6), 2, targets.AsMemory(), 1);
        Assert.Equal(3, data.Count);
        Assert.Equal(new float[] { 3, 4 }, data.Input(1).ToArray());
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(data.Inputs), ref buffer[2]));
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(data.Target(2)), ref targets[2]));
        buffer[7] = 60;                                   // wrapped, not copied
        Assert.Equal(60, data.Input(2)[1]);
        Assert.True(data.InputMemory.Equals(buffer.AsMemory(2, 6)));

        // FromLabels wraps the inputs too; only the labels are copied (into floats).
        Dataset labelled = Dataset.FromLabels(buffer.AsMemory(2, 6), 3, new long[] { 1, 0 });
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(labelled.Inputs), ref buffer[2]));
    }

    [Fact]
    public void Memory_constructor_checks_lengths_like_the_array_one()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new Dataset(new float[7].AsMemory(), 3, new float[2].AsMemory(), 1));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("7 input floats are not a whole number of samples of 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6].AsMemory(), 3, new float[5].AsMemory(), 2));
        Assert.Equal("targets", e.ParamName);
        Assert.Equal(0, new Dataset(ReadOnlyMemory<float>.Empty, 4, ReadOnlyMemory<float>.Empty, 1).Count);
    }

    [Fact]
    public unsafe void Training_on_native_memory_matches_training_on_arrays_bit_for_bit()
    {
        Dataset arrays = TrainingTestData.BnVectorLabels(40);
        using var inputs = new NativeFloats(arrays.Inputs);
        using var targets = new NativeFloats(arrays.Targets);
        var native = new Dataset(inputs.Memory, arrays.InputLength, targets.Memory, 1);

        Trainer<BnVector> a = TrainingTestData.BnVectorTrainer();
        Trainer<BnVector> b = TrainingTestData.BnVectorTrainer();
        var ea = a.Fit(arrays, epochs: 2, batchSize: 8);
        var eb = b.Fit(native, epochs: 2, batchSize: 8);
        Assert.Equal(TrainingTestData.Bits(a.Network.Parameters), TrainingTestData.Bits(b.Network.Parameters));
        Assert.Equal(ea[1].Loss, eb[1].Loss);
    }

    /// <summary>Floats in native memory, exposed as <see cref="Memory{T}"/> through a <see cref="MemoryManager{T}"/>.</summary>
    private sealed unsafe class NativeFloats : MemoryManager<float>
    {
        private readonly float* _pointer;
        private readonly int _length;

        public NativeFloats(ReadOnlySpan<float> values)
        {
            _length = values.Length;
            _pointer = (float*)NativeMemory.Alloc((nuint)values.Length, sizeof(float));
            values.CopyTo(new Span<float>(_pointer, _length));
        }

        public override Span<float> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing) => NativeMemory.Free(_pointer);
    }
}
