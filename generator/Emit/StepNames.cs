using System.Collections.Generic;
using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using static NetGen.Generator.Emit.Literals;

namespace NetGen.Generator.Emit;

/// <summary>
/// How the chains name things: <c>x</c> is the network input, <c>aN</c> the output of declared layer N
/// (after a fused activation, N is the activation's index), <c>dN</c> the gradient of <c>aN</c>.
/// </summary>
internal static class StepNames
{
    public static string Output(Step step) => "a" + step.OutputId;

    public static string OutputGradient(Step step) => "d" + step.OutputId;

    /// <summary>The name of each step's input: the previous step's output, or <c>x</c>.</summary>
    public static string[] Inputs(IReadOnlyList<Step> steps)
    {
        var names = new string[steps.Count];
        for (int i = 0; i < steps.Count; i++)
        {
            names[i] = i == 0 ? "x" : Output(steps[i - 1]);
        }

        return names;
    }

    public static string InputGradient(IReadOnlyList<Step> steps, int i) => i == 0 ? "dx" : OutputGradient(steps[i - 1]);

    /// <summary>The workspace region of a per-sample slot for the whole batch: <c>[batch, length]</c>.</summary>
    public static string Slot(int offset, int length)
        => offset == 0 ? $"ws.Slice(0, {Int(length)} * batch)" : $"ws.Slice({Int(offset)} * batch, {Int(length)} * batch)";

    /// <summary><c>p.Slice(offset, length)</c> (or <c>g.</c>) of a parameter, or <c>default</c> for a missing bias.</summary>
    public static string SliceOf(string buffer, ParameterSlot? slot)
        => slot is null ? "default" : $"{buffer}.Slice({Int(slot.Offset)}, {Int(slot.Length)})";

    /// <summary>Rows a dense layer maps: the batch times the leading axes of its input.</summary>
    public static string Rows(DenseStep step) => step.Rows == 1 ? "batch" : $"{Int(step.Rows)} * batch";

    public static string ActivationFunction(LayerKind kind, float slope) => kind switch
    {
        LayerKind.ReLU => "relu",
        LayerKind.LeakyReLU => $"leaky_relu[{Float(slope)}]",
        LayerKind.GELU => "gelu",
        LayerKind.Sigmoid => "sigmoid",
        LayerKind.Tanh => "tanh",
        _ => "softmax",
    };

    /// <summary>The runtime call that applies an element-wise activation over a whole span.</summary>
    public static string ApplyActivation(LayerKind kind, float slope, string input, string output) => kind switch
    {
        LayerKind.ReLU => $"Activations.Relu({input}, {output});",
        LayerKind.LeakyReLU => $"Activations.LeakyRelu({input}, {output}, {Float(slope)});",
        LayerKind.GELU => $"Activations.Gelu({input}, {output});",
        LayerKind.Sigmoid => $"Activations.Sigmoid({input}, {output});",
        _ => $"Activations.Tanh({input}, {output});",
    };

    /// <summary>
    /// The runtime call that turns <c>dL/da</c> into <c>dL/dz</c> in place. Sigmoid, tanh, ReLU and a leaky ReLU
    /// with a non-negative slope read the activation's output; GELU and a negative-slope leaky ReLU its input.
    /// </summary>
    public static string ActivationBackward(LayerKind kind, float slope, string output, string preActivation, string gradient) => kind switch
    {
        LayerKind.ReLU => $"Activations.ReluBackward({output}, {gradient}, {gradient});",
        LayerKind.LeakyReLU when slope >= 0f => $"Activations.LeakyReluBackward({output}, {gradient}, {gradient}, {Float(slope)});",
        LayerKind.LeakyReLU => $"Activations.LeakyReluBackwardFromInput({preActivation}, {gradient}, {gradient}, {Float(slope)});",
        LayerKind.GELU => $"Activations.GeluBackward({preActivation}, {gradient}, {gradient});",
        LayerKind.Sigmoid => $"Activations.SigmoidBackward({output}, {gradient}, {gradient});",
        _ => $"Activations.TanhBackward({output}, {gradient}, {gradient});",
    };

    public static bool BackwardReadsInput(LayerKind kind, float slope) => kind == LayerKind.GELU || (kind == LayerKind.LeakyReLU && slope < 0f);
}
