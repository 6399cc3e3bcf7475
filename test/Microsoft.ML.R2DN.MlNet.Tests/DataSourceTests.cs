using Microsoft.Data.Analysis;
using Microsoft.Data.Sqlite;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.MlNet.Tests;

/// <summary>Issue 9, item 3: the estimators take any real IDataView (text files, enumerables, DataFrame, a database),
/// numeric columns of every supported type, and series ids as text, keys or integers; wrong or missing columns give
/// ML.NET-worded errors. Each source is checked against the same values loaded another way: with one seed, the same
/// numbers must give bit-identical forecasts whatever the column type or the source. (The seed is given in the options:
/// a seed drawn from the MLContext depends on which ML.NET components were created before, and the sources differ in
/// that.)</summary>
public sealed class DataSourceTests
{
    private sealed class EnumerableRow
    {
        public string Series { get; set; } = "";
        public double Drive { get; set; }
        public long Output { get; set; }
    }

    private sealed class DbRow
    {
        public string Series { get; set; } = "";
        public long SeriesNumber { get; set; }
        public float Drive { get; set; }
        public double Output { get; set; }
    }

    private const int Seed = 11;

    private static float[][] FitAndForecast(MLContext ml, IDataView data, R2dnForecastingOptions options)
    {
        options.Seed = Seed;
        return [.. TestData.Forecasts(ml, ml.Forecasting.R2DN(options).Fit(data).Transform(data))
            .Select(r => r.Forecast.Concat(r.Lower!).Concat(r.Upper!).ToArray())];
    }

    private static void AssertBitIdentical(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].Select(BitConverter.SingleToUInt32Bits)
                                   .SequenceEqual(actual[i].Select(BitConverter.SingleToUInt32Bits)),
                        $"row {i}: [{string.Join(", ", expected[i])}] vs [{string.Join(", ", actual[i])}]");
    }

    // The integer-valued columns (OutputCenti, DriveMilli) read from one CSV as Single, Double, Int32 and Int64: the
    // same numbers, so the same forecasts, bit for bit.
    [Theory]
    [InlineData(DataKind.Double, DataKind.Single)]
    [InlineData(DataKind.Int32, DataKind.Int64)]
    [InlineData(DataKind.Int64, DataKind.Double)]
    public void LoadFromTextFile_accepts_single_double_int32_and_int64_targets_and_features(DataKind target,
                                                                                            DataKind feature)
    {
        using var folder = new TempFolder();
        string csv = folder.File("system.csv");
        TestData.WriteCsv(csv, TestData.Rows());
        var options = TestData.R2dn(target: "OutputCenti", features: ["DriveMilli"], horizon: 3);

        IDataView Load(MLContext ml, DataKind t, DataKind f) => ml.Data.LoadFromTextFile(csv,
        [
            new TextLoader.Column("Series", DataKind.String, 0),
            new TextLoader.Column("DriveMilli", f, 5),
            new TextLoader.Column("OutputCenti", t, 6),
        ], separatorChar: ',', hasHeader: true);

        var ml1 = new MLContext(seed: 1);
        var reference = Load(ml1, DataKind.Single, DataKind.Single);
        Assert.Equal(NumberDataViewType.Single, reference.Schema["OutputCenti"].Type);
        var expected = FitAndForecast(ml1, reference, options);
        Assert.Equal(TestData.Length * TestData.SeriesCount, expected.Length);
        Assert.All(expected, r => Assert.True(r.Length == 9 && r.All(float.IsFinite)));

        var ml2 = new MLContext(seed: 1);
        var typed = Load(ml2, target, feature);
        Assert.Equal(target.ToString(), typed.Schema["OutputCenti"].Type.ToString());
        Assert.Equal(feature.ToString(), typed.Schema["DriveMilli"].Type.ToString());
        AssertBitIdentical(expected, FitAndForecast(ml2, typed, options));
    }

    [Fact]
    public void LoadFromEnumerable_double_and_int64_columns_give_the_forecasts_of_the_same_values_as_single()
    {
        var rows = TestData.Rows();
        var ml1 = new MLContext(seed: 1);
        var asSingle = ml1.Data.LoadFromEnumerable(rows);
        var options = TestData.R2dn(target: "OutputCenti", features: ["Drive"], horizon: 3);
        var expected = FitAndForecast(ml1, asSingle, options);

        var ml2 = new MLContext(seed: 1);
        var centi = rows.Select(r => new EnumerableRow { Series = r.Series, Drive = r.Drive, Output = r.OutputCenti });
        var other = ml2.Data.LoadFromEnumerable(centi.ToList());
        Assert.Equal(NumberDataViewType.Double, other.Schema["Drive"].Type);
        Assert.Equal(NumberDataViewType.Int64, other.Schema["Output"].Type);
        var otherOptions = TestData.R2dn(target: "Output", features: ["Drive"], horizon: 3);
        AssertBitIdentical(expected, FitAndForecast(ml2, other, otherOptions));
    }

    [Fact]
    public void A_DataFrame_is_an_IDataView_the_estimators_train_on_and_score()
    {
        var rows = TestData.Rows();
        var ml1 = new MLContext(seed: 1);
        var expected = FitAndForecast(ml1, ml1.Data.LoadFromEnumerable(rows), TestData.R2dn());

        var frame = new DataFrame(
            new StringDataFrameColumn("Series", rows.Select(r => r.Series)),
            new PrimitiveDataFrameColumn<double>("Drive", rows.Select(r => (double)r.Drive)),
            new PrimitiveDataFrameColumn<float>("Output", rows.Select(r => r.Output)));
        IDataView view = frame;
        Assert.Equal(TextDataViewType.Instance, view.Schema["Series"].Type);
        Assert.Equal(NumberDataViewType.Double, view.Schema["Drive"].Type);
        var ml2 = new MLContext(seed: 1);
        AssertBitIdentical(expected, FitAndForecast(ml2, view, TestData.R2dn()));
    }

    [Fact]
    public void DatabaseLoader_over_SQLite_feeds_the_estimator()
    {
        var rows = TestData.Rows();
        using var folder = new TempFolder();
        string connection =
            new SqliteConnectionStringBuilder { DataSource = folder.File("system.db"), Pooling = false }.ToString();
        using (var db = new SqliteConnection(connection))
        {
            db.Open();
            using var transaction = db.BeginTransaction();
            using (var create = db.CreateCommand())
            {
                create.CommandText = "CREATE TABLE system (Id INTEGER PRIMARY KEY, Series TEXT, " +
                                     "SeriesNumber INTEGER, Drive REAL, Output REAL)";
                create.ExecuteNonQuery();
            }
            using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO system (Id, Series, SeriesNumber, Drive, Output) " +
                                 "VALUES ($id, $series, $number, $drive, $output)";
            var p = new[]
            {
                ("$id", SqliteType.Integer), ("$series", SqliteType.Text), ("$number", SqliteType.Integer),
                ("$drive", SqliteType.Real), ("$output", SqliteType.Real),
            }.Select(n => insert.Parameters.Add(n.Item1, n.Item2)).ToArray();
            for (int i = 0; i < rows.Count; i++)
            {
                p[0].Value = i; p[1].Value = rows[i].Series; p[2].Value = rows[i].SeriesNumber;
                p[3].Value = (double)rows[i].Drive; p[4].Value = (double)rows[i].Output;
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }

        var ml1 = new MLContext(seed: 1);
        var expected = FitAndForecast(ml1, ml1.Data.LoadFromEnumerable(rows), TestData.R2dn(seriesId: "SeriesNumber"));

        var ml2 = new MLContext(seed: 1);
        var loader = ml2.Data.CreateDatabaseLoader<DbRow>();
        var source = new DatabaseSource(SqliteFactory.Instance, connection,
                                        "SELECT Series, SeriesNumber, Drive, Output FROM system ORDER BY Id");
        IDataView view = loader.Load(source);
        Assert.Equal(NumberDataViewType.Int64, view.Schema["SeriesNumber"].Type);
        Assert.Equal(NumberDataViewType.Double, view.Schema["Output"].Type);
        AssertBitIdentical(expected, FitAndForecast(ml2, view, TestData.R2dn(seriesId: "SeriesNumber")));
    }

    // Text ids, key ids (MapValueToKey, as ML.NET users make them) and Int32 ids split the rows into the same series:
    // the same forecasts.
    [Fact]
    public void Series_ids_as_text_key_and_integer_give_the_same_forecasts()
    {
        var rows = TestData.Rows();
        float[][] Run(Func<MLContext, IEstimator<ITransformer>?> before, string seriesId)
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var ours = ml.Forecasting.R2DN(TestData.R2dn(seriesId: seriesId, seed: Seed));
            var model = before(ml) is { } b ? (ITransformer)b.Append(ours).Fit(data) : ours.Fit(data);
            var forecasts = TestData.Forecasts(ml, model.Transform(data));
            return [.. forecasts.Select(r => r.Forecast.Concat(r.Lower!).Concat(r.Upper!).ToArray())];
        }

        var text = Run(_ => null, "Series");
        var key = Run(ml => ml.Transforms.Conversion.MapValueToKey("SeriesKey", "Series"), "SeriesKey");
        var integer = Run(_ => null, "SeriesNumber");
        AssertBitIdentical(text, key);
        AssertBitIdentical(text, integer);

        // Two series really are two: the rows of the second series do not continue the first one's state.
        var one = Run(_ => null, null!);
        Assert.NotEqual(TestData.Bits(text.Select(f => new ForecastRow { Forecast = f })),
                        TestData.Bits(one.Select(f => new ForecastRow { Forecast = f })));
    }

    [Fact]
    public void A_text_column_as_target_or_feature_gives_the_schema_mismatch_message()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());

        var target = Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.Forecasting.R2DN(TestData.R2dn(target: "Series", seriesId: null)).Fit(data));
        Assert.StartsWith("Schema mismatch for input column 'Series': expected Single, got String", target.Message);

        var feature = Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.Forecasting.R2DN(TestData.R2dn(features: ["Series"], seriesId: null)).Fit(data));
        Assert.StartsWith("Schema mismatch for feature column 'Series': expected Single, got String", feature.Message);

        var textInput = ml.Forecasting.SimulateR2DN(outputColumnNames: ["Output"], inputColumnNames: ["Series"],
                                                    epochs: 1);
        var simulator = Assert.Throws<ArgumentOutOfRangeException>(() => textInput.Fit(data));
        Assert.Contains("Schema mismatch for", simulator.Message);
        Assert.Contains("'Series': expected Single, got String", simulator.Message);

        // The same check before fitting, through ML.NET's pipeline shape propagation.
        var pipeline = ml.Transforms.NormalizeMeanVariance("Drive")
                         .Append(ml.Forecasting.R2DN(TestData.R2dn(target: "Series", seriesId: null)));
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.GetOutputSchema(Shapes.Of(data)));
        Assert.StartsWith("Schema mismatch for input column 'Series': expected Single, got String", shape.Message);

        // And at scoring time, when the data has the right name with the wrong type.
        var model = ml.Forecasting.R2DN(TestData.R2dn(seriesId: null, epochs: 1)).Fit(data);
        var wrong = ml.Transforms.Conversion.ConvertType("Output", "Series", DataKind.String).Fit(data).Transform(data);
        var transform = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(wrong));
        Assert.StartsWith("Schema mismatch for input column 'Output': expected Single, got String", transform.Message);
    }

    [Fact]
    public void A_missing_column_is_named()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        ArgumentOutOfRangeException Fails(R2dnForecastingOptions options) =>
            Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.R2DN(options).Fit(data));
        var target = Fails(TestData.R2dn(target: "Load"));
        Assert.StartsWith("Could not find input column 'Load'", target.Message);
        var feature = Fails(TestData.R2dn(features: ["Temperature"]));
        Assert.StartsWith("Could not find feature column 'Temperature'", feature.Message);
        var series = Fails(TestData.R2dn(seriesId: "Unit"));
        Assert.StartsWith("Could not find series id column 'Unit'", series.Message);

        var model = ml.Forecasting.R2DN(TestData.R2dn(seriesId: null, epochs: 1)).Fit(data);
        var without = ml.Transforms.DropColumns("Drive").Fit(data).Transform(data);
        var transform = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(without));
        Assert.StartsWith("Could not find feature column 'Drive'", transform.Message);
    }
}
