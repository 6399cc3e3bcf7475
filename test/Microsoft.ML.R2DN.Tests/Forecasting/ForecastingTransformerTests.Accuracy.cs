using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;
using Xunit.Abstractions;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>What a trained forecaster's transform produces: accuracy against a naive forecast, several series, several
/// targets, features, interval coverage.</summary>
public sealed partial class ForecastingTransformerTests(SeasonalModelFixture fixture, ITestOutputHelper output)
    : IClassFixture<SeasonalModelFixture>
{
    [Fact]
    public void Transform_SeasonalSeriesWithFeature_BeatsNaiveForecast()
    {
        var forecasts = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast");
        Assert.Equal(fixture.Rows.Count, forecasts.Length);
        Assert.All(forecasts, f => Assert.Equal(6, f.Length));
        var (model, naive) = Errors(forecasts, fixture.Rows.Select(r => r.Load).ToList(), 6, 50, fixture.Rows.Count);
        output.WriteLine($"MAE model {model:0.000}, naive {naive:0.000}");
        Assert.True(model < 0.5 * naive, $"model {model}, naive {naive}");
    }

    [Fact]
    public void Transform_Always_AddsVectorColumnsOfHorizonTimesTargets()
    {
        var schema = fixture.MultiModel.GetOutputSchema(fixture.MultiData.Schema);
        var type = Assert.IsType<VectorDataViewType>(schema["Forecast"].Type);
        Assert.Equal(8, type.Size);   // horizon 4 × 2 targets
        Assert.Equal(type, schema["Lower"].Type);
        Assert.Equal(type, schema["Upper"].Type);
        var view = fixture.MultiModel.Transform(fixture.MultiData);
        Assert.Equal(schema.Select(c => (c.Name, c.Type.ToString())),
                     view.Schema.Select(c => (c.Name, c.Type.ToString())));
        Assert.Equal(fixture.MultiRows.Count, Column(fixture.Ml, view, "Forecast").Length);
    }

    [Fact]
    public void Transform_InterleavedSeries_EachForecastFromItsOwnSeries()
    {
        var all = Column(fixture.Ml, fixture.MultiModel.Transform(fixture.MultiData), "Forecast");
        for (int s = 0; s < 3; s++)
        {
            string store = "store-" + (char)('A' + s);
            var alone = fixture.MultiRows.Where(r => r.Store == store).ToList();
            var own =
                Column(fixture.Ml, fixture.MultiModel.Transform(fixture.Ml.Data.LoadFromEnumerable(alone)), "Forecast");
            var rowsOfSeries =
                Enumerable.Range(0, fixture.MultiRows.Count).Where(i => fixture.MultiRows[i].Store == store).ToList();
            for (int t = 0; t < alone.Count; t++)
                Assert.Equal(own[t], all[rowsOfSeries[t]]);

            // Both targets, laid out target-major (4 steps of Load, then 4 of Load2), beat the naive forecast.
            var load =
                Errors(own.Select(f => f[..4]).ToArray(), alone.Select(r => r.Load).ToList(), 4, 30, alone.Count);
            var load2 =
                Errors(own.Select(f => f[4..]).ToArray(), alone.Select(r => r.Load2).ToList(), 4, 30, alone.Count);
            output.WriteLine($"{store}: Load {load.Model:0.000} vs {load.Naive:0.000}, Load2 {load2.Model:0.000} vs " +
                             $"{load2.Naive:0.000}");
            Assert.True(load.Model < 0.6 * load.Naive, $"{store} Load: {load}");
            Assert.True(load2.Model < 0.6 * load2.Naive, $"{store} Load2: {load2}");
        }
    }

    [Fact]
    public void Fit_SeriesIdAsTextKeyOrNumber_SameModel()
    {
        var rows = Seasonal(120, seriesCount: 2, interleave: true);
        var results = new List<float[][]>();
        foreach (var id in new[] { "Store", "StoreKey", "StoreNumber", "StoreCode", "StoreSingle", "StoreDouble" })
        {
            var ml = new MLContext(seed: 5);
            IDataView data = ml.Data.LoadFromEnumerable(rows);
            data = ml.Transforms.Conversion.MapValueToKey("StoreKey", "Store").Fit(data).Transform(data);
            var options = SmallR2dn(horizon: 3);
            options.SeriesIdColumnName = id;
            options.Epochs = 3;
            var model = ml.Forecasting.R2DN(options).Fit(data);
            results.Add(Column(ml, model.Transform(data), "Forecast"));

            // The saved model keeps the id column's type (and a key's text values).
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            var loaded = ml.Model.Load(new MemoryStream(stream.ToArray()), out _);
            Assert.Equal(results[^1], Column(ml, loaded.Transform(data), "Forecast"));
        }
        Assert.All(results, r => Assert.Equal(results[0], r));
    }

    [Fact]
    public void Fit_TargetDrivenByFeature_FeatureMakesTheForecastAccurate()
    {
        var ml = new MLContext(seed: 2);
        var rows = DrivenByFeature(500);
        var data = ml.Data.LoadFromEnumerable(rows);
        double StepOneError(string[]? features)
        {
            var options = SmallR2dn(horizon: 1);
            options.FeatureColumnNames = features;
            var forecasts = Column(ml, ml.Forecasting.R2DN(options).Fit(data).Transform(data), "Forecast");
            return Errors(forecasts, rows.Select(r => r.Load).ToList(), 1, 20, rows.Count).Model;
        }
        double with = StepOneError(["Noise"]), without = StepOneError(null);
        output.WriteLine($"step-1 MAE with the feature {with:0.000}, without {without:0.000}");
        Assert.True(with < 0.3 * without, $"with {with}, without {without}");
    }

    [Fact]
    public void Transform_HeldOutRows_IntervalsCoverNearTheLevel()
    {
        var ml = new MLContext(seed: 4);
        var rows = Seasonal(1000, seed: 9);
        var options = SmallR2dn(horizon: 4);
        options.FeatureColumnNames = ["Temperature"];
        options.ConfidenceLowerBoundColumn = "Lower";
        options.ConfidenceUpperBoundColumn = "Upper";
        options.CalibrationFraction = 0.25;
        var model = ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(rows[..700]));
        var view = model.Transform(ml.Data.LoadFromEnumerable(rows));   // the state runs on into the held-out rows
        var lower = Column(ml, view, "Lower");
        var upper = Column(ml, view, "Upper");
        int inside = 0, total = 0;
        for (int t = 700; t < rows.Count - 4; t++)
            for (int k = 0; k < 4; k++, total++)
                if (rows[t + 1 + k].Load >= lower[t][k] && rows[t + 1 + k].Load <= upper[t][k]) inside++;
        double coverage = (double)inside / total;
        output.WriteLine($"coverage {coverage:0.000} at level 0.95");
        Assert.InRange(coverage, 0.8, 1.0);
    }

    [Fact]
    public void GetIntervalHalfWidths_AnyLevel_FromStoredResiduals()
    {
        var model = fixture.Model;
        var atTraining = model.GetIntervalHalfWidths();
        Assert.Equal(6, atTraining.Count);
        // The residuals kept by the layer give exactly the engine's own half-widths at the training level.
        Assert.Equal(model.Core.Forecaster.HalfWidths, atTraining);
        Assert.Equal(atTraining, model.GetIntervalHalfWidths(0.95f));
        var narrow = model.GetIntervalHalfWidths(0.5f);
        Assert.All(Enumerable.Range(0, 6), k => Assert.True(narrow[k] <= atTraining[k]));
        Assert.Contains(Enumerable.Range(0, 6), k => narrow[k] < atTraining[k]);
        Assert.Throws<ArgumentOutOfRangeException>("confidenceLevel", () => model.GetIntervalHalfWidths(1f));
    }

    [Fact]
    public void Transform_Bounds_AreForecastPlusMinusHalfWidths()
    {
        var view = fixture.Model.Transform(fixture.Data);
        var forecast = Column(fixture.Ml, view, "Forecast");
        var lower = Column(fixture.Ml, view, "Lower");
        var upper = Column(fixture.Ml, view, "Upper");
        var widths = fixture.Model.GetIntervalHalfWidths();
        for (int t = 0; t < forecast.Length; t += 37)
            for (int k = 0; k < 6; k++)
            {
                Assert.Equal(forecast[t][k] - widths[k], lower[t][k]);
                Assert.Equal(forecast[t][k] + widths[k], upper[t][k]);
            }
    }

    [Fact]
    public void Fit_Ren_TrainsACertifiedRenForecaster()
    {
        var ml = new MLContext(seed: 6);
        var rows = Seasonal(300);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Forecasting.REN(new RenForecastingOptions
        {
            OutputColumnName = "Forecast", InputColumnName = "Load", Horizon = 4, FeatureColumnNames = ["Temperature"],
            StateSize = 8, NonlinearWidth = 8, Epochs = 30, LearningRate = 1e-2, SegmentLength = 64,
        }).Fit(data);
        Assert.Equal(ModelKind.Ren, model.ModelKind);
        Assert.True(model.Certificate.IsVerified);
        var (m, naive) =
            Errors(Column(ml, model.Transform(data), "Forecast"), rows.Select(r => r.Load).ToList(), 4, 30, rows.Count);
        Assert.True(m < 0.7 * naive, $"model {m}, naive {naive}");
    }

    [Fact]
    public void Fit_Lipschitz_CertificateStatesGamma()
    {
        var ml = new MLContext(seed: 6);
        var options = SmallR2dn(horizon: 2);
        options.Robustness = Robustness.Lipschitz;
        options.Gamma = 3;
        options.Epochs = 3;
        var model = ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(Seasonal(100)));
        Assert.Equal(CertifiedProperty.Lipschitz, model.Certificate.Property);
        Assert.Equal(3, model.Certificate.Gamma);
        Assert.True(model.Certificate.IsVerified);
    }

    [Fact]
    public void Transform_IsLazy_NothingIsReadUntilACursorAsks()
    {
        int enumerations = 0;
        IEnumerable<LoadRow> Rows()
        {
            enumerations++;
            foreach (var r in fixture.Rows) yield return r;
        }
        var view = fixture.Model.Transform(fixture.Ml.Data.LoadFromEnumerable(Rows()));
        Assert.Equal(0, enumerations);
        Assert.Equal(fixture.Rows.Count, Column(fixture.Ml, view, "Forecast").Length);
        Assert.True(enumerations > 0);
    }

    [Fact]
    public void Transform_ManyThreads_SameForecasts()
    {
        var expected = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast");
        var results = new float[8][][];
        Parallel.For(0, results.Length,
                     i => results[i] = Column(fixture.Ml, fixture.Model.Transform(fixture.Data), "Forecast"));
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
