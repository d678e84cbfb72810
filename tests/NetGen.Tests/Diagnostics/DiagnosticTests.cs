using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using static NetGen.Tests.Diagnostics.DiagnosticVerifier;

namespace NetGen.Tests.Diagnostics;

/// <summary>
/// One test per diagnostic in the catalogue: its id, exactly where it is reported (the <c>{|NGxxxx:...|}</c> marker
/// covers the text the diagnostic must squiggle), and the words of its message a user acts on. Every test also
/// compiles the user's code with what the generator added, so a missing or broken stub shows up as an error.
/// </summary>
public class DiagnosticTests
{
    [Fact]
    public void NG0001_class_not_partial_is_reported_at_its_name_and_gets_no_stub()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            public class {|NG0001:Net|};
            """);
        MessageContains(run.Diagnostics[0], "'Net'", "not partial", "partial class Net");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0002_generic_class_is_reported_at_its_name_and_gets_no_stub()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            public partial class {|NG0002:Net|}<T>;
            """);
        MessageContains(run.Diagnostics[0], "'Net'", "generic", "without type parameters");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0003_class_nested_in_a_type_that_is_not_partial_is_reported_at_its_name_and_gets_no_stub()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            public class Outer
            {
                [Network]
                [Input(4)]
                [Dense(2)]
                public partial class {|NG0003:Net|};
            }
            """);
        MessageContains(run.Diagnostics[0], "'Net'", "'Outer'", "not partial");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0003_class_nested_in_a_generic_type_is_reported()
    {
        Diagnostic d = VerifySingle("""
            using NetGen;
            public partial class Outer<T>
            {
                [Network]
                [Input(4)]
                [Dense(2)]
                public partial class {|NG0003:Net|};
            }
            """, "'Outer'", "generic");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void NG0004_missing_input_is_reported_at_the_class_name()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Dense(2)]
            public partial class {|NG0004:Net|};
            """, "'Net'", "no [Input]", "[Input(784)]");

    [Fact]
    public void NG0005_input_after_a_layer_is_reported_at_the_input_attribute()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Dense(2)]
            [{|NG0005:Input(4)|}]
            public partial class Net;
            """, "[Input]", "'Net'", "after layer 0 (Dense(2))", "move it above");

    [Fact]
    public void NG0006_second_input_is_reported_at_the_second_input_attribute()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [{|NG0006:Input(5)|}]
            [Dense(2)]
            public partial class Net;
            """, "'Net'", "more than once");

    [Fact]
    public void NG0007_zero_units_is_reported_at_the_argument()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(8), ReLU]
            [Dense({|NG0007:0|}, Name = "head")]
            public partial class Net;
            """, "layer 2 (Dense(0), \"head\")", "units is 0", "1 or more");

    [Fact]
    public void NG0007_negative_input_dimension_is_reported_at_that_dimension()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(3, {|NG0007:-2|})]
            [Dense(2)]
            public partial class Net;
            """, "[Input(3, -2)]", "dimension 1 is -2");

    [Theory]
    [InlineData("[Input(dimensions: new[] { 3, {|NG0007:0|} })]")]
    [InlineData("[Input(new int[] { 3, {|NG0007:-1|} })]")]
    [InlineData("[Input([3, {|NG0007:0|}])]")]
    public void NG0007_input_dimension_written_as_an_array_is_reported_at_the_element(string input)
        => VerifySingle("using NetGen;\n[Network]\n" + input + "\n[Dense(2)]\npublic partial class Net;\n", "dimension 1");

    [Fact]
    public void NG0007_a_wrong_input_dimension_shows_as_unknown_in_later_messages_not_as_a_made_up_size()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(1, 28, {|NG0007:0|})]
            [{|NG0008:Dense(10)|}]
            public partial class Net;
            """);
        MessageContains(run.Diagnostics[1], "[1, 28, ?]", "[1, 28, 10]", "add [Flatten]");
        Assert.DoesNotContain("[1, 28, 1]", run.Diagnostics[1].GetMessage(), System.StringComparison.Ordinal);
        Assert.DoesNotContain("inputs", run.Diagnostics[1].GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0008_dense_on_an_image_is_reported_at_the_dense_attribute_with_both_shapes_and_the_fix()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(1, 28, 28)]
            [{|NG0008:Dense(10, Name = "fc")|}]
            public partial class Net;
            """, "layer 0 (Dense(10), \"fc\")", "last axis", "[1, 28, 28]", "[1, 28, 10]", "add [Flatten] before it", "784 inputs", "output of [10]");

    [Fact]
    public void NG0009_dropout_probability_of_one_or_more_is_reported_at_the_argument()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(8), ReLU]
            [Dropout({|NG0009:1.5f|})]
            [Dense(2)]
            public partial class Net;
            """, "layer 2 (Dropout(1.5))", "probability 1.5", "[0, 1)");

    [Fact]
    public void NG0009_negative_dropout_probability_is_reported()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dropout(probability: {|NG0009:-0.1f|})]
            [Dense(2)]
            public partial class Net;
            """, "layer 0 (Dropout(-0.1))");

    [Fact]
    public void NG0010_activation_right_after_the_input_is_reported_at_the_activation()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [{|NG0010:ReLU|}]
            [Dense(2)]
            public partial class Net;
            """, "layer 0 (ReLU)", "right after [Input]", "[Dense(...)] before it");

    [Fact]
    public void NG0011_layers_on_two_partial_declarations_are_reported_at_the_network_class()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(8)]
            public partial class {|NG0011:Net|};

            [Dense(2)]
            public partial class Net;
            """, "'Net'", "2 partial declarations", "put all of them on one");

    [Fact]
    public void NG0012_too_many_parameters_is_reported_at_the_layer_that_passes_the_limit()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(65536)]
            [Dense(16), ReLU]
            [Dense(65536), ReLU]
            [{|NG0012:Dense(65536)|}]
            public partial class Net;
            """, "'Net'", "4297195536 floats of parameters", "layer 4 (Dense(65536)) passes it", "2147483591");

    [Fact]
    public void NG0012_too_large_a_workspace_is_reported_at_the_input()
        => VerifySingle("""
            using NetGen;
            [Network]
            [{|NG0012:Input(1073741824)|}]
            [Dropout(0.5f)]
            public partial class Net;
            """, "'Net'", "workspace");

    [Fact]
    public void NG0013_argument_that_is_not_a_constant_is_reported_at_the_attribute()
    {
        VerifiedRun run = Verify(new[]
        {
            """
            using NetGen;
            [Network]
            [Input(4)]
            [{|NG0013:Dense(Sizes.Hidden)|}]
            public partial class Net;

            public static class Sizes
            {
                public static int Hidden = 8;
            }
            """,
        }, allowedCompilerErrors: new[] { "CS0182" });
        MessageContains(run.Diagnostics[0], "layer 0 (Dense(...))", "not a constant");
    }

    [Fact]
    public void NG0014_record_is_reported_at_its_name_and_gets_no_stub()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            public partial record {|NG0014:Net|};
            """);
        MessageContains(run.Diagnostics[0], "'Net' is a record", "partial class Net");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0024_a_class_named_like_a_generated_member_is_reported_at_its_name_and_gets_no_stub()
    {
        // before NG0024: CS0542 inside the generated file ('Forward': member names cannot be the same as their enclosing type)
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            public partial class {|NG0024:Forward|};
            """);
        MessageContains(run.Diagnostics[0], "'Forward' is the name of a member NetGen generates", "rename the class");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0024_a_class_named_like_a_tensor_view_names_the_tensor()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2, Name = "fc1")]
            public partial class {|NG0024:Fc1Weight|};
            """);
        MessageContains(run.Diagnostics[0], "the view of 'fc1.weight'", "or the layer (its Name)");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0014_static_class_is_reported_at_its_name_and_gets_no_stub()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            public static partial class {|NG0014:Net|};
            """);
        MessageContains(run.Diagnostics[0], "'Net' is a static class");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0014_struct_is_reported_at_its_name_beside_the_compilers_attribute_target_error()
    {
        VerifiedRun run = Verify(new[]
        {
            """
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            public partial struct {|NG0014:Net|};
            """,
        }, allowedCompilerErrors: new[] { "CS0592" });
        MessageContains(run.Diagnostics[0], "'Net' is a struct");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0015_two_layers_with_the_same_name_are_reported_at_the_second_name()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(8, Name = "fc"), ReLU]
            [Dense(2, Name = {|NG0015:"fc"|})]
            public partial class Net;
            """, "layer 0 (Dense(8), \"fc\")", "layer 2 (Dense(2), \"fc\")", "'fc.*'", "its own Name");

    [Fact]
    public void NG0015_names_that_give_the_same_member_names_are_reported()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(8), ReLU]
            [Dense(2, Name = {|NG0015:"Layer0"|})]
            public partial class Net;
            """, "layer 0 (Dense(8))", "layer 2 (Dense(2), \"Layer0\")", "'Layer0*' in C#");

    [Fact]
    public void NG0016_empty_layer_name_is_reported_at_the_name()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2, Name = {|NG0016:""|})]
            public partial class Net;
            """, "layer 0 (Dense(2), \"\")", "is empty");

    [Fact]
    public void NG0016_layer_name_with_a_dot_is_reported_at_the_name()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2, Name = {|NG0016:"enc.fc"|})]
            public partial class Net;
            """, "\"enc.fc\"", "contains '.'");

    [Fact]
    public void NG0017_input_without_dimensions_is_reported_at_the_input()
        => VerifySingle("""
            using NetGen;
            [Network]
            [{|NG0017:Input|}]
            [Dense(2)]
            public partial class Net;
            """, "'Net'", "no dimensions", "[Input(784)]");

    [Fact]
    public void NG0100_softmax_before_another_layer_is_a_warning_at_the_softmax()
    {
        Diagnostic d = VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(8)]
            [{|NG0100:Softmax|}]
            [Dense(2)]
            public partial class Net;
            """, "layer 1 (Softmax)", "followed by other layers", "Loss.SoftmaxCrossEntropy");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    [Fact]
    public void NG0101_two_activations_in_a_row_is_a_warning_at_the_second()
    {
        Diagnostic d = VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(8), ReLU, {|NG0101:Tanh|}]
            [Dense(2)]
            public partial class Net;
            """, "layer 2 (Tanh)", "follows layer 1 (ReLU)");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    [Fact]
    public void NG0102_softmax_network_trained_with_softmax_cross_entropy_is_a_warning_at_the_loss_argument()
    {
        Diagnostic d = VerifySingle("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(3)]
            [Softmax]
            public partial class Net;

            public static class Training
            {
                public static Trainer<Net> Create()
                    => new Trainer<Net>(new Net(), new Sgd(0.1f), {|NG0102:Loss.SoftmaxCrossEntropy|});
            }
            """, "'Net' ends with [Softmax]", "SoftmaxCrossEntropyLoss", "remove [Softmax]");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    [Fact]
    public void NG0103_flatten_on_a_flat_input_is_a_warning_at_the_flatten()
    {
        Diagnostic d = VerifySingle("""
            using NetGen;
            [Network]
            [Input(784)]
            [{|NG0103:Flatten|}]
            [Dense(10)]
            public partial class Net;
            """, "layer 0 (Flatten)", "[784]", "already flat", "remove it");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
    }

    [Fact]
    public void Three_independent_mistakes_give_three_errors_in_one_run()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense({|NG0007:0|})]
            [Dropout({|NG0009:1f|})]
            [Dense(2)]
            public class {|NG0001:Net|};
            """);
        Assert.Equal(3, run.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Every_error_in_a_long_network_is_reported_not_only_the_first()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(1, 8, 8)]
            [{|NG0008:Dense(4)|}, Tanh]
            [Dropout({|NG0009:2f|})]
            [Flatten]
            [Dense({|NG0007:-1|}), {|NG0100:Softmax|}]
            [Dense(3, Name = {|NG0016:"a.b"|})]
            public partial class Net;
            """);
        Assert.Equal(4, run.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void NG0014_file_local_class_is_reported_at_its_name_and_gets_no_stub()
    {
        // The generated partial class would be another type of the same name, in its own file.
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            file partial class {|NG0014:Net|};
            """);
        MessageContains(run.Diagnostics[0], "'Net' is a file-local class", "partial class Net");
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0018_layer_attributes_without_Network_are_reported_at_the_class_name()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Input(4)]
            [Dense(2)]
            public partial class {|NG0018:Net|};

            [System.Obsolete]
            public partial class Plain;
            """);
        Assert.Equal(
            "'Net' has NetGen layer attributes but no [Network], so nothing is generated for it; add [Network] above [Input]",
            run.Diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Error, run.Diagnostics[0].Severity);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NG0018_is_reported_on_the_declaration_that_carries_the_layers()
        => VerifySingle("""
            using NetGen;
            public partial class Net { }

            [Dense(2)]
            public partial class {|NG0018:Net|} { }
            """, "'Net'", "add [Network] above [Dense]");

    [Fact]
    public void NG0019_CSharp_10_is_reported_at_the_network_and_gets_a_stub_so_the_only_error_is_netgens()
    {
        VerifiedRun run = Verify(
            new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp10),
            new[]
            {
                """
                using NetGen;
                namespace App;
                [Network]
                [Input(4)]
                [Dense(2)]
                public partial class {|NG0019:Net|} { }
                """ + StubTests.Usage,
            },
            System.Array.Empty<string>());
        Assert.Equal(
            "'Net' is generated as C# 11 code (it uses file-local types), but the project compiles C# 10.0; set <LangVersion>11</LangVersion> or later, or remove <LangVersion> to use the SDK's default",
            run.Diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Error, run.Diagnostics[0].Severity);
        Assert.Contains("throw new global::System.InvalidOperationException", Assert.Single(run.Sources).Value, System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0019_CSharp_7_3_gets_a_stub_that_compiles_in_it_beside_other_errors()
    {
        VerifiedRun run = Verify(
            new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp7_3),
            new[]
            {
                """
                using NetGen;
                namespace App
                {
                    [Network]
                    [Input(4)]
                    [Dense({|NG0007:0|})]
                    public partial class {|NG0019:Net|} { }
                """ + StubTests.Usage + "\n}\n",
            },
            System.Array.Empty<string>());
        MessageContains(run.Diagnostics.Single(d => d.Id == "NG0019"), "but the project compiles C# 7.3;");
        Assert.Single(run.Sources);
    }

    [Fact]
    public void CSharp_11_is_enough_for_the_generated_code()
    {
        Generator.GeneratorResult result = Generator.GeneratorHarness.Run(
            new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp11),
            Generator.SnapshotTests.SequenceSource,
            Generator.ConvolutionSnapshotTests.LeNetSource.Replace("namespace Samples;", "namespace Samples {", System.StringComparison.Ordinal).Replace("class LeNet5;", "class LeNet5 { } }", System.StringComparison.Ordinal),
            Generator.SnapshotTests.BatchNormSource.Replace("class Normalized;", "class Normalized { }", System.StringComparison.Ordinal),
            Generator.SnapshotTests.ZooSource.Replace("class Zoo;", "class Zoo { }", System.StringComparison.Ordinal));
        Assert.Empty(result.CompilationProblems);
        Assert.Equal(4, result.Sources.Count);
        // every source uses file-local types (C# 11): the dense layers' descriptors, the convolution kernels' class
        Assert.All(result.Sources.Values, s => Assert.Matches(@"\bfile (static class|readonly struct) ", s));
    }
}
