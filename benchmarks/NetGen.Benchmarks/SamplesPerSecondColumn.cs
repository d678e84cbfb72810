using System;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NetGen.Benchmarks;

/// <summary>Adds <see cref="SamplesPerSecondColumn"/> to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SamplesPerSecondColumnAttribute : ColumnConfigBaseAttribute
{
    public SamplesPerSecondColumnAttribute()
        : base(new SamplesPerSecondColumn())
    {
    }
}

/// <summary>
/// Samples per second from the median: 64 for the batch-64 benchmarks and training steps (their names end
/// in 64 or contain "64"), 1 for the batch-1 ones. The targets are stated in samples/s.
/// </summary>
public sealed class SamplesPerSecondColumn : IColumn
{
    public string Id => nameof(SamplesPerSecondColumn);

    public string ColumnName => "Samples/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Samples per second at the median time (batch size / median)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (medianNs is not double ns || ns <= 0)
        {
            return "-";
        }

        int samples = benchmarkCase.Descriptor.WorkloadMethod.Name.Contains("64", StringComparison.Ordinal) ? BenchmarkData.Batch : 1;
        return (samples / (ns * 1e-9)).ToString("N0", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
