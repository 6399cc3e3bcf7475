using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.ModelFiles;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Issue 20: an engine created from a fitted or loaded model continues from the end of training, as ML.NET's
/// do: its first <c>Predict()</c> is, bit for bit, the forecast that <c>Transform</c> writes on the last training row
/// of the series.</summary>
public sealed partial class ForecastingEngineTests
{
    [Fact]
    public void Predict_RightAfterFit_IsBitForBitTheTransformOnTheLastTrainingRow()
    {
        var view = fixture.Model.Transform(fixture.TrainData);
        var engine = fixture.Model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var first = engine.Predict();
        Assert.Equal(Column(fixture.Ml, view, "Forecast")[^1], first.Forecast);
        Assert.Equal(Column(fixture.Ml, view, "Lower")[^1], first.Lower);
        Assert.Equal(Column(fixture.Ml, view, "Upper")[^1], first.Upper);
        Assert.Equal("", engine.CurrentSeries);
        Assert.Equal([""], engine.Series);
    }

    public static TheoryData<string, bool> IdColumns => new()
    {
        { "Store", false }, { "StoreNumber", false }, { "StoreCode", false }, { "StoreKey", false },
        { "Store", true }, { "StoreNumber", true }, { "StoreKey", true },
    };

    // Three interleaved series, the id as text, Int32, Int64 or a key (MapValueToKey before the forecaster), with the
    // R2DN or the REN: every series' first forecast is the one Transform writes on its last training row, and Predict()
    // without a series forecasts after the view's last row.
    [Theory]
    [MemberData(nameof(IdColumns))]
    public void PredictSeries_EveryTrainedSeries_IsBitForBitTheTransformOnItsLastTrainingRow(string idColumn, bool ren)
    {
        var ml = new MLContext(seed: 21);
        var rows = Seasonal(90, seriesCount: 3, interleave: true);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = FitSeries(ml, data, idColumn, ren);
        var forecast = Column(ml, model.Transform(data), "Forecast");
        var engine = model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(ml);

        Assert.Equal(forecast[^1], engine.Predict().Forecast);
        Assert.Equal(Id(rows[^1], idColumn), engine.CurrentSeries);
        Assert.Equal(3, engine.Series.Count);
        for (int s = 0; s < 3; s++)
        {
            int last = rows.Count - 3 + s;
            var p = engine.PredictSeries(Id(rows[last], idColumn));
            Assert.Equal(forecast[last], p.Forecast);
            Assert.Equal(Id(rows[last], idColumn), engine.CurrentSeries);
        }
    }

    private static ITransformer FitSeries(MLContext ml, IDataView data, string idColumn, bool ren)
    {
        RecurrentForecastingOptions options = ren
            ? new RenForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Load", Horizon = 3, StateSize = 8, NonlinearWidth = 8,
                Epochs = 3, LearningRate = 1e-2, Robustness = Engine.Models.Robustness.Contracting, Seed = 5,
            }
            : SmallR2dn(horizon: 3);
        options.Epochs = 3;
        options.FeatureColumnNames = ["Temperature"];
        options.SeriesIdColumnName = idColumn;
        IEstimator<ITransformer> forecaster = ren
            ? ml.Forecasting.REN((RenForecastingOptions)options)
            : ml.Forecasting.R2DN((R2dnForecastingOptions)options);
        return idColumn == "StoreKey"
            ? ml.Transforms.Conversion.MapValueToKey("StoreKey", "Store").Append(forecaster).Fit(data)
            : forecaster.Fit(data);
    }

    // The series id as the model reads it: a key by its value's text.
    private static string Id(LoadRow row, string idColumn) => idColumn switch
    {
        "StoreNumber" => row.StoreNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "StoreCode" => row.StoreCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => row.Store,
    };

    [Fact]
    public void PredictSeries_SeriesTheModelNeverSaw_StartsFromAnEmptyHistory()
    {
        var engine = fixture.MultiModel.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var e = Assert.Throws<InvalidOperationException>(() => engine.PredictSeries("store-Z"));
        Assert.Equal("The engine has seen no observation of series 'store-Z' yet: call Predict(example) with its " +
                     "latest observation first.", e.Message);
        Assert.Throws<ArgumentNullException>("seriesId", () => engine.PredictSeries(null!));

        var unseen = Seasonal(20, seed: 7).Select(r => { r.Store = "store-Z"; return r; }).ToList();
        var unseenView = fixture.Ml.Data.LoadFromEnumerable(unseen);
        var expected = Column(fixture.Ml, fixture.MultiModel.Transform(unseenView), "Forecast");
        for (int t = 0; t < unseen.Count; t++)
            Assert.Equal(expected[t], engine.Predict(unseen[t]).Forecast);
        Assert.Equal(4, engine.Series.Count);
        Assert.Equal(expected[^1], engine.PredictSeries("store-Z").Forecast);
    }

    [Fact]
    public void Predict_ModelTrainedWithoutEndStates_StartsEverySeriesFromAnEmptyHistory()
    {
        var ml = new MLContext(seed: 3);
        var options = SmallR2dn();
        options.FeatureColumnNames = ["Temperature"];
        options.Epochs = 5;
        options.KeepEndStates = false;
        var model = ml.Forecasting.R2DN(options).Fit(fixture.TrainData);
        var engine = model.CreateTimeSeriesEngine<LoadRow, LoadForecast>(ml);
        var e = Assert.Throws<InvalidOperationException>(() => engine.Predict());
        Assert.Contains("no observation", e.Message);
        Assert.Empty(engine.Series);
        Assert.Null(engine.CurrentSeries);
        var forecast = Column(ml, model.Transform(fixture.Data), "Forecast");
        for (int t = 0; t < 50; t++)
            Assert.Equal(forecast[t], engine.Predict(fixture.Rows[t]).Forecast);
        Assert.DoesNotContain("engineState", TransformerArchive.Describe(model).Manifest.ToJsonString());
    }

    [Fact]
    public void Predict_AfterSaveAndLoad_StillStartsFromTheEndOfTraining()
    {
        using var stream = new MemoryStream();
        fixture.Ml.Model.Save(fixture.MultiModel, fixture.MultiData.Schema, stream);
        var ml = new MLContext(seed: 5);
        var loaded = ml.Model.Load(new MemoryStream(stream.ToArray()), out _);
        var training = Column(ml, fixture.MultiModel.Transform(fixture.MultiTrainData), "Forecast");
        var engine = loaded.CreateTimeSeriesEngine<LoadRow, LoadForecast>(ml);
        Assert.Equal(training[^1], engine.Predict().Forecast);
        Assert.Equal("store-C", engine.CurrentSeries);
        Assert.Equal(training[^3], engine.PredictSeries("store-A").Forecast);
        Assert.Equal(training[^3], engine.Predict().Forecast);
    }

    [Fact]
    public void Observe_ManyRowsAtOnce_EqualsPredictingThemOneByOne()
    {
        var oneByOne = fixture.MultiModel.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var batch = fixture.MultiModel.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var after = fixture.MultiRows.Skip(3 * SeasonalModelFixture.MultiTrainLength).Take(30).ToList();
        foreach (var row in after) oneByOne.Predict(row);
        batch.Observe(fixture.Ml.Data.LoadFromEnumerable(after));
        Assert.Equal(oneByOne.CurrentSeries, batch.CurrentSeries);
        foreach (var id in new[] { "store-A", "store-B", "store-C" })
            Assert.Equal(oneByOne.PredictSeries(id).Forecast, batch.PredictSeries(id).Forecast);
    }

    [Fact]
    public void Observe_BadRow_ThrowsAndChangesNoState()
    {
        var engine = fixture.MultiModel.CreateTimeSeriesEngine<LoadRow, LoadForecast>(fixture.Ml);
        var before = engine.PredictSeries("store-A").Forecast;
        var rows = fixture.MultiRows.Skip(3 * SeasonalModelFixture.MultiTrainLength).Take(12).ToList();
        rows[9] = new LoadRow { Store = "store-A", Load = float.NaN, Load2 = 1, Temperature = 0 };
        var view = fixture.Ml.Data.LoadFromEnumerable(rows);
        var e = Assert.Throws<InvalidOperationException>(() => engine.Observe(view));
        Assert.Contains("'Load'", e.Message);
        Assert.Contains("row 9", e.Message);
        Assert.Equal(before, engine.PredictSeries("store-A").Forecast);
        Assert.Equal(3, engine.Series.Count);
        Assert.Throws<ArgumentNullException>("observations", () => engine.Observe(null!));
    }
}
