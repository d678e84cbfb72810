using System;

namespace NetGen.CompilerServices;

/// <summary>
/// The operands of one kernel call that <see cref="KernelThreads"/> splits across threads: up to three
/// read-only and two writable spans. Generated code names what each one holds at the call.
/// </summary>
internal readonly ref struct KernelSpans
{
    /// <summary>Gathers the operands; unused ones stay empty.</summary>
    public KernelSpans(ReadOnlySpan<float> in0, ReadOnlySpan<float> in1, ReadOnlySpan<float> in2, Span<float> out0, Span<float> out1)
    {
        In0 = in0;
        In1 = in1;
        In2 = in2;
        Out0 = out0;
        Out1 = out1;
    }

    /// <summary>The first read-only operand.</summary>
    public ReadOnlySpan<float> In0 { get; }

    /// <summary>The second read-only operand.</summary>
    public ReadOnlySpan<float> In1 { get; }

    /// <summary>The third read-only operand.</summary>
    public ReadOnlySpan<float> In2 { get; }

    /// <summary>The first writable operand.</summary>
    public Span<float> Out0 { get; }

    /// <summary>The second writable operand.</summary>
    public Span<float> Out1 { get; }
}
