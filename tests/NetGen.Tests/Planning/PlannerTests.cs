using System.Linq;
using NetGen.Generator.Model;
using NetGen.Generator.Plan;
using Xunit;

namespace NetGen.Tests.Planning;

/// <summary>
/// The planner on its own: declarations built as values (no Roslyn, no source text), plans and diagnostics out. What a
/// plan must say (shapes, the parameter table in PyTorch's names and order, buffers, FLOPs) and which diagnostics a
/// declaration gets, at which layer, with unknown shapes left unknown.
/// </summary>
public sealed class PlannerTests
{
    [Fact]
    public void An_mlp_plans_its_shapes_parameters_and_flops()
    {
        PlanResult result = Plan(Input(784), Layer(LayerKind.Dense, 128), Layer(LayerKind.ReLU), Layer(LayerKind.Dense, 10));

        Assert.Empty(result.Diagnostics);
        NetworkPlan plan = Assert.IsType<NetworkPlan>(result.Plan);
        Assert.Equal(new[] { 784 }, plan.InputShape);
        Assert.Equal(new[] { 10 }, plan.OutputShape);
        Assert.Equal(784 * 128 + 128 + 128 * 10 + 10, plan.ParameterCount);
        Assert.Equal(2L * (784 * 128 + 128 * 10), plan.Flops);
        Assert.Equal(
            new[] { ("0.weight", 0), ("0.bias", 100352), ("2.weight", 100480), ("2.bias", 101760) },
            plan.Tensors.Select(t => (t.Name, t.Offset)));
        Assert.Equal(new[] { 128, 784 }, plan.Tensors[0].Shape);
        Assert.Equal(new[] { "Dense(128)", "ReLU", "Dense(10)" }, plan.Layers.Select(l => l.Title));
    }

    [Fact]
    public void LeNet_plans_each_layers_output_shape()
    {
        PlanResult result = Plan(
            Input(1, 28, 28),
            Layer(LayerKind.Conv2D, 6, 5) with { Options = new[] { new LayerOption("Padding", 2, null, null) }.ToEquatableArray() },
            Layer(LayerKind.ReLU),
            Layer(LayerKind.MaxPool2D, 2),
            Layer(LayerKind.Conv2D, 16, 5),
            Layer(LayerKind.ReLU),
            Layer(LayerKind.MaxPool2D, 2),
            Layer(LayerKind.Flatten),
            Layer(LayerKind.Dense, 120),
            Layer(LayerKind.ReLU),
            Layer(LayerKind.Dense, 84),
            Layer(LayerKind.ReLU),
            Layer(LayerKind.Dense, 10));

        Assert.Empty(result.Diagnostics.Select(d => $"{d.Id} at {d.Site}: {string.Join(" | ", d.Arguments)}"));
        NetworkPlan plan = result.Plan!;
        Assert.Equal(
            new[] { "[6, 28, 28]", "[6, 28, 28]", "[6, 14, 14]", "[16, 10, 10]", "[16, 10, 10]", "[16, 5, 5]", "[400]", "[120]", "[120]", "[84]", "[84]", "[10]" },
            plan.Layers.Select(l => "[" + string.Join(", ", l.OutputShape) + "]"));
        Assert.Equal(61_706, plan.ParameterCount);
        Assert.Equal(new[] { 6, 1, 5, 5 }, plan.Tensors.Single(t => t.Name == "0.weight").Shape);
        Assert.True(plan.ScratchLength > 0, "a convolution needs scratch for its column matrix");
    }

    [Fact]
    public void Batch_norm_plans_three_buffers_under_pytorchs_names()
    {
        PlanResult result = Plan(Input(8), Layer(LayerKind.Dense, 4, bias: false), Layer(LayerKind.BatchNorm1D), Layer(LayerKind.Dense, 2));

        NetworkPlan plan = result.Plan!;
        Assert.Equal(new[] { "1.running_mean", "1.running_var", "1.num_batches_tracked" }, plan.Buffers.Select(b => b.Name));
        Assert.True(plan.Buffers[2].IsCount);
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "2.weight", "2.bias" }, plan.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void A_missing_input_is_reported_at_the_class_and_gives_no_plan()
    {
        PlanResult result = Plan(Layer(LayerKind.Dense, 10));

        Assert.Null(result.Plan);
        DiagnosticInfo only = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0004", only.Id);
        Assert.Equal(DiagnosticSite.Class, only.Site);
    }

    [Fact]
    public void A_non_positive_size_is_reported_at_its_layer_and_later_shapes_stay_unknown()
    {
        PlanResult result = Plan(Input(16), Layer(LayerKind.Dense, 0), Layer(LayerKind.Dense, 10));

        Assert.Null(result.Plan);
        DiagnosticInfo only = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0007", only.Id);
        Assert.Equal(1, only.Site.Layer);
    }

    [Fact]
    public void Dense_on_an_image_is_reported_with_the_flatten_advice()
    {
        PlanResult result = Plan(Input(1, 28, 28), Layer(LayerKind.Dense, 10));

        DiagnosticInfo only = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0008", only.Id);
        Assert.Contains("[1, 28, 28]", only.Arguments);
    }

    [Fact]
    public void The_plan_is_a_value_the_incremental_pipeline_can_compare()
    {
        LayerDeclaration[] layers = { Input(3, 5), Layer(LayerKind.Dense, 6), Layer(LayerKind.Flatten), Layer(LayerKind.Dense, 2) };

        PlanResult first = Plan(layers), second = Plan(layers);

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void An_mlp_plans_typed_steps_with_the_activation_fused_into_the_dense_step()
    {
        NetworkPlan plan = Plan(Input(784), Layer(LayerKind.Dense, 128), Layer(LayerKind.ReLU), Layer(LayerKind.Dense, 10)).Plan!;

        Assert.Equal(2, plan.Steps.Count);
        DenseStep first = Assert.IsType<DenseStep>(plan.Steps[0]);
        Assert.Equal((784, 128, 1), (first.Inputs, first.Units, first.Rows));
        Assert.Equal(new ParameterSlot("0.weight", 0, 100352), first.Weight);
        Assert.Equal(LayerKind.ReLU, first.Activation!.Kind);
        Assert.False(first.Activation.KeepsPreActivation);
        Assert.Equal(1, first.OutputIndex);
        DenseStep second = Assert.IsType<DenseStep>(plan.Steps[1]);
        Assert.Equal(first.OutputOffset, second.InputOffset);
        Assert.Null(second.Activation);
    }

    [Fact]
    public void A_bidirectional_stacked_lstm_has_pytorchs_parameter_names_shapes_and_order()
    {
        LayerDeclaration lstm = Layer(LayerKind.Lstm, 8) with
        {
            Options = new[] { new LayerOption("Layers", 2, null, null), new LayerOption("Bidirectional", null, null, true) }.ToEquatableArray(),
        };
        PlanResult result = Plan(Input(5, 3), lstm);

        Assert.Empty(result.Diagnostics);
        NetworkPlan plan = result.Plan!;
        Assert.Equal(
            new[]
            {
                "0.weight_ih_l0 [32, 3]", "0.weight_hh_l0 [32, 8]", "0.bias_ih_l0 [32]", "0.bias_hh_l0 [32]",
                "0.weight_ih_l0_reverse [32, 3]", "0.weight_hh_l0_reverse [32, 8]", "0.bias_ih_l0_reverse [32]", "0.bias_hh_l0_reverse [32]",
                "0.weight_ih_l1 [32, 16]", "0.weight_hh_l1 [32, 8]", "0.bias_ih_l1 [32]", "0.bias_hh_l1 [32]",
                "0.weight_ih_l1_reverse [32, 16]", "0.weight_hh_l1_reverse [32, 8]", "0.bias_ih_l1_reverse [32]", "0.bias_hh_l1_reverse [32]",
            },
            plan.Tensors.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]"));
        Assert.Equal(new[] { 5, 16 }, plan.OutputShape);
        Assert.Equal(2 * ((32 * 3) + (32 * 8) + 64) + 2 * ((32 * 16) + (32 * 8) + 64), plan.ParameterCount);
        RecurrentStep step = Assert.IsType<RecurrentStep>(Assert.Single(plan.Steps));
        Assert.Equal(new[] { false, true, false, true }, step.Directions.Select(d => d.AddsInputGradient));
    }

    [Fact]
    public void A_recurrent_layer_that_returns_its_last_state_outputs_one_vector()
    {
        LayerDeclaration gru = Layer(LayerKind.Gru, 6) with
        {
            Options = new[] { new LayerOption("ReturnSequences", null, null, false) }.ToEquatableArray(),
        };
        NetworkPlan plan = Plan(Input(7), Layer(LayerKind.Embedding, 10, 4), gru, Layer(LayerKind.Dense, 3)).Plan!;

        Assert.Equal(new[] { "[7, 4]", "[6]", "[3]" }, plan.Layers.Select(l => "[" + string.Join(", ", l.OutputShape) + "]"));
        Assert.Equal(new[] { "0.weight", "1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0", "2.weight", "2.bias" }, plan.Tensors.Select(t => t.Name));
        Assert.IsType<EmbeddingStep>(plan.Steps[0]);
    }

    [Fact]
    public void A_residual_block_plans_a_fork_its_layers_one_level_deeper_and_an_add()
    {
        var block = new BlockDeclaration("Samples.FeedForward", true, new[] { Input(6, 8), Layer(LayerKind.Dense, 16), Layer(LayerKind.ReLU), Layer(LayerKind.Dense, 8) }.ToEquatableArray(), null);
        PlanResult result = Plan(Input(6, 8), Layer(LayerKind.Residual) with { Block = block }, Layer(LayerKind.LayerNorm), Layer(LayerKind.Dense, 3));

        Assert.Empty(result.Diagnostics);
        NetworkPlan plan = result.Plan!;
        Assert.Equal(new[] { typeof(ResidualForkStep), typeof(DenseStep), typeof(DenseStep), typeof(ResidualAddStep), typeof(LayerNormStep), typeof(DenseStep) }, plan.Steps.Select(s => s.GetType()));
        Assert.Equal(new[] { "0in", "0_0", "0_2", "0", "1", "2" }, plan.Steps.Select(s => s.Id));
        Assert.Equal(new[] { "0.0.weight", "0.0.bias", "0.2.weight", "0.2.bias", "1.weight", "1.bias", "2.weight", "2.bias" }, plan.Tensors.Select(t => t.Name));
        var add = (ResidualAddStep)plan.Steps[3];
        Assert.Equal("0in", add.ForkId);
        Assert.Equal(((ResidualForkStep)plan.Steps[0]).SkipGradientOffset, add.SkipGradientOffset);

        // One summary row for the block, with its parameters.
        Assert.Equal(new[] { "Residual(FeedForward)", "LayerNorm", "Dense(3)" }, plan.Layers.Select(l => l.Title));
        Assert.Equal((8 * 16) + 16 + (16 * 8) + 8, plan.Layers[0].Parameters);
    }

    [Fact]
    public void An_encoder_layer_lays_out_its_parameters_in_pytorchs_order_and_plans_its_parts()
    {
        LayerDeclaration encoder = Layer(LayerKind.TransformerEncoder, 2, 16) with { Options = new[] { new LayerOption("Dropout", null, 0f, null) }.ToEquatableArray() };
        PlanResult result = Plan(Input(5, 8), encoder);

        Assert.Empty(result.Diagnostics);
        NetworkPlan plan = result.Plan!;
        Assert.Equal(
            new[] { "0.self_attn.in_proj_weight", "0.self_attn.in_proj_bias", "0.self_attn.out_proj.weight", "0.self_attn.out_proj.bias", "0.linear1.weight", "0.linear1.bias", "0.linear2.weight", "0.linear2.bias", "0.norm1.weight", "0.norm1.bias", "0.norm2.weight", "0.norm2.bias" },
            plan.Tensors.Select(t => t.Name));
        Assert.Equal(plan.Tensors.Select(t => t.Offset).OrderBy(o => o), plan.Tensors.Select(t => t.Offset));

        // Post-norm, no dropout: fork, q|k|v, heads, out_proj, add, norm1, fork, linear1 + ReLU, linear2, add, norm2.
        Assert.Equal(
            new[] { "ResidualForkStep", "DenseStep", "AttentionStep", "DenseStep", "ResidualAddStep", "LayerNormStep", "ResidualForkStep", "DenseStep", "DenseStep", "ResidualAddStep", "LayerNormStep" },
            plan.Steps.Select(s => s.GetType().Name));
        var linear1 = (DenseStep)plan.Steps[7];
        Assert.Equal("0.linear1.weight", linear1.Weight.Name);
        Assert.Equal(LayerKind.ReLU, linear1.Activation!.Kind);
        Assert.Equal(plan.Tensors.Single(t => t.Name == "0.norm1.weight").Offset, ((LayerNormStep)plan.Steps[5]).Weight!.Offset);
        Assert.Equal(2L * ((5 * 8 * 24) + (2 * 5 * 5 * 8) + (5 * 8 * 8) + (5 * 8 * 16 * 2)), plan.Flops);
    }

    private static PlanResult Plan(params LayerDeclaration[] layers)
    {
        // positions in source order, as the parser numbers them
        LayerDeclaration[] numbered = layers.Select((l, i) => l with { Position = i }).ToArray();
        var declaration = new NetworkDeclaration(
            "Samples", "Net", "Samples.Net", "Samples.Net", "public",
            EquatableArray<string>.Empty, numbered.ToEquatableArray(), EquatableArray<DiagnosticInfo>.Empty);
        return NetworkPlanner.Plan(declaration);
    }

    private static LayerDeclaration Input(params int[] sizes) => Layer(LayerKind.Input, sizes);

    private static LayerDeclaration Layer(LayerKind kind, params int[] sizes) => Layer(kind, sizes, bias: true);

    private static LayerDeclaration Layer(LayerKind kind, int size, bool bias) => Layer(kind, new[] { size }, bias);

    private static LayerDeclaration Layer(LayerKind kind, int[] sizes, bool bias)
        => new(kind, 0, sizes.ToEquatableArray(), null, bias, null, EquatableArray<LayerOption>.Empty, ArgumentsValid: true);
}
