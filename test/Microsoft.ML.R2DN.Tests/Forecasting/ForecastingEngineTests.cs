using Microsoft.ML.R2DN.Forecasting;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>The time-series engine (<see cref="ForecastingEngine{TSrc, TDst}"/>): one observation at a time, equal to
/// the transform, on in-memory and loaded models, checkpoints.</summary>
public sealed partial class ForecastingEngineTests(SeasonalModelFixture fixture) : IClassFixture<SeasonalModelFixture>
{
    private const int Train = SeasonalModelFixture.TrainLength;

    private const float Tolerance = 1e-4f;

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1, Math.Abs(expected[i])),
                        $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Predict_EachObservationAfterTraining_EqualsTheTransformOfTheWholeHistory()
    {
        var view = fixture.Model.Transform(fixture.Data);
        var forecast = Column(fixture.Ml, view, "Forecast");
        var lower = Column(fixture.Ml, view, "Lower");
        var upper = Column(fixture.Ml, view, "Upper");
        var engine = fixture.Model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        for (int t = Train; t < fixture.Rows.Count; t++)
        {
            var p = engine.Predict(fixture.Rows[t]);
            Assert.Equal(forecast[t], p.Forecast);
            Assert.Equal(lower[t], p.Lower);
            Assert.Equal(upper[t], p.Upper);
        }
        Assert.Equal(forecast[^1], engine.Predict().Forecast);   // no update: the same forecast again
        Assert.Equal(forecast[^1], engine.Predict().Forecast);
    }

    [Fact]
    public void Predict_ShorterHorizonAndOtherLevel_FirstStepsOfEachTargetWithRecomputedBounds()
    {
        var model = fixture.MultiModel;   // horizon 4, targets Load and Load2
        var engine = model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var full = engine.Predict(fixture.MultiRows[0]);
        Assert.Equal(8, full.Forecast.Length);
        var two = engine.Predict(horizon: 2, confidenceLevel: 0.5f);
        Assert.Equal(new[] { full.Forecast[0], full.Forecast[1], full.Forecast[4], full.Forecast[5] }, two.Forecast);
        var widths = model.GetIntervalHalfWidths(0.5f);
        // Steps 1 and 2 of each target: entries 0, 1 and 4, 5 of the full horizon's widths.
        float[] kept = [widths[0], widths[1], widths[4], widths[5]];
        Assert.Equal(two.Forecast.Zip(kept, (f, w) => f - w).ToArray(), two.Lower);
        Assert.Equal(two.Forecast.Zip(kept, (f, w) => f + w).ToArray(), two.Upper);
    }

    [Fact]
    public void Predict_BadArguments_ThrowWithoutUpdatingTheState()
    {
        var engine = fixture.Model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var first = engine.Predict(fixture.Rows[Train]);
        Assert.Throws<ArgumentOutOfRangeException>("horizon",
                                                   () => engine.Predict(fixture.Rows[Train + 1], horizon: 7));
        Assert.Throws<ArgumentOutOfRangeException>("horizon", () => engine.Predict(horizon: 0));
        Assert.Throws<ArgumentOutOfRangeException>("confidenceLevel",
            () => engine.Predict(fixture.Rows[Train + 1], confidenceLevel: 1.5f));
        var bad = new LoadRow { Load = float.NaN, Temperature = 0 };
        var e = Assert.Throws<ArgumentException>("example", () => engine.Predict(bad));
        Assert.Contains("'Load'", e.Message);
        Assert.Equal(first.Forecast, engine.Predict().Forecast);

        var forecast = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast");
        Assert.Equal(forecast[Train + 1], engine.Predict(fixture.Rows[Train + 1]).Forecast);
    }

    [Fact]
    public void CheckPoint_ThenLoad_ContinuesFromTheSavedState()
    {
        var engine = fixture.Model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        for (int t = Train; t < Train + 60; t++) engine.Predict(fixture.Rows[t]);
        using var stream = new MemoryStream();
        engine.CheckPoint(fixture.Ml, stream);
        var loaded = fixture.Ml.Model.Load(new MemoryStream(stream.ToArray()), out var schema);
        Assert.NotNull(schema.GetColumnOrNull("Temperature"));
        var resumed = loaded.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        Assert.Equal(engine.Predict().Forecast, resumed.Predict().Forecast);
        for (int t = Train + 60; t < Train + 80; t++)
            Assert.Equal(engine.Predict(fixture.Rows[t]).Forecast, resumed.Predict(fixture.Rows[t]).Forecast);

        // The transformer the engine came from is unchanged: a new engine starts from the end of training.
        var training = Column(fixture.Ml, fixture.Model.Transform(fixture.TrainData), "Forecast");
        var fresh = fixture.Model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        Assert.Equal(training[^1], fresh.Predict().Forecast);
        // Its transform does not depend on the saved state, nor does that of the recovered forecaster.
        Assert.Equal(Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast"),
                     Column(fixture.Ml, loaded.Transform(fixture.Data), "Forecast"));
        Assert.Equal(Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast"),
                     Column(fixture.Ml, loaded.GetForecaster().Transform(fixture.Data), "Forecast"));
        Assert.True(loaded.GetForecaster().Certificate.IsVerified);
        // The recovered forecaster starts its engines from the checkpoint too.
        var fromModel = loaded.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var fromForecaster = loaded.GetForecaster().CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        Assert.Equal(fromModel.Predict().Forecast, fromForecaster.Predict().Forecast);
    }

    [Fact]
    public void LoadedModel_Engine_EqualsTheInMemoryEngine()
    {
        using var stream = new MemoryStream();
        fixture.Ml.Model.Save(fixture.Model, fixture.Data.Schema, stream);
        var loaded = new MLContext(seed: 4).Model.Load(new MemoryStream(stream.ToArray()), out _);
        var engine = fixture.Model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var fromFile = loaded.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        Assert.Equal(engine.Predict().Forecast, fromFile.Predict().Forecast);
        for (int t = Train; t < Train + 30; t++)
        {
            var a = engine.Predict(fixture.Rows[t]);
            var b = fromFile.Predict(fixture.Rows[t]);
            Assert.Equal(a.Forecast, b.Forecast);
            Assert.Equal(a.Lower, b.Lower);
            Assert.Equal(a.Upper, b.Upper);
        }
    }

    [Fact]
    public void CheckPoint_Twice_SecondCheckpointContinuesFromTheFirst()
    {
        var engine = fixture.Model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        for (int t = Train; t < Train + 20; t++) engine.Predict(fixture.Rows[t]);
        using var first = new MemoryStream();
        engine.CheckPoint(fixture.Ml, first);
        var resumed = fixture.Ml.Model.Load(new MemoryStream(first.ToArray()), out _)
                                      .CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        for (int t = Train + 20; t < Train + 30; t++) resumed.Predict(fixture.Rows[t]);
        using var second = new MemoryStream();
        resumed.CheckPoint(fixture.Ml, second);
        var again = fixture.Ml.Model.Load(new MemoryStream(second.ToArray()), out _)
                                    .CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        for (int t = Train + 20; t < Train + 30; t++) engine.Predict(fixture.Rows[t]);
        Assert.Equal(engine.Predict().Forecast, again.Predict().Forecast);
        var next = fixture.Rows[Train + 30];
        Assert.Equal(engine.Predict(next).Forecast, again.Predict(next).Forecast);
    }

    [Fact]
    public void CheckPoint_ToFile_Loads()
    {
        using var dir = new Data.TempDirectory();
        string path = Path.Combine(dir.Path, "checkpoint.zip");
        var engine = fixture.MultiModel.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        int from = 3 * SeasonalModelFixture.MultiTrainLength;
        for (int t = from; t < from + 30; t++) engine.Predict(fixture.MultiRows[t]);
        engine.CheckPoint(fixture.Ml, path);
        var resumed = fixture.Ml.Model.Load(path, out _).CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        Assert.Equal(engine.Predict().Forecast, resumed.Predict().Forecast);   // the series of the last observation
        for (int t = from + 30; t < from + 45; t++)
            Assert.Equal(engine.Predict(fixture.MultiRows[t]).Forecast, resumed.Predict(fixture.MultiRows[t]).Forecast);
    }

    [Fact]
    public void Predict_InterleavedSeries_OneStatePerSeries()
    {
        var forecast = Column(fixture.Ml, fixture.MultiModel.Transform(fixture.MultiData), "Forecast");
        var engine = fixture.MultiModel.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        for (int t = 3 * SeasonalModelFixture.MultiTrainLength; t < fixture.MultiRows.Count; t++)
            Assert.Equal(forecast[t], engine.Predict(fixture.MultiRows[t]).Forecast);
    }

    private sealed class RawRow
    {
        public float RawLoad { get; set; }
        public float Temperature { get; set; }
    }

    private sealed class ScaledRow
    {
        public float Load { get; set; }
    }

    // A row-wise ML.NET transformer (not saveable: no contract name): Load = RawLoad / 10.
    private static ITransformer Scale(MLContext ml, IDataView data) =>
        ml.Transforms.CustomMapping<RawRow, ScaledRow>((input, output) => output.Load = 0.1f * input.RawLoad,
                                                       contractName: null).Fit(data);

    [Fact]
    public void Predict_ChainEndingWithTheForecaster_AppliesTheEarlierTransformersToEachObservation()
    {
        var ml = new MLContext(seed: 8);
        var raw = fixture.Rows.Select(r => new RawRow { RawLoad = 10 * r.Load, Temperature = r.Temperature }).ToList();
        var data = ml.Data.LoadFromEnumerable(raw);
        var scale = Scale(ml, data);
        var options = SmallR2dn(horizon: 3);
        options.FeatureColumnNames = ["Temperature"];
        options.Epochs = 5;
        var forecaster = ml.Forecasting.R2DN(options).Fit(scale.Transform(ml.Data.LoadFromEnumerable(raw.Take(Train))));
        var chain = new TransformerChain<ITransformer>([scale, forecaster]);
        var forecast = Column(ml, chain.Transform(data), "Forecast");
        var engine = chain.CreateTimeSeriesEngine<RawRow, LoadForecast>(ml);
        for (int t = Train; t < Train + 40; t++)
            AssertClose(forecast[t], engine.Predict(raw[t]).Forecast);
    }

    [Fact]
    public void CheckPoint_FittedPipelineWithNormalisation_ContinuesAfterLoading()
    {
        var ml = new MLContext(seed: 9);
        var raw = fixture.Rows.Select(r => new RawRow { RawLoad = 100 + 10 * r.Load, Temperature = r.Temperature })
                              .ToList();
        var data = ml.Data.LoadFromEnumerable(raw);
        var options = SmallR2dn(horizon: 3);
        options.FeatureColumnNames = ["Temperature"];
        options.Epochs = 5;
        var pipeline = ml.Transforms.NormalizeMeanVariance("Load", "RawLoad").Append(ml.Forecasting.R2DN(options));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(raw.Take(Train)));
        var forecast = Column(ml, model.Transform(data), "Forecast");
        var engine = model.CreateTimeSeriesEngine<RawRow, LoadForecast>(ml);
        for (int t = Train; t < Train + 30; t++)
            AssertClose(forecast[t], engine.Predict(raw[t]).Forecast);

        using var stream = new MemoryStream();
        engine.CheckPoint(ml, stream);
        var resumed = ml.Model.Load(new MemoryStream(stream.ToArray()), out var schema)
                              .CreateTimeSeriesEngine<RawRow, LoadForecast>(ml);
        Assert.NotNull(schema.GetColumnOrNull("RawLoad"));
        for (int t = Train + 30; t < Train + 40; t++)
            Assert.Equal(engine.Predict(raw[t]).Forecast, resumed.Predict(raw[t]).Forecast);
    }

    private sealed class NoForecast
    {
        public float[] Prediction { get; set; } = [];
    }

    private sealed class OnlyLoad
    {
        public float Load { get; set; }
    }

    [Fact]
    public void CreateTimeSeriesEngine_WrongTypes_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => fixture.Model.CreateTimeSeriesEngine<LoadRow, NoForecast>(fixture.Ml));
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => fixture.Model.CreateTimeSeriesEngine<OnlyLoad, LoadForecast>(fixture.Ml));
        Assert.Equal("Could not find feature column 'Temperature'", e.Message);
        var copy = fixture.Ml.Transforms.CopyColumns("L", "Load").Fit(fixture.Data);
        Assert.Throws<ArgumentException>("model", () => copy.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml));
        // The forecaster must be last: a transformer after it would not see the engine's forecasts.
        var after = new TransformerChain<ITransformer>([fixture.Model, copy]);
        Assert.Throws<ArgumentException>("model",
                                         () => after.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml));
    }

    [Fact]
    public void Predict_LevelWithoutBoundColumns_NotSupported()
    {
        var ml = new MLContext(seed: 1);
        var options = SmallR2dn(horizon: 2);
        options.Epochs = 2;
        var model = ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(Seasonal(60)));
        var engine = model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(ml);
        engine.Predict(fixture.Rows[0]);
        Assert.Empty(engine.Predict().Lower);   // no bound columns: left as constructed
        Assert.Throws<NotSupportedException>(() => engine.Predict(confidenceLevel: 0.9f));
        Assert.Equal(2, model.GetIntervalHalfWidths(0.9f).Count);   // the intervals are still available
    }
}
