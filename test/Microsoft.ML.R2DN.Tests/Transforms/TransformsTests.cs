using Microsoft.ML.R2DN.Data;
using Microsoft.ML.R2DN.Transforms;

namespace Microsoft.ML.R2DN.Tests.Transforms;

public sealed class TransformsTests
{
    private const float NaN = float.NaN;

    private static IDataView Data(float[] load, string[]? names = null, float[][]? features = null)
    {
        var builder = new ArrayDataView.Builder().AddColumn("Load", load);
        builder.AddColumn("Name", names ?? load.Select((_, i) => $"n{i}").ToArray());
        if (features is not null)
            builder.AddColumn("Features", features, features[0].Length);
        return builder.Build();
    }

    private static float[] Column(IDataView view, string name) => DataViewReader.ReadSingleColumn(view, name);

    private static float[][] Vectors(IDataView view, string name) => DataViewReader.ReadVectorColumn(view, name);

    [Fact]
    public void CopyColumns_AnyType_CopiesValuesAndAppendsColumns()
    {
        var ml = new MLContext();
        var data = Data([1, 2, 3]);
        var output = ml.Transforms.CopyColumns("Copy", "Load")
            .Append(ml.Transforms.CopyColumns(new InputOutputColumnPair("Label", "Name"), new InputOutputColumnPair("Load2", "Load")))
            .Fit(data).Transform(data);
        Assert.Equal(["Load: Single", "Name: String", "Copy: Single", "Label: String", "Load2: Single"],
                     output.Schema.Select(c => c.ToString()));
        Assert.Equal([1f, 2f, 3f], Column(output, "Copy"));
        Assert.Equal(["n0", "n1", "n2"], DataViewReader.ReadTextColumn(output, "Label"));
    }

    [Fact]
    public void CopyColumns_MissingInput_ThrowsSchemaMessage()
    {
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.CopyColumns("Copy", "Nope").Fit(Data([1])));
        Assert.Equal("Could not find input column 'Nope'", e.Message);
        Assert.Throws<ArgumentException>(() => ml.Transforms.CopyColumns("", "Load"));
    }

    [Fact]
    public void Concatenate_SingleAndVector_JoinsInOrder()
    {
        var ml = new MLContext();
        var data = Data([1, 2], features: [[10, 11], [20, 21]]);
        var estimator = ml.Transforms.Concatenate("All", "Features", "Load", "Features");
        Assert.Equal("All: Vector<Single, 5>", estimator.GetOutputSchema(data.Schema)["All"].ToString());
        var output = estimator.Fit(data).Transform(data);
        Assert.Equal([[10f, 11f, 1f, 10f, 11f], [20f, 21f, 2f, 20f, 21f]], Vectors(output, "All"));
    }

    [Fact]
    public void Concatenate_TextColumn_ThrowsSchemaMismatch()
    {
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Concatenate("All", "Load", "Name").Fit(Data([1])));
        Assert.Equal("Schema mismatch for input column 'Name': expected Single or Vector<Single>, got String", e.Message);
        Assert.Throws<ArgumentException>(() => ml.Transforms.Concatenate("All"));
    }

    [Fact]
    public void NormalizeMeanVariance_LearnsPopulationMeanAndStd_SkippingNaN()
    {
        var ml = new MLContext();
        var data = Data([1, 2, NaN, 3, 4]);
        var model = ml.Transforms.NormalizeMeanVariance("Load").Fit(data);
        var column = Assert.Single(model.Columns);
        Assert.Equal(2.5, column.Offset[0], 12);
        Assert.Equal(1 / Math.Sqrt(1.25), column.Scale[0], 12);
        var output = model.Transform(data);
        Assert.Equal(["Load: Single (hidden)", "Name: String", "Load: Single"], output.Schema.Select(c => c.ToString()));
        Assert.Equal(2, output.Schema["Load"].Index);
        var expected = new[] { 1.0, 2, double.NaN, 3, 4 }.Select(x => (float)((x - 2.5) / Math.Sqrt(1.25))).ToArray();
        Assert.Equal(expected, Column(output, "Load"));
    }

    [Fact]
    public void NormalizeMeanVariance_FixZero_ScalesByRootMeanSquare()
    {
        var ml = new MLContext();
        var data = Data([1, 3]);
        var output = ml.Transforms.NormalizeMeanVariance("Scaled", "Load", fixZero: true).Fit(data).Transform(data);
        // mean 2, variance 1: scale 1 / sqrt(1 + 4).
        Assert.Equal([(float)(1 / Math.Sqrt(5)), (float)(3 / Math.Sqrt(5))], Column(output, "Scaled"));
    }

    [Fact]
    public void NormalizeMeanVariance_VectorAndPairs_PerSlotAndConstantSlotToZero()
    {
        var ml = new MLContext();
        var data = Data([1, 3], features: [[5, 0], [5, 2]]);
        var model = ml.Transforms.NormalizeMeanVariance([new InputOutputColumnPair("F", "Features"), new InputOutputColumnPair("L", "Load")])
                                 .Fit(data);
        var output = model.Transform(data);
        Assert.Equal([[0f, -1f], [0f, 1f]], Vectors(output, "F"));
        Assert.Equal([-1f, 1f], Column(output, "L"));
        Assert.Equal([0.0, 1.0], model.Columns[0].Offset);
        Assert.Equal([0.0, 1.0], model.Columns[0].Scale);
    }

    [Fact]
    public void NormalizeMeanVariance_WrongTypes_ThrowSchemaMessages()
    {
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.NormalizeMeanVariance("Name").Fit(Data([1])));
        Assert.Equal("Schema mismatch for input column 'Name': expected Single or Vector<Single, n>, got String", e.Message);

        var model = ml.Transforms.NormalizeMeanVariance("N", "Features").Fit(Data([1, 2], features: [[1, 2], [3, 4]]));
        var other = Data([1], features: [[1, 2, 3]]);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
        Assert.Equal("Schema mismatch for input column 'Features': expected Vector<Single, 2>, got Vector<Single, 3>", e.Message);
    }

    [Fact]
    public void ReplaceMissingValues_ForwardFill_PreviousValueAndLeadingTakesFirstValid()
    {
        var ml = new MLContext();
        var data = Data([NaN, 1, NaN, NaN, 4, NaN]);
        var output = ml.Transforms.ReplaceMissingValues("Load").Fit(data).Transform(data);
        Assert.Equal([1f, 1f, 1f, 1f, 4f, 4f], Column(output, "Load"));
    }

    [Fact]
    public void ReplaceMissingValues_LinearInterpolation_BetweenNeighboursEndsNearest()
    {
        var ml = new MLContext();
        var data = Data([NaN, 1, NaN, NaN, 4, NaN]);
        var output = ml.Transforms.ReplaceMissingValues("Filled", "Load", MissingValueReplacementMode.LinearInterpolation)
                       .Fit(data).Transform(data);
        Assert.Equal([1f, 1f, 2f, 3f, 4f, 4f], Column(output, "Filled"));
        Assert.Equal(4, Column(output, "Load").Count(float.IsNaN));   // the input column is kept as it was
    }

    [Fact]
    public void ReplaceMissingValues_ConstantModes_UseTrainingStatistics()
    {
        var ml = new MLContext();
        var train = Data([1, NaN, 2, 6]);
        var test = Data([NaN, 5]);
        float Fill(MissingValueReplacementMode mode) =>
            Column(ml.Transforms.ReplaceMissingValues("Load", mode: mode).Fit(train).Transform(test), "Load")[0];
        Assert.Equal(3f, Fill(MissingValueReplacementMode.Mean));
        Assert.Equal(1f, Fill(MissingValueReplacementMode.Minimum));
        Assert.Equal(6f, Fill(MissingValueReplacementMode.Maximum));
        Assert.Equal(0f, Fill(MissingValueReplacementMode.DefaultValue));
        Assert.Equal(5f, Column(ml.Transforms.ReplaceMissingValues("Load", mode: MissingValueReplacementMode.Mean).Fit(train).Transform(test), "Load")[1]);
    }

    [Fact]
    public void ReplaceMissingValues_PerSeries_NeverCrossesSeries()
    {
        var ml = new MLContext();
        // Interleaved series a and b: a = [NaN, 2, NaN, 6], b = [10, NaN, NaN, 40].
        var data = new ArrayDataView.Builder()
            .AddColumn("Load", [NaN, 10, 2, NaN, NaN, NaN, 6, 40])
            .AddColumn("Series", ["a", "b", "a", "b", "a", "b", "a", "b"])
            .Build();
        var interpolated = ml.Transforms.ReplaceMissingValues("Load", mode: MissingValueReplacementMode.LinearInterpolation,
                                                              seriesIdColumnName: "Series").Fit(data).Transform(data);
        Assert.Equal([2f, 10f, 2f, 20f, 4f, 30f, 6f, 40f], Column(interpolated, "Load"));
        var filled = ml.Transforms.ReplaceMissingValues("Load", seriesIdColumnName: "Series").Fit(data).Transform(data);
        Assert.Equal([2f, 10f, 2f, 10f, 2f, 10f, 6f, 40f], Column(filled, "Load"));
        var single = ml.Transforms.ReplaceMissingValues("Load").Fit(data).Transform(data);
        Assert.Equal([10f, 10f, 2f, 2f, 2f, 2f, 6f, 40f], Column(single, "Load"));
    }

    [Fact]
    public void ReplaceMissingValues_NumericSeriesIdAndAllMissingSeries_FallsBackToTrainingMean()
    {
        var ml = new MLContext();
        var data = new ArrayDataView.Builder()
            .AddColumn("Load", [1, NaN, 3, NaN])
            .AddColumn("Series", [1, 2, 1, 2])
            .AddColumn("FloatSeries", [1.5f, 2.5f, 1.5f, 2.5f])
            .Build();
        foreach (var id in new[] { "Series", "FloatSeries" })
        {
            var output = ml.Transforms.ReplaceMissingValues("Load", mode: MissingValueReplacementMode.LinearInterpolation,
                                                            seriesIdColumnName: id).Fit(data).Transform(data);
            Assert.Equal([1f, 2f, 3f, 2f], Column(output, "Load"));
        }
    }

    [Fact]
    public void ReplaceMissingValues_Vector_FillsEachSlotAlongRows()
    {
        var ml = new MLContext();
        var data = Data([1, 2, 3], features: [[NaN, 1], [2, NaN], [NaN, NaN]]);
        var output = ml.Transforms.ReplaceMissingValues("Features").Fit(data).Transform(data);
        Assert.Equal([[2f, 1f], [2f, 1f], [2f, 1f]], Vectors(output, "Features"));
        var mean = ml.Transforms.ReplaceMissingValues([new InputOutputColumnPair("M", "Features")], MissingValueReplacementMode.Mean)
                     .Fit(data).Transform(data);
        Assert.Equal([[2f, 1f], [2f, 1f], [2f, 1f]], Vectors(mean, "M"));
    }

    [Fact]
    public void ReplaceMissingValues_BadColumns_ThrowSchemaMessages()
    {
        var ml = new MLContext();
        var data = Data([1, NaN], features: [[1], [2]]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.ReplaceMissingValues("Load", seriesIdColumnName: "Features").Fit(data));
        Assert.Equal("Schema mismatch for series id column 'Features': expected String, got Vector<Single, 1>", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.ReplaceMissingValues("Load", seriesIdColumnName: "Id").Fit(data));
        Assert.Equal("Could not find series id column 'Id'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ReplaceMissingValues("X", "Name").Fit(data));
        Assert.Equal("Schema mismatch for input column 'Name': expected Single or Vector<Single, n>, got String", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ReplaceMissingValues("Load", mode: (MissingValueReplacementMode)99));
    }

    [Fact]
    public void Transform_IsLazy_ReadsNothingUntilACursorMoves()
    {
        var ml = new MLContext();
        var train = Data([1, NaN, 3]);
        var model = ml.Transforms.NormalizeMeanVariance("Load")
            .Append(ml.Transforms.ReplaceMissingValues("Load", mode: MissingValueReplacementMode.LinearInterpolation))
            .Append(ml.Transforms.Concatenate("V", "Load"))
            .Fit(train);
        var counting = new CountingDataView(train);
        var output = model.Transform(counting);
        Assert.Equal(0, counting.Cursors);
        Assert.Equal([[-1f], [0f], [1f]], Vectors(output, "V"));
        Assert.True(counting.Cursors > 0);
    }

    [Fact]
    public void DropAndSelectColumns_KeepExpectedColumnsAndValues()
    {
        var ml = new MLContext();
        var data = Data([1, 2], features: [[1, 2], [3, 4]]);
        var withHidden = ml.Transforms.CopyColumns("Load", "Features").Fit(data).Transform(data);
        var dropped = ml.Transforms.DropColumns("Load").Fit(withHidden).Transform(withHidden);
        Assert.Equal(["Name: String", "Features: Vector<Single, 2>"], dropped.Schema.Select(c => c.ToString()));
        var selected = ml.Transforms.SelectColumns("Features", "Load").Fit(withHidden).Transform(withHidden);
        Assert.Equal(["Features: Vector<Single, 2>", "Load: Vector<Single, 2>"], selected.Schema.Select(c => c.ToString()));
        Assert.Equal([[1f, 2f], [3f, 4f]], Vectors(selected, "Load"));
        Assert.Equal(2, selected.GetRowCount());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SelectColumns("Nope").Fit(data));
        Assert.Equal("Could not find column 'Nope'", e.Message);
        Assert.Throws<ArgumentException>(() => ml.Transforms.SelectColumns("Load", "Load"));
    }

    [Fact]
    public void SaveAndLoad_ChainOfTransforms_GivesIdenticalOutputs()
    {
        var ml = new MLContext(seed: 1);
        var train = new ArrayDataView.Builder()
            .AddColumn("Load", [3.1f, NaN, 4.7f, 1.2f, NaN, 9.9f])
            .AddColumn("Temperature", [20.5f, 21, 19.25f, 18, 17.5f, 16])
            .AddColumn("Series", ["a", "a", "a", "b", "b", "b"])
            .Build();
        var test = new ArrayDataView.Builder()
            .AddColumn("Load", [NaN, 2.5f, NaN, 7.25f, NaN])
            .AddColumn("Temperature", [22f, NaN, 18, 17, 30])
            .AddColumn("Series", ["x", "x", "y", "y", "y"])
            .Build();
        var model = ml.Transforms.NormalizeMeanVariance([new InputOutputColumnPair("Load"), new InputOutputColumnPair("Temp", "Temperature")])
            .Append(ml.Transforms.ReplaceMissingValues("Load", mode: MissingValueReplacementMode.LinearInterpolation, seriesIdColumnName: "Series"))
            .Append(ml.Transforms.ReplaceMissingValues("Temp", mode: MissingValueReplacementMode.Mean))
            .Append(ml.Transforms.CopyColumns("Label", "Load"))
            .Append(ml.Transforms.Concatenate("Features", "Temp", "Load"))
            .Append(ml.Transforms.DropColumns("Temperature"))
            .Fit(train);

        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out var schema);

        Assert.Equal(train.Schema.Select(c => c.ToString()), schema.Select(c => c.ToString()));
        var expected = model.Transform(test);
        var actual = loaded.Transform(test);
        Assert.Equal(expected.Schema.Select(c => c.ToString()), actual.Schema.Select(c => c.ToString()));
        Assert.Equal(loaded.GetOutputSchema(test.Schema).Select(c => c.ToString()), actual.Schema.Select(c => c.ToString()));
        foreach (var name in new[] { "Load", "Label", "Temp" })
            Assert.Equal(Column(expected, name), Column(actual, name));
        Assert.Equal(Vectors(expected, "Features"), Vectors(actual, "Features"));
        Assert.DoesNotContain(Column(actual, "Label"), float.IsNaN);
    }

    [Fact]
    public void SaveAndLoad_SelectColumnsAndFixZero_RoundTrip()
    {
        var ml = new MLContext();
        var data = Data([1, 2, 4], features: [[1, 0], [2, 1], [3, 5]]);
        var model = ml.Transforms.NormalizeMeanVariance("Features", fixZero: true)
            .Append(ml.Transforms.SelectColumns("Features", "Load"))
            .Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);
        var actual = loaded.Transform(data);
        Assert.Equal(["Features: Vector<Single, 2>", "Load: Single"], actual.Schema.Select(c => c.ToString()));
        Assert.Equal(Vectors(model.Transform(data), "Features"), Vectors(actual, "Features"));
    }

    /// <summary>Counts the cursors opened on a view.</summary>
    private sealed class CountingDataView(IDataView inner) : IDataView
    {
        public int Cursors { get; private set; }

        public DataViewSchema Schema => inner.Schema;

        public bool CanShuffle => false;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            Cursors++;
            return inner.GetRowCursor(columnsNeeded, rand);
        }
    }
}
