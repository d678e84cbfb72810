using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

/// <summary>
/// One kernel, many widths: an optimizer's update or a layer's register-blocked product is written once as a generic
/// method over <see cref="ILanes{TSelf}"/> and runs it with <see cref="V512"/>, <see cref="V256"/>, <see cref="V128"/>
/// (as <see cref="Simd"/> allows) and then <see cref="V1"/> for the scalar tail. The lane types are
/// single-field structs whose members inline, so each instantiation compiles to the plain vector code.
/// Multiply-add is fused where the processor has FMA, in every width including the scalar one, so an
/// element gets the same result whichever loop handles it.
/// </summary>
internal static class FloatLanes
{
    /// <summary>A vector of <see cref="Count"/> floats and the operations the optimizers need.</summary>
    internal interface ILanes<TSelf>
        where TSelf : struct, ILanes<TSelf>
    {
        /// <summary>Floats per vector.</summary>
        static abstract int Count { get; }

        /// <summary>Every lane set to <paramref name="value"/>.</summary>
        static abstract TSelf Create(float value);

        /// <summary>Reads <see cref="Count"/> floats starting at <c>origin[index]</c>.</summary>
        static abstract TSelf Load(ref float origin, nuint index);

        /// <summary>Writes the lanes to <c>origin[index]</c> onward.</summary>
        void Store(ref float origin, nuint index);

        /// <summary><c>a * b + c</c>, fused where the processor can.</summary>
        static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

        /// <summary>The square root of each lane.</summary>
        static abstract TSelf Sqrt(TSelf value);

        /// <summary>Every lane zero.</summary>
        static abstract TSelf Zero { get; }

        /// <summary><c>max(value, 0)</c> in each lane (the hardware's max, zero first: a NaN lane stays NaN on x86).</summary>
        static abstract TSelf Relu(TSelf value);

        /// <summary><c>value &gt; 0 ? value : value * slope</c> in each lane.</summary>
        static abstract TSelf LeakyRelu(TSelf value, float slope);

        /// <summary>The sum of the lanes, as <c>Vector{N}.Sum</c> takes it.</summary>
        static abstract float Sum(TSelf value);

        /// <summary>
        /// The lane sums of four vectors as one 128-bit vector, by <see cref="Simd"/>'s horizontal-add tree (its order, not
        /// <see cref="Sum"/>'s); the narrow widths, which no kernel ends with the tree, take <see cref="Sum"/> per vector.
        /// </summary>
        static abstract Vector128<float> Sum4(TSelf a, TSelf b, TSelf c, TSelf d);

        /// <summary>The lane sums of eight vectors as one 256-bit vector, each in the order of <see cref="Sum4"/>.</summary>
        static abstract Vector256<float> Sum8(TSelf a, TSelf b, TSelf c, TSelf d, TSelf e, TSelf f, TSelf g, TSelf h);

        /// <summary>Lane-wise sum.</summary>
        static abstract TSelf operator +(TSelf left, TSelf right);

        /// <summary>Lane-wise difference.</summary>
        static abstract TSelf operator -(TSelf left, TSelf right);

        /// <summary>Lane-wise product.</summary>
        static abstract TSelf operator *(TSelf left, TSelf right);

        /// <summary>Lane-wise quotient.</summary>
        static abstract TSelf operator /(TSelf left, TSelf right);
    }

    /// <summary>Sixteen floats (AVX-512).</summary>
    internal readonly struct V512 : ILanes<V512>
    {
        private readonly Vector512<float> _value;

        internal V512(Vector512<float> value) => _value = value;

        /// <summary>The vector itself.</summary>
        internal Vector512<float> Value => _value;

        public static int Count => Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 Create(float value) => new(Vector512.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 Load(ref float origin, nuint index) => new(Vector512.LoadUnsafe(ref origin, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float origin, nuint index) => _value.StoreUnsafe(ref origin, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 MultiplyAdd(V512 a, V512 b, V512 c) => new(Simd.MultiplyAdd(a._value, b._value, c._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 Sqrt(V512 value) => new(Vector512.Sqrt(value._value));

        public static V512 Zero
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(Vector512<float>.Zero);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 Relu(V512 value) => new(Vector512.Max(Vector512<float>.Zero, value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 LeakyRelu(V512 value, float slope)
            => new(Vector512.ConditionalSelect(Vector512.GreaterThan(value._value, Vector512<float>.Zero), value._value, value._value * slope));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(V512 value) => Vector512.Sum(value._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(V512 a, V512 b, V512 c, V512 d) => Simd.Sum4(a._value, b._value, c._value, d._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sum8(V512 a, V512 b, V512 c, V512 d, V512 e, V512 f, V512 g, V512 h)
            => Simd.Sum8(a._value, b._value, c._value, d._value, e._value, f._value, g._value, h._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 operator +(V512 left, V512 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 operator -(V512 left, V512 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 operator *(V512 left, V512 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 operator /(V512 left, V512 right) => new(left._value / right._value);
    }

    /// <summary>Eight floats (AVX).</summary>
    internal readonly struct V256 : ILanes<V256>
    {
        private readonly Vector256<float> _value;

        internal V256(Vector256<float> value) => _value = value;

        /// <summary>The vector itself.</summary>
        internal Vector256<float> Value => _value;

        public static int Count => Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 Create(float value) => new(Vector256.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 Load(ref float origin, nuint index) => new(Vector256.LoadUnsafe(ref origin, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float origin, nuint index) => _value.StoreUnsafe(ref origin, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 MultiplyAdd(V256 a, V256 b, V256 c) => new(Simd.MultiplyAdd(a._value, b._value, c._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 Sqrt(V256 value) => new(Vector256.Sqrt(value._value));

        public static V256 Zero
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(Vector256<float>.Zero);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 Relu(V256 value) => new(Vector256.Max(Vector256<float>.Zero, value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 LeakyRelu(V256 value, float slope)
            => new(Vector256.ConditionalSelect(Vector256.GreaterThan(value._value, Vector256<float>.Zero), value._value, value._value * slope));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(V256 value) => Vector256.Sum(value._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(V256 a, V256 b, V256 c, V256 d) => Simd.Sum4(a._value, b._value, c._value, d._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sum8(V256 a, V256 b, V256 c, V256 d, V256 e, V256 f, V256 g, V256 h)
            => Simd.Sum8(a._value, b._value, c._value, d._value, e._value, f._value, g._value, h._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 operator +(V256 left, V256 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 operator -(V256 left, V256 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 operator *(V256 left, V256 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 operator /(V256 left, V256 right) => new(left._value / right._value);
    }

    /// <summary>Four floats (SSE, AdvSimd).</summary>
    internal readonly struct V128 : ILanes<V128>
    {
        private readonly Vector128<float> _value;

        internal V128(Vector128<float> value) => _value = value;

        /// <summary>The vector itself.</summary>
        internal Vector128<float> Value => _value;

        public static int Count => Vector128<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 Create(float value) => new(Vector128.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 Load(ref float origin, nuint index) => new(Vector128.LoadUnsafe(ref origin, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float origin, nuint index) => _value.StoreUnsafe(ref origin, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 MultiplyAdd(V128 a, V128 b, V128 c) => new(Simd.MultiplyAdd(a._value, b._value, c._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 Sqrt(V128 value) => new(Vector128.Sqrt(value._value));

        public static V128 Zero
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(Vector128<float>.Zero);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 Relu(V128 value) => new(Vector128.Max(Vector128<float>.Zero, value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 LeakyRelu(V128 value, float slope)
            => new(Vector128.ConditionalSelect(Vector128.GreaterThan(value._value, Vector128<float>.Zero), value._value, value._value * slope));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(V128 value) => Vector128.Sum(value._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(V128 a, V128 b, V128 c, V128 d) => Vector128.Create(Sum(a), Sum(b), Sum(c), Sum(d));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sum8(V128 a, V128 b, V128 c, V128 d, V128 e, V128 f, V128 g, V128 h)
            => Vector256.Create(Sum4(a, b, c, d), Sum4(e, f, g, h));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 operator +(V128 left, V128 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 operator -(V128 left, V128 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 operator *(V128 left, V128 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 operator /(V128 left, V128 right) => new(left._value / right._value);
    }

    /// <summary>One float: the scalar tail, and the whole loop when vectors are off.</summary>
    internal readonly struct V1 : ILanes<V1>
    {
        private readonly float _value;

        private V1(float value) => _value = value;

        public static int Count => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 Create(float value) => new(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 Load(ref float origin, nuint index) => new(Unsafe.Add(ref origin, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float origin, nuint index) => Unsafe.Add(ref origin, index) = _value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 MultiplyAdd(V1 a, V1 b, V1 c)
            => new(Fma.IsSupported ? MathF.FusedMultiplyAdd(a._value, b._value, c._value) : a._value * b._value + c._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 Sqrt(V1 value) => new(MathF.Sqrt(value._value));

        public static V1 Zero
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(0f);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 Relu(V1 value) => new(MathF.Max(value._value, 0f));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 LeakyRelu(V1 value, float slope) => new(value._value > 0f ? value._value : slope * value._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(V1 value) => value._value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(V1 a, V1 b, V1 c, V1 d) => Vector128.Create(a._value, b._value, c._value, d._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sum8(V1 a, V1 b, V1 c, V1 d, V1 e, V1 f, V1 g, V1 h)
            => Vector256.Create(a._value, b._value, c._value, d._value, e._value, f._value, g._value, h._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 operator +(V1 left, V1 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 operator -(V1 left, V1 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 operator *(V1 left, V1 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 operator /(V1 left, V1 right) => new(left._value / right._value);
    }
}
