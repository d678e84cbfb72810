using System;
using System.Globalization;
using System.IO;
using System.Text;
using NetGen.Tests.Networks;
using Xunit;
using static NetGen.Tests.Training.TrainingTestData;

namespace NetGen.Tests.Data;

/// <summary><see cref="Csv"/>: files written by Python's csv module (<c>Data/files/make_files.py</c>) and bad inputs.</summary>
public sealed class CsvTests
{
    private static readonly float[] IrisInputs = { 5.1f, 3.5f, 1.4f, 4.9f, 3.0f, 1.4f, 7.0f, 3.2f, 4.7f, 6.3f, -0.33f, 6.0f };

    [Fact]
    public void Label_by_name_or_index_the_rest_as_features()
    {
        string path = DataFiles.Path("iris_small.csv");
        foreach (Dataset data in new[] { Csv.Load(path, "species"), Csv.Load(path, 3), Csv.Load(path, "species", LabelKind.Class, new CsvOptions { Classes = 3 }) })
        {
            Assert.Equal(4, data.Count);
            Assert.Equal(3, data.InputLength);
            Assert.Equal(1, data.TargetLength);
            Assert.Equal(Bits(IrisInputs), Bits(data.Inputs));
            Assert.Equal(new float[] { 0, 0, 1, 2 }, data.Targets.ToArray());
        }
    }

    [Fact]
    public void Chosen_feature_columns_in_the_order_given_quoted_names_included()
    {
        string path = DataFiles.Path("iris_small.csv");
        Dataset byName = Csv.Load(path, "species", options: new CsvOptions { Features = new[] { "petal,length", "sepal_length" } });
        Dataset byIndex = Csv.Load(path, 3, options: new CsvOptions { FeatureColumns = new[] { 2, 0 } });
        float[] expected = { 1.4f, 5.1f, 1.4f, 4.9f, 4.7f, 7.0f, 6.0f, 6.3f };
        Assert.Equal(expected, byName.Inputs.ToArray());
        Assert.Equal(expected, byIndex.Inputs.ToArray());
        Assert.Equal(2, byName.InputLength);

        // The label may be any column; here a feature of the file becomes the regression target.
        Dataset sepal = Csv.Load(path, "sepal width", LabelKind.Regression, new CsvOptions { Features = new[] { "sepal_length" } });
        Assert.Equal(Bits(new[] { 3.5f, 3.0f, 3.2f, -0.33f }), Bits(sepal.Targets));
        Assert.Equal(new[] { 5.1f, 4.9f, 7.0f, 6.3f }, sepal.Inputs.ToArray());
    }

    [Fact]
    public void Regression_targets_with_another_delimiter()
    {
        Dataset data = Csv.Load(DataFiles.Path("regression.csv"), "price", LabelKind.Regression, new CsvOptions { Delimiter = ';' });
        Assert.Equal(new[] { 3f, 72.5f, 1f, 30f }, data.Inputs.ToArray());
        Assert.Equal(new[] { 310000.25f, 99999.5f }, data.Targets.ToArray());

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Load(DataFiles.Path("regression.csv"), "price", options: new CsvOptions { Delimiter = ';' }));
        Assert.Equal($"'{DataFiles.Path("regression.csv")}' line 2, column 'price' (index 2): the label 310000.25 is not a class index; a label is a class index from 0 to 16777215 (2^24, the largest exact in a float).", e.Message);
    }

    [Fact]
    public void Numbers_are_read_culture_invariantly()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        var commaDecimal = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        commaDecimal.NumberFormat.NumberDecimalSeparator = ",";
        commaDecimal.NumberFormat.NumberGroupSeparator = ".";
        try
        {
            CultureInfo.CurrentCulture = commaDecimal;
            Assert.NotEqual(1.5f, float.Parse("1.5", NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.CurrentCulture));   // the culture bites: 15
            Dataset data = Csv.Load(DataFiles.Path("iris_small.csv"), "species");
            Assert.Equal(Bits(IrisInputs), Bits(data.Inputs));
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("a,label\n1,5;0\n"), "label", LabelKind.Regression));
            Assert.Equal("the CSV text line 2, column 'label' (index 1): '5;0' is not a number (numbers are read culture-invariantly: 1.5, -2e-3, NaN).", e.Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Ragged_rows_name_the_file_and_line()
    {
        string path = DataFiles.Path("ragged.csv");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label"));
        Assert.Equal($"'{path}' line 3 has 2 fields, but the header (line 1) has 3 columns; every row needs one field per column.", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("a,label\n1,0,\n"), "label"));
        Assert.Equal("the CSV text line 2 has 3 fields, but the header (line 1) has 2 columns; every row needs one field per column.", e.Message);
    }

    [Fact]
    public void A_value_that_is_not_a_number_names_line_and_column()
    {
        string path = DataFiles.Path("not_a_number.csv");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label"));
        Assert.Equal($"'{path}' line 4, column 'b' (index 1): 'x4' is not a number (numbers are read culture-invariantly: 1.5, -2e-3, NaN).", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("a,b,label\n1,,0\n"), "label", name: "mine.csv"));
        Assert.Equal("mine.csv line 2, column 'b' (index 1) is empty: a missing value; every feature and label must be a number.", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("a,label\n1,2.5\n"), "label"));
        Assert.Equal("the CSV text line 2, column 'label' (index 1): the label 2.5 is not a class index; a label is a class index from 0 to 16777215 (2^24, the largest exact in a float).", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Csv.Load(DataFiles.Path("iris_small.csv"), "species", options: new CsvOptions { Classes = 2 }));
        Assert.Equal($"'{DataFiles.Path("iris_small.csv")}' line 5, column 'species' (index 3): the label 2 is not a class index; a label is a class index from 0 to 1 (2 classes).", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("a,label\n-1,0\n1,-1\n"), "label"));
        Assert.Contains("line 3, column 'label' (index 1): the label -1 is not a class index", e.Message);
    }

    [Fact]
    public void Empty_files_and_files_without_rows()
    {
        string path = DataFiles.Path("empty.csv");
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label"));
        Assert.Equal($"'{path}' is empty: a CSV file needs a header row (the column names) and then one row of numbers per sample.", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("\n  \n"), 0));
        Assert.StartsWith("the CSV text is empty", e.Message);

        e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("\na,label\n\n"), "label"));
        Assert.Equal("the CSV text has a header (line 2) but no rows of data.", e.Message);
    }

    [Fact]
    public void Unknown_columns_are_argument_errors_listing_the_header()
    {
        string path = DataFiles.Path("iris_small.csv");
        ArgumentException e = Assert.Throws<ArgumentException>(() => Csv.Load(path, "kind"));
        Assert.Equal("label", e.ParamName);
        Assert.StartsWith($"'{path}' has no label column 'kind'; its header has 'sepal_length', 'sepal width', 'petal,length', 'species'.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(path, 4));
        Assert.Equal("labelColumn", e.ParamName);
        Assert.StartsWith($"'{path}' has 4 columns ('sepal_length', 'sepal width', 'petal,length', 'species'), so there is no label column 4; columns are numbered from 0.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(path, "species", options: new CsvOptions { Features = new[] { "sepal_length", "petal" } }));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith($"'{path}' has no feature column 'petal'; its header has", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(path, "species", options: new CsvOptions { FeatureColumns = new[] { 0, 7 } }));
        Assert.StartsWith($"CsvOptions.FeatureColumns[1] is 7, but '{path}' has 4 columns", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(path, "species", options: new CsvOptions { Features = new[] { "species" } }));
        Assert.StartsWith($"Column 'species' (index 3) of '{path}' is the label; it cannot be a feature too.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(path, "species", options: new CsvOptions { FeatureColumns = new[] { 1, 1 } }));
        Assert.StartsWith($"Column 'sepal width' (index 1) of '{path}' is listed twice among the features.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(path, "species", options: new CsvOptions { Features = new[] { "a" }, FeatureColumns = new[] { 1 } }));
        Assert.StartsWith("Set CsvOptions.Features (names) or CsvOptions.FeatureColumns (indices), not both.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(new StringReader("a,a,label\n1,2,0\n"), "label", options: new CsvOptions { Features = new[] { "a" } }));
        Assert.StartsWith("the CSV text has two columns named 'a' (indices 0 and 1); choose the feature column by index.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Csv.Load(new StringReader("label\n1\n"), "label"));
        Assert.StartsWith("the CSV text leaves no feature columns: its only column is the label ('label').", e.Message);

        Assert.Equal("labelColumn", Assert.Throws<ArgumentOutOfRangeException>(() => Csv.Load(path, -1)).ParamName);
        Assert.Equal("Delimiter", Assert.Throws<ArgumentOutOfRangeException>(() => new CsvOptions { Delimiter = '"' }).ParamName);
        Assert.Equal("Delimiter", Assert.Throws<ArgumentOutOfRangeException>(() => new CsvOptions { Delimiter = '.' }).ParamName);
        Assert.Equal("Classes", Assert.Throws<ArgumentOutOfRangeException>(() => new CsvOptions { Classes = 0 }).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentOutOfRangeException>(() => Csv.Load(path, 3, (LabelKind)7)).ParamName);
    }

    [Fact]
    public void Quotes_whitespace_line_endings_and_special_values()
    {
        const string text = "\"a \"\"b\"\"\" , c ,\"label\"\r\n \"1.5\" , 2e-3 ,\"1\"\r\n\r\n-0,NaN,0\r\n  +7 ,-Infinity, 2.0 \r\n";
        Dataset data = Csv.Load(new StringReader(text), "label", options: new CsvOptions { Features = new[] { "a \"b\"", "c" } });
        Assert.Equal(3, data.Count);
        Assert.Equal(Bits(new[] { 1.5f, 2e-3f, -0.0f, float.NaN, 7f, float.NegativeInfinity }), Bits(data.Inputs));
        Assert.Equal(new float[] { 1, 0, 2 }, data.Targets.ToArray());

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("\"a,label\n1,0\n"), "label"));
        Assert.Equal("the CSV text line 1, field 1: a quoted field is not closed (it starts with '\"' but the line ends first; a field cannot span lines).", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Csv.Load(new StringReader("a,label\n\"1\"x,0\n"), "label"));
        Assert.Equal("the CSV text line 2, field 1: 'x' after the closing quote; a quoted field ends at its quote, then a delimiter ',' or the end of the line.", e.Message);
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_and_tabs_delimit()
    {
        string path = Path.Combine(Path.GetTempPath(), $"netgen-csv-{Guid.NewGuid():N}.tsv");
        try
        {
            File.WriteAllText(path, "x\ty\tlabel\n0.25\t-1\t1\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            Dataset data = Csv.Load(path, "x", LabelKind.Regression, new CsvOptions { Delimiter = '\t' });
            Assert.Equal(new float[] { -1, 1 }, data.Inputs.ToArray());
            Assert.Equal(new[] { 0.25f }, data.Targets.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Training_on_a_csv_matches_training_on_the_same_arrays_bit_for_bit()
    {
        Dataset arrays = BnVectorLabels(48);
        var csv = new StringBuilder("f0,f1,f2,f3,f4,label\n");
        for (int s = 0; s < arrays.Count; s++)
        {
            foreach (float v in arrays.Input(s))
            {
                csv.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }

            csv.Append(arrays.Target(s)[0].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Dataset loaded = Csv.Load(new StringReader(csv.ToString()), "label", options: new CsvOptions { Classes = BnVector.OutputLength });
        Assert.Equal(Bits(arrays.Inputs), Bits(loaded.Inputs));

        Trainer<BnVector> a = BnVectorTrainer();
        Trainer<BnVector> b = BnVectorTrainer();
        a.Fit(arrays, epochs: 2, batchSize: 16);
        b.Fit(loaded, epochs: 2, batchSize: 16);
        Assert.Equal(Bits(a.Network.Parameters), Bits(b.Network.Parameters));
    }
}
