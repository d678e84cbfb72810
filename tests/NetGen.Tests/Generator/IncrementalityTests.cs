using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// The generator's model caches: after an edit outside the network, or a comment that moves every position in its
/// file, the declaration, plan and output steps report <c>Cached</c> or <c>Unchanged</c>; a real change to a layer
/// reports <c>Modified</c>. And the model holds nothing tied to a compilation (symbols, syntax, locations).
/// </summary>
public class IncrementalityTests
{
    private const string Network = """
        using NetGen;

        namespace App;

        [Network]
        [Input(784)]
        [Dense(64), ReLU]
        [Dense(10, Name = "head")]
        public partial class Net
        {
            public int Extra => 1;
        }
        """;

    private const string Unrelated = """
        namespace App;

        public static class Helpers
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    private static readonly string[] s_modelSteps = { NetworkGenerator.Steps.Declaration, NetworkGenerator.Steps.Plan };

    [Fact]
    public void Edit_in_an_unrelated_file_leaves_model_and_output_cached()
    {
        GeneratorRunResult result = RunTwice(Network, Unrelated, Network, Unrelated.Replace("x * 2", "x + x", StringComparison.Ordinal));
        AssertCached(result);
    }

    [Fact]
    public void Comment_and_blank_lines_above_and_inside_the_network_leave_model_and_output_cached()
    {
        string moved = Network
            .Replace("[Network]", "// A comment that moves every position below it.\n\n[Network]", StringComparison.Ordinal)
            .Replace("[Dense(10, Name = \"head\")]", "\n// between the layers\n[Dense(10, Name = \"head\")]", StringComparison.Ordinal)
            .Replace("public int Extra", "\n    /* inside the class */\n    public int Extra", StringComparison.Ordinal);
        Assert.NotEqual(Network, moved);
        GeneratorRunResult result = RunTwice(Network, Unrelated, moved, Unrelated);
        AssertCached(result);
    }

    [Fact]
    public void Member_added_to_the_network_class_leaves_model_and_output_cached()
    {
        GeneratorRunResult result = RunTwice(Network, Unrelated, Network.Replace("public int Extra => 1;", "public int Extra => 2;\n    public int More => 3;", StringComparison.Ordinal), Unrelated);
        AssertCached(result);
    }

    [Fact]
    public void Changing_a_layer_size_modifies_model_and_output()
    {
        GeneratorRunResult result = RunTwice(Network, Unrelated, Network.Replace("Dense(64)", "Dense(32)", StringComparison.Ordinal), Unrelated);
        foreach (string step in s_modelSteps)
        {
            Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result.TrackedSteps[step]));
        }

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result.TrackedOutputSteps.SelectMany(s => s.Value)));
    }

    /// <summary>
    /// A network that uses another as a block reads the block's layers when it is read: an edit of the block's class, in
    /// another file, regenerates the network that uses it (and leaves it alone when the edit changes nothing).
    /// </summary>
    [Fact]
    public void Editing_a_block_in_another_file_regenerates_the_network_that_uses_it()
    {
        const string outer = """
            using NetGen;
            namespace App;
            [Network]
            [Input(6, 8)]
            [Residual(typeof(Inner))]
            [Dense(3)]
            public partial class Outer;
            """;
        const string inner = """
            using NetGen;
            namespace App;
            [Network]
            [Input(6, 8)]
            [Dense(16), ReLU]
            [Dense(8)]
            public partial class Inner;
            """;
        GeneratorRunResult edited = RunTwice(outer, inner, outer, inner.Replace("Dense(16)", "Dense(12)", StringComparison.Ordinal));
        string source = edited.GeneratedSources.Single(s => s.HintName.Contains("Outer", StringComparison.Ordinal)).SourceText.ToString();
        Assert.Contains("public static int Units => 12;", source, StringComparison.Ordinal);
        Assert.DoesNotContain("public static int Units => 16;", source, StringComparison.Ordinal);

        GeneratorRunResult comment = RunTwice(outer, inner, outer, inner.Replace("[Dense(8)]", "// a comment\n[Dense(8)]", StringComparison.Ordinal));
        AssertCached(comment);
    }

    [Fact]
    public void Model_holds_no_symbol_syntax_compilation_or_location()
    {
        // A network with errors too, so diagnostics (sites, arguments) are in the walked graph.
        GeneratorRunResult result = RunTwice(Network, "using NetGen; [Network] [Input(1, 2, 0)] [Dense(-1)] public partial class Bad;", Network, Unrelated);
        var walker = new ModelWalker();
        foreach (string step in s_modelSteps)
        {
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object value, IncrementalStepRunReason _) in run.Outputs)
                {
                    walker.Walk(value, step);
                }
            }
        }

        Assert.Empty(walker.Offenders);
        Assert.Contains("LayerDeclaration", walker.TypesSeen);
        Assert.Contains("DenseStep", walker.TypesSeen);
        Assert.Contains("DiagnosticInfo", walker.TypesSeen);
    }

    [Fact]
    public void Model_walker_finds_a_location_symbol_or_tree_hidden_in_a_graph()
    {
        // The check above can fail: the walker sees through records, arrays and structs to what they hold.
        CSharpCompilation compilation = GeneratorHarness.Compilation("class C { }");
        SyntaxTree tree = compilation.SyntaxTrees[0];
        object[] graphs =
        {
            Tuple.Create(1, ImmutableValue(Location.None)),
            new List<object> { "x", new KeyValuePair<int, object>(1, compilation.GetTypeByMetadataName("C")!) },
            new[] { tree },
            Tuple.Create(tree.GetRoot()),
            Tuple.Create((object)compilation),
        };
        foreach (object graph in graphs)
        {
            var walker = new ModelWalker();
            walker.Walk(graph, "test");
            Assert.NotEmpty(walker.Offenders);
        }

        static System.Collections.Immutable.ImmutableArray<object> ImmutableValue(object o) => System.Collections.Immutable.ImmutableArray.Create(o);
    }

    private static GeneratorRunResult RunTwice(string network1, string other1, string network2, string other2)
    {
        CSharpCompilation first = GeneratorHarness.Compilation(network1, other1);
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(first);
        Assert.NotEmpty(driver.GetRunResult().GeneratedTrees);

        CSharpCompilation second = first
            .ReplaceSyntaxTree(first.SyntaxTrees[0], CSharpSyntaxTree.ParseText(network2, GeneratorHarness.ParseOptions, path: "Network0.cs"))
            .ReplaceSyntaxTree(first.SyntaxTrees[1], CSharpSyntaxTree.ParseText(other2, GeneratorHarness.ParseOptions, path: "Network1.cs"));
        driver = driver.RunGenerators(second);
        GeneratorRunResult result = Assert.Single(driver.GetRunResult().Results);
        Assert.Null(result.Exception);
        return result;
    }

    private static void AssertCached(GeneratorRunResult result)
    {
        foreach (string step in s_modelSteps)
        {
            IncrementalStepRunReason[] reasons = Reasons(result.TrackedSteps[step]).ToArray();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }

        IncrementalStepRunReason[] outputs = Reasons(result.TrackedOutputSteps.SelectMany(s => s.Value)).ToArray();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output: {r}"));
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(IEnumerable<IncrementalGeneratorRunStep> steps)
        => steps.SelectMany(s => s.Outputs).Select(o => o.Reason);

    /// <summary>Walks an object graph through fields, arrays and collections, noting anything tied to a compilation.</summary>
    private sealed class ModelWalker
    {
        private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);

        public List<string> Offenders { get; } = new();

        public HashSet<string> TypesSeen { get; } = new();

        public void Walk(object? value, string path)
        {
            if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is decimal)
            {
                return;
            }

            if (value is ISymbol or SyntaxNode or SyntaxTree or Compilation or Location or SemanticModel or SyntaxReference or AttributeData or SyntaxToken or SyntaxTrivia or TypedConstant)
            {
                Offenders.Add($"{path}: {value.GetType().FullName}");
                return;
            }

            Type type = value.GetType();
            if (!type.IsValueType && !_seen.Add(value))
            {
                return;
            }

            TypesSeen.Add(type.Name);
            // Value types (EquatableArray, ImmutableArray) are walked through their fields: a default ImmutableArray throws when enumerated.
            if (!type.IsValueType && value is IEnumerable items)
            {
                int i = 0;
                foreach (object? item in items)
                {
                    Walk(item, $"{path}[{i++}]");
                }

                if (type.IsArray)
                {
                    return;
                }
            }

            for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    Walk(field.GetValue(value), $"{path}.{field.Name}");
                }
            }
        }
    }
}
