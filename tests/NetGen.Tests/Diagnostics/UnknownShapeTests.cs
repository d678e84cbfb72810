using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Xunit;
using static NetGen.Tests.Diagnostics.DiagnosticVerifier;

namespace NetGen.Tests.Diagnostics;

/// <summary>
/// After a layer whose size or arguments are wrong, what is not known stays unknown: a size shows as <c>?</c> in later
/// messages, and advice or a check that would need it (a suggested input, NG0103's "already flat", a window that
/// does not fit) stays quiet rather than being worked out from a made-up size. Each case lists every NetGen
/// diagnostic of the class, at its exact span, so a follow-on that should not be there fails the test.
/// </summary>
public class UnknownShapeTests
{
    private static string Message(Diagnostic d) => d.GetMessage(CultureInfo.InvariantCulture);

    [Fact]
    public void Dense_with_zero_units_leaves_the_last_axis_unknown_for_the_next_layer()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(1, 28, 28)]
            [{|NG0008:Dense({|NG0007:0|})|}]
            [{|NG0008:Dense(10)|}]
            public partial class Net;
            """);
        Assert.Equal(
            "layer 0 (Dense(0)) acts on the last axis, but its input is [1, 28, 28], an image, so its output would be [1, 28, ?]; add [Flatten] before it to give it 784 inputs",
            Message(run.Diagnostics[0]));
        Assert.Equal(
            "layer 1 (Dense(10)) acts on the last axis, but its input is [1, 28, ?], an image, so its output would be [1, 28, 10]; add [Flatten] before it",
            Message(run.Diagnostics[2]));
    }

    [Fact]
    public void A_convolution_on_the_wrong_rank_is_not_followed_by_flatten_on_a_flat_input()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(784)]
            [{|NG0020:Conv2D(6, 5)|}]
            [Flatten]
            [Dense(10)]
            public partial class Net;
            """, "[784]");

    [Fact]
    public void A_layer_whose_arguments_cannot_be_read_is_not_followed_by_flatten_on_a_flat_input()
    {
        VerifiedRun run = Verify(
            """
            using NetGen;
            [Network]
            [Input(784)]
            [{|NG0013:Conv2D(Sizes.Filters, 5)|}]
            [Flatten]
            [Dense(10)]
            public partial class Net;
            public static class Sizes { public static int Filters = 6; }
            """,
            "CS0182");
        Assert.Single(run.Diagnostics);
    }

    [Fact]
    public void An_unknown_input_size_does_not_make_a_window_too_large()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(1, {|NG0007:0|}, 28)]
            [Conv2D(6, 5)]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(10)]
            public partial class Net;
            """, "dimension 1 is 0");

    [Fact]
    public void Without_an_input_no_rank_is_invented_for_a_convolution()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Conv2D(6, 5)]
            [Flatten]
            [Dense(10)]
            public partial class {|NG0004:Net|};
            """, "no [Input]");

    [Fact]
    public void An_input_that_cannot_be_read_invents_no_rank_for_a_convolution()
    {
        VerifiedRun run = Verify(
            """
            using NetGen;
            [Network]
            [{|NG0013:Input(Sizes.Dimensions)|}]
            [Conv2D(6, 5)]
            [Flatten]
            [Dense(10)]
            public partial class Net;
            public static class Sizes { public static int[] Dimensions = { 1, 28, 28 }; }
            """,
            "CS0182");
        Assert.Single(run.Diagnostics);
    }

    [Theory]
    [InlineData("Stride = {|NG0021:0|}")]
    [InlineData("Dilation = {|NG0021:0|}")]
    [InlineData("Padding = {|NG0022:-1|}")]
    public void A_convolution_with_a_wrong_option_gives_an_unknown_output_size_not_a_pooling_warning(string option)
    {
        // With the option replaced by its default the convolution's output would be 6×6, whose last 2 rows a 4-window
        // pooling leaves out (NG0110): a warning about a made-up size.
        VerifiedRun run = Verify($$"""
            using NetGen;
            [Network]
            [Input(1, 8, 8)]
            [Conv2D(4, 3, {{option}})]
            [MaxPool2D(4)]
            [Flatten]
            [Dense(2)]
            public partial class Net;
            """);
        Assert.Single(run.Diagnostics);
    }

    [Fact]
    public void A_convolution_with_a_kernel_of_zero_gives_an_unknown_output_size_not_a_pooling_warning()
        => VerifySingle("""
            using NetGen;
            [Network]
            [Input(1, 8, 8)]
            [Conv2D(4, {|NG0007:0|})]
            [MaxPool2D(3)]
            [Flatten]
            [Dense(2)]
            public partial class Net;
            """, "kernel is 0");

    [Fact]
    public void Zero_filters_leave_the_channels_unknown_in_a_later_batch_norm_message()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(1, 8, 8)]
            [Conv2D({|NG0007:0|}, 3)]
            [{|NG0030:BatchNorm1D|}]
            public partial class Net;
            """);
        Assert.Equal(
            "layer 1 (BatchNorm1D) normalizes a vector [C] or a sequence [C, L], but its input is [?, 6, 6]; for an image use [BatchNorm2D], which normalizes each of its channels over the batch and every pixel",
            Message(run.Diagnostics[1]));
    }

    [Fact]
    public void An_unknown_size_in_a_wrong_rank_gives_no_made_up_input_suggestion()
    {
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input({|NG0007:0|})]
            [{|NG0020:Conv2D(6, 5)|}]
            public partial class Net;
            """);
        Assert.Equal(
            "layer 0 (Conv2D(6, 5)) expects a channels-first input [C, H, W], but its input is [?]; give the input its channel and spatial axes: [Input(channels, height, width)]",
            Message(run.Diagnostics[1]));

        run = Verify("""
            using NetGen;
            [Network]
            [Input({|NG0007:-3|})]
            [{|NG0020:Conv1D(2, 3)|}]
            public partial class Net;
            """);
        Assert.Equal(
            "layer 0 (Conv1D(2, 3)) expects a channels-first input [C, W], but its input is [?]; give the input a channel axis: [Input(channels, width)]",
            Message(run.Diagnostics[1]));
    }

    [Fact]
    public void A_convolution_after_a_failed_one_is_checked_against_its_own_rank_only()
    {
        // The first convolution's output is [6, ?, ?]: the second one's rank is right, and its size is not known.
        VerifiedRun run = Verify("""
            using NetGen;
            [Network]
            [Input(784)]
            [{|NG0020:Conv2D(6, 5)|}]
            [Conv2D(16, 5)]
            [{|NG0008:Dense(10)|}]
            public partial class Net;
            """);
        Assert.Equal(
            "layer 2 (Dense(10)) acts on the last axis, but its input is [16, ?, ?], an image, so its output would be [16, ?, 10]; add [Flatten] before it",
            Message(run.Diagnostics[1]));
    }
}
