using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace NetGen.Tests.Generator;

/// <summary>
/// Any name a network may legally have gives it its generated code, and leaves every other network's alone: verbatim
/// identifiers (<c>namespace @event</c>, <c>partial class @class</c>) are re-emitted escaped and give valid hint names,
/// names that differ only in case or in nesting get distinct files, and a user type named like a contextual keyword
/// the generated code could use (<c>var</c>) changes nothing. Each case compiles, loads and runs beside a normal network.
/// </summary>
public class NameTests
{
    private const string Layers = "[Network] [Input(4)] [Dense(3), Tanh] [Dense(2)]";

    [Fact]
    public void Verbatim_namespace_and_class_names_generate_compile_and_run_beside_a_normal_network()
    {
        string source = $$"""
            using NetGen;

            namespace @event
            {
                public partial class @struct
                {
                    {{Layers}}
                    public partial class @class;
                }

                {{Layers}}
                public partial class @int;
            }

            namespace Plain
            {
                {{Layers}}
                public partial class Twin;

                [Network] [Input(3)] [Dense(2)]
                public partial class Other;
            }
            """;
        Run(source, loaded =>
        {
            float[] expected = Outputs(loaded("Plain.Twin"));
            Assert.Contains(expected, v => v != 0f);
            Assert.Equal(expected, Outputs(loaded("event.struct+class")));
            Assert.Equal(expected, Outputs(loaded("event.int")));
            Assert.Equal(3, loaded("Plain.Other").InputLength);
        });
    }

    [Fact]
    public void Verbatim_names_give_hint_names_without_the_at_sign()
    {
        GeneratorResult result = GeneratorHarness.Run($$"""
            using NetGen;
            namespace @event.@namespace { {{Layers}} public partial class @class; }
            """);
        Assert.Empty(result.CompilationProblems);
        Assert.Equal("event.namespace.class.g.cs", Assert.Single(result.Sources).Key);
        Assert.Contains("namespace @event.@namespace", result.Sources.Single().Value, StringComparison.Ordinal);
        Assert.Contains("partial class @class : global::NetGen.INetwork", result.Sources.Single().Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_that_differ_only_in_case_get_distinct_files_and_all_run()
    {
        // Hint names are compared ignoring case: A.B.C is the class C of namespace A.B, of namespace a.B and the class C
        // nested in class A.b.
        string source = $$"""
            using NetGen;

            namespace A.B
            {
                {{Layers}} public partial class C;
                {{Layers}} public partial class Net;
                {{Layers}} public partial class NET;
            }

            namespace a.B
            {
                {{Layers}} public partial class C;
            }

            namespace A
            {
                public partial class b
                {
                    {{Layers}} public partial class C;
                }
            }
            """;
        Run(source, loaded =>
        {
            float[] expected = Outputs(loaded("A.B.C"));
            Assert.Contains(expected, v => v != 0f);
            foreach (string name in new[] { "a.B.C", "A.b+C", "A.B.Net", "A.B.NET" })
            {
                Assert.Equal(expected, Outputs(loaded(name)));
            }
        }, expectedFiles: 5);
    }

    [Fact]
    public void Hint_names_are_distinct_ignoring_case_and_stay_plain_where_nothing_clashes()
    {
        // Namespace A.B beside class A.B is the compiler's error CS0101, but the generator must not fail on it either.
        GeneratorResult result = GeneratorHarness.Run($$"""
            using NetGen;
            namespace A.B { {{Layers}} public partial class C; {{Layers}} public partial class c; }
            namespace A { public partial class B { {{Layers}} public partial class C; } }
            namespace Q { {{Layers}} public partial class Alone; }
            """);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785");
        string[] names = result.Sources.Keys.ToArray();
        Assert.Equal(4, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("Q.Alone.g.cs", names);
        Assert.Contains("A.B.C.g.cs", names);
        Assert.Equal(3, names.Count(n => n.StartsWith("A.B.C", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Contextual_keyword_names_and_a_type_named_var_leave_every_network_compiling()
    {
        // A type named 'var' in the network's namespace would capture a 'var' local in the generated code.
        string source = $$"""
            using NetGen;

            namespace @record
            {
                public sealed class var { }
                public sealed class dynamic { }

                {{Layers}} public partial class async;
                {{Layers}} public partial class @nameof;
                {{Layers}} public partial class Twin;

                public static partial class @partial
                {
                    {{Layers}} internal partial class @required;
                }
            }
            """;
        Run(source, loaded =>
        {
            float[] expected = Outputs(loaded("record.Twin"));
            Assert.Equal(expected, Outputs(loaded("record.async")));
            Assert.Equal(expected, Outputs(loaded("record.nameof")));
            Assert.Equal(expected, Outputs(loaded("record.partial+required")));
        });
    }

    [Fact]
    public void Networks_nested_in_every_kind_of_extensible_type_compile_and_run()
    {
        string source = $$"""
            using NetGen;

            namespace Kinds
            {
                {{Layers}} public partial class Twin;
                public static partial class S { {{Layers}} public partial class A; }
                public readonly partial struct R { {{Layers}} public partial class B; }
                public ref partial struct F { {{Layers}} public partial class C; }
                public partial record Q { {{Layers}} public partial class D; }
                public readonly partial record struct QS { {{Layers}} public partial class E; }
                public partial class @class { {{Layers}} private protected partial class G; }
            }
            """;
        Run(source, loaded =>
        {
            float[] expected = Outputs(loaded("Kinds.Twin"));
            foreach (string name in new[] { "Kinds.S+A", "Kinds.R+B", "Kinds.F+C", "Kinds.Q+D", "Kinds.QS+E", "Kinds.class+G" })
            {
                Assert.Equal(expected, Outputs(loaded(name)));
            }
        });
    }

    /// <summary>Forward of one fixed sample through a network of the test's layers, from seed 3.</summary>
    private static float[] Outputs(INetwork net)
    {
        float[] input = Enumerable.Range(0, net.InputLength).Select(i => (i - 1.5f) / 2f).ToArray();
        float[] output = new float[net.OutputLength];
        net.Forward(input, output, net.CreateWorkspace());
        return output;
    }

    /// <summary>
    /// Generates, compiles (no diagnostic of any severity, no generator exception), emits and loads
    /// <paramref name="source"/>, and hands <paramref name="check"/> a way to create each network by its runtime name.
    /// </summary>
    private static void Run(string source, Action<Func<string, INetwork>> check, int? expectedFiles = null)
    {
        GeneratorResult result = GeneratorHarness.Run(source);
        Assert.Empty(result.CompilationProblems);
        if (expectedFiles is int files)
        {
            Assert.Equal(files, result.Sources.Count);
        }

        using var image = new MemoryStream();
        EmitResult emitted = result.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        var context = new AssemblyLoadContext("generated-names", isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(image);
            check(name => (INetwork)Activator.CreateInstance(assembly.GetType(name, throwOnError: true)!, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, null, new object[] { 3UL }, null)!);
        }
        finally
        {
            context.Unload();
        }
    }
}
