using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using NetGen.Tests.Networks;
using Xunit;

namespace NetGen.Tests.IO;

/// <summary>
/// What saving and loading do with what is at the path: a symbolic link is written through to its target,
/// anything but a regular file is refused, the mode and owner of the file replaced are kept, stale temporary
/// files of earlier saves are removed. These are Unix behaviours; on Windows the tests return at once.
/// </summary>
public sealed class WeightFileSystemTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "netgen-fs-" + Guid.NewGuid().ToString("N"));

    public WeightFileSystemTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // ---------------------------------------------------------------- symbolic links

    [Fact]
    public void Saving_through_a_chain_of_links_writes_the_final_target_and_keeps_the_links()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // links/latest -> current -> ../store/model.safetensors
        string store = Directory.CreateDirectory(Path.Combine(_directory, "store")).FullName;
        string links = Directory.CreateDirectory(Path.Combine(_directory, "links")).FullName;
        string real = Path.Combine(store, "model.safetensors");
        new FakeNetwork(start: 0f).Save(real);
        File.CreateSymbolicLink(Path.Combine(links, "current"), "../store/model.safetensors");
        File.CreateSymbolicLink(Path.Combine(links, "latest"), "current");

        new FakeNetwork(start: 500f).Save(Path.Combine(links, "latest"));

        Assert.Equal("current", new FileInfo(Path.Combine(links, "latest")).LinkTarget);
        Assert.Equal("../store/model.safetensors", new FileInfo(Path.Combine(links, "current")).LinkTarget);
        var loaded = new FakeNetwork(start: -1f);
        loaded.Load(real);
        Assert.Equal(500f, loaded[0]);
        Assert.Equal(520f, loaded[20]);
        Assert.Empty(Directory.GetFiles(store, "*.tmp-*"));
        Assert.Empty(Directory.GetFiles(links, "*.tmp-*"));
    }

    [Fact]
    public void A_checkpoint_saved_through_a_link_replaces_the_target()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string real = Path.Combine(_directory, "run-0001.ckpt");
        string link = Path.Combine(_directory, "run.ckpt");
        Trainer<Mlp> trainer = NewTrainer();
        trainer.SaveCheckpoint(real);
        File.CreateSymbolicLink(link, real);
        trainer.TrainStep(Batch().X, Batch().Labels);
        trainer.SaveCheckpoint(link);

        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Trainer<Mlp> resumed = NewTrainer();
        resumed.LoadCheckpoint(real);
        Assert.Equal(1, resumed.StepCount);
    }

    [Fact]
    public void A_dangling_link_is_written_through_creating_its_target()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string link = Path.Combine(_directory, "model.safetensors");
        File.CreateSymbolicLink(link, "weights-v2.safetensors");
        new FakeNetwork(start: 7f).Save(link);

        Assert.Equal("weights-v2.safetensors", new FileInfo(link).LinkTarget);
        var loaded = new FakeNetwork();
        loaded.Load(Path.Combine(_directory, "weights-v2.safetensors"));
        Assert.Equal(7f, loaded[0]);
    }

    // ---------------------------------------------------------------- what is not a regular file

    [Fact]
    public void Saving_over_a_fifo_or_a_directory_is_refused_and_leaves_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string fifo = Path.Combine(_directory, "pipe");
        UnixFiles.MakeFifo(fifo);
        IOException error = Assert.ThrowsAny<IOException>(() => new FakeNetwork().Save(fifo));
        Assert.Contains("is a FIFO, not a regular file", error.Message);
        Assert.Contains(fifo, error.Message);
        Assert.Equal("fifo", UnixFiles.Stat(fifo).Type);

        error = Assert.ThrowsAny<IOException>(() => NewTrainer().SaveCheckpoint(fifo));
        Assert.Contains("is a FIFO, not a regular file", error.Message);
        Assert.Equal("fifo", UnixFiles.Stat(fifo).Type);

        string directory = Directory.CreateDirectory(Path.Combine(_directory, "folder")).FullName;
        error = Assert.ThrowsAny<IOException>(() => new FakeNetwork().Save(directory));
        Assert.Contains("is a directory, not a regular file", error.Message);
        Assert.True(Directory.Exists(directory));

        // Through a link too, and with no temporary file left anywhere.
        string link = Path.Combine(_directory, "to-pipe");
        File.CreateSymbolicLink(link, fifo);
        error = Assert.ThrowsAny<IOException>(() => new FakeNetwork().Save(link));
        Assert.Contains("is a FIFO, not a regular file", error.Message);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));
    }

    [Fact]
    public void Saving_over_a_device_node_is_refused_and_leaves_it()
    {
        if (!OperatingSystem.IsLinux() || !UnixFiles.IsLinuxRoot)
        {
            return; // making a device node needs root
        }

        string device = Path.Combine(_directory, "null");
        UnixFiles.MakeNullDevice(device);
        IOException error = Assert.ThrowsAny<IOException>(() => new FakeNetwork().Save(device));
        Assert.Contains("is a character device, not a regular file", error.Message);
        error = Assert.ThrowsAny<IOException>(() => NewTrainer().SaveCheckpoint(device));
        Assert.Contains("is a character device, not a regular file", error.Message);
        Assert.Equal("character special file", UnixFiles.Stat(device).Type);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));
    }

    [Fact]
    public void Loading_a_fifo_a_directory_or_a_device_throws_io_exception_at_once()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string fifo = Path.Combine(_directory, "pipe");
        UnixFiles.MakeFifo(fifo);
        string directory = Directory.CreateDirectory(Path.Combine(_directory, "folder")).FullName;
        (string Path, string Kind)[] cases = [(fifo, "a FIFO"), (directory, "a directory"), ("/dev/zero", "a character device")];
        foreach ((string path, string kind) in cases)
        {
            var net = new FakeNetwork(start: 3f);
            IOException error = WithinSeconds(fifo, () => Assert.ThrowsAny<IOException>(() => net.Load(path)));
            Assert.Equal(typeof(IOException), error.GetType());
            Assert.Contains($"is {kind}, not a regular file", error.Message);
            Assert.Equal(3f, net[0]);

            Trainer<Mlp> trainer = NewTrainer();
            error = WithinSeconds(fifo, () => Assert.ThrowsAny<IOException>(() => trainer.LoadCheckpoint(path)));
            Assert.Equal(typeof(IOException), error.GetType());
            Assert.Contains($"is {kind}, not a regular file", error.Message);
        }
    }

    /// <summary>A stream that says it is empty yet reads zeros forever, as /dev/zero opened as a file does.</summary>
    [Fact]
    public void A_stream_longer_than_its_length_says_gets_a_message_without_negative_counts()
    {
        var error = Assert.Throws<WeightFormatException>(() => SafeTensors.Load(new FakeNetwork(), new ZeroStream()));
        Assert.DoesNotContain("-8", error.Message);
        Assert.Contains("header length is 0 bytes", error.Message);
    }

    // ---------------------------------------------------------------- mode and owner

    [Fact]
    public void Saving_keeps_the_mode_of_the_file_it_replaces()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Path.Combine(_directory, "private.safetensors");
        new FakeNetwork().Save(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        new FakeNetwork(start: 1f).Save(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        string checkpoint = Path.Combine(_directory, "private.ckpt");
        NewTrainer().SaveCheckpoint(checkpoint);
        File.SetUnixFileMode(checkpoint, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        NewTrainer().SaveCheckpoint(checkpoint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(checkpoint));
    }

    [Fact]
    public void Saving_as_root_keeps_the_owner_and_group_of_the_file_it_replaces()
    {
        if (!OperatingSystem.IsLinux() || !UnixFiles.IsLinuxRoot)
        {
            return; // only root may give a file to another user
        }

        string path = Path.Combine(_directory, "shared.safetensors");
        new FakeNetwork().Save(path);
        UnixFiles.Chown(path, 1234, 2345);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        new FakeNetwork(start: 1f).Save(path);
        Assert.Equal(("regular file", 1234, 2345, "640"), UnixFiles.Stat(path));

        string checkpoint = Path.Combine(_directory, "shared.ckpt");
        NewTrainer().SaveCheckpoint(checkpoint);
        UnixFiles.Chown(checkpoint, 4321, 5432);
        NewTrainer().SaveCheckpoint(checkpoint);
        Assert.Equal((4321, 5432), (UnixFiles.Stat(checkpoint).User, UnixFiles.Stat(checkpoint).Group));
    }

    // ---------------------------------------------------------------- temporary files

    [Fact]
    public void A_save_writes_its_temporary_file_under_a_name_that_carries_its_process_id()
    {
        string path = Path.Combine(_directory, "model.safetensors");
        string? seen = null;
        SafeTensors.WriteAtomically(path, stream =>
        {
            seen = Directory.GetFiles(_directory).Single();
            stream.WriteByte(1);
        });

        Assert.Matches(new Regex("^model\\.safetensors\\.tmp-" + Environment.ProcessId + "-[0-9a-f]{16}$"), Path.GetFileName(seen));
        Assert.Equal([1], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_save_deletes_stale_temporary_files_of_its_target_and_nothing_else()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Path.Combine(_directory, "run.ckpt");
        int dead = UnixFiles.DeadProcessId();
        string Plant(string name, TimeSpan age)
        {
            string file = Path.Combine(_directory, name);
            File.WriteAllBytes(file, new byte[100]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow - age);
            return file;
        }

        string[] stale =
        [
            Plant($"run.ckpt.tmp-{dead}-0123456789abcdef", TimeSpan.Zero),     // its process is gone
            Plant("run.ckpt.tmp-fedcba9876543210", TimeSpan.FromHours(2)),      // an old version's, not written for hours
        ];
        string[] kept =
        [
            Plant($"run.ckpt.tmp-{Environment.ProcessId}-0123456789abcdef", TimeSpan.FromHours(2)), // this process: maybe another thread's save
            Plant("run.ckpt.tmp-1-0123456789abcdef", TimeSpan.FromHours(2)),    // a live process (init)
            Plant("run.ckpt.tmp-fedcba9876543211", TimeSpan.FromMinutes(1)),    // an old version's, written a minute ago
            Plant($"other.ckpt.tmp-{dead}-0123456789abcdef", TimeSpan.Zero),     // another target's
            Plant($"run.ckpt.tmp-{dead}-0123456789abcdef.bak", TimeSpan.Zero),   // not a name a save gives
            Plant("run.ckpt.tmp-notes", TimeSpan.FromHours(2)),
        ];

        NewTrainer().SaveCheckpoint(path);

        Assert.All(stale, f => Assert.False(File.Exists(f), f + " should have been deleted"));
        Assert.All(kept, f => Assert.True(File.Exists(f), f + " should have been kept"));
        NewTrainer().LoadCheckpoint(path);
    }

    [Fact]
    public void Concurrent_saves_of_one_target_never_delete_each_other_s_temporary_file()
    {
        string path = Path.Combine(_directory, "busy.safetensors");
        int failures = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            for (int i = 0; i < 40; i++)
            {
                try
                {
                    new FakeNetwork(start: worker * 1000f).Save(path);
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
        var loaded = new FakeNetwork();
        loaded.Load(path);
        Assert.Contains(loaded[0], new[] { 0f, 1000f, 2000f, 3000f });
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Runs <paramref name="action"/> on another thread; if it has not finished in 10 s, unblocks a reader of the FIFO and fails.</summary>
    private static T WithinSeconds<T>(string fifo, Func<T> action)
    {
        Task<T> task = Task.Run(action);
        if (!task.Wait(TimeSpan.FromSeconds(10)))
        {
            // Opening the FIFO for writing releases the reader blocked in open, so the thread ends.
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
            }

            Assert.Fail("Opening the path blocked for 10 s.");
        }

        return task.Result;
    }

    private static Trainer<Mlp> NewTrainer() => new(new Mlp(seed: 1), new Adam(), Loss.SoftmaxCrossEntropy, seed: 1);

    private static (float[] X, float[] Labels) Batch()
    {
        var x = new float[Mlp.InputLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i % 7 * 0.1f;
        }

        return (x, [3f]);
    }

    private sealed class ZeroStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => 0;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin == SeekOrigin.Current ? Position + offset : offset;

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
