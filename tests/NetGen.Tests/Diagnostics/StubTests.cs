using System.Linq;
using Xunit;
using static NetGen.Tests.Diagnostics.DiagnosticVerifier;

namespace NetGen.Tests.Diagnostics;

/// <summary>
/// A network with errors gets a stub of its members, so code that uses it compiles and the only errors are
/// NetGen's, at the attributes; and no stub where adding one would itself be an error.
/// </summary>
public class StubTests
{
    internal const string Usage = """

        public static class Use
        {
            public static float Run(float[] x)
            {
                var net = new Net(seed: 1);
                System.Span<float> y = stackalloc float[Net.OutputLength + 1];
                net.Forward(x, y);
                Workspace workspace = net.CreateWorkspace(4);
                net.ForwardTraining(x, y, workspace);
                net.Backward(x, y, new float[Net.InputLength], workspace);
                net.ZeroGradients();
                net.Initialize(2);
                var trainer = new Trainer<Net>(net, new Adam(learningRate: 1e-3f), Loss.MeanSquaredError);
                INetwork asInterface = net;
                return net.Parameters[0] + net.Gradients.Length + net.ParameterTensors.Count + asInterface.InputLength
                    + Net.ParameterCount + Net.WorkspaceLength + Net.FlopsPerSample + Net.Summary.Length + Net.InputShape.Length + Net.OutputShape.Length;
            }
        }
        """;

    [Fact]
    public void Network_with_errors_compiles_the_code_that_uses_it_with_only_netgens_errors()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            namespace App;
            [Network]
            [Input(1, 28, 28)]
            [{|NG0008:Dense(10)|}]
            [Dropout({|NG0009:3f|})]
            public partial class Net;
            """ + Usage);
        string stub = Assert.Single(run.Sources).Value;
        Assert.Contains("throw new global::System.InvalidOperationException", stub, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Network_with_errors_nested_in_partial_types_gets_its_stub_in_them()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            namespace App;
            public partial class Outer
            {
                public partial struct Inner
                {
                    [Network]
                    [Dense(4)]
                    internal partial class {|NG0004:Net|};
                }
            }
            public static class Use
            {
                public static int Run() => new Outer.Inner.Net().Parameters.Length + Outer.Inner.Net.OutputLength;
            }
            """);
        Assert.Single(run.Sources);
    }

    [Theory]
    [InlineData("public class {|NG0001:Net|};", new string[0])]
    [InlineData("public partial class {|NG0002:Net|}<T>;", new string[0])]
    [InlineData("public partial record {|NG0014:Net|};", new string[0])]
    [InlineData("public static partial class {|NG0014:Net|};", new string[0])]
    [InlineData("public partial struct {|NG0014:Net|};", new[] { "CS0592" })]
    [InlineData("public partial interface {|NG0014:Net|};", new[] { "CS0592" })]
    public void No_stub_where_adding_one_would_itself_be_an_error(string declaration, string[] allowed)
    {
        VerifiedRun run = Verify(new[] { "using NetGen;\n[Network]\n[Input(4)]\n[Dense({|NG0007:0|})]\n" + declaration }, allowed);
        Assert.Empty(run.Sources);
        Assert.Contains(run.Diagnostics, d => d.Id == "NG0007");
    }

    [Fact]
    public void No_stub_in_a_type_that_is_not_partial()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            public class Outer
            {
                [Network]
                [Input(4)]
                [Dense({|NG0007:0|})]
                public partial class {|NG0003:Net|};
            }
            """);
        Assert.Empty(run.Sources);
        Assert.Equal(2, run.Diagnostics.Count);
    }

    [Fact]
    public void Network_attribute_on_two_partial_declarations_generates_once()
    {
        VerifiedRun run = Verify(new[]
        {
            """
            using NetGen;
            [Network]
            [Input(4)]
            [Dense(2)]
            public partial class Net;

            [Network]
            public partial class Net;
            """,
        }, allowedCompilerErrors: new[] { "CS0579" });
        Assert.Single(run.Sources);
    }
}
