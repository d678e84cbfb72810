using System;
using System.Diagnostics;
using System.Globalization;

namespace NetGen.Tests.IO;

/// <summary>Unix file operations the tests need and .NET lacks, through the system's own commands.</summary>
internal static class UnixFiles
{
    /// <summary>Linux, as root: the tests that make device nodes and change owners run only there.</summary>
    public static bool IsLinuxRoot => OperatingSystem.IsLinux() && Run("id", "-u").Trim() == "0";

    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>A character device with the numbers of /dev/null (1, 3).</summary>
    public static void MakeNullDevice(string path) => Run("mknod", path, "c", "1", "3");

    public static void Chown(string path, int user, int group) =>
        Run("chown", user.ToString(CultureInfo.InvariantCulture) + ":" + group.ToString(CultureInfo.InvariantCulture), path);

    /// <summary><c>stat -c '%F %u %g %a'</c>: the file type (without following a link), owner, group and octal mode.</summary>
    public static (string Type, int User, int Group, string Mode) Stat(string path)
    {
        string[] parts = Run("stat", "-c", "%F|%u|%g|%a", path).Trim().Split('|');
        return (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), parts[3]);
    }

    /// <summary>The id of a process that has exited (started, waited for), for a stale temporary file's name.</summary>
    public static int DeadProcessId()
    {
        using Process p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    private static string Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        string errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({p.ExitCode}): {errors}");
        }

        return output;
    }
}
