using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator;

/// <summary>Identity of the generator, stamped on every generated member.</summary>
internal static class GeneratorInfo
{
    public const string Name = "NetGen.Generator";
    public const string Version = "0.1.0";

    /// <summary>
    /// The oldest C# the generated code compiles in: C# 11, for file-local types (the layers' descriptor structs,
    /// <c>file readonly struct Dense0 : IDenseLayer</c>, which implement static abstract members, also C# 11; and the
    /// <c>file static class</c> of the kernels a network still carries). Older versions miss more: C# 10 re-opening a containing record (<c>partial record class</c>,
    /// <c>partial record struct</c>); C# 9 native-sized integers (<c>(nuint)i</c> in the kernels), static lambdas,
    /// target-typed <c>new(...)</c> and init-only setters; C# 8 nullable annotations and implementing
    /// <c>INetwork</c>, whose <c>Buffers</c> and <c>BufferTensors</c> are default interface members. Below it,
    /// NG0019 is reported and each network gets only its stub (<see cref="Emit.StubEmitter"/>).
    /// </summary>
    public const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp11;
}
