using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Plan.Rules;

/// <summary>
/// <c>[Block(typeof(X))]</c> and <c>[Residual(typeof(X))]</c>: the layers of the network X planned in place, one level
/// deeper in names (<c>{i}.{X's name}</c>), after checking that X is a network, is not on its own path, and takes the
/// shape it is given. A residual block adds a fork step before X's steps and an add step after them:
/// <c>y = x + X(x)</c>, whose backward adds the skip path's gradient to the one that came back through X.
/// </summary>
internal sealed class BlockRule : LayerRule
{
    public override string Title(LayerDeclaration layer)
        => $"{layer.Kind}({(layer.Block is { } block ? ShortName(block.FullName) : "?")})";

    public override void Plan(LayerDeclaration layer, int index, PlanBuilder b)
    {
        string described = Describe(layer, index);
        string title = Title(layer);
        var inShape = b.ShapeNow;
        BlockDeclaration block = layer.Block!;
        if (Inner(layer, block, described, b, out bool mismatched) is not { } inner)
        {
            // Unusable (reported): a residual keeps the shape; a block's output is not known.
            if (layer.Kind == LayerKind.Block)
            {
                PlanUnreadable(layer, b);
            }

            b.Summarize(index, title);
            return;
        }

        long parametersBefore = b.ParameterCount, flopsBefore = b.Flops;
        string segment = layer.Name ?? index.ToString(CultureInfo.InvariantCulture);
        bool residual = layer.Kind == LayerKind.Residual;
        int skipGradient = -1;
        StepFrame? fork = null;
        if (residual)
        {
            skipGradient = b.Reserve(b.InputLength);
            fork = b.Frame(index, title, inShape, b.Current, "in");
            b.Add(new ResidualForkStep(fork, skipGradient));
        }

        var diagnostics = PlanInner(inner, segment, block.Transparent, b);
        if (diagnostics.FirstOrDefault(d => d.IsError) is { } error)
        {
            b.Report(Diagnostics.BlockUnusable, DiagnosticSite.OfLayer(layer.Position, "network"), described, block.FullName, $"it has errors of its own (the first: {error.Id}, {Message(error)})");
        }

        if (residual)
        {
            var blockOutput = b.ShapeNow;
            if (!mismatched && !blockOutput.Equals(inShape) && Known(blockOutput) && Known(inShape))
            {
                b.Report(Diagnostics.ResidualShapeChange, DiagnosticSite.OfLayer(layer.Position, "network"), described, block.FullName, NetworkPlanner.ShapeText(inShape), NetworkPlanner.ShapeText(blockOutput));
            }

            b.Shape.Clear();
            b.Shape.AddRange(inShape);
            int output = b.Reserve(b.InputLength);
            b.Add(new ResidualAddStep(b.Frame(index, title, blockOutput, output), fork!.Id, block.FullName, skipGradient));
        }

        b.Summarize(index, title, b.ParameterCount - parametersBefore, b.Flops - flopsBefore);
    }

    public override void PlanUnreadable(LayerDeclaration layer, PlanBuilder b)
    {
        if (layer.Kind == LayerKind.Block)
        {
            b.Shape.Clear();
            b.Shape.Add(LayerSpec.Unknown);
            b.RankKnown = false;
        }
    }

    /// <summary>
    /// Plans <paramref name="layers"/> (a block's, without its <c>[Input]</c>) one level deeper under
    /// <paramref name="segment"/>; returns their diagnostics, which the block reports as one of its own.
    /// </summary>
    public static List<DiagnosticInfo> PlanInner(List<LayerDeclaration> layers, string segment, bool transparent, PlanBuilder b)
    {
        var diagnostics = new List<DiagnosticInfo>();
        PlanBuilder.BlockScope scope = b.EnterBlock(layers, segment, transparent, diagnostics);
        NetworkPlanner.PlanLayers(layers, b);
        b.ExitBlock(scope);
        return diagnostics;
    }

    /// <summary>
    /// The block's layers after its <c>[Input]</c>, or null when it cannot be used here (reported): not a network, on its
    /// own path, without a readable <c>[Input]</c>, or starting with an embedding. Leaves the block's input shape as the
    /// current one; a shape that differs from the one it is given is reported (NG0050) and planning goes on with the block's.
    /// </summary>
    private static List<LayerDeclaration>? Inner(LayerDeclaration layer, BlockDeclaration block, string described, PlanBuilder b, out bool mismatched)
    {
        mismatched = false;
        DiagnosticSite site = DiagnosticSite.OfLayer(layer.Position, "network");
        if (FindCycle(block) is { } cycle)
        {
            b.Report(Diagnostics.BlockCycle, site, described, cycle);
            return null;
        }

        if (!block.IsNetwork)
        {
            b.Report(Diagnostics.BlockNotANetwork, site, described, block.FullName);
            return null;
        }

        LayerDeclaration? input = block.Layers.FirstOrDefault(l => l.Kind == LayerKind.Input);
        if (input is not { ArgumentsValid: true } || input.Sizes.Count == 0 || input.Sizes.Any(s => s <= 0))
        {
            b.Report(Diagnostics.BlockUnusable, site, described, block.FullName, "it has no readable [Input], so the shape it takes is not known");
            return null;
        }

        var inner = block.Layers.Where(l => l.Kind != LayerKind.Input).ToList();
        if (inner.FirstOrDefault() is { Kind: LayerKind.Embedding })
        {
            b.Report(Diagnostics.BlockUnusable, site, described, block.FullName, "it starts with an embedding, which reads token ids and so can only be the first layer of the network itself");
            return null;
        }

        mismatched = b.RankKnown && Known(b.ShapeNow) && !b.ShapeNow.SequenceEqual(input.Sizes);
        if (mismatched)
        {
            b.Report(Diagnostics.BlockInputMismatch, site, described, NetworkPlanner.ShapeText(b.Shape), block.FullName, NetworkPlanner.Join(input.Sizes));
        }

        b.Shape.Clear();
        b.Shape.AddRange(input.Sizes);
        b.RankKnown = true;
        return inner;
    }

    /// <summary>The path of the first cycle anywhere under <paramref name="block"/> (the parser stops a path where it meets a class again), or null.</summary>
    private static string? FindCycle(BlockDeclaration block)
    {
        if (block.Cycle is not null)
        {
            return block.Cycle;
        }

        foreach (LayerDeclaration inner in block.Layers)
        {
            if (inner.Block is { } nested && FindCycle(nested) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static bool Known(IEnumerable<int> shape) => shape.All(d => d != LayerSpec.Unknown);

    private static string ShortName(string fullName)
    {
        int dot = fullName.LastIndexOf('.');
        return dot >= 0 ? fullName.Substring(dot + 1) : fullName;
    }

    private static string Message(DiagnosticInfo info)
        => string.Format(CultureInfo.InvariantCulture, info.Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), info.Arguments.Cast<object>().ToArray());
}
