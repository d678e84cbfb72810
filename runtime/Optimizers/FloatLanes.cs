using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen;

/// <summary>
/// One element-wise kernel, many widths: an optimizer writes its update once as a generic method over
/// <see cref="ILanes{TSelf}"/> and runs it with <see cref="V512"/>, <see cref="V256"/>, <see cref="V128"/>
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

        private V512(Vector512<float> value) => _value = value;

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

        private V256(Vector256<float> value) => _value = value;

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

        private V128(Vector128<float> value) => _value = value;

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
