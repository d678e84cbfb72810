using NetGen.CompilerServices;
using NetGen.Generator.Model;
using NetGen.Generator.Plan.Rules;
using Xunit;

namespace NetGen.Tests.Planning;

/// <summary>
/// The generator reserves each recurrent direction's state and backward scratch by its own formula
/// (<see cref="RecurrentRule.StateLength"/>, <see cref="RecurrentRule.BackwardScratchLength"/>); the runtime's kernels
/// slice them by theirs (<see cref="RecurrentKernels.StateLength{TLayer}"/>, <see cref="RecurrentKernels.BackwardScratchLength{TLayer}"/>).
/// They must agree for every cell and option, or a kernel reads past its slot into a neighbour's.
/// </summary>
public sealed class RecurrentLengthTests
{
    [Fact]
    public void The_generators_state_and_scratch_lengths_are_the_kernels()
    {
        Check<LstmF3H5T7>(RecurrentCellKind.Lstm);
        Check<GruF3H5T1>(RecurrentCellKind.Gru);
        Check<RnnF10H8T2Reverse>(RecurrentCellKind.Tanh);
        Check<ReluF4H6T5NoBias>(RecurrentCellKind.Relu);
        Check<LstmF8H4T6ReverseStacked>(RecurrentCellKind.Lstm);
        Check<GruF6H3T9ReverseNoBias>(RecurrentCellKind.Gru);
    }

    private static void Check<TLayer>(RecurrentCellKind cell)
        where TLayer : struct, IRecurrentLayer
    {
        Assert.Equal(cell.ToString(), TLayer.Cell.ToString());
        var spec = new RecurrentSpec(cell, TLayer.Hidden, Layers: 1, Bidirectional: TLayer.OutputStride == 2 * TLayer.Hidden, ReturnSequences: true, Bias: TLayer.HasBias);
        Assert.Equal(RecurrentKernels.StateLength<TLayer>(), RecurrentRule.StateLength(spec, TLayer.Steps));
        Assert.Equal(
            RecurrentKernels.BackwardScratchLength<TLayer>(),
            RecurrentRule.BackwardScratchLength(spec, TLayer.Steps, TLayer.Inputs, TLayer.AddsInputGradient));
    }

    private readonly struct LstmF3H5T7 : IRecurrentLayer
    {
        public static int Inputs => 3;
        public static int Hidden => 5;
        public static int Steps => 7;
        public static bool HasBias => true;
        public static RecurrentCell Cell => RecurrentCell.Lstm;
        public static bool Reverse => false;
        public static int OutputStride => 5;
        public static int OutputOffset => 0;
        public static bool AddsInputGradient => false;
    }

    private readonly struct GruF3H5T1 : IRecurrentLayer
    {
        public static int Inputs => 3;
        public static int Hidden => 5;
        public static int Steps => 1;
        public static bool HasBias => true;
        public static RecurrentCell Cell => RecurrentCell.Gru;
        public static bool Reverse => false;
        public static int OutputStride => 5;
        public static int OutputOffset => 0;
        public static bool AddsInputGradient => false;
    }

    /// <summary>The reverse half of a bidirectional RNN: it adds its dx, so its scratch holds a [T, F] plane more.</summary>
    private readonly struct RnnF10H8T2Reverse : IRecurrentLayer
    {
        public static int Inputs => 10;
        public static int Hidden => 8;
        public static int Steps => 2;
        public static bool HasBias => true;
        public static RecurrentCell Cell => RecurrentCell.Tanh;
        public static bool Reverse => true;
        public static int OutputStride => 16;
        public static int OutputOffset => 8;
        public static bool AddsInputGradient => true;
    }

    private readonly struct ReluF4H6T5NoBias : IRecurrentLayer
    {
        public static int Inputs => 4;
        public static int Hidden => 6;
        public static int Steps => 5;
        public static bool HasBias => false;
        public static RecurrentCell Cell => RecurrentCell.Relu;
        public static bool Reverse => false;
        public static int OutputStride => 6;
        public static int OutputOffset => 0;
        public static bool AddsInputGradient => false;
    }

    /// <summary>Layer 1 of a stacked bidirectional LSTM, reverse half: its inputs are the 2H floats of layer 0.</summary>
    private readonly struct LstmF8H4T6ReverseStacked : IRecurrentLayer
    {
        public static int Inputs => 8;
        public static int Hidden => 4;
        public static int Steps => 6;
        public static bool HasBias => true;
        public static RecurrentCell Cell => RecurrentCell.Lstm;
        public static bool Reverse => true;
        public static int OutputStride => 8;
        public static int OutputOffset => 4;
        public static bool AddsInputGradient => true;
    }

    private readonly struct GruF6H3T9ReverseNoBias : IRecurrentLayer
    {
        public static int Inputs => 6;
        public static int Hidden => 3;
        public static int Steps => 9;
        public static bool HasBias => false;
        public static RecurrentCell Cell => RecurrentCell.Gru;
        public static bool Reverse => true;
        public static int OutputStride => 6;
        public static int OutputOffset => 3;
        public static bool AddsInputGradient => true;
    }
}
