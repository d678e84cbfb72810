namespace NetGen.Generator.Emit;

/// <summary>
/// The split every threaded kernel entry point shares: above a threshold, <c>KernelThreads.For</c> cuts the items into
/// pieces at multiples of a register block and runs them on the pool; below it, one call on this thread does them all.
/// </summary>
internal static class ThreadSplitEmitter
{
    /// <param name="condition">When to split, e.g. <c>threads &gt; 1 &amp;&amp; rows &gt;= 6</c>.</param>
    /// <param name="count">The items, an expression.</param>
    /// <param name="grain">Pieces start at multiples of this.</param>
    /// <param name="spans">The <c>KernelSpans</c> arguments: three read-only operands, then two writable ones.</param>
    /// <param name="piece">One piece's call, over <c>s</c> (the spans), <c>start</c> and <c>end</c>.</param>
    /// <param name="whole">The call that does every item on this thread.</param>
    /// <param name="comment">A comment over the split, if any.</param>
    public static void Emit(CodeWriter w, string condition, string count, int grain, string spans, string piece, string whole, string? comment = null)
    {
        w.Open($"if ({condition})");
        if (comment is not null)
        {
            w.Line($"// {comment}");
        }

        w.Line($"KernelThreads.For(threads, {count}, {grain}, new KernelSpans({spans}),");
        w.Line($"    static (in KernelSpans s, int start, int end) => {piece});");
        w.Close();
        w.Open("else");
        w.Line(whole);
        w.Close();
    }
}
