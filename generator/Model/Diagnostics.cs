using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Model;

/// <summary>
/// The catalogue of NetGen's diagnostics. Each has an entry, with an example and the fix, in
/// <c>docs/diagnostics.md</c>; the help link points there.
/// </summary>
internal static class Diagnostics
{
    private const string Category = "NetGen";
    private const string HelpBase = "https://github.com/netgen/netgen/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "NG0001", "Network class must be partial",
        "'{0}' has [Network] but is not partial: declare it 'partial class {0}' so NetGen can add the generated members");

    public static readonly DiagnosticDescriptor Generic = Error(
        "NG0002", "Network class cannot be generic",
        "'{0}' is generic; a network's shapes are fixed at compile time, so declare it without type parameters");

    public static readonly DiagnosticDescriptor UnsupportedNesting = Error(
        "NG0003", "Network class is nested in a type NetGen cannot extend",
        "'{0}' is nested in '{1}', which is {2}; nest it only in partial, non-generic classes or structs, or move it to a namespace");

    public static readonly DiagnosticDescriptor MissingInput = Error(
        "NG0004", "Network has no [Input]",
        "'{0}' has no [Input]: add [Input(...)] with the shape of one sample, for example [Input(784)] or [Input(1, 28, 28)]");

    public static readonly DiagnosticDescriptor InputNotFirst = Error(
        "NG0005", "[Input] must come before every layer",
        "[Input] of '{0}' comes after {1}; move it above the first layer");

    public static readonly DiagnosticDescriptor DuplicateInput = Error(
        "NG0006", "Network has more than one [Input]",
        "'{0}' declares [Input] more than once; keep one");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error(
        "NG0007", "Size must be positive",
        "{0}: {1} is {2}; it must be 1 or more");

    public static readonly DiagnosticDescriptor DenseOnImage = Error(
        "NG0008", "Dense layer on an input of rank 3 or more",
        "{0} acts on the last axis, but its input is {1}, an image, so its output would be {2}; add [Flatten] before it{3}");

    public static readonly DiagnosticDescriptor DropoutOutOfRange = Error(
        "NG0009", "Dropout probability outside [0, 1)",
        "{0}: probability {1} is outside [0, 1); use a value such as 0.1 or 0.5");

    public static readonly DiagnosticDescriptor ActivationFirst = Error(
        "NG0010", "Activation with no layer before it",
        "{0} comes right after [Input]; activations apply to a layer's output, so put a layer such as [Dense(...)] before it");

    public static readonly DiagnosticDescriptor SplitDeclaration = Error(
        "NG0011", "Layer attributes on several partial declarations",
        "'{0}' has layer attributes on {1} partial declarations; their order would be unclear, so put all of them on one");

    public static readonly DiagnosticDescriptor TooLarge = Error(
        "NG0012", "Network too large for one buffer",
        "'{0}' needs {1} floats of {2}, more than one buffer holds ({3}){4}; make the layers smaller");

    public static readonly DiagnosticDescriptor InvalidArgument = Error(
        "NG0013", "Layer argument is not a constant of the right type",
        "{0}: an argument is missing or is not a constant of the expected type");

    public static readonly DiagnosticDescriptor NotAClass = Error(
        "NG0014", "Network must be a class",
        "'{0}' is {1}; NetGen adds members to a class: declare it 'partial class {0}'");

    public static readonly DiagnosticDescriptor DuplicateLayerName = Error(
        "NG0015", "Two layers have the same parameter names",
        "{0} and {1} would both name their parameters {2}; give each layer its own Name");

    public static readonly DiagnosticDescriptor InvalidLayerName = Error(
        "NG0016", "Layer name is not a valid module name",
        "{0}: Name \"{1}\" {2}; a name is a PyTorch module name, such as \"fc1\", so it cannot be empty or contain '.'");

    public static readonly DiagnosticDescriptor EmptyInput = Error(
        "NG0017", "[Input] has no dimensions",
        "[Input] of '{0}' has no dimensions: give the shape of one sample, for example [Input(784)] or [Input(1, 28, 28)]");

    public static readonly DiagnosticDescriptor MissingNetwork = Error(
        "NG0018", "Layer attributes without [Network]",
        "'{0}' has NetGen layer attributes but no [Network], so nothing is generated for it; add [Network] above [{1}]");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error(
        "NG0019", "C# version older than the generated code needs",
        "'{0}' is generated as C# {1} code (it uses file-local types), but the project compiles C# {2}; set <LangVersion>{1}</LangVersion> or later, or remove <LangVersion> to use the SDK's default");

    public static readonly DiagnosticDescriptor NameOfGeneratedMember = Error(
        "NG0024", "Network class named like a member NetGen generates",
        "'{0}' is the name of a member NetGen generates in it ({1}), and a member cannot have the name of its class (CS0542); rename the class{2}");

    public static readonly DiagnosticDescriptor SpatialInputRank = Error(
        "NG0020", "Convolution or pooling on an input of the wrong rank",
        "{0} expects a channels-first input {1}, but its input is [{2}]; {3}");

    public static readonly DiagnosticDescriptor NonPositiveStride = Error(
        "NG0021", "Stride or dilation below 1",
        "{0}: {1} is {2}; strides and dilations must be 1 or more (1: every position)");

    public static readonly DiagnosticDescriptor NegativePadding = Error(
        "NG0022", "Negative padding",
        "{0}: {1} is {2}; padding must be 0 or more");

    public static readonly DiagnosticDescriptor KernelLargerThanInput = Error(
        "NG0023", "Kernel larger than the padded input",
        "{0}: the window spans {1} {2} but the input has {3} {2}{4}, so the output would be empty; use a smaller kernel or dilation{5}");

    public static readonly DiagnosticDescriptor BatchNorm1DRank = Error(
        "NG0030", "BatchNorm1D on an input that is not [C] or [C, L]",
        "{0} normalizes a vector [C] or a sequence [C, L], but its input is [{1}]; {2}");

    public static readonly DiagnosticDescriptor BatchNorm2DRank = Error(
        "NG0031", "BatchNorm2D on an input that is not an image [C, H, W]",
        "{0} normalizes an image [C, H, W], but its input is [{1}]; {2}");

    public static readonly DiagnosticDescriptor MomentumOutOfRange = Error(
        "NG0032", "Batch norm momentum outside [0, 1]",
        "{0}: Momentum {1} is outside [0, 1]; each training batch sets running = (1 - Momentum) * running + Momentum * batch statistic, so use a value such as PyTorch's default 0.1f");

    public static readonly DiagnosticDescriptor EpsilonNotPositive = Error(
        "NG0033", "Batch norm epsilon not greater than 0",
        "{0}: Epsilon {1} must be greater than 0, as it keeps 1/sqrt(variance + Epsilon) finite; use a small value such as PyTorch's default 1e-5f");

    public static readonly DiagnosticDescriptor EmbeddingNotFirst = Error(
        "NG0040", "Embedding is not the first layer",
        "{0} comes after {1}; an embedding turns the network's token ids into vectors, so it must be the first layer after [Input(T)]");

    public static readonly DiagnosticDescriptor EmbeddingInputRank = Error(
        "NG0041", "Embedding on an input that is not a sequence of token ids [T]",
        "{0} reads T token ids per sample, [T], but the input is [{1}]; declare [Input(T)] with the sequence length, for example [Input({2})]");

    public static readonly DiagnosticDescriptor VocabularyTooLarge = Error(
        "NG0042", "Embedding vocabulary too large",
        "{0}: a vocabulary of {1} is more than 16,777,216 (2^24), the largest whose ids are all exact as floats, which is how INetwork and Dataset.FromTokens carry them");

    public static readonly DiagnosticDescriptor RecurrentInputRank = Error(
        "NG0043", "Recurrent layer on an input that is not a sequence [T, F]",
        "{0} reads a sequence [T, F] (steps, then features per step), but its input is [{1}]; {2}");

    public static readonly DiagnosticDescriptor RecurrentOptionOutOfRange = Error(
        "NG0044", "Recurrent layer option out of range",
        "{0}: {1} is {2}; {3}");

    public static readonly DiagnosticDescriptor SequenceInputRank = Error(
        "NG0045", "Attention-family layer on an input that is not a sequence [T, d]",
        "{0} reads a sequence [T, d] (tokens, then features per token), but its input is [{1}]; {2}");

    public static readonly DiagnosticDescriptor HeadsDoNotDivide = Error(
        "NG0046", "Attention heads do not divide the model width",
        "{0}: the input's last axis, d = {1}, is not a multiple of {2} heads; each head reads d / heads features, so use a head count that divides {1} (such as {3}) or change d");

    public static readonly DiagnosticDescriptor AttentionOptionOutOfRange = Error(
        "NG0047", "Attention-family layer option out of range",
        "{0}: {1} is {2}; {3}");

    public static readonly DiagnosticDescriptor BlockNotANetwork = Error(
        "NG0048", "Block type is not a [Network]",
        "{0} names '{1}', which has no [Network] attribute; a block is another network: declare '{1}' with [Network] and its own [Input] and layers");

    public static readonly DiagnosticDescriptor BlockCycle = Error(
        "NG0049", "Blocks contain each other",
        "{0} makes the network contain itself: {1}; a block cannot contain, directly or through other blocks, a network it is part of");

    public static readonly DiagnosticDescriptor BlockInputMismatch = Error(
        "NG0050", "Block input shape does not match",
        "{0} receives {1}, but '{2}' declares [Input({3})]; change the block's [Input] or the layers before it so the two agree");

    public static readonly DiagnosticDescriptor ResidualShapeChange = Error(
        "NG0051", "Residual block changes the shape",
        "{0} adds the block's output to its input, but '{1}' maps {2} to {3}; a residual block must keep the shape (end it with a layer that maps back to {2})");

    public static readonly DiagnosticDescriptor BlockUnusable = Error(
        "NG0052", "Block cannot be used as a layer",
        "{0} cannot use '{1}': {2}");

    public static readonly DiagnosticDescriptor SoftmaxNotLast = Warning(
        "NG0100", "Softmax is not the last layer",
        "{0} is followed by other layers; softmax usually ends a classifier, and is best left to the loss (Loss.SoftmaxCrossEntropy)");

    public static readonly DiagnosticDescriptor ActivationAfterActivation = Warning(
        "NG0101", "Two activations in a row",
        "{0} follows {1} directly; the second activation is usually a mistake");

    public static readonly DiagnosticDescriptor SoftmaxBeforeSoftmaxLoss = Warning(
        "NG0102", "Softmax output trained with a loss that applies softmax",
        "'{0}' ends with [Softmax], and {1} applies softmax to the network's output again, which flattens the gradients; remove [Softmax] from '{0}' (the loss takes logits) and apply softmax only where probabilities are needed");

    public static readonly DiagnosticDescriptor FlattenOnFlat = Warning(
        "NG0103", "Flatten on an input that is already flat",
        "{0} flattens {1}, which is already flat; remove it");

    public static readonly DiagnosticDescriptor PoolingDropsEdge = Warning(
        "NG0110", "Pooling windows leave rows or columns out",
        "{0}: windows of {1} with stride {2} reach {3} of the {4} {5}; the last {6} never reach the output (PyTorch's floor rounding); pick a kernel and stride that tile {4}, or pad the layer before");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = typeof(Diagnostics)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    /// <summary>Every descriptor, for the analyzer's SupportedDiagnostics and for docs tests.</summary>
    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values.OrderBy(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Warning(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
