using System.IO;

namespace NetGen.Tests.Data;

/// <summary>The files in <c>tests/NetGen.Tests/Data/files/</c>, written by <c>make_files.py</c> there with NumPy.</summary>
internal static class DataFiles
{
    /// <summary>The full path of a file in the folder.</summary>
    public static string Path(string name) =>
        System.IO.Path.Combine(TestDataPaths.RepositoryRoot, "tests", "NetGen.Tests", "Data", "files", name);

    /// <summary>The file's bytes.</summary>
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));
}
