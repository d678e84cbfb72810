using System;
using NetGen.CompilerServices;
using NetGen.Tests.Gradients;

namespace NetGen.Tests.Kernels;

/// <summary>A recurrent layer's sizes, as the generator would write them: F, H, T and whether it has biases.</summary>
internal interface IRecurrentShape
{
    static abstract int Inputs { get; }

    static abstract int Hidden { get; }

    static abstract int Steps { get; }

    static abstract bool HasBias { get; }
}

/// <summary>Which cell a test layer runs.</summary>
internal interface ICellKind
{
    static abstract RecurrentCell Cell { get; }
}

/// <summary>Which direction a test layer is, and where it writes: alone, or one half of a bidirectional layer.</summary>
internal interface IDirection
{
    static abstract bool Reverse { get; }

    static abstract bool Bidirectional { get; }

    static abstract bool AddsInputGradient { get; }
}

internal readonly struct TanhCell : ICellKind
{
    public static RecurrentCell Cell => RecurrentCell.Tanh;
}

internal readonly struct ReluCell : ICellKind
{
    public static RecurrentCell Cell => RecurrentCell.Relu;
}

internal readonly struct LstmCell : ICellKind
{
    public static RecurrentCell Cell => RecurrentCell.Lstm;
}

internal readonly struct GruCell : ICellKind
{
    public static RecurrentCell Cell => RecurrentCell.Gru;
}

/// <summary>A unidirectional layer: t = 0 … T − 1, output <c>[B, T, H]</c>.</summary>
internal readonly struct Onward : IDirection
{
    public static bool Reverse => false;

    public static bool Bidirectional => false;

    public static bool AddsInputGradient => false;
}

/// <summary>A unidirectional layer run backwards in time, t = T − 1 … 0 (what the reverse half does, alone).</summary>
internal readonly struct Reversed : IDirection
{
    public static bool Reverse => true;

    public static bool Bidirectional => false;

    public static bool AddsInputGradient => false;
}

/// <summary>The forward half of a bidirectional layer: columns 0 .. H − 1 of <c>[B, T, 2H]</c>; its backward runs first and writes dx.</summary>
internal readonly struct BiOnward : IDirection
{
    public static bool Reverse => false;

    public static bool Bidirectional => true;

    public static bool AddsInputGradient => false;
}

/// <summary>The reverse half of a bidirectional layer: columns H .. 2H − 1; its backward runs second and adds into dx.</summary>
internal readonly struct BiBackward : IDirection
{
    public static bool Reverse => true;

    public static bool Bidirectional => true;

    public static bool AddsInputGradient => true;
}

/// <summary>The descriptor a generator would write, composed from a shape, a cell and a direction.</summary>
internal readonly struct Layer<TShape, TCell, TDirection> : IRecurrentLayer
    where TShape : struct, IRecurrentShape
    where TCell : struct, ICellKind
    where TDirection : struct, IDirection
{
    public static int Inputs => TShape.Inputs;

    public static int Hidden => TShape.Hidden;

    public static int Steps => TShape.Steps;

    public static bool HasBias => TShape.HasBias;

    public static RecurrentCell Cell => TCell.Cell;

    public static bool Reverse => TDirection.Reverse;

    public static int OutputStride => TDirection.Bidirectional ? 2 * TShape.Hidden : TShape.Hidden;

    public static int OutputOffset => TDirection.Bidirectional && TDirection.Reverse ? TShape.Hidden : 0;

    public static bool AddsInputGradient => TDirection.AddsInputGradient;
}

/// <summary>One direction's parameters in PyTorch's layout and their gradients, and the workspace regions its kernels use.</summary>
internal sealed class RecurrentOperands<TLayer>
    where TLayer : struct, IRecurrentLayer
{
    public RecurrentOperands(int batch)
    {
        int width = RecurrentKernels.Gates<TLayer>() * TLayer.Hidden;
        Batch = batch;
        WeightIh = new float[width * TLayer.Inputs];
        WeightHh = new float[width * TLayer.Hidden];
        BiasIh = new float[TLayer.HasBias ? width : 0];
        BiasHh = new float[TLayer.HasBias ? width : 0];
        WeightIhGradient = new float[WeightIh.Length];
        WeightHhGradient = new float[WeightHh.Length];
        BiasIhGradient = new float[BiasIh.Length];
        BiasHhGradient = new float[BiasHh.Length];
        State = new float[batch * RecurrentKernels.StateLength<TLayer>()];
        Scratch = new float[batch * RecurrentKernels.BackwardScratchLength<TLayer>()];
        Packed = new float[RecurrentKernels.PackedLength<TLayer>()];
    }

    public int Batch { get; }

    public float[] WeightIh { get; }

    public float[] WeightHh { get; }

    public float[] BiasIh { get; }

    public float[] BiasHh { get; }

    public float[] WeightIhGradient { get; }

    public float[] WeightHhGradient { get; }

    public float[] BiasIhGradient { get; }

    public float[] BiasHhGradient { get; }

    public float[] State { get; }

    public float[] Scratch { get; }

    /// <summary>The forward call's scratch: the packed copy of W_hh.</summary>
    public float[] Packed { get; }

    /// <summary>The four parameter tensors in PyTorch's order (weight_ih, weight_hh, bias_ih, bias_hh), each with its gradient.</summary>
    public (float[] Value, float[] Gradient)[] Tensors => TLayer.HasBias
        ? [(WeightIh, WeightIhGradient), (WeightHh, WeightHhGradient), (BiasIh, BiasIhGradient), (BiasHh, BiasHhGradient)]
        : [(WeightIh, WeightIhGradient), (WeightHh, WeightHhGradient)];

    /// <summary>Fills every parameter from U(-scale, scale) with <paramref name="seed"/>.</summary>
    public RecurrentOperands<TLayer> Randomized(ulong seed, float scale = 0.6f)
    {
        foreach ((float[] value, _) in Tensors)
        {
            GradientCheck.UniformInputs(value.Length, seed++, -scale, scale).CopyTo(value, 0);
        }

        return this;
    }

    /// <summary>A copy of the parameters with fresh gradients and workspace, for another batch size.</summary>
    public RecurrentOperands<TLayer> WithBatch(int batch)
    {
        var copy = new RecurrentOperands<TLayer>(batch);
        for (int i = 0; i < Tensors.Length; i++)
        {
            Tensors[i].Value.CopyTo(copy.Tensors[i].Value, 0);
        }

        return copy;
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> y, int threads)
        => RecurrentKernels.Forward<TLayer>(WeightIh, WeightHh, BiasIh, BiasHh, x, y, State, Packed, Batch, threads);

    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads)
        => RecurrentKernels.Backward<TLayer>(WeightIh, WeightHh, WeightIhGradient, WeightHhGradient, BiasIhGradient, BiasHhGradient,
            x, dy, State, dx, Scratch, Batch, threads);

    public void ZeroGradients()
    {
        foreach ((_, float[] gradient) in Tensors)
        {
            Array.Clear(gradient);
        }
    }
}
