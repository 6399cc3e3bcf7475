using Microsoft.ML.R2DN.Forecasting;
using ServingCluster;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>Issue 23, item 2: the same rows through the cluster and through <see cref="ForecastingEngine{TSrc, TDst}"/>
/// on the same model file give bit-identical forecasts and bounds, for one series and for many, for series the model
/// trained on (which start from their end of training) and for new ones.</summary>
public abstract class EquivalenceTests(ClusterFixture fixture)
{
    private const int Start = Workload.TrainingSteps;

    private IR2dnForecastingClient Client => fixture.Handle.Client;

    private ForecastingEngine<StoreRow, StoreForecast> Engine()
    {
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(fixture.ModelPath, out _);
        return ForecastingEngineExtensions.CreateTimeSeriesEngine<StoreRow, StoreForecast>(model, ml);
    }

    internal static void AssertSame(StoreForecast expected, SeriesForecast actual)
    {
        Assert.Equal(expected.Forecast, actual.Forecast);
        Assert.Equal(expected.Lower, actual.Lower);
        Assert.Equal(expected.Upper, actual.Upper);
    }

    [Theory]
    [InlineData("train-2")]   // trained on: continues from its last training row
    [InlineData("one-new-series")]
    public async Task Observe_OneSeries_BitIdenticalToTheEngine(string id)
    {
        var engine = Engine();
        string series = $"{id}-{GetType().Name}";
        if (id.StartsWith("train-", StringComparison.Ordinal))
        {
            series = id;
            AssertSame(engine.PredictSeries(id), await Client.ForecastAsync(id));
        }
        for (int t = Start; t < Start + 30; t++)
        {
            var row = Workload.Row(series, t);
            AssertSame(engine.Predict(row), await Client.ObserveAsync(series, Workload.Observation(row)));
        }
        AssertSame(engine.PredictSeries(series), await Client.ForecastAsync(series));
        AssertSame(engine.PredictSeries(series, horizon: 2, confidenceLevel: 0.5f),
                   await Client.ForecastAsync(series, horizon: 2, confidenceLevel: 0.5f));
    }

    [Fact]
    public async Task ObserveMany_ManySeries_BitIdenticalToTheEngine()
    {
        var engine = Engine();
        var ids = Enumerable.Range(0, 40).Select(k => $"many-{GetType().Name}-{k}").ToArray();
        for (int t = 0; t < 12; t++)
        {
            var rows = ids.Select(id => Workload.Row(id, t)).ToArray();
            var updates = rows.Select(r => new SeriesUpdate(r.Store, Workload.Observation(r))).ToArray();
            var results = await Client.ObserveManyAsync(updates);
            for (int i = 0; i < rows.Length; i++)
            {
                Assert.True(results[i].Succeeded, results[i].Error);
                AssertSame(engine.Predict(rows[i]), results[i].Forecast!);
            }
        }
        var forecasts = await Client.ForecastManyAsync(ids);
        for (int i = 0; i < ids.Length; i++) AssertSame(engine.PredictSeries(ids[i]), forecasts[i].Forecast!);
    }

    [Fact]
    public async Task ObserveMany_RowsOfOneSeriesInOneBatch_AppliedInOrder()
    {
        var engine = Engine();
        string id = $"ordered-{GetType().Name}";
        var rows = Enumerable.Range(0, 8).Select(t => Workload.Row(id, t)).ToArray();
        var updates = rows.Select(r => new SeriesUpdate(id, Workload.Observation(r))).ToArray();
        var results = await Client.ObserveManyAsync(updates);
        for (int t = 0; t < rows.Length; t++) AssertSame(engine.Predict(rows[t]), results[t].Forecast!);
    }
}

/// <summary><see cref="EquivalenceTests"/> with the R2DN (linear path and recurrent correction).</summary>
public sealed class R2dnEquivalenceTests(R2dnClusterFixture fixture)
    : EquivalenceTests(fixture), IClassFixture<R2dnClusterFixture>;

/// <summary><see cref="EquivalenceTests"/> with the REN (the recurrent model alone).</summary>
public sealed class RenEquivalenceTests(RenClusterFixture fixture)
    : EquivalenceTests(fixture), IClassFixture<RenClusterFixture>;
