using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NetGen.Tests.Data;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The generator's stages depend one way: Parse → Plan → Emit, with Model (the records, the diagnostics catalogue,
/// naming rules) below them all. A stage may name only the stages before it; Analysis and the generator's entry point
/// sit on top.
/// </summary>
public sealed class LayeringTests
{
    [Theory]
    [InlineData("Model", new string[0])]
    [InlineData("Parse", new[] { "Model" })]
    [InlineData("Plan", new[] { "Model" })]
    [InlineData("Emit", new[] { "Model", "Plan" })]
    public void A_stage_names_only_the_stages_below_it(string stage, string[] allowed)
    {
        string folder = Path.Combine(TestDataPaths.RepositoryRoot, "generator", stage);
        var stages = new[] { "Model", "Parse", "Plan", "Emit", "Analysis" };
        var reference = new Regex(@"NetGen\.Generator\.(\w+)|(?<![\w.])(Model|Parse|Plan|Emit|Analysis)\.[A-Z]\w*\.");
        foreach (string file in Directory.EnumerateFiles(folder, "*.cs"))
        {
            string[] lines = File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith("///", System.StringComparison.Ordinal)).ToArray();
            foreach (string line in lines)
            {
                foreach (Match m in reference.Matches(line))
                {
                    string named = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                    if (stages.Contains(named) && named != stage)
                    {
                        Assert.True(allowed.Contains(named), $"{Path.GetFileName(file)} ({stage}) names {named}: {line.Trim()}");
                    }
                }
            }
        }
    }
}
