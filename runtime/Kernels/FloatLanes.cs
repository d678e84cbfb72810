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

    /// <summary>
    /// Asks for the cache line holding <paramref name="origin"/> to be brought into L1 (a hint: nothing is read, nothing
    /// faults, and without SSE it does nothing). For a kernel that reads rows far apart from L2 or L3 one at a time, where
    /// the hardware prefetchers do not run far enough ahead.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(ref float origin)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref origin));
        }
    }

    /// <summary>
    /// <c>e^x</c> in each lane, within about 1 ulp over the whole range: Cody–Waite reduction <c>x = n ln 2 + r</c>,
    /// |r| ≤ ln 2 / 2 (ln 2 in two parts, so <c>n ln 2</c> is exact), Cephes' degree-7 polynomial for <c>e^r</c>, then the
    /// scale by <c>2^n</c>. Below −104 it is 0, above 88.72 +∞ (subnormal results in between round once), NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Exp<TV>(TV x)
        where TV : struct, IMathLanes<TV>
        => ExpAtLeast(TV.AtMost(x, TV.Create(89f)));

    /// <summary>
    /// <see cref="Exp{TV}"/> of an <paramref name="x"/> known to be at most 89 (the argument of every caller but Exp itself
    /// is at most 0), which Exp's upper clamp leaves as it is: the same bits without that clamp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpAtLeast<TV>(TV x)
        where TV : struct, IMathLanes<TV>
    {
        x = TV.AtLeast(x, TV.Create(-104f));

        // n = round(x / ln 2), held in the low bits of shifted; r = x − n ln 2
        TV magic = TV.Create(12582912f);
        TV shifted = TV.MultiplyAdd(x, TV.Create(1.44269504088896341f), magic);
        TV n = shifted - magic;
        TV r = TV.MultiplyAdd(n, TV.Create(-0.693359375f), x);
        r = TV.MultiplyAdd(n, TV.Create(2.12194440e-4f), r);

        TV p = TV.Create(1.9875691500e-4f);
        p = TV.MultiplyAdd(p, r, TV.Create(1.3981999507e-3f));
        p = TV.MultiplyAdd(p, r, TV.Create(8.3334519073e-3f));
        p = TV.MultiplyAdd(p, r, TV.Create(4.1665795894e-2f));
        p = TV.MultiplyAdd(p, r, TV.Create(1.6666665459e-1f));
        p = TV.MultiplyAdd(p, r, TV.Create(5.0000001201e-1f));
        p = TV.MultiplyAdd(p, r * r, r) + TV.Create(1f);
        return TV.ScaleByPowerOfTwo(p, n);
    }

    /// <summary>
    /// <c>σ(x) = 1 / (1 + e^−x)</c> in each lane, from <c>e = e^−|x|</c> (never overflows): <c>1 / (1 + e)</c> for x ≥ 0 and
    /// <c>e / (1 + e)</c> below, so tiny results (down to subnormal) keep their relative accuracy; within a few ulp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Sigmoid<TV>(TV x)
        where TV : struct, IMathLanes<TV>
    {
        TV e = ExpAtLeast(TV.Zero - TV.Abs(x));
        TV q = TV.Create(1f) / (TV.Create(1f) + e);
        return TV.SelectLess(x, TV.Zero, e * q, q);
    }

    /// <summary>
    /// <c>tanh x</c> in each lane, within a few ulp: for |x| &lt; 0.625 Cephes' odd polynomial <c>x + x³ P(x²)</c> (no
    /// cancellation near 0; subnormal x come back unchanged), beyond it <c>(1 − e) / (1 + e)</c> with <c>e = e^−2|x|</c>
    /// (never overflows; ±1 for large |x|), both taken on |x| and given the sign of x (so −0 stays −0). NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Tanh<TV>(TV x)
        where TV : struct, IMathLanes<TV>
    {
        TV a = TV.Abs(x);
        TV one = TV.Create(1f);
        TV e = ExpAtLeast(a * TV.Create(-2f));
        TV large = (one - e) / (one + e);

        TV z = a * a;
        TV p = TV.Create(-5.70498872745e-3f);
        p = TV.MultiplyAdd(p, z, TV.Create(2.06390887954e-2f));
        p = TV.MultiplyAdd(p, z, TV.Create(-5.37397155531e-2f));
        p = TV.MultiplyAdd(p, z, TV.Create(1.33314422036e-1f));
        p = TV.MultiplyAdd(p, z, TV.Create(-3.33332819422e-1f));
        TV small = TV.MultiplyAdd(p * z, a, a);
        return TV.CopySign(TV.SelectLess(a, TV.Create(0.625f), small, large), x);
    }

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

        /// <summary>
        /// <c>accumulator = a * b + accumulator</c>, the bits of <see cref="MultiplyAdd"/>, written in place: what a
        /// register block's accumulators run. Written as <c>s = MultiplyAdd(a, b, s)</c> on a vector wrapped in a struct, the
        /// JIT takes the constructor's result for a new value rather than the accumulator's next one, so it gives the fused
        /// multiply-add the register of whichever multiplicand dies there (<c>vfmadd213ps</c>) and copies it back into the
        /// accumulator's (<c>vmovaps</c>): six copies a depth step in a 6 × 16 block, which bound it at about 77 % of the FMA
        /// peak where the in-place write, every multiply-add a <c>vfmadd231ps</c> into its accumulator, runs at 93–96 %.
        /// </summary>
        static virtual void MultiplyAddTo(ref TSelf accumulator, TSelf a, TSelf b) => accumulator = TSelf.MultiplyAdd(a, b, accumulator);

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

    /// <summary>
    /// Lanes with what the elementary functions (<see cref="Exp{TV}"/>, <see cref="Sigmoid{TV}"/>, <see cref="Tanh{TV}"/>)
    /// are built from: absolute value, sign transfer, a compare-and-select and a scale by a power of two. Every width
    /// runs the same sequence of operations on each lane (fused multiply-adds where the processor has FMA, in the scalar
    /// width too), so an element gets the same bits whichever width handles it.
    /// </summary>
    internal interface IMathLanes<TSelf> : ILanes<TSelf>
        where TSelf : struct, IMathLanes<TSelf>
    {
        /// <summary><c>|value|</c> in each lane (the sign bit cleared).</summary>
        static abstract TSelf Abs(TSelf value);

        /// <summary><paramref name="magnitude"/> (not negative) with the sign bit of <paramref name="sign"/>, in each lane.</summary>
        static abstract TSelf CopySign(TSelf magnitude, TSelf sign);

        /// <summary><c>left &lt; right ? whereTrue : whereFalse</c> in each lane (false when either is NaN).</summary>
        static abstract TSelf SelectLess(TSelf left, TSelf right, TSelf whereTrue, TSelf whereFalse);

        /// <summary><c>value &lt; floor ? floor : value</c> in each lane: a NaN value stays NaN (one <c>maxps</c> on x86).</summary>
        static abstract TSelf AtLeast(TSelf value, TSelf floor);

        /// <summary><c>ceiling &lt; value ? ceiling : value</c> in each lane: a NaN value stays NaN (one <c>minps</c> on x86).</summary>
        static abstract TSelf AtMost(TSelf value, TSelf ceiling);

        /// <summary>
        /// <c>value · 2^n</c> in each lane for an integer-valued <paramref name="n"/> in [−150, 128], rounded once: a result
        /// that is subnormal rounds once and one past the largest float is infinite. One <c>vscalefps</c> with AVX-512 (which
        /// rounds the exact product once); otherwise two scales, by <c>2^⌊n/2⌋</c> (exact) and <c>2^(n − ⌊n/2⌋)</c>, which
        /// round once too, so both give the same bits.
        /// </summary>
        static abstract TSelf ScaleByPowerOfTwo(TSelf value, TSelf n);
    }

    /// <summary>Sixteen floats (AVX-512).</summary>
    internal readonly struct V512 : IMathLanes<V512>
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
        public static void MultiplyAddTo(ref V512 accumulator, V512 a, V512 b)
            => Unsafe.As<V512, Vector512<float>>(ref accumulator) = Simd.MultiplyAdd(a._value, b._value, accumulator._value);

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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 Abs(V512 value) => new(Vector512.Abs(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 CopySign(V512 magnitude, V512 sign) => new(magnitude._value | (sign._value & Vector512.Create(-0f)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 SelectLess(V512 left, V512 right, V512 whereTrue, V512 whereFalse)
            => new(Vector512.ConditionalSelect(Vector512.LessThan(left._value, right._value), whereTrue._value, whereFalse._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 AtLeast(V512 value, V512 floor) => new(Avx512F.Max(floor._value, value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 AtMost(V512 value, V512 ceiling) => new(Avx512F.Min(ceiling._value, value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V512 ScaleByPowerOfTwo(V512 value, V512 n) => new(Avx512F.Scale(value._value, n._value));
    }

    /// <summary>Eight floats (AVX).</summary>
    internal readonly struct V256 : IMaskLanes<V256>, IMathLanes<V256>
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
        public static void MultiplyAddTo(ref V256 accumulator, V256 a, V256 b)
            => Unsafe.As<V256, Vector256<float>>(ref accumulator) = Simd.MultiplyAdd(a._value, b._value, accumulator._value);

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
        public static V256 Abs(V256 value) => new(Vector256.Abs(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 CopySign(V256 magnitude, V256 sign) => new(magnitude._value | (sign._value & Vector256.Create(-0f)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 SelectLess(V256 left, V256 right, V256 whereTrue, V256 whereFalse)
            => new(Vector256.ConditionalSelect(Vector256.LessThan(left._value, right._value), whereTrue._value, whereFalse._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 AtLeast(V256 value, V256 floor)
            => Avx.IsSupported ? new(Avx.Max(floor._value, value._value)) : SelectLess(value, floor, floor, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 AtMost(V256 value, V256 ceiling)
            => Avx.IsSupported ? new(Avx.Min(ceiling._value, value._value)) : SelectLess(ceiling, value, ceiling, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V256 ScaleByPowerOfTwo(V256 value, V256 n)
        {
            if (Avx512F.VL.IsSupported)
            {
                return new(Avx512F.VL.Scale(value._value, n._value));
            }

            Vector256<int> whole = Vector256.ConvertToInt32(n._value);
            Vector256<int> half = Vector256.ShiftRightArithmetic(whole, 1);
            Vector256<float> first = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
            Vector256<float> second = Vector256.ShiftLeft(whole - half + Vector256.Create(127), 23).AsSingle();
            return new(value._value * first * second);
        }

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
    internal readonly struct V128 : IMaskLanes<V128>, IMathLanes<V128>
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
        public static void MultiplyAddTo(ref V128 accumulator, V128 a, V128 b)
            => Unsafe.As<V128, Vector128<float>>(ref accumulator) = Simd.MultiplyAdd(a._value, b._value, accumulator._value);

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
        public static V128 Abs(V128 value) => new(Vector128.Abs(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 CopySign(V128 magnitude, V128 sign) => new(magnitude._value | (sign._value & Vector128.Create(-0f)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 SelectLess(V128 left, V128 right, V128 whereTrue, V128 whereFalse)
            => new(Vector128.ConditionalSelect(Vector128.LessThan(left._value, right._value), whereTrue._value, whereFalse._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 AtLeast(V128 value, V128 floor)
            => Sse.IsSupported ? new(Sse.Max(floor._value, value._value)) : SelectLess(value, floor, floor, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 AtMost(V128 value, V128 ceiling)
            => Sse.IsSupported ? new(Sse.Min(ceiling._value, value._value)) : SelectLess(ceiling, value, ceiling, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V128 ScaleByPowerOfTwo(V128 value, V128 n)
        {
            if (Avx512F.VL.IsSupported)
            {
                return new(Avx512F.VL.Scale(value._value, n._value));
            }

            Vector128<int> whole = Vector128.ConvertToInt32(n._value);
            Vector128<int> half = Vector128.ShiftRightArithmetic(whole, 1);
            Vector128<float> first = Vector128.ShiftLeft(half + Vector128.Create(127), 23).AsSingle();
            Vector128<float> second = Vector128.ShiftLeft(whole - half + Vector128.Create(127), 23).AsSingle();
            return new(value._value * first * second);
        }

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
    internal readonly struct V1 : IMathLanes<V1>
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 Abs(V1 value) => new(MathF.Abs(value._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 CopySign(V1 magnitude, V1 sign) => new(MathF.CopySign(magnitude._value, sign._value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 SelectLess(V1 left, V1 right, V1 whereTrue, V1 whereFalse) => left._value < right._value ? whereTrue : whereFalse;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 AtLeast(V1 value, V1 floor) => value._value < floor._value ? floor : value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 AtMost(V1 value, V1 ceiling) => ceiling._value < value._value ? ceiling : value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V1 ScaleByPowerOfTwo(V1 value, V1 n)
        {
            int whole = (int)n._value;
            int half = whole >> 1;
            float first = BitConverter.Int32BitsToSingle((half + 127) << 23);
            float second = BitConverter.Int32BitsToSingle((whole - half + 127) << 23);
            return new(value._value * first * second);
        }
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
