using System;
using System.IO;
using System.Linq;

namespace NetGen.Tests.Data;

/// <summary>
/// Finds data the tests read from the repository: the root (the folder holding NetGen.sln, found by walking up
/// from the test assembly), and the MNIST files, in <c>samples/Mnist/data/</c> or else in the shared
/// <c>../shared/data/mnist-10k</c> beside the repository.
/// </summary>
internal static class TestDataPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);
    private static readonly Lazy<string> MnistFolder = new(FindMnistDirectory);

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The folder holding the MNIST IDX files.</summary>
    public static string MnistDirectory => MnistFolder.Value;

    /// <summary>
    /// The path of an MNIST file by its standard name without extension (<c>train-images-idx3-ubyte</c>):
    /// the gzipped file if present, else the plain one.
    /// </summary>
    public static string Mnist(string baseName)
    {
        string gz = Path.Combine(MnistDirectory, baseName + ".gz");
        return File.Exists(gz) ? gz : Path.Combine(MnistDirectory, baseName);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No NetGen.sln in {AppContext.BaseDirectory} or any folder above it.");
    }

    private static string FindMnistDirectory()
    {
        string[] candidates =
        {
            Path.Combine(RepositoryRoot, "samples", "Mnist", "data"),
            Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "mnist-10k")),
        };
        string? found = candidates.FirstOrDefault(d =>
            File.Exists(Path.Combine(d, "train-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(d, "train-images-idx3-ubyte")));
        return found ?? throw new InvalidOperationException("MNIST data not found; looked in " + string.Join(" and ", candidates) + ".");
    }
}
