using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NetGen;

/// <summary>What a label column holds: a class index or a number to regress.</summary>
public enum LabelKind
{
    /// <summary>
    /// A class index: a whole number from 0 to the number of classes - 1 (written <c>3</c> or <c>3.0</c>), for
    /// <see cref="Loss.SoftmaxCrossEntropy"/>; stored as a float target, as every loss reads it.
    /// </summary>
    Class,

    /// <summary>A number (a float target), for <see cref="Loss.MeanSquaredError"/> or <see cref="Loss.BinaryCrossEntropy"/>.</summary>
    Regression,
}

/// <summary>Settings of <see cref="Csv.Load(string, string, LabelKind, CsvOptions?)"/> beyond the label column.</summary>
public sealed class CsvOptions
{
    private readonly char _delimiter = ',';
    private readonly int _classes = Dataset.MaxClasses;

    /// <summary>The field separator: <c>','</c> by default; <c>';'</c> and <c>'\t'</c> are common. Not a quote, a line break, a space, a letter or a digit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The character is a quote, a line break, a space, a letter, a digit, '.', '+' or '-'.</exception>
    public char Delimiter
    {
        get => _delimiter;
        init
        {
            if (value is '"' or '\r' or '\n' or ' ' or '.' or '+' or '-' || char.IsLetterOrDigit(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Delimiter), value, "A CSV delimiter cannot be a quote, a line break, a space, a letter, a digit, '.', '+' or '-'.");
            }

            _delimiter = value;
        }
    }

    /// <summary>
    /// The feature columns by name, in the order the inputs take them; null (the default) takes every column but the
    /// label, in the file's order. Not with <see cref="FeatureColumns"/>.
    /// </summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>
    /// The feature columns by 0-based index, in the order the inputs take them; null (the default) takes every column
    /// but the label. Not with <see cref="Features"/>.
    /// </summary>
    public IReadOnlyList<int>? FeatureColumns { get; init; }

    /// <summary>
    /// For <see cref="LabelKind.Class"/>: the number of classes (the network's outputs), so that a label too large is
    /// refused naming its line; by default only the largest, 2^24, is checked.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The number is not from 1 to 2^24.</exception>
    public int Classes
    {
        get => _classes;
        init
        {
            if (value < 1 || value > Dataset.MaxClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(Classes), value, $"The number of classes must be from 1 to {Dataset.MaxClasses} (2^24, so that every class index is exact in a float).");
            }

            _classes = value;
        }
    }
}

/// <summary>
/// Reads a CSV file of numbers into a <see cref="Dataset"/>: a header row of column names, then one sample per row;
/// one column is the label (chosen by name or by 0-based index), the others (or a chosen list) the features.
/// </summary>
/// <remarks>
/// <para>
/// Numbers are read culture-invariantly (<c>1.5</c>, <c>-2e-3</c>, <c>NaN</c>, <c>Infinity</c>), whatever the
/// machine's culture, as pandas' <c>read_csv</c> reads them, and rounded once to the nearest float. Fields may be
/// quoted (<c>"petal length"</c>, <c>"1.5"</c>, a quote inside written <c>""</c>); a quoted field cannot span lines.
/// Blank lines are skipped (as pandas does); header names are trimmed of spaces unless quoted. Every field of a
/// feature or label column must be a number: an empty field (a missing value) is an error, not NaN.
/// </para>
/// <para>
/// Problems in the file throw <see cref="InvalidDataException"/> naming the file, the line (1-based, as an editor
/// counts, blank lines included) and the column (its name and 0-based index): a field that is not a number, a row
/// with more or fewer fields than the header, a label that is not a class index, an empty file. A label or feature
/// column the header does not have throws <see cref="ArgumentException"/> listing the columns it has.
/// </para>
/// </remarks>
public static class Csv
{
    /// <summary>Loads a CSV file, the label column chosen by its name in the header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="label">The label column's name, as in the header (case-sensitive).</param>
    /// <param name="kind">A class index (the default) or a number to regress.</param>
    /// <param name="options">The delimiter, the feature columns and the number of classes; null for the defaults.</param>
    /// <returns>A data set of one sample per row: the features as the input, the label as a one-float target.</returns>
    /// <exception cref="ArgumentException">The header has no column <paramref name="label"/>, or the options name an unknown feature column.</exception>
    /// <exception cref="InvalidDataException">The file is empty, has no rows, or a row is ragged or holds a value that is not a number or not a class index.</exception>
    public static Dataset Load(string path, string label, LabelKind kind = LabelKind.Class, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(label);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, $"'{path}'", new LabelColumn(label, -1), kind, options ?? Defaults);
    }

    /// <summary>Loads a CSV file, the label column chosen by its 0-based index.</summary>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">The label column's 0-based index (the first column is 0).</param>
    /// <param name="kind">A class index (the default) or a number to regress.</param>
    /// <param name="options">The delimiter, the feature columns and the number of classes; null for the defaults.</param>
    /// <returns>A data set of one sample per row: the features as the input, the label as a one-float target.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelColumn"/> is negative.</exception>
    /// <exception cref="ArgumentException">The header has no column <paramref name="labelColumn"/>, or the options name an unknown feature column.</exception>
    /// <exception cref="InvalidDataException">The file is empty, has no rows, or a row is ragged or holds a value that is not a number or not a class index.</exception>
    public static Dataset Load(string path, int labelColumn, LabelKind kind = LabelKind.Class, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(labelColumn);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, $"'{path}'", new LabelColumn(null, labelColumn), kind, options ?? Defaults);
    }

    /// <summary>
    /// Reads CSV text from <paramref name="reader"/> to its end (the reader is left open), the label column chosen by
    /// name; <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <param name="reader">The text.</param>
    /// <param name="label">The label column's name, as in the header (case-sensitive).</param>
    /// <param name="kind">A class index (the default) or a number to regress.</param>
    /// <param name="options">The delimiter, the feature columns and the number of classes; null for the defaults.</param>
    /// <param name="name">What error messages call the source; "the CSV text" by default.</param>
    /// <exception cref="ArgumentException">The header has no column <paramref name="label"/>, or the options name an unknown feature column.</exception>
    /// <exception cref="InvalidDataException">The text is empty, has no rows, or a row is ragged or holds a value that is not a number or not a class index.</exception>
    public static Dataset Load(TextReader reader, string label, LabelKind kind = LabelKind.Class, CsvOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(label);
        return Read(reader, name ?? "the CSV text", new LabelColumn(label, -1), kind, options ?? Defaults);
    }

    /// <summary>
    /// Reads CSV text from <paramref name="reader"/> to its end (the reader is left open), the label column chosen by
    /// its 0-based index; <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <param name="reader">The text.</param>
    /// <param name="labelColumn">The label column's 0-based index.</param>
    /// <param name="kind">A class index (the default) or a number to regress.</param>
    /// <param name="options">The delimiter, the feature columns and the number of classes; null for the defaults.</param>
    /// <param name="name">What error messages call the source; "the CSV text" by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelColumn"/> is negative.</exception>
    /// <exception cref="ArgumentException">The header has no column <paramref name="labelColumn"/>, or the options name an unknown feature column.</exception>
    /// <exception cref="InvalidDataException">The text is empty, has no rows, or a row is ragged or holds a value that is not a number or not a class index.</exception>
    public static Dataset Load(TextReader reader, int labelColumn, LabelKind kind = LabelKind.Class, CsvOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(labelColumn);
        return Read(reader, name ?? "the CSV text", new LabelColumn(null, labelColumn), kind, options ?? Defaults);
    }

    private static readonly CsvOptions Defaults = new();

    private readonly record struct LabelColumn(string? Name, int Index);

    private static Dataset Read(TextReader reader, string name, LabelColumn label, LabelKind kind, CsvOptions options)
    {
        if (kind is not (LabelKind.Class or LabelKind.Regression))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A label is LabelKind.Class or LabelKind.Regression.");
        }

        if (options.Features is not null && options.FeatureColumns is not null)
        {
            throw new ArgumentException("Set CsvOptions.Features (names) or CsvOptions.FeatureColumns (indices), not both.", nameof(options));
        }

        char delimiter = options.Delimiter;
        var fields = new List<Field>();
        int lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));

        if (line is null)
        {
            throw new InvalidDataException($"{name} is empty: a CSV file needs a header row (the column names) and then one row of numbers per sample.");
        }

        int headerLine = lineNumber;
        Split(line, delimiter, fields, name, lineNumber);
        var columns = new string[fields.Count];
        for (int c = 0; c < columns.Length; c++)
        {
            Field f = fields[c];
            string text = f.Text(line);
            columns[c] = f.Quoted ? text : text.Trim();
        }

        int labelIndex = ResolveLabel(columns, label, name);
        int[] features = ResolveFeatures(columns, labelIndex, options, name);
        var role = new int[columns.Length];                  // -1 unused, -2 the label, else the feature's place
        Array.Fill(role, -1);
        role[labelIndex] = -2;
        for (int i = 0; i < features.Length; i++)
        {
            role[features[i]] = i;
        }

        int classes = options.Classes;
        var inputs = new float[Math.Max(features.Length, 1) * 256];
        var targets = new float[256];
        int count = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            Split(line, delimiter, fields, name, lineNumber);
            if (fields.Count != columns.Length)
            {
                throw new InvalidDataException(
                    $"{name} line {lineNumber} has {fields.Count} {Plural(fields.Count, "field")}, but the header (line {headerLine}) has {columns.Length} {Plural(columns.Length, "column")}; every row needs one field per column.");
            }

            if (count == targets.Length)
            {
                Array.Resize(ref targets, checked(targets.Length * 2));
                Array.Resize(ref inputs, checked(inputs.Length * 2));
            }

            int row = count * features.Length;
            for (int c = 0; c < columns.Length; c++)
            {
                int r = role[c];
                if (r == -1)
                {
                    continue;
                }

                ReadOnlySpan<char> text = fields[c].Span(line);
                if (r >= 0)
                {
                    inputs[row + r] = ParseFloat(text, name, lineNumber, columns, c);
                }
                else if (kind == LabelKind.Regression)
                {
                    targets[count] = ParseFloat(text, name, lineNumber, columns, c);
                }
                else
                {
                    targets[count] = ParseClass(text, classes, name, lineNumber, columns, c);
                }
            }

            count++;
        }

        if (count == 0)
        {
            throw new InvalidDataException($"{name} has a header (line {headerLine}) but no rows of data.");
        }

        Array.Resize(ref inputs, count * features.Length);
        Array.Resize(ref targets, count);
        return new Dataset(inputs, features.Length, targets, 1);
    }

    private static int ResolveLabel(string[] columns, LabelColumn label, string name)
    {
        if (label.Name is null)
        {
            if (label.Index >= columns.Length)
            {
                throw new ArgumentException(
                    $"{name} has {columns.Length} {Plural(columns.Length, "column")} ({List(columns)}), so there is no label column {label.Index}; columns are numbered from 0.",
                    "labelColumn");
            }

            return label.Index;
        }

        return Find(columns, label.Name, name, "label column", "label");
    }

    private static int[] ResolveFeatures(string[] columns, int labelIndex, CsvOptions options, string name)
    {
        int[] features;
        if (options.Features is { } names)
        {
            features = new int[names.Count];
            for (int i = 0; i < names.Count; i++)
            {
                features[i] = Find(columns, names[i] ?? throw new ArgumentException($"CsvOptions.Features[{i}] is null.", nameof(options)), name, "feature column", nameof(options));
            }
        }
        else if (options.FeatureColumns is { } indices)
        {
            features = new int[indices.Count];
            for (int i = 0; i < indices.Count; i++)
            {
                if (indices[i] < 0 || indices[i] >= columns.Length)
                {
                    throw new ArgumentException(
                        $"CsvOptions.FeatureColumns[{i}] is {indices[i]}, but {name} has {columns.Length} {Plural(columns.Length, "column")} ({List(columns)}), numbered from 0.",
                        nameof(options));
                }

                features[i] = indices[i];
            }
        }
        else
        {
            features = new int[columns.Length - 1];
            for (int c = 0, i = 0; c < columns.Length; c++)
            {
                if (c != labelIndex)
                {
                    features[i++] = c;
                }
            }
        }

        if (features.Length == 0)
        {
            throw new ArgumentException($"{name} leaves no feature columns: its only column is the label ({List(columns)}).", nameof(options));
        }

        var seen = new HashSet<int>();
        foreach (int c in features)
        {
            if (c == labelIndex)
            {
                throw new ArgumentException($"Column '{columns[c]}' (index {c}) of {name} is the label; it cannot be a feature too.", nameof(options));
            }

            if (!seen.Add(c))
            {
                throw new ArgumentException($"Column '{columns[c]}' (index {c}) of {name} is listed twice among the features.", nameof(options));
            }
        }

        return features;
    }

    private static int Find(string[] columns, string column, string name, string what, string paramName)
    {
        int found = -1;
        for (int c = 0; c < columns.Length; c++)
        {
            if (string.Equals(columns[c], column, StringComparison.Ordinal))
            {
                if (found >= 0)
                {
                    throw new ArgumentException($"{name} has two columns named '{column}' (indices {found} and {c}); choose the {what} by index.", paramName);
                }

                found = c;
            }
        }

        if (found < 0)
        {
            throw new ArgumentException($"{name} has no {what} '{column}'; its header has {List(columns)}.", paramName);
        }

        return found;
    }

    private static float ParseFloat(ReadOnlySpan<char> text, string name, int line, string[] columns, int column)
    {
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
        {
            return value;
        }

        throw NotANumber(text, name, line, columns, column);
    }

    private static float ParseClass(ReadOnlySpan<char> text, int classes, string name, int line, string[] columns, int column)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw NotANumber(text, name, line, columns, column);
        }

        if (value != Math.Floor(value) || value < 0 || value >= classes)
        {
            throw new InvalidDataException(
                $"{name} line {line}, column '{columns[column]}' (index {column}): the label {text.Trim().ToString()} is not a class index; {Dataset.ClassRange(classes)}.");
        }

        return (float)value;
    }

    private static InvalidDataException NotANumber(ReadOnlySpan<char> text, string name, int line, string[] columns, int column)
    {
        string where = $"{name} line {line}, column '{columns[column]}' (index {column})";
        return text.IsWhiteSpace()
            ? new InvalidDataException($"{where} is empty: a missing value; every feature and label must be a number.")
            : new InvalidDataException($"{where}: '{text.ToString()}' is not a number (numbers are read culture-invariantly: 1.5, -2e-3, NaN).");
    }

    private static string Plural(int n, string word) => n == 1 ? word : word + "s";

    private static string List(string[] columns)
    {
        var s = new StringBuilder();
        for (int c = 0; c < columns.Length && c < 20; c++)
        {
            s.Append(c == 0 ? "" : ", ").Append('\'').Append(columns[c]).Append('\'');
        }

        if (columns.Length > 20)
        {
            s.Append(", ... (").Append(columns.Length).Append(" in all)");
        }

        return s.ToString();
    }

    /// <summary>
    /// One field of a line: where its text is, and its unescaped text when it was quoted with doubled quotes inside.
    /// </summary>
    private readonly struct Field
    {
        private readonly int _start;
        private readonly int _length;
        private readonly string? _unescaped;

        public Field(int start, int length, bool quoted, string? unescaped)
        {
            _start = start;
            _length = length;
            Quoted = quoted;
            _unescaped = unescaped;
        }

        public bool Quoted { get; }

        public ReadOnlySpan<char> Span(string line) => _unescaped is null ? line.AsSpan(_start, _length) : _unescaped.AsSpan();

        public string Text(string line) => _unescaped ?? line.Substring(_start, _length);
    }

    /// <summary>Splits one line into fields; a field that starts with a quote ends at the matching quote.</summary>
    private static void Split(string line, char delimiter, List<Field> fields, string name, int lineNumber)
    {
        fields.Clear();
        int i = 0;
        while (true)
        {
            // Spaces before an opening quote are allowed ("a", "b"), as they are around numbers.
            int start = i;
            while (start < line.Length && line[start] == ' ')
            {
                start++;
            }

            if (start < line.Length && line[start] == '"')
            {
                int j = start + 1;
                StringBuilder? unescaped = null;
                int segment = j;
                while (true)
                {
                    int q = line.IndexOf('"', j);
                    if (q < 0)
                    {
                        throw new InvalidDataException(
                            $"{name} line {lineNumber}, field {fields.Count + 1}: a quoted field is not closed (it starts with '\"' but the line ends first; a field cannot span lines).");
                    }

                    if (q + 1 < line.Length && line[q + 1] == '"')
                    {
                        unescaped ??= new StringBuilder();
                        unescaped.Append(line, segment, q + 1 - segment);   // keeps one of the two quotes
                        j = q + 2;
                        segment = j;
                        continue;
                    }

                    string? text = unescaped?.Append(line, segment, q - segment).ToString();
                    fields.Add(new Field(start + 1, q - start - 1, quoted: true, text));
                    i = q + 1;
                    while (i < line.Length && line[i] == ' ')
                    {
                        i++;
                    }

                    break;
                }

                if (i == line.Length)
                {
                    return;
                }

                if (line[i] != delimiter)
                {
                    throw new InvalidDataException(
                        $"{name} line {lineNumber}, field {fields.Count}: '{line[i]}' after the closing quote; a quoted field ends at its quote, then a delimiter '{delimiter}' or the end of the line.");
                }

                i++;
                continue;
            }

            int end = line.IndexOf(delimiter, i);
            if (end < 0)
            {
                fields.Add(new Field(i, line.Length - i, quoted: false, null));
                return;
            }

            fields.Add(new Field(i, end - i, quoted: false, null));
            i = end + 1;
        }
    }
}
