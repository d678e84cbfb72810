using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Data;

/// <summary>
/// <see cref="Npy"/> on files NumPy 1.24 wrote (<c>Data/files/make_files.py</c>): every supported dtype, both byte
/// orders, format versions 1 to 3, shapes of rank 0 to 3, stored and deflated archives; and the bad inputs.
/// </summary>
public sealed class NpyTests
{
    private static readonly float[] Float32Values = { 0.1f, -2.5f, 1e-8f, 3.0e38f, -0.0f, 16777216f };

    [Theory]
    [InlineData("float32.npy")]
    [InlineData("float32_be.npy")]
    [InlineData("float32_v2.npy")]
    [InlineData("float32_v3.npy")]
    public void Float32_in_every_version_and_byte_order(string file)
    {
        NpyArray a = Npy.Read(DataFiles.Path(file));
        Assert.Equal(NpyType.Float32, a.Type);
        Assert.Equal(new[] { 2, 3 }, a.Shape);
        Assert.Equal(2, a.Rank);
        Assert.Equal(6, a.Length);
        Assert.Equal(4, a.ElementSize);
        Assert.Equal("(2, 3)", a.ShapeText);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), a.Name);
        Assert.Equal(Bits(Float32Values), Bits(a.ToFloats()));
        Assert.Equal(Float32Values.Select(f => (double)f), a.ToDoubles());
        Assert.Equal(MemoryMarshal.AsBytes(Float32Values.AsSpan()).ToArray(), a.Bytes.ToArray());
    }

    [Fact]
    public void Float64_and_float16_convert_as_numpy_astype_float32()
    {
        NpyArray d = Npy.Read(DataFiles.Path("float64.npy"));
        Assert.Equal(NpyType.Float64, d.Type);
        Assert.Equal(new[] { 0.1, -2.5, 1e-300, 1e300, -0.0, 1.0 / 3.0 }, d.ToDoubles());
        Assert.Equal(Bits(new[] { 0.1f, -2.5f, 0f, float.PositiveInfinity, -0.0f, 1f / 3f }), Bits(d.ToFloats()));

        NpyArray h = Npy.Read(DataFiles.Path("float16.npy"));
        Assert.Equal(NpyType.Float16, h.Type);
        Assert.Equal(2, h.ElementSize);
        Assert.Equal(Bits(new[] { 0.0999755859375f, -2.5f, 65504f, 6.103515625e-05f, -0.0f, 0.333251953125f }), Bits(h.ToFloats()));
    }

    [Fact]
    public void Integers_of_every_width_read_exactly()
    {
        Assert.Equal(new long[] { 0, 1, -2, 3, -4, 5 }, Read("int8.npy", NpyType.Int8).ToInt64s());
        Assert.Equal(new long[] { 0, 1, -2, 3, -4, 5 }, Read("int16.npy", NpyType.Int16).ToInt64s());
        Assert.Equal(new[] { 0, 1, -2, 3, -4, 5 }, Read("int32.npy", NpyType.Int32).ToInt32s());
        Assert.Equal(new long[] { 0, 1, -2, long.MaxValue, long.MinValue, 5 }, Read("int64.npy", NpyType.Int64).ToInt64s());
        Assert.Equal(new long[] { 0, 1, -2, long.MaxValue, long.MinValue, 5 }, Read("int64_be.npy", NpyType.Int64).ToInt64s());
        Assert.Equal(new long[] { 0, 1, 2, 127, 128, 255 }, Read("uint8.npy", NpyType.UInt8).ToInt64s());
        Assert.Equal(new long[] { 0, 1, 2, 300, 40000, 65535 }, Read("uint16.npy", NpyType.UInt16).ToInt64s());
        Assert.Equal(new long[] { 0, 1, 2, 300, 40000, 65535 }, Read("uint16_be.npy", NpyType.UInt16).ToInt64s());
        Assert.Equal(new long[] { 0, 1, 2, 70000, 3000000000, 4294967295 }, Read("uint32.npy", NpyType.UInt32).ToInt64s());
        Assert.Equal(new long[] { 1, 0, 1, 0, 0, 1 }, Read("bool.npy", NpyType.Bool).ToInt64s());
        Assert.Equal(new float[] { 0, 1, 2, 127, 128, 255 }, Read("uint8.npy", NpyType.UInt8).ToFloats());

        NpyArray u64 = Read("uint64.npy", NpyType.UInt64);
        Assert.Equal(new[] { 0f, 1, 2, 1099511627776f, 9.223372E+18f, 1.8446744E+19f }, u64.ToFloats());
        Assert.Equal(new[] { 0d, 1, 2, 1099511627776d, 9.223372036854775807E+18, 1.8446744073709552E+19 }, u64.ToDoubles());
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => u64.ToInt64s());
        Assert.Contains("Element 5 of", e.Message);
        Assert.Contains("is 18446744073709551615, above the largest long", e.Message);

        e = Assert.Throws<InvalidOperationException>(() => Read("int64.npy", NpyType.Int64).ToInt32s());
        Assert.Contains("Element 3 of", e.Message);
        Assert.Contains("is 9223372036854775807, outside the range of int", e.Message);

        e = Assert.Throws<InvalidOperationException>(() => Read("float32.npy", NpyType.Float32).ToInt64s());
        Assert.Contains("float32.npy' holds float32 values; ToInt64s reads integer and bool arrays", e.Message);
    }

    [Fact]
    public void Shapes_of_any_rank()
    {
        NpyArray s = Npy.Read(DataFiles.Path("scalar.npy"));
        Assert.Equal(0, s.Rank);
        Assert.Empty(s.Shape);
        Assert.Equal(1, s.Length);
        Assert.Equal("()", s.ShapeText);
        Assert.Equal(new[] { 7.5 }, s.ToDoubles());

        NpyArray r3 = Npy.Read(DataFiles.Path("rank3.npy"));
        Assert.Equal(new[] { 2, 3, 4 }, r3.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), r3.ToFloats());

        NpyArray r1 = Npy.Read(DataFiles.Path("rank1.npy"));
        Assert.Equal("(3,)", r1.ShapeText);
        Assert.Equal(new long[] { 4, 5, 6 }, r1.ToInt64s());
        Assert.Equal("rank1: int64 (3,)", r1.ToString());

        NpyArray empty = Npy.Read(DataFiles.Path("empty.npy"));
        Assert.Equal(new[] { 0, 3 }, empty.Shape);
        Assert.Equal(0, empty.Length);
        Assert.Empty(empty.ToFloats());
    }

    [Theory]
    [InlineData("object.npy", "has dtype '|O': Python objects (dtype=object), which np.save pickles")]
    [InlineData("unicode.npy", "has dtype '<U3': unicode strings")]
    [InlineData("complex.npy", "has dtype '<c8': complex numbers")]
    [InlineData("datetime.npy", "has dtype '<M8[D]': dates (datetime64)")]
    [InlineData("structured.npy", "has a structured dtype (records of 2 fields)")]
    [InlineData("fortran.npy", "is in Fortran order (column-major, shape (2, 3)); this reader reads C order (row-major), NumPy's default: save np.ascontiguousarray(a) instead.")]
    public void Unsupported_arrays_are_refused_naming_the_file(string file, string message)
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Npy.Read(DataFiles.Path(file)));
        Assert.StartsWith($"'{DataFiles.Path(file)}' ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(0, "is truncated: it ends after 0 bytes, inside the .npy preamble.")]
    [InlineData(5, "is truncated: it ends after 5 bytes, inside the .npy preamble.")]
    [InlineData(9, "is truncated: it ends inside the .npy preamble, before the header's length.")]
    [InlineData(50, "is truncated: its .npy header is 118 bytes long but only 40 bytes follow the preamble.")]
    [InlineData(140, "is truncated: its header claims shape (2, 3) of float32 (24 bytes) but only 12 bytes follow the header.")]
    [InlineData(151, "is truncated: its header claims shape (2, 3) of float32 (24 bytes) but only 23 bytes follow the header.")]
    public void Truncated_files_are_refused_saying_where_they_end(int length, string message)
    {
        byte[] file = DataFiles.Bytes("float32.npy");
        Assert.Equal(152, file.Length);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(file, 0, length), "x"));
        Assert.Equal($"array 'x' {message}", e.Message);
    }

    [Fact]
    public void Truncated_data_from_a_stream_that_cannot_seek_is_found_as_it_is_read()
    {
        byte[] file = DataFiles.Bytes("float32.npy");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Npy.Read(new ForwardOnly(file.AsSpan(0, 140).ToArray()), "x"));
        Assert.Equal("array 'x' is truncated: its header claims shape (2, 3) of float32 (24 bytes) but only 12 bytes of data follow.", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new ForwardOnly(file.Concat(new byte[] { 0 }).ToArray()), "x"));
        Assert.Equal("array 'x' has more data after the 24 bytes that its header (shape (2, 3) of float32 (24 bytes)) accounts for.", e.Message);

        NpyArray a = Npy.Read(new ForwardOnly(file), "x");
        Assert.Equal(Bits(Float32Values), Bits(a.ToFloats()));
    }

    [Fact]
    public void Trailing_bytes_and_malformed_headers_are_refused()
    {
        byte[] file = DataFiles.Bytes("float32.npy");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(file.Concat(new byte[4]).ToArray())));
        Assert.Equal("the .npy stream has 4 bytes after the 24 that its header (shape (2, 3) of float32) accounts for.", e.Message);

        byte[] v4 = (byte[])file.Clone();
        v4[6] = 4;
        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(v4)));
        Assert.Equal("the .npy stream is a .npy file of format version 4.0; this reader reads versions 1.0, 2.0 and 3.0.", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(DataFiles.Bytes("stored.npz"))));
        Assert.Contains("is a zip archive (an .npz file?), not a .npy array; read it with Npy.ReadNpz.", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream("hello, world"u8.ToArray())));
        Assert.Contains("is not a .npy file: it does not start with the magic bytes", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(Patch(file, "'shape': (2, 3)", "'shape': (2, -3)"))));
        Assert.Contains("has a .npy header whose shape has an invalid size at dimension 1", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(Patch(file, "'shape': (2, 3)", "'shapes': (2,3)"))));
        Assert.Contains("has a .npy header without the keys 'descr', 'fortran_order' and 'shape'", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(Patch(file, "'fortran_order': False", "'fortran_order': Nope "))));
        Assert.Contains("has a .npy header that cannot be parsed (an unexpected 'N' at character", e.Message);

        // A header that claims far more data than the file holds is refused before anything is allocated for it.
        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(Patch(file, "'shape': (2, 3)", "'shape': (2000000, 30)"))));
        Assert.Contains("is truncated: its header claims shape (2000000, 30) of float32 (240000000 bytes) but only 24 bytes follow the header.", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(Patch(file, "'shape': (2, 3)", "'shape': (99999, 99999999)"))));
        Assert.Contains("more than 2147483591 bytes", e.Message);
    }

    [Fact]
    public void Stored_and_deflated_archives_make_the_same_dataset()
    {
        IReadOnlyDictionary<string, NpyArray> stored = Npy.ReadNpz(DataFiles.Path("stored.npz"));
        Assert.Equal(new[] { "x", "y" }, stored.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(NpyType.Float32, stored["x"].Type);
        Assert.Equal(new[] { 6, 2, 2 }, stored["x"].Shape);
        Assert.Equal(NpyType.Int64, stored["y"].Type);
        Assert.Equal("x", stored["x"].Name);

        IReadOnlyDictionary<string, NpyArray> deflated = Npy.ReadNpz(DataFiles.Path("deflated.npz"));
        Assert.Equal(NpyType.Float64, deflated["x"].Type);
        Assert.Equal(NpyType.UInt8, deflated["y"].Type);

        float[] expected = Enumerable.Range(0, 24).Select(i => i / 4f).ToArray();
        foreach (string file in new[] { "stored.npz", "deflated.npz" })
        {
            Dataset data = Npy.LoadDataset(DataFiles.Path(file), features: "x", labels: "y", classes: 3);
            Assert.Equal(6, data.Count);
            Assert.Equal(4, data.InputLength);
            Assert.Equal(1, data.TargetLength);
            Assert.Equal(expected, data.Inputs.ToArray());
            Assert.Equal(new float[] { 5, 5.25f, 5.5f, 5.75f }, data.Input(5).ToArray());
            Assert.Equal(new float[] { 0, 1, 2, 1, 0, 2 }, data.Targets.ToArray());
        }
    }

    [Fact]
    public void Float_labels_are_regression_targets()
    {
        Dataset data = Npy.LoadDataset(DataFiles.Path("regression.npz"), "x", "y");
        Assert.Equal(2, data.TargetLength);
        Assert.Equal(new float[] { 0.5f, -1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f, 5, 5.5f, 6 }, data.Targets.ToArray());

        ArgumentException e = Assert.Throws<ArgumentException>(() => Npy.LoadDataset(DataFiles.Path("regression.npz"), "x", "y", classes: 10));
        Assert.Equal("classes", e.ParamName);
        Assert.Contains("are float32: float targets (regression), not class indices", e.Message);
    }

    [Fact]
    public void Positional_and_keras_style_archives()
    {
        IReadOnlyDictionary<string, NpyArray> arrays = Npy.ReadNpz(DataFiles.Path("positional.npz"));
        Assert.Equal(new[] { "arr_0", "arr_1" }, arrays.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Dataset two = Npy.LoadDataset(arrays["arr_0"], arrays["arr_1"]);
        Assert.Equal(new float[] { 0, 1 }, two.Targets.ToArray());

        Dataset mnist = Npy.LoadDataset(DataFiles.Path("mini_mnist.npz"), "x_train", "y_train", classes: 10);
        Assert.Equal(3, mnist.Count);
        Assert.Equal(16, mnist.InputLength);
        Assert.Equal(new float[] { 7, 2, 9 }, mnist.Targets.ToArray());
        Assert.Equal(Enumerable.Range(16, 16).Select(i => (float)(i * 5)), mnist.Input(1).ToArray());
    }

    [Fact]
    public void Bad_archives_name_the_file_and_the_array()
    {
        string path = DataFiles.Path("labels_out_of_range.npz");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Npy.LoadDataset(path, "x", "y", classes: 3));
        Assert.Equal($"The labels, array 'y' of '{path}', have 3 at sample 3, outside [0, 3): a label is a class index from 0 to 2 (3 classes).", e.Message);

        path = DataFiles.Path("mismatch.npz");
        e = Assert.Throws<InvalidDataException>(() => Npy.LoadDataset(path, "x", "y"));
        Assert.Equal($"The features, array 'x' of '{path}' of shape (6, 2, 2), hold 6 samples, but the labels, array 'y' of '{path}' of shape (5,), hold 5; the first dimension of both is the samples.", e.Message);

        path = DataFiles.Path("with_object.npz");
        e = Assert.Throws<InvalidDataException>(() => Npy.LoadDataset(path, "x", "y"));
        Assert.StartsWith($"array 'y' of '{path}' has dtype '|O': Python objects", e.Message);

        path = DataFiles.Path("stored.npz");
        ArgumentException a = Assert.Throws<ArgumentException>(() => Npy.LoadDataset(path, "x", "labels"));
        Assert.Equal("labels", a.ParamName);
        Assert.StartsWith($"'{path}' has no array 'labels'; its arrays are 'x', 'y'.", a.Message);
        a = Assert.Throws<ArgumentException>(() => Npy.LoadDataset(path, "features", "y"));
        Assert.Equal("features", a.ParamName);

        byte[] zip = DataFiles.Bytes("deflated.npz");
        e = Assert.Throws<InvalidDataException>(() => Npy.ReadNpz(new MemoryStream(zip, 0, zip.Length / 2), "half.npz"));
        Assert.StartsWith("'half.npz' is not an .npz file (a zip archive of .npy files): ", e.Message);

        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => Npy.ReadNpz(new ForwardOnly(zip))).ParamName);
    }

    [Fact]
    public void A_truncated_array_inside_an_archive_is_named()
    {
        byte[] npy = DataFiles.Bytes("float32.npy");
        foreach (CompressionLevel level in new[] { CompressionLevel.NoCompression, CompressionLevel.Optimal })
        {
            var archive = new MemoryStream();
            using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
            {
                using (Stream s = zip.CreateEntry("good.npy", level).Open())
                {
                    s.Write(npy);
                }

                using (Stream s = zip.CreateEntry("cut.npy", level).Open())
                {
                    s.Write(npy.AsSpan(0, 140));
                }
            }

            archive.Position = 0;
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => Npy.ReadNpz(archive, "made.npz"));
            Assert.StartsWith("array 'cut' of 'made.npz' is truncated: its header claims shape (2, 3) of float32 (24 bytes) but only 12 bytes", e.Message);
        }
    }

    [Fact]
    public void Float32_features_are_wrapped_not_copied_other_types_are_converted()
    {
        NpyArray x = Npy.Read(DataFiles.Path("rank3.npy"));
        NpyArray y = Npy.ReadNpz(DataFiles.Path("positional.npz"))["arr_1"];
        Dataset a = Npy.LoadDataset(x, y);
        Dataset b = Npy.LoadDataset(x, y);
        Assert.Equal(12, a.InputLength);
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(a.Inputs), ref MemoryMarshal.GetReference(b.Inputs)));
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(a.Inputs), ref Unsafe.As<byte, float>(ref MemoryMarshal.GetReference(x.Bytes))));

        NpyArray x64 = Npy.ReadNpz(DataFiles.Path("deflated.npz"))["x"];
        NpyArray y8 = Npy.ReadNpz(DataFiles.Path("deflated.npz"))["y"];
        Dataset c = Npy.LoadDataset(x64, y8);
        Dataset d = Npy.LoadDataset(x64, y8);
        Assert.False(Unsafe.AreSame(ref MemoryMarshal.GetReference(c.Inputs), ref MemoryMarshal.GetReference(d.Inputs)));
        Assert.Equal(c.Inputs.ToArray(), d.Inputs.ToArray());
    }

    [Fact]
    public void Scalars_and_empty_samples_cannot_make_a_dataset()
    {
        NpyArray scalar = Npy.Read(DataFiles.Path("scalar.npy"));
        NpyArray labels = Npy.Read(DataFiles.Path("rank1.npy"));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Npy.LoadDataset(scalar, labels));
        Assert.Contains("The features, ", e.Message);
        Assert.Contains("scalar.npy', are a 0-dimensional array (a scalar)", e.Message);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Npy.LoadDataset(labels, labels, classes: 0)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Npy.LoadDataset(null!, labels));
    }

    private static NpyArray Read(string file, NpyType type)
    {
        NpyArray a = Npy.Read(DataFiles.Path(file));
        Assert.Equal(type, a.Type);
        Assert.Equal(new[] { 2, 3 }, a.Shape);
        return a;
    }

    /// <summary>Replaces text in a version 1.0 .npy header of 118 bytes, keeping its length (it is padded with spaces).</summary>
    private static byte[] Patch(byte[] file, string from, string to)
    {
        Assert.Equal(118, file[8] | (file[9] << 8));
        string header = System.Text.Encoding.Latin1.GetString(file, 10, 118);
        Assert.Contains(from, header);
        string patched = header.Replace(from, to, StringComparison.Ordinal).TrimEnd(' ', '\n').PadRight(117) + "\n";
        byte[] result = (byte[])file.Clone();
        System.Text.Encoding.Latin1.GetBytes(patched).CopyTo(result, 10);
        return result;
    }

    /// <summary>A stream that reads forward only (as a deflated archive entry does).</summary>
    private sealed class ForwardOnly : Stream
    {
        private readonly MemoryStream _inner;

        public ForwardOnly(byte[] bytes) => _inner = new MemoryStream(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
