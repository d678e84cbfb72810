using System;
using NetGen.Tests.IO;

namespace NetGen.Tests;

/// <summary>
/// The test assembly's entry point, used only when a test starts this assembly as a child process
/// (<c>dotnet NetGen.Tests.dll checkpoint-writer PATH</c>); the test runner does not call it.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == CheckpointKillTests.ChildCommand)
        {
            return CheckpointKillTests.RunChild(args[1]);
        }

        Console.Error.WriteLine("This is the NetGen test assembly; run the tests with `dotnet test NetGen.sln -c Release`.");
        return 2;
    }
}
