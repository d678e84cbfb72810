namespace NetGen.Generator;

/// <summary>Identity of the generator, stamped on every generated member.</summary>
internal static class GeneratorInfo
{
    public const string Name = "NetGen.Generator";
    public const string Version = "0.1.0";
}
