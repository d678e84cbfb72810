using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Xunit;

namespace NetGen.Tests.Runtime;

/// <summary>
/// What <c>using NetGen;</c> brings into a user's file: what users call, and nothing that only generated code calls
/// (a user's own <c>Dropout</c> or <c>Activations</c> class must not collide). That plumbing lives in
/// <c>NetGen.CompilerServices</c>, hidden from IntelliSense and marked as not supported API.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Runtime = typeof(INetwork).Assembly;

    [Theory]
    [InlineData("Activations")]
    [InlineData("BatchNorm")]
    [InlineData("Dropout")]
    [InlineData("AlignedFloats")]
    [InlineData("KernelThreads")]
    [InlineData("KernelSpans")]
    [InlineData("DenseKernels")]
    [InlineData("RecurrentKernels")]
    [InlineData("IRecurrentLayer")]
    [InlineData("RecurrentCell")]
    [InlineData("EmbeddingKernels")]
    [InlineData("SequenceKernels")]
    public void Plumbing_is_not_in_the_users_namespace(string name)
        => Assert.DoesNotContain(Runtime.GetExportedTypes(), t => t.Namespace == "NetGen" && t.Name == name);

    [Fact]
    public void Every_public_type_for_generated_code_is_hidden_and_says_so()
    {
        Type[] types = Runtime.GetExportedTypes().Where(t => t.Namespace == "NetGen.CompilerServices").ToArray();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Equal(
            EditorBrowsableState.Never,
            t.GetCustomAttribute<EditorBrowsableAttribute>()?.State));
    }

    [Theory]
    [InlineData("Buffer")]
    [InlineData("Scratch")]
    [InlineData("TrainingBatchSize")]
    [InlineData("EnsureFits")]
    public void A_workspace_shows_users_only_what_they_set(string member)
        => Assert.Empty(typeof(Workspace).GetMember(member, BindingFlags.Public | BindingFlags.Instance));
}
