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
/// Generated code compiled in memory against the runtime, emitted, loaded into an unloadable context and run:
/// what a user's build does, end to end, without the test project's own build in the way.
/// </summary>
public class CompileLoadRunTests
{
    [Fact]
    public void Generated_mlp_compiles_without_warnings_loads_and_matches_the_mlp_built_into_the_tests()
    {
        INetwork loaded = LoadNetwork(SnapshotTests.MlpSource, "Samples.Mlp", seed: 5, out AssemblyLoadContext context);
        try
        {
            var reference = new Networks.Mlp(seed: 5);
            Assert.Equal(Networks.Mlp.ParameterCount, loaded.ParameterCount);
            Assert.True(reference.Parameters.SequenceEqual(loaded.Parameters), "the same seed gives the same parameters");

            var random = new Rng(3);
            float[] input = new float[4 * 784];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = random.NextFloat();
            }

            float[] expected = new float[40], actual = new float[40];
            reference.Forward(input, expected);
            loaded.Forward(input, actual, loaded.CreateWorkspace(4));
            Assert.Equal(expected, actual);
            Assert.Contains(actual, v => v != 0f);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void Generated_network_nested_in_a_class_with_every_activation_trains_after_loading()
    {
        INetwork net = LoadNetwork(SnapshotTests.ZooSource, "Samples.Zoo", seed: 1, out AssemblyLoadContext context);
        try
        {
            // Fit four fixed samples with MSE on the softmax output; the loss must fall a long way.
            var random = new Rng(9);
            float[] inputs = new float[4 * 13];
            float[] targets = new float[4 * 4];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = random.NextFloat(-1f, 1f);
            }

            for (int s = 0; s < 4; s++)
            {
                targets[s * 4 + s] = 1f;
            }

            var trainer = new Trainer<INetwork>(net, new Adam(0.01f), Loss.MeanSquaredError, seed: 2);
            float first = trainer.TrainStep(inputs, targets);
            float last = first;
            for (int step = 0; step < 300; step++)
            {
                last = trainer.TrainStep(inputs, targets);
            }

            Assert.True(last < first * 0.5f, $"loss went from {first} to {last}");
        }
        finally
        {
            context.Unload();
        }
    }

    private static INetwork LoadNetwork(string source, string typeName, ulong seed, out AssemblyLoadContext context)
    {
        GeneratorResult result = GeneratorHarness.Run(source);
        Assert.Empty(result.CompilationProblems);
        using var image = new MemoryStream();
        EmitResult emitted = result.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;

        // Unresolved references fall back to the default context, so INetwork is the test's own type.
        context = new AssemblyLoadContext("generated-" + typeName, isCollectible: true);
        Assembly assembly = context.LoadFromStream(image);
        Type type = assembly.GetType(typeName, throwOnError: true)!;
        return (INetwork)Activator.CreateInstance(type, seed)!;
    }
}
