using System;
using BenchmarkDotNet.Attributes;
using NetGen.CompilerServices;

namespace NetGen.Benchmarks;

/// <summary>
/// One dense layer (784 → 128, batch 64) on its own: the batch forward over W packed per call, against the same product
/// over a Wᵀ transposed ahead of time and against the packing alone; one thread's half of the two-thread forward; and
/// backward on one and two threads (<c>--filter '*ProductBenchmarks*'</c>).
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
    public void PackedHalf() => ProductKernels.MultiplyByTransposed<PackedShape>(ref _x[0], ref _w[0], ref _y[0], ref _b[0], Batch, In, 0, 2, ref System.Runtime.CompilerServices.Unsafe.NullRef<float>(), repack: false);

    /// <summary>The same product over a Wᵀ transposed once in the constructor: what packing per call is measured against.</summary>
    [Benchmark]
    public void ProductForward() => ProductKernels.Multiply<ForwardP>(ref _x[0], ref _wt[0], ref _y[0], ref _b[0]);

    /// <summary>Packing all of W as the forward does, panel by panel, without the product.</summary>
    [Benchmark]
    public void PackOnly()
    {
        for (int k = 0; k < In; k += 256)
        {
            ProductKernels.Pack(ref _w[0], In, 0, Out, k, Math.Min(256, In - k), ref _panel[0], ProductKernels.PacksByColumnTiles(Out, In));
        }
    }

    [Benchmark]
    public void DenseBackwardTwoThreads() => DenseKernels.Backward<Layer>(_w, _gw, _gb, _x, _dz, _dx, Batch, 2);

    [Benchmark]
    public void DenseBackward() => DenseKernels.Backward<Layer>(_w, _gw, _gb, _x, _dz, _dx, Batch, 1);

    /// <summary>Backward without dx: dW and db only.</summary>
    [Benchmark]
    public void DenseWeightGradient() => DenseKernels.Backward<Layer>(_w, _gw, _gb, _x, _dz, default, Batch, 1);

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
        public static bool HasColumnBias => true;
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
}
