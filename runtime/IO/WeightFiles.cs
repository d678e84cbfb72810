using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace NetGen;

/// <summary>
/// How weight files and checkpoints meet the file system: opening for reading only regular files (a FIFO would
/// block, a device never ends), and the atomic write, which keeps what was at the path: it writes through a
/// symbolic link to its final target, refuses anything that is not a regular file, carries the mode and (where
/// permitted) the owner over to the new file, and removes the temporary files that killed saves of the same
/// target left behind.
/// </summary>
internal static class WeightFiles
{
    private const int BufferBytes = 1 << 16;

    /// <summary>A legacy temporary file (no process id in its name) older than this is taken as abandoned.</summary>
    private static readonly TimeSpan LegacyTempAge = TimeSpan.FromHours(1);

    // ---------------------------------------------------------------- read

    /// <summary>
    /// Opens <paramref name="path"/> for reading, after checking that it is (or a link leads to) a regular file.
    /// A missing file still throws <see cref="FileNotFoundException"/> from the open.
    /// </summary>
    /// <exception cref="IOException">The path is a directory, FIFO, device or socket.</exception>
    public static FileStream OpenRead(string path)
    {
        RefuseIfNotRegular(Path.GetFullPath(path), followLinks: true, "read");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes, FileOptions.SequentialScan);
    }

    // ---------------------------------------------------------------- write

    /// <summary>
    /// Writes a file atomically: <paramref name="write"/> fills a new temporary file beside the final target of
    /// <paramref name="path"/> (symbolic links followed), which is flushed to disk, given the replaced file's mode
    /// and owner, and renamed over the target. A rename within one directory replaces the name in one step (POSIX
    /// <c>rename</c>, Windows <c>MoveFileEx</c> with <c>REPLACE_EXISTING</c>), so a reader, a crash or a kill sees
    /// the old file or the new one, never a part. On failure the temporary file is deleted and the target is
    /// untouched.
    /// </summary>
    /// <exception cref="IOException">The target is not a regular file, or it cannot be written.</exception>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        string target = FinalTarget(Path.GetFullPath(path));
        FileMetadata? existing = RefuseIfNotRegular(target, followLinks: false, "write");
        string directory = Path.GetDirectoryName(target) ?? throw new IOException($"'{path}' has no directory to write a temporary file in.");
        string name = Path.GetFileName(target);
        DeleteStaleTemporaryFiles(directory, name);

        string temp = Path.Combine(directory, name + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" +
            RandomNumberGenerator.GetHexString(16, lowercase: true));
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = BufferBytes,
            };
            if (existing is { } created && !OperatingSystem.IsWindows())
            {
                // Never more open than the file it replaces, even while it is being written.
                options.UnixCreateMode = created.Mode & (UnixFileMode)0x1FF; // the rwx bits; umask may narrow them
            }

            using (var file = new FileStream(temp, options))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            if (existing is { } old && !OperatingSystem.IsWindows())
            {
                CarryOver(temp, old);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>The end of the chain of symbolic links at <paramref name="path"/>, or the path itself when it is none; the target need not exist.</summary>
    private static string FinalTarget(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null)
        {
            return path;
        }

        // Throws IOException for a loop (too many levels of links).
        FileSystemInfo? final = info.ResolveLinkTarget(returnFinalTarget: true);
        return final is null ? path : Path.GetFullPath(final.FullName);
    }

    /// <summary>
    /// Throws <see cref="IOException"/> unless <paramref name="path"/> is a regular file or does not exist; returns
    /// the file's mode and owner when it exists (null where they cannot be read).
    /// </summary>
    private static FileMetadata? RefuseIfNotRegular(string path, bool followLinks, string verb)
    {
        if (Directory.Exists(path))
        {
            throw NotRegular(path, "a directory", verb);
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        if (Native.TryStat(path, followLinks, out FileMetadata metadata))
        {
            string? kind = metadata.Type switch
            {
                Native.TypeRegular => null,
                Native.TypeFifo => "a FIFO",
                Native.TypeCharacterDevice => "a character device",
                Native.TypeBlockDevice => "a block device",
                Native.TypeSocket => "a socket",
                Native.TypeDirectory => "a directory",
                Native.TypeLink => "a symbolic link",
                _ => "not a file of a known type",
            };
            if (kind is not null)
            {
                throw NotRegular(path, kind, verb);
            }

            return metadata;
        }

        // No stat here (not Linux, or no statx): the mode at least, read through .NET.
        return File.Exists(path) ? new FileMetadata(Native.TypeRegular, File.GetUnixFileMode(path), User: -1, Group: -1) : null;
    }

    private static IOException NotRegular(string path, string kind, string verb) =>
        new($"'{path}' is {kind}, not a regular file; weights and checkpoints {(verb == "read" ? "load from" : "are saved to")} regular files only " +
            $"(use the Stream overload to {verb} {(verb == "read" ? "from" : "to")} anything else).");

    /// <summary>Gives the new file the mode and, where this process may, the owner and group of the file it replaces.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CarryOver(string temp, FileMetadata old)
    {
        if (old.User >= 0 && old.Group >= 0)
        {
            // Root may give the file to anyone; another user only to a group of its own. Either may fail: the new
            // file then belongs to this process's user, as after any editor's save.
            if (!Native.TryChangeOwner(temp, old.User, old.Group))
            {
                Native.TryChangeOwner(temp, -1, old.Group);
            }
        }

        // After chown, which clears the set-id bits.
        File.SetUnixFileMode(temp, old.Mode);
    }

    // ---------------------------------------------------------------- temporary files

    /// <summary>
    /// Deletes <c>name.tmp-PID-HEX</c> files whose process is gone, and legacy <c>name.tmp-HEX</c> files (from
    /// versions whose names carried no process id) not written for an hour. A file of this process, or of any
    /// running process, is kept: it may belong to a save in progress.
    /// </summary>
    private static void DeleteStaleTemporaryFiles(string directory, string name)
    {
        string prefix = name + ".tmp-";
        bool literal = name.AsSpan().IndexOfAny('*', '?') < 0;
        try
        {
            foreach (string file in Directory.EnumerateFiles(directory, literal ? prefix + "*" : "*"))
            {
                string fileName = Path.GetFileName(file);
                if (!fileName.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                ReadOnlySpan<char> suffix = fileName.AsSpan(prefix.Length);
                if (TryParseOwner(suffix, out int pid))
                {
                    if (pid != Environment.ProcessId && !IsRunning(pid))
                    {
                        TryDelete(file);
                    }
                }
                else if (IsHex16(suffix) && DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > LegacyTempAge)
                {
                    TryDelete(file);
                }
            }
        }
        catch (IOException)
        {
            // Cleaning up is a courtesy; the save goes on.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary><c>PID-HEX</c>: decimal digits, a dash, 16 lowercase hex digits.</summary>
    private static bool TryParseOwner(ReadOnlySpan<char> suffix, out int pid)
    {
        pid = 0;
        int dash = suffix.IndexOf('-');
        if (dash < 1 || dash > 10 || !IsHex16(suffix[(dash + 1)..]))
        {
            return false;
        }

        foreach (char c in suffix[..dash])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return int.TryParse(suffix[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
    }

    private static bool IsHex16(ReadOnlySpan<char> text)
    {
        if (text.Length != 16)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a process with this id runs on this machine (as this process sees its processes).</summary>
    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self"))
        {
            return Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return true; // it exists but cannot be inspected: keep its file
        }
        catch (NotSupportedException)
        {
            return true;
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>What <c>stat</c> says about a file: its type (<c>S_IFMT</c> bits), mode, owner and group (-1 when unknown).</summary>
    private readonly record struct FileMetadata(int Type, UnixFileMode Mode, int User, int Group);

    /// <summary>
    /// The two libc calls .NET has no API for, <c>statx</c> (file type and owner; its layout is the same on every
    /// Linux architecture) and <c>chown</c>, called through function pointers found with
    /// <see cref="NativeLibrary"/>: no marshalling stubs, trimming- and AOT-safe. Where libc or the export is
    /// missing (macOS has no statx), the callers fall back: directories are still refused, the mode still carried.
    /// </summary>
    private static unsafe class Native
    {
        public const int TypeFifo = 0x1000;
        public const int TypeCharacterDevice = 0x2000;
        public const int TypeDirectory = 0x4000;
        public const int TypeBlockDevice = 0x6000;
        public const int TypeRegular = 0x8000;
        public const int TypeLink = 0xA000;
        public const int TypeSocket = 0xC000;

        private const int AtCurrentDirectory = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const uint StatxBasicStats = 0x7FF;
        private const int StatxSize = 256;

        private static readonly delegate* unmanaged<int, byte*, int, uint, byte*, int> Statx;
        private static readonly delegate* unmanaged<byte*, uint, uint, int> Chown;

#pragma warning disable CA1810 // the exports are looked up once, in order
        static Native()
        {
            if (!OperatingSystem.IsLinux() || !(NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) || NativeLibrary.TryLoad("libc", out libc)))
            {
                return;
            }

            if (NativeLibrary.TryGetExport(libc, "statx", out IntPtr statx))
            {
                Statx = (delegate* unmanaged<int, byte*, int, uint, byte*, int>)statx;
            }

            if (NativeLibrary.TryGetExport(libc, "chown", out IntPtr chown))
            {
                Chown = (delegate* unmanaged<byte*, uint, uint, int>)chown;
            }
        }
#pragma warning restore CA1810

        /// <summary><c>statx</c> of <paramref name="path"/>; false when it is missing, cannot be read, or statx is unavailable.</summary>
        public static bool TryStat(string path, bool followLinks, out FileMetadata metadata)
        {
            metadata = default;
            if (Statx == null)
            {
                return false;
            }

            byte* buffer = stackalloc byte[StatxSize];
            int result;
            fixed (byte* name = Utf8(path))
            {
                result = Statx(AtCurrentDirectory, name, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer);
            }

            if (result != 0)
            {
                return false;
            }

            // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, u16 mode.
            uint uid = *(uint*)(buffer + 20);
            uint gid = *(uint*)(buffer + 24);
            int mode = *(ushort*)(buffer + 28);
            metadata = new FileMetadata(mode & 0xF000, (UnixFileMode)(mode & 0xFFF), (int)uid, (int)gid);
            return true;
        }

        /// <summary><c>chown</c>; -1 leaves the owner or group as it is. False when refused or unavailable.</summary>
        public static bool TryChangeOwner(string path, int user, int group)
        {
            if (Chown == null)
            {
                return false;
            }

            fixed (byte* name = Utf8(path))
            {
                return Chown(name, unchecked((uint)user), unchecked((uint)group)) == 0;
            }
        }

        private static byte[] Utf8(string path)
        {
            byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
            System.Text.Encoding.UTF8.GetBytes(path, bytes);
            return bytes;
        }
    }
}
