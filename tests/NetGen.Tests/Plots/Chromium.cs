using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace NetGen.Tests.Plots;

/// <summary>
/// Headless Chromium, to render an SVG to a PNG: Debian's <c>chromium</c> package (<c>apt-get install chromium</c>),
/// or the browser named by <c>NETGEN_CHROMIUM</c>.
/// </summary>
internal static class Chromium
{
    /// <summary>The browser's path, or null when none is installed.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>
    /// Renders <paramref name="file"/> in a <paramref name="width"/> × <paramref name="height"/> window at one device
    /// pixel per CSS pixel and returns the screenshot's bytes (a PNG).
    /// </summary>
    public static byte[] Screenshot(string file, int width, int height)
    {
        string browser = Executable ?? throw new InvalidOperationException(ChromiumFactAttribute.Missing);
        string folder = Directory.CreateTempSubdirectory("netgen-chromium-").FullName;
        try
        {
            string png = Path.Combine(folder, "screenshot.png");
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--mute-audio",
                "--force-device-scale-factor=1", "--user-data-dir=" + Path.Combine(folder, "profile"),
                $"--window-size={width},{height}", "--screenshot=" + png, new Uri(Path.GetFullPath(file)).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{browser} did not finish the screenshot in 90 s.");
            }

            if (!File.Exists(png))
            {
                throw new InvalidOperationException($"{browser} exited with {process.ExitCode} and wrote no screenshot:\n{output.Result}\n{errors.Result}");
            }

            return File.ReadAllBytes(png);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A browser helper may still hold the profile for a moment; the temp folder is left then.
            }
        }
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("NETGEN_CHROMIUM") is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : null;
        }

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
            {
                string path = Path.Combine(folder, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }
}

/// <summary>
/// A fact that needs headless Chromium: skipped, saying why, when no browser is installed, unless
/// <c>NETGEN_REQUIRE_CHROMIUM=1</c> (as CI sets it), which makes it run and fail instead.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    internal const string Missing =
        "No Chromium found (looked for NETGEN_CHROMIUM, then chromium, chromium-browser, google-chrome on PATH); " +
        "install Debian's package with 'apt-get install chromium' to run the SVG rendering test.";

    public ChromiumFactAttribute()
    {
        if (Chromium.Executable is null && Environment.GetEnvironmentVariable("NETGEN_REQUIRE_CHROMIUM") != "1")
        {
            Skip = Missing;
        }
    }
}
