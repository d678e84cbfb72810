using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using Xunit;

namespace NetGen.Tests.Data;

/// <summary>The IDX reader on the real 10k MNIST files and on malformed files built in memory.</summary>
public sealed class IdxTests
{
    private const string TrainImages = "train-images-idx3-ubyte";
    private const string TrainLabels = "train-labels-idx1-ubyte";
    private const string TestImages = "t10k-images-idx3-ubyte";
    private const string TestLabels = "t10k-labels-idx1-ubyte";

    // Expected values computed with Python's gzip and hashlib from the same files.
    [Theory]
    [InlineData(TrainImages, 8000, "8832d096f27159747405da5ebaae78bc1196d5381d9fa05b5d522056e5c1a9cf", 29832, 210201698L)]
    [InlineData(TestImages, 2000, "48958c2906db0d7ce346f70f538f8e4b0c18ea1e1c15093bd33913bad3ad3d14", 19651, 51944902L)]
    public void Reads_real_MNIST_images(string file, int count, string firstImageSha256, int firstImageSum, long allPixelsSum)
    {
        IdxImages images = Idx.ReadImages(TestDataPaths.Mnist(file));
        Assert.Equal(count, images.Count);
        Assert.Equal(28, images.Rows);
        Assert.Equal(28, images.Columns);
        Assert.Equal(784, images.PixelsPerImage);
        Assert.Equal(count * 784, images.Pixels.Length);

        ReadOnlySpan<byte> first = images.Image(0);
        Assert.Equal(firstImageSha256, Convert.ToHexString(SHA256.HashData(first)).ToLowerInvariant());
        Assert.Equal(firstImageSum, Sum(first));
        Assert.Equal(allPixelsSum, images.Pixels.Sum(p => (long)p));
    }

    [Theory]
    [InlineData(TrainLabels, new[] { 3, 6, 7, 0, 3, 1, 7, 2, 2, 9 }, new[] { 820, 886, 794, 821, 772, 692, 822, 846, 766, 781 })]
    [InlineData(TestLabels, new[] { 9, 8, 8, 9, 6, 6, 4, 9, 5, 4 }, new[] { 181, 241, 197, 211, 208, 171, 192, 224, 178, 197 })]
    public void Reads_real_MNIST_labels(string file, int[] firstTen, int[] histogram)
    {
        byte[] labels = Idx.ReadLabels(TestDataPaths.Mnist(file));
        Assert.Equal(histogram.Sum(), labels.Length);
        Assert.Equal(firstTen, labels.Take(10).Select(l => (int)l));
        Assert.All(labels, l => Assert.InRange(l, 0, 9));
        int[] counts = new int[10];
        foreach (byte l in labels)
        {
            counts[l]++;
        }

        Assert.Equal(histogram, counts);
    }

    [Fact]
    public void LoadMnist_builds_a_dataset_scaled_to_unit_range()
    {
        Dataset train = Idx.LoadMnist(TestDataPaths.Mnist(TrainImages), TestDataPaths.Mnist(TrainLabels));
        Assert.Equal(8000, train.Count);
        Assert.Equal(784, train.InputLength);
        Assert.Equal(1, train.TargetLength);
        Assert.Equal(3f, train.Target(0)[0]);
        Assert.Equal(9f, train.Target(9)[0]);

        IdxImages images = Idx.ReadImages(TestDataPaths.Mnist(TrainImages));
        ReadOnlySpan<float> input = train.Input(0);
        for (int i = 0; i < 784; i++)
        {
            Assert.Equal(images.Image(0)[i] / 255f, input[i]);
        }

        float min = float.MaxValue;
        float max = float.MinValue;
        foreach (float x in train.Inputs)
        {
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }

        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
    }

    [Fact]
    public void LoadMnist_rejects_files_of_different_sample_counts()
    {
        string images = TestDataPaths.Mnist(TrainImages);
        string labels = TestDataPaths.Mnist(TestLabels);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.LoadMnist(images, labels));
        Assert.Contains("8000 images", e.Message);
        Assert.Contains("2000 labels", e.Message);
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public void ToFloats_with_a_scale_multiplies()
    {
        IdxImages images = Idx.ReadImages(new MemoryStream(Build(Idx.ImagesMagic, new[] { 1, 1, 3 }, new byte[] { 0, 128, 255 })));
        Assert.Equal(new[] { 0f, 128 / 255f, 1f }, images.ToFloats());
        Assert.Equal(new[] { 0f, 64f, 127.5f }, images.ToFloats(0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => images.Image(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => images.Image(-1));
    }

    [Fact]
    public void Reads_plain_and_gzipped_data_from_seekable_and_unseekable_streams_whatever_the_name()
    {
        byte[] plain = Build(Idx.ImagesMagic, new[] { 2, 2, 3 }, Enumerable.Range(1, 12).Select(i => (byte)i).ToArray());
        byte[] gzipped = Gzip(plain);
        foreach (byte[] bytes in new[] { plain, gzipped })
        {
            foreach (Stream stream in new Stream[] { new MemoryStream(bytes), new ForwardOnlyStream(bytes) })
            {
                IdxImages images = Idx.ReadImages(stream);
                Assert.Equal((2, 2, 3), (images.Count, images.Rows, images.Columns));
                Assert.Equal(new byte[] { 7, 8, 9, 10, 11, 12 }, images.Image(1).ToArray());
            }
        }

        // A plain file called .gz and a gzipped file without the extension: the content decides.
        string dir = Directory.CreateTempSubdirectory("netgen-idx-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "plain.gz"), Build(Idx.LabelsMagic, new[] { 3 }, new byte[] { 4, 5, 6 }));
            File.WriteAllBytes(Path.Combine(dir, "zipped"), Gzip(Build(Idx.LabelsMagic, new[] { 3 }, new byte[] { 4, 5, 6 })));
            Assert.Equal(new byte[] { 4, 5, 6 }, Idx.ReadLabels(Path.Combine(dir, "plain.gz")));
            Assert.Equal(new byte[] { 4, 5, 6 }, Idx.ReadLabels(Path.Combine(dir, "zipped")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Empty_files_are_allowed_when_the_header_says_zero_samples()
    {
        Assert.Empty(Idx.ReadLabels(new MemoryStream(Build(Idx.LabelsMagic, new[] { 0 }, Array.Empty<byte>()))));
        Assert.Equal(0, Idx.ReadImages(new MemoryStream(Build(Idx.ImagesMagic, new[] { 0, 28, 28 }, Array.Empty<byte>()))).Count);
    }

    public static TheoryData<string, byte[], string[]> MalformedImages()
    {
        var data = new TheoryData<string, byte[], string[]>();
        data.Add("empty", Array.Empty<byte>(), new[] { "only 0 bytes" });
        data.Add("text", "hello, world, this is no IDX"u8.ToArray(), new[] { "not an IDX file" });
        data.Add("labels where images are expected", Build(Idx.LabelsMagic, new[] { 2 }, new byte[2]), new[] { "looks like a labels file", "2051" });
        data.Add("floats", Build(0x00000D03, new[] { 1, 1, 1 }, new byte[4]), new[] { "element type 0x0D" });
        data.Add("header cut short", Build(Idx.ImagesMagic, new[] { 1, 2, 2 }, new byte[4])[..10], new[] { "truncated", "16 bytes", "after 10" });
        data.Add("data cut short", Build(Idx.ImagesMagic, new[] { 3, 2, 2 }, new byte[11]), new[] { "truncated", "3 images of 2x2", "12 bytes", "only 11" });
        data.Add("header counts larger than the data", Build(Idx.ImagesMagic, new[] { 60000, 28, 28 }, new byte[784]), new[] { "truncated", "60000 images of 28x28", "47040000 bytes", "only 784" });
        data.Add("trailing data", Build(Idx.ImagesMagic, new[] { 1, 2, 2 }, new byte[5]), new[] { "1 bytes after the 4" });
        data.Add("zero rows", Build(Idx.ImagesMagic, new[] { 1, 0, 2 }, Array.Empty<byte>()), new[] { "invalid size 0 for the rows" });
        data.Add("negative count", Build(Idx.ImagesMagic, new[] { -1, 2, 2 }, new byte[4]), new[] { "invalid size 4294967295 for the image count" });
        data.Add("more than an array holds", Build(Idx.ImagesMagic, new[] { int.MaxValue, 28, 28 }, new byte[4]), new[] { "2147483647 images of 28x28", "one array" });
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedImages))]
    public void Malformed_image_files_throw_InvalidDataException_naming_the_file_and_the_problem(string what, byte[] bytes, string[] expected)
    {
        _ = what;
        AssertInvalid(() => Idx.ReadImages(new MemoryStream(bytes), "test.idx"), "test.idx", expected);
    }

    [Theory]
    [MemberData(nameof(MalformedImages))]
    public void Malformed_gzipped_or_unseekable_image_files_throw_too(string what, byte[] bytes, string[] expected)
    {
        _ = what;
        // Without a known length, truncation and trailing data are found while reading, with their own wording.
        string[] general = expected.Where(s => !s.StartsWith("only", StringComparison.Ordinal) && !s.Contains("bytes after", StringComparison.Ordinal)).ToArray();
        AssertInvalid(() => Idx.ReadImages(new MemoryStream(Gzip(bytes)), "test.idx.gz"), "test.idx.gz", general);
        AssertInvalid(() => Idx.ReadImages(new ForwardOnlyStream(bytes), "pipe"), "pipe", general);
    }

    [Fact]
    public void A_gzipped_header_claiming_two_gigabytes_does_not_allocate_them()
    {
        byte[] bytes = Gzip(Build(Idx.ImagesMagic, new[] { 2_700_000, 28, 28 }, new byte[784 * 3]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(new MemoryStream(bytes), "big.gz"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("only 2352 bytes of data follow", e.Message);
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Corrupt_gzip_names_the_file()
    {
        byte[] bytes = Gzip(Build(Idx.LabelsMagic, new[] { 1000 }, new byte[1000]));
        for (int i = 12; i < bytes.Length - 8; i++)
        {
            bytes[i] ^= 0x5A;
        }

        AssertInvalid(() => Idx.ReadLabels(new MemoryStream(bytes), "labels.gz"), "labels.gz", Array.Empty<string>());
    }

    [Fact]
    public void Malformed_labels_and_path_errors_name_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"netgen-idx-{Guid.NewGuid():N}-labels");
        try
        {
            File.WriteAllBytes(path, Build(Idx.LabelsMagic, new[] { 10 }, new byte[9]));
            AssertInvalid(() => Idx.ReadLabels(path), path, new[] { "truncated", "10 labels", "only 9" });
            File.WriteAllBytes(path, Build(Idx.ImagesMagic, new[] { 1, 1, 1 }, new byte[1]));
            AssertInvalid(() => Idx.ReadLabels(path), path, new[] { "looks like an images file", "2049" });
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<FileNotFoundException>(() => Idx.ReadLabels(path));
    }

    private static void AssertInvalid(Func<object> read, string name, string[] expected)
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(read);
        Assert.Contains(name, e.Message);
        foreach (string s in expected)
        {
            Assert.Contains(s, e.Message);
        }
    }

    /// <summary>An IDX file: big-endian magic, sizes, then the data as given.</summary>
    private static byte[] Build(int magic, int[] sizes, byte[] data)
    {
        var bytes = new byte[4 + 4 * sizes.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), sizes[i]);
        }

        data.CopyTo(bytes, 4 + 4 * sizes.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static int Sum(ReadOnlySpan<byte> bytes)
    {
        int sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }

        return sum;
    }

    /// <summary>A stream that can only be read forward, as a pipe or a network stream, in small pieces.</summary>
    private sealed class ForwardOnlyStream : Stream
    {
        private readonly MemoryStream _inner;

        public ForwardOnlyStream(byte[] bytes) => _inner = new MemoryStream(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
