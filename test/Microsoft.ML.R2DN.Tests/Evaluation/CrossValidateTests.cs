using Microsoft.ML.R2DN.Data;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Tests.Evaluation;

public sealed class CrossValidateTests
{
    private static IDataView Series(int rows, Func<int, float> value, Func<int, string>? series = null)
    {
        var builder = new ArrayDataView.Builder().AddColumn("Load", Enumerable.Range(0, rows).Select(value).ToArray());
        if (series is not null)
            builder.AddColumn("Series", Enumerable.Range(0, rows).Select(series).ToArray());
        return builder.Build();
    }

    [Fact]
    public void CrossValidate_RollingOrigin_TrainsOnGrowingPrefixesAndTestsNextBlock()
    {
        var ml = new MLContext();
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.RawMessage);
        var estimator = new DriftForecaster("Load", horizon: 2);
        var results = ml.Forecasting.CrossValidate(Series(12, t => 3 * t), estimator, numberOfFolds: 3,
                                                   labelColumnName: "Load", forecastColumnName: "Forecast");

        Assert.Equal(3, results.Count);
        Assert.Equal([3, 6, 9], estimator.TrainingRowCounts);
        Assert.Equal([0, 1, 2], results.Select(r => r.Fold));
        foreach (var result in results)
        {
            // Blocks of 3 test rows: 2 pairs at step 1, 1 at step 2.
            Assert.Equal(3, result.Metrics.Count);
            // The drift forecast is exact on a line once it has seen one earlier row: the first test row's forecast
            // is exact too, so the model ran over the training rows before the test block.
            Assert.Equal(0, result.Metrics.Mae);
            Assert.Equal((3.0 * 2 + 6) / 3, result.Metrics.SeasonalNaiveMae, 12);
            Assert.Equal(0, result.Metrics.Mase);
            Assert.Equal(3, DataViewReader.RowCount(result.ScoredHoldOutSet));
        }
        Assert.Equal([9f, 10, 11],
                     DataViewReader.ReadSingleColumn(results[2].ScoredHoldOutSet, "Load").Select(v => v / 3));
        Assert.Contains(messages, m => m.Contains("fold 1 of 3", StringComparison.Ordinal));
    }

    [Fact]
    public void CrossValidate_LastValueForecaster_MatchesSeasonalNaive()
    {
        var ml = new MLContext();
        var data = Series(20, t => MathF.Sin(t) * 10 + t);
        var results =
            ml.Forecasting.CrossValidate(data, new DriftForecaster("Load", horizon: 3, drift: false), numberOfFolds: 4,
                                                   labelColumnName: "Load", forecastColumnName: "Forecast",
                                                       seasonality: 1);
        Assert.Equal(4, results.Count);
        foreach (var result in results)
        {
            Assert.True(result.Metrics.Count > 0);
            Assert.Equal(result.Metrics.SeasonalNaiveMae, result.Metrics.Mae, 12);
            Assert.Equal(result.Metrics.SeasonalNaiveRmse, result.Metrics.Rmse, 12);
        }
    }

    [Fact]
    public void CrossValidate_PerSeries_CutsEachSeriesInProportion()
    {
        var ml = new MLContext();
        // Series a: 8 rows, b: 4 rows, interleaved at the start.
        string[] ids = ["a", "b", "a", "b", "a", "b", "a", "b", "a", "a", "a", "a"];
        var data = Series(ids.Length, t => t, t => ids[t]);
        var estimator = new DriftForecaster("Load", horizon: 1, drift: false);
        var results = ml.Forecasting.CrossValidate(data, estimator, numberOfFolds: 1, labelColumnName: "Load",
                                                   forecastColumnName: "Forecast", seriesIdColumnName: "Series");
        var result = Assert.Single(results);
        Assert.Equal([6], estimator.TrainingRowCounts);   // 4 rows of a, 2 of b
        // Test rows: a's last 4 (rows 8..11), b's last 2 (rows 5, 7): pairs within each block: 3 + 1.
        Assert.Equal(4, result.Metrics.Count);
        Assert.Equal([5f, 7, 8, 9, 10, 11], DataViewReader.ReadSingleColumn(result.ScoredHoldOutSet, "Load"));
    }

    [Fact]
    public void CrossValidate_BadArguments_ThrowBeforeTraining()
    {
        var ml = new MLContext();
        var estimator = new DriftForecaster("Load", horizon: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Forecasting.CrossValidate(Series(3, t => t), estimator, numberOfFolds: 3, labelColumnName: "Load"));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Forecasting.CrossValidate(Series(10, t => t), estimator, numberOfFolds: 0, labelColumnName: "Load"));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Forecasting.CrossValidate(Series(10, t => t), estimator, labelColumnName: "Nope"));
        Assert.Equal("Could not find label column 'Nope'", e.Message);
        Assert.Empty(estimator.TrainingRowCounts);
    }

    [Fact]
    public void CrossValidate_UnknownForecastColumn_ThrowsAfterTheFirstFit()
    {
        // The forecast column is only known from the fitted model's output, so the first fold is trained first.
        var estimator = new DriftForecaster("Load", horizon: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new MLContext().Forecasting.CrossValidate(Series(10, t => t), estimator, labelColumnName: "Load",
                                                      forecastColumnName: "Nope"));
        Assert.Equal("Could not find forecast column 'Nope'", e.Message);
        Assert.Equal([1], estimator.TrainingRowCounts);
    }

    [Fact]
    public void CrossValidate_EstimatorCancelled_ThrowsOperationCanceled()
    {
        var ml = new MLContext(seed: 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var estimator = ml.Forecasting.R2DN(new R2dnForecastingOptions
        {
            OutputColumnName = "Forecast", InputColumnName = "Load", Horizon = 1, Epochs = 1,
            CancellationToken = cts.Token,
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ml.Forecasting.CrossValidate(Series(60, t => MathF.Sin(t)), estimator, numberOfFolds: 2,
                                         labelColumnName: "Load"));
    }

    [Fact]
    public void CrossValidate_R2dnEstimator_OneResultPerFoldWithFiniteMetrics()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Forecasting.R2DN(new R2dnForecastingOptions
        {
            OutputColumnName = "Forecast", InputColumnName = "Load", Horizon = 2, Epochs = 2, StateSize = 4,
            NonlinearWidth = 4,
            HiddenSizes = [4], SegmentLength = 32,
        });
        var results = ml.Forecasting.CrossValidate(Series(90, t => MathF.Sin(t / 4f)), estimator, numberOfFolds: 2,
                                                   labelColumnName: "Load");
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.True(double.IsFinite(r.Metrics.Mae)));
        Assert.All(results, r => Assert.True(r.Model.GetForecaster().Certificate.IsVerified));
    }

    /// <summary>A stand-in forecaster: at row t it forecasts y_t + k (y_t - y_(t-1)) for k = 1 .. horizon (the drift
    /// method; with <c>drift: false</c>, the last value y_t). The difference at the first row of the view is 0, so
    /// forecasts at the start of a view depend on the rows before them.</summary>
    private sealed class DriftForecaster(string label, int horizon, bool drift = true) : IEstimator<ITransformer>
    {
        public List<int> TrainingRowCounts { get; } = [];

        public ITransformer Fit(IDataView input)
        {
            TrainingRowCounts.Add(DataViewReader.ReadSingleColumn(input, label).Length);
            return new Transformer(label, horizon, drift);
        }

        // SchemaShape.Column has no public constructor: take the forecast column's shape from an ML.NET estimator
        // that makes a Single vector of the same size.
        public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
            new MLContext().Transforms.Concatenate("Forecast",
                                                   Enumerable.Repeat(label,
                                                                     horizon).ToArray()).GetOutputSchema(inputSchema);

        private sealed class Transformer(string label, int horizon, bool drift) : ITransformer
        {
            public bool IsRowToRowMapper => false;

            public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

            void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();

            public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
            {
                SchemaErrors.FindColumn(inputSchema, label, NumberDataViewType.Single);
                var builder = new DataViewSchema.Builder();
                builder.AddColumns(inputSchema);
                builder.AddColumn("Forecast", new VectorDataViewType(NumberDataViewType.Single, horizon));
                return builder.ToSchema();
            }

            public IDataView Transform(IDataView input)
            {
                GetOutputSchema(input.Schema);
                return new ColumnAppendingDataView.Builder(input).AddColumn("Forecast", horizon, () =>
                {
                    var y = DataViewReader.ReadSingleColumn(input, label);
                    return y.Select((v, t) =>
                    {
                        float slope = drift && t > 0 ? v - y[t - 1] : 0;
                        return Enumerable.Range(1, horizon).Select(k => v + k * slope).ToArray();
                    }).ToArray();
                }).Build();
            }
        }
    }
}
