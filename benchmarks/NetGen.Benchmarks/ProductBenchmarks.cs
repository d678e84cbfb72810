using System;
using BenchmarkDotNet.Attributes;
using NetGen.CompilerServices;

namespace NetGen.Benchmarks;

/// <summary>
/// One dense layer's three products at batch 64 on one thread, each two ways: the dense kernels, and the shared
/// register-blocked product of <see cref="ProductKernels"/> (forward over a transposed copy of W).
/// </summary>
[MedianColumn]
public class ProductBenchmarks
{
    private const int Batch = 64, In = 784, Out = 128;
    private readonly float[] _w = BenchmarkData.Inputs(Out * In, seed: 1);
    private readonly float[] _wt = new float[In * Out];
    private readonly float[] _b = BenchmarkData.Inputs(Out, seed: 2);
    private readonly float[] _x = BenchmarkData.Inputs(Batch * In, seed: 3);
    private readonly float[] _dz = BenchmarkData.Inputs(Batch * Out, seed: 4);
    private readonly float[] _y = new float[Batch * Out];
    private readonly float[] _dx = new float[Batch * In];
    private readonly float[] _gw = new float[Out * In];
    private readonly float[] _gb = new float[Out];
    private readonly float[] _panel = new float[256 * 128];

    public ProductBenchmarks()
    {
        for (int o = 0; o < Out; o++)
        {
            for (int i = 0; i < In; i++)
            {
                _wt[i * Out + o] = _w[o * In + i];
            }
        }
    }

    [Benchmark]
    public void DenseForward() => DenseKernels.Forward<Layer>(_w, _b, _x, _y, Batch, 1);

    /// <summary>The same layer split across two threads by groups of 32 units.</summary>
    [Benchmark]
    public void DenseForwardTwoThreads() => DenseKernels.Forward<Layer>(_w, _b, _x, _y, Batch, 2);

    /// <summary>Half the units' groups on this thread: what each thread of <see cref="DenseForwardTwoThreads"/> does.</summary>
    [Benchmark]
    public void PackedHalf() => ProductKernels.MultiplyByTransposed<PackedShape>(ref _x[0], ref _w[0], ref _y[0], ref _b[0], Batch, In, 0, 2);

    [Benchmark]
    public void ProductForward() => ProductKernels.Multiply<ForwardP>(ref _x[0], ref _wt[0], ref _y[0], ref _b[0]);

    /// <summary>Packing all of W as the forward does, panel by panel, without the product.</summary>
    [Benchmark]
    public void PackOnly()
    {
        for (int k = 0; k < In; k += 256)
        {
            ProductKernels.Pack(ref _w[0], In, 0, Out, k, Math.Min(256, In - k), ref _panel[0]);
        }
    }

    [Benchmark]
    public void DenseBackwardTwoThreads() => DenseKernels.Backward<Layer>(_w, _gw, _gb, _x, _dz, _dx, Batch, 2);

    [Benchmark]
    public void DenseBackward() => DenseKernels.Backward<Layer>(_w, _gw, _gb, _x, _dz, _dx, Batch, 1);

    [Benchmark]
    public void DenseWeightGradient() => DenseKernels.Backward<Layer>(_w, _gw, _gb, _x, _dz, default, Batch, 1);

    [Benchmark]
    public void ProductWeightGradient() => ProductKernels.Multiply<WeightGradientP>(ref _dz[0], ref _x[0], ref _gw[0], ref _gb[0]);

    [Benchmark]
    public void ProductInputGradient() => ProductKernels.Multiply<InputGradientP>(ref _dz[0], ref _w[0], ref _dx[0], ref _gb[0]);

    private readonly struct Layer : IDenseLayer
    {
        public static int Inputs => In;
        public static int Units => Out;
        public static bool HasBias => true;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    private readonly struct ForwardP : IProduct
    {
        public static int Rows => Batch;
        public static int Columns => Out;
        public static int Depth => In;
        public static int RowStride => In;
        public static int DepthStride => 1;
        public static bool HasBias => false;
        public static bool Accumulates => false;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    private readonly struct PackedShape : IProductShape
    {
        public static int Columns => Out;
        public static int RowStride => In;
        public static int DepthStride => 1;
        public static bool HasBias => false;
        public static bool HasColumnBias => true;
        public static bool Accumulates => false;
        public static FusedActivation Activation => FusedActivation.Relu;
        public static float Slope => 0f;
    }

    private readonly struct WeightGradientP : IProduct
    {
        public static int Rows => Out;
        public static int Columns => In;
        public static int Depth => Batch;
        public static int RowStride => 1;
        public static int DepthStride => Out;
        public static bool HasBias => false;
        public static bool Accumulates => true;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }

    private readonly struct InputGradientP : IProduct
    {
        public static int Rows => Batch;
        public static int Columns => In;
        public static int Depth => Out;
        public static int RowStride => Out;
        public static int DepthStride => 1;
        public static bool HasBias => false;
        public static bool Accumulates => false;
        public static FusedActivation Activation => FusedActivation.None;
        public static float Slope => 0f;
    }
}
