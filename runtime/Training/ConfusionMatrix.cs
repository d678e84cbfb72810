using System;
using System.Globalization;
using System.Text;

namespace NetGen;

/// <summary>
/// Counts of (actual class, predicted class) pairs over a data set: row <c>actual</c>, column <c>predicted</c>, as
/// scikit-learn's <c>confusion_matrix(y_true, y_pred)</c>. <see cref="Trainer{TNetwork}.Evaluate"/> fills one for a
/// classification loss (<see cref="LossTask.Classification"/>, <see cref="Evaluation.Confusion"/>).
/// </summary>
/// <remarks>
/// <see cref="Precision"/> and <see cref="Recall"/> of a class that was never predicted (or never occurs) are NaN, where
/// scikit-learn reports 0 with a warning (<c>zero_division="warn"</c>): 0 would read as a class the network always gets wrong.
/// </remarks>
public sealed class ConfusionMatrix : IEquatable<ConfusionMatrix>
{
    private readonly long[] _counts;

    /// <summary>An empty matrix of <paramref name="classes"/> × <paramref name="classes"/> counts.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1 or above 65,536.</exception>
    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, 1 << 16);
        Classes = classes;
        _counts = new long[(long)classes * classes];
    }

    /// <summary>Classes: the matrix is <c>Classes × Classes</c>.</summary>
    public int Classes { get; }

    /// <summary>Predictions counted: the sum of every cell.</summary>
    public long Total { get; private set; }

    /// <summary>How many predictions of class <paramref name="predicted"/> were of class <paramref name="actual"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside <c>[0, Classes)</c>.</exception>
    public long this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return _counts[(actual * Classes) + predicted];
        }
    }

    /// <summary>The fraction of predictions on the diagonal; NaN when <see cref="Total"/> is 0.</summary>
    public float Accuracy
    {
        get
        {
            long right = 0;
            for (int c = 0; c < Classes; c++)
            {
                right += _counts[(c * Classes) + c];
            }

            return Total == 0 ? float.NaN : (float)((double)right / Total);
        }
    }

    /// <summary>Counts one prediction.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside <c>[0, Classes)</c>.</exception>
    public void Add(int actual, int predicted)
    {
        CheckClass(actual, nameof(actual));
        CheckClass(predicted, nameof(predicted));
        _counts[(actual * Classes) + predicted]++;
        Total++;
    }

    /// <summary>Samples of class <paramref name="actual"/>: the row's sum (scikit-learn's <c>support</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actual"/> is outside <c>[0, Classes)</c>.</exception>
    public long Support(int actual)
    {
        CheckClass(actual, nameof(actual));
        long sum = 0;
        for (int p = 0; p < Classes; p++)
        {
            sum += _counts[(actual * Classes) + p];
        }

        return sum;
    }

    /// <summary>Predictions of class <paramref name="predicted"/>: the column's sum.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="predicted"/> is outside <c>[0, Classes)</c>.</exception>
    public long Predicted(int predicted)
    {
        CheckClass(predicted, nameof(predicted));
        long sum = 0;
        for (int a = 0; a < Classes; a++)
        {
            sum += _counts[(a * Classes) + predicted];
        }

        return sum;
    }

    /// <summary>Of the predictions of class <paramref name="c"/>, the fraction right: <c>[c, c] / Predicted(c)</c>; NaN when <c>c</c> was never predicted.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="c"/> is outside <c>[0, Classes)</c>.</exception>
    public float Precision(int c)
    {
        long predicted = Predicted(c);
        return predicted == 0 ? float.NaN : (float)((double)_counts[(c * Classes) + c] / predicted);
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction found: <c>[c, c] / Support(c)</c>; NaN when <c>c</c> never occurs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="c"/> is outside <c>[0, Classes)</c>.</exception>
    public float Recall(int c)
    {
        long support = Support(c);
        return support == 0 ? float.NaN : (float)((double)_counts[(c * Classes) + c] / support);
    }

    /// <summary>Whether <paramref name="other"/> has the same classes and the same count in every cell.</summary>
    public bool Equals(ConfusionMatrix? other) =>
        other is not null && other.Classes == Classes && other.Total == Total && _counts.AsSpan().SequenceEqual(other._counts);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConfusionMatrix);

    /// <summary>A hash of the classes and the counts (a matrix is mutable: do not change one used as a key).</summary>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Classes);
        foreach (long v in _counts)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    /// <summary>Every cell, row by row (<c>[actual × Classes + predicted]</c>), copied.</summary>
    public long[] ToArray() => (long[])_counts.Clone();

    /// <summary>
    /// The matrix as a text table, a row per actual class and a column per predicted class, then each class's precision and
    /// recall:
    /// <code>
    /// actual\predicted    0    1  recall
    ///                0    3    1   75.0%
    ///                1    0    2  100.0%
    /// precision      100.0% 66.7%
    /// </code>
    /// </summary>
    public override string ToString()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        int width = Math.Max(6, Max().ToString(c).Length + 1);
        var text = new StringBuilder();
        const string corner = "actual\\predicted";
        text.Append(corner);
        for (int p = 0; p < Classes; p++)
        {
            text.Append(p.ToString(c).PadLeft(width + 1));
        }

        text.Append("  recall\n");
        for (int a = 0; a < Classes; a++)
        {
            text.Append(a.ToString(c).PadLeft(corner.Length));
            for (int p = 0; p < Classes; p++)
            {
                text.Append(_counts[(a * Classes) + p].ToString(c).PadLeft(width + 1));
            }

            text.Append("  ").Append(Percent(Recall(a)).PadLeft(6)).Append('\n');
        }

        text.Append("precision".PadRight(corner.Length));
        for (int p = 0; p < Classes; p++)
        {
            text.Append(Percent(Precision(p)).PadLeft(width + 1));
        }

        return text.ToString();
    }

    private static string Percent(float value) =>
        float.IsNaN(value) ? "-" : (value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private long Max()
    {
        long max = 0;
        foreach (long v in _counts)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    private void CheckClass(int value, string name)
    {
        if ((uint)value >= (uint)Classes)
        {
            throw new ArgumentOutOfRangeException(name, value, $"A class is from 0 to {Classes - 1}.");
        }
    }
}
