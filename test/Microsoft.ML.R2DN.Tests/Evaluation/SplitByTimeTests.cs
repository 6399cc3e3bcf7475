using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Evaluation;

public sealed class SplitByTimeTests
{
    private static IDataView Data(int rows, Func<int, string>? series = null)
    {
        var builder = new ArrayDataView.Builder()
            .AddColumn("Value", Enumerable.Range(0, rows).Select(i => (float)i).ToArray());
        if (series is not null)
            builder.AddColumn("Series", Enumerable.Range(0, rows).Select(series).ToArray());
        return builder.Build();
    }

    [Fact]
    public void SplitByTime_OneSeries_LastFractionIsTestAndOrderKept()
    {
        var ml = new MLContext();
        var (train, test) = ml.Forecasting.SplitByTime(Data(10), testFraction: 0.2);
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7], DataViewReader.ReadSingleColumn(train, "Value"));
        Assert.Equal([8f, 9], DataViewReader.ReadSingleColumn(test, "Value"));
        Assert.Equal(8, train.GetRowCount());
        Assert.Equal(2, test.GetRowCount());
        Assert.Equal("Value: Single", test.Schema.Single().ToString());
    }

    [Fact]
    public void SplitByTime_TrainTestDataRecord_HasTrainSetAndTestSet()
    {
        var split = new MLContext().Forecasting.SplitByTime(Data(3), testFraction: 0.01);
        Assert.Equal([0f, 1], DataViewReader.ReadSingleColumn(split.TrainSet, "Value"));
        Assert.Equal([2f], DataViewReader.ReadSingleColumn(split.TestSet, "Value"));   // at least one test row
    }

    [Fact]
    public void SplitByTime_PerSeries_LastRowsOfEachSeries()
    {
        var ml = new MLContext();
        // Series a: rows 0, 2, 4, 6, 8, 10 (6 rows); series b: rows 1, 3, ..., 11 and 12, 13 (8 rows).
        var data = Data(14, i => i < 12 && i % 2 == 0 ? "a" : "b");
        var (train, test) = ml.Forecasting.SplitByTime(data, testFraction: 0.25, seriesIdColumnName: "Series");
        Assert.Null(test.GetRowCount());   // unknown until the series column has been read
        // a: round(1.5) = 2 test rows (8, 10); b: 2 test rows (12, 13).
        Assert.Equal([8f, 10, 12, 13], DataViewReader.ReadSingleColumn(test, "Value"));
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7, 9, 11], DataViewReader.ReadSingleColumn(train, "Value"));
        Assert.Equal(4, DataViewReader.RowCount(test));
        Assert.Equal(4, test.GetRowCount());
    }

    private sealed class Row
    {
        public float Value { get; set; }
        public string Series { get; set; } = "";
    }

    [Fact]
    public void SplitByTime_MlNetViewWithKeyOrNumericSeries_SameSplit()
    {
        var ml = new MLContext();
        var rows = Enumerable.Range(0, 14)
                             .Select(i => new Row { Value = i, Series = i < 12 && i % 2 == 0 ? "a" : "b" }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        data = ml.Transforms.Conversion.MapValueToKey("Key", "Series").Fit(data).Transform(data);
        foreach (var id in new[] { "Series", "Key" })
        {
            var (train, test) = ml.Forecasting.SplitByTime(data, testFraction: 0.25, seriesIdColumnName: id);
            Assert.Equal([8f, 10, 12, 13], DataViewReader.ReadSingleColumn(test, "Value"));
            Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7, 9, 11], DataViewReader.ReadSingleColumn(train, "Value"));
            // ML.NET reads the views too.
            Assert.Equal([8f, 10, 12, 13],
                         ml.Data.CreateEnumerable<Row>(test, reuseRowObject: false).Select(r => r.Value));
        }
    }

    [Fact]
    public void SplitByTime_BadArguments_Throw()
    {
        var ml = new MLContext();
        var data = Data(5);
        foreach (double fraction in new[] { 0, 1, -0.1, 1.5, double.NaN })
            Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.SplitByTime(data, fraction));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.SplitByTime(data, 0.2, "Series"));
        Assert.Equal("Could not find series id column 'Series'", e.Message);
        Assert.Throws<ArgumentNullException>(() => ml.Forecasting.SplitByTime(null!));
    }
}
