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
    /// <summary><c>origin[offset]</c> as a reference: a row of a matrix, or one float of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref float At(ref float origin, int offset) => ref Unsafe.Add(ref origin, offset);

    /// <summary>A vector of <typeparamref name="TV"/> read <paramref name="offset"/> floats past <paramref name="origin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Load<TV>(ref float origin, int offset)
        where TV : struct, ILanes<TV>
        => TV.Load(ref origin, (nuint)offset);

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

    /// <summary>
    /// Lanes that also compare, select and hold 32-bit integers (in the same bits): what branch-free max pooling needs
    /// to find each window's maximum and its winner. A mask is all ones where the comparison holds, zeros elsewhere.
    /// </summary>
    internal interface IMaskLanes<TSelf> : ILanes<TSelf>
        where TSelf : struct, IMaskLanes<TSelf>
    {
        /// <summary><c>next &gt; best ? next : best</c> in each lane (<see cref="Simd.MaxFirst(float, float)"/>).</summary>
        static abstract TSelf MaxFirst(TSelf best, TSelf next);

        /// <summary>The even and the odd floats of <paramref name="a"/> then <paramref name="b"/>, in order (<c>Simd.Deinterleave</c>).</summary>
        static abstract void Deinterleave(TSelf a, TSelf b, out TSelf evens, out TSelf odds);

        /// <summary>All ones in each lane where <paramref name="left"/> equals <paramref name="right"/> (never for a NaN).</summary>
        static abstract TSelf EqualMask(TSelf left, TSelf right);

        /// <summary>Each lane from <paramref name="whereTrue"/> where <paramref name="mask"/> is set, else from <paramref name="whereFalse"/>.</summary>
        static abstract TSelf Select(TSelf mask, TSelf whereTrue, TSelf whereFalse);

        /// <summary>Every lane holding the bits of the integer <paramref name="value"/>.</summary>
        static abstract TSelf CreateInt32(int value);

        /// <summary>The integer lanes <c>start, start + step, start + 2·step, ...</c>.</summary>
        static abstract TSelf Int32Sequence(int start, int step);

        /// <summary>Lane-wise sum of the lanes read as 32-bit integers.</summary>
        static abstract TSelf AddInt32(TSelf left, TSelf right);

        /// <summary>Lane-wise or of the bits.</summary>
        static abstract TSelf operator |(TSelf left, TSelf right);

        /// <summary>Lane-wise and of the bits.</summary>
        static abstract TSelf operator &(TSelf left, TSelf right);

        /// <summary>Lane-wise complement of the bits.</summary>
        static abstract TSelf operator ~(TSelf value);
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
    internal readonly struct V256 : IMaskLanes<V256>
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 MaxFirst(V256 best, V256 next) => new(Simd.MaxFirst(best._value, next._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Deinterleave(V256 a, V256 b, out V256 evens, out V256 odds)
        {
            Simd.Deinterleave(a._value, b._value, out Vector256<float> e, out Vector256<float> o);
            evens = new(e);
            odds = new(o);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 EqualMask(V256 left, V256 right) => new(Vector256.Equals(left._value, right._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 Select(V256 mask, V256 whereTrue, V256 whereFalse)
            => new(Vector256.ConditionalSelect(mask._value, whereTrue._value, whereFalse._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 CreateInt32(int value) => new(Vector256.Create(value).AsSingle());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 Int32Sequence(int start, int step) => new(Vector256.Create(start, start + 1 * step, start + 2 * step, start + 3 * step, start + 4 * step, start + 5 * step, start + 6 * step, start + 7 * step).AsSingle());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 AddInt32(V256 left, V256 right) => new((left._value.AsInt32() + right._value.AsInt32()).AsSingle());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 operator |(V256 left, V256 right) => new(left._value | right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 operator &(V256 left, V256 right) => new(left._value & right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 operator ~(V256 value) => new(~value._value);
    }

    /// <summary>Four floats (SSE, AdvSimd).</summary>
    internal readonly struct V128 : IMaskLanes<V128>
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 MaxFirst(V128 best, V128 next) => new(Simd.MaxFirst(best._value, next._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Deinterleave(V128 a, V128 b, out V128 evens, out V128 odds)
        {
            Simd.Deinterleave(a._value, b._value, out Vector128<float> e, out Vector128<float> o);
            evens = new(e);
            odds = new(o);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 EqualMask(V128 left, V128 right) => new(Vector128.Equals(left._value, right._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 Select(V128 mask, V128 whereTrue, V128 whereFalse)
            => new(Vector128.ConditionalSelect(mask._value, whereTrue._value, whereFalse._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 CreateInt32(int value) => new(Vector128.Create(value).AsSingle());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 Int32Sequence(int start, int step) => new(Vector128.Create(start, start + 1 * step, start + 2 * step, start + 3 * step).AsSingle());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 AddInt32(V128 left, V128 right) => new((left._value.AsInt32() + right._value.AsInt32()).AsSingle());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 operator |(V128 left, V128 right) => new(left._value | right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 operator &(V128 left, V128 right) => new(left._value & right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 operator ~(V128 value) => new(~value._value);
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

    /// <summary>
    /// One float whose multiply-add rounds twice, as C#'s <c>a * b + c</c> does: the scalar tail of the convolution
    /// products, which has always summed that way (and so does their scalar path), where <see cref="V1"/> fuses.
    /// </summary>
    internal readonly struct S1 : ILanes<S1>
    {
        private readonly float _value;

        private S1(float value) => _value = value;

        public static int Count => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 Create(float value) => new(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 Load(ref float origin, nuint index) => new(Unsafe.Add(ref origin, index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(ref float origin, nuint index) => Unsafe.Add(ref origin, index) = _value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 MultiplyAdd(S1 a, S1 b, S1 c) => new(a._value * b._value + c._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 Sqrt(S1 value) => new(MathF.Sqrt(value._value));

        public static S1 Zero
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => new(0f);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 Relu(S1 value) => new(MathF.Max(value._value, 0f));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 LeakyRelu(S1 value, float slope) => new(value._value > 0f ? value._value : slope * value._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(S1 value) => value._value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(S1 a, S1 b, S1 c, S1 d) => Vector128.Create(a._value, b._value, c._value, d._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sum8(S1 a, S1 b, S1 c, S1 d, S1 e, S1 f, S1 g, S1 h)
            => Vector256.Create(a._value, b._value, c._value, d._value, e._value, f._value, g._value, h._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 operator +(S1 left, S1 right) => new(left._value + right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 operator -(S1 left, S1 right) => new(left._value - right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 operator *(S1 left, S1 right) => new(left._value * right._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static S1 operator /(S1 left, S1 right) => new(left._value / right._value);
    }
}
