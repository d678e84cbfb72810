using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;
using static NetGen.Generator.Emit.StepNames;

namespace NetGen.Generator.Emit;

/// <summary>
/// <c>[Embedding(V, D)]</c>: a row gather in forward and a scatter-add in backward, both in the runtime's
/// <c>EmbeddingKernels</c>. Its ids are the network's input: <c>tokens</c> (ints) when the caller gave ints, else
/// <c>x</c> (ids as floats, through <c>INetwork</c>); the kernels check each id before anything is written.
/// </summary>
internal sealed class EmbeddingEmitter : StepEmitter<EmbeddingStep>
{
    /// <summary>No input gradient: token ids have none, and nothing else comes before an embedding.</summary>
    public override bool BackwardInPlace => false;

    protected override void EmitInitialize(CodeWriter w, EmbeddingStep step)
    {
        w.Line($"// {step.Weight.Name}: N(0, 1), as nn.Embedding");
        w.Line($"global::NetGen.Initializers.Normal({SliceOf("p", step.Weight)}, 0f, 1f, ref random);");
    }

    protected override void EmitForward(CodeWriter w, EmbeddingStep step, ForwardNames names)
    {
        string output = names.Output;
        w.Line($"// Layer {step.Label}, {step.Title}: {output}[t] = W[id_t], the row of token t's id, {NetworkEmitter.ShapeText(step.InputShape)} → {NetworkEmitter.ShapeText(step.OutputShape)}");
        w.Line($"//   W: [{step.Vocabulary}, {step.Dimensions}] \"{step.Weight.Name}\"; an id outside [0, {step.Vocabulary}) throws before anything is written");
        w.Line($"global::System.Span<float> {output} = {Slot(step.OutputOffset, step.OutputLength)};");
        string weight = SliceOf("p", step.Weight);
        string sizes = $"{Int(step.Vocabulary)}, {Int(step.Dimensions)}, {Int(step.Steps)}";
        w.Open("if (tokens.IsEmpty)");
        w.Line($"global::NetGen.CompilerServices.EmbeddingKernels.Forward({weight}, {names.Input}, {output}, {sizes});");
        w.Close();
        w.Open("else");
        w.Line($"global::NetGen.CompilerServices.EmbeddingKernels.Forward({weight}, tokens, {output}, {sizes});");
        w.Close();
    }

    protected override void EmitBackward(CodeWriter w, EmbeddingStep step, BackwardNames names)
    {
        string dOut = names.OutputGradient;
        w.Line($"// Layer {step.Label}, {step.Title}: dW[id_t] += {dOut}[t] for every token, in order (repeated ids add up, absent ones get 0)");
        string gradient = SliceOf("g", step.Weight);
        string sizes = $"{Int(step.Vocabulary)}, {Int(step.Dimensions)}, {Int(step.Steps)}";
        w.Open("if (tokens.IsEmpty)");
        w.Line($"global::NetGen.CompilerServices.EmbeddingKernels.Backward({names.Input}, {dOut}, {gradient}, {sizes});");
        w.Close();
        w.Open("else");
        w.Line($"global::NetGen.CompilerServices.EmbeddingKernels.Backward(tokens, {dOut}, {gradient}, {sizes});");
        w.Close();
    }
}
