using Microsoft.ML.R2DN.Forecasting;
using ServingCluster;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>Issue 23, items 1 and 4: a grain reactivated on another silo continues from its stored state; bad input
/// through the cluster gives the engine's errors and leaves the state as it was; retries apply nothing twice.</summary>
public sealed class FaultTests(R2dnClusterFixture fixture) : IClassFixture<R2dnClusterFixture>
{
    private IR2dnForecastingClient Client => fixture.Handle.Client;

    private static ForecastingEngine<StoreRow, StoreForecast> Engine(string model)
    {
        var ml = new MLContext(seed: 0);
        var loaded = ml.Model.Load(model, out _);
        return ForecastingEngineExtensions.CreateTimeSeriesEngine<StoreRow, StoreForecast>(loaded, ml);
    }

    [Fact]
    public async Task SiloKilled_SeriesReactivateOnTheOtherSilo_AndContinueFromTheirStoredStates()
    {
        await using var handle = await TestClusterHandle.StartAsync(Models.R2dn);
        var client = handle.Client;
        var engine = Engine(Models.R2dn);
        var ids = Enumerable.Range(0, 12).Select(k => $"moved-{k}").ToArray();
        for (int t = 0; t < 10; t++)
            foreach (var id in ids) await client.ObserveAsync(id, Workload.Observation(Workload.Row(id, t)));
        var before = await Task.WhenAll(ids.Select(client.GetStatusAsync));
        var victim = handle.Cluster.Silos.First(s => before.Any(b => b.Silo == s.SiloAddress.ToString()));
        var moved = before.Where(b => b.Silo == victim.SiloAddress.ToString()).Select(b => b.SeriesId).ToHashSet();
        Assert.NotEmpty(moved);

        await handle.Cluster.KillSiloAsync(victim);
        for (int t = 10; t < 20; t++)
            foreach (var id in ids)
            {
                var row = Workload.Row(id, t);
                await RetryAsync(() => client.ObserveAsync(id, Workload.Observation(row), expectedSteps: t));
            }
        foreach (var id in ids)
        {
            for (int t = 0; t < 20; t++) engine.Predict(Workload.Row(id, t));
            EquivalenceTests.AssertSame(engine.PredictSeries(id), await client.ForecastAsync(id));
            var status = await client.GetStatusAsync(id);
            Assert.Equal(20, status.Steps);
            Assert.NotEqual(victim.SiloAddress.ToString(), status.Silo);
        }
    }

    [Fact]
    public async Task WriteEvery_SiloKilled_LosesAtMostTheDocumentedWindow()
    {
        await using var handle = await TestClusterHandle.StartAsync(Models.R2dn, writeEvery: 4);
        var client = handle.Client;
        const string id = "batched-writes";
        for (int t = 0; t < 6; t++) await client.ObserveAsync(id, Workload.Observation(Workload.Row(id, t)));
        var before = await client.GetStatusAsync(id);
        Assert.Equal(2, before.UnwrittenUpdates);   // the 4th update was written, the 5th and 6th not yet
        await handle.Cluster.KillSiloAsync(handle.Cluster.Silos.First(s => s.SiloAddress.ToString() == before.Silo));
        SeriesStatus after = null!;
        await RetryAsync(async () => after = await client.GetStatusAsync(id));
        Assert.Equal(4, after.Steps);   // WriteEvery - 1 = 3 at most; here 2 acknowledged updates lost
    }

    [Fact]
    public async Task Forecast_UnknownSeries_IsTheEnginesInvalidOperation()
    {
        var engine = Engine(fixture.ModelPath);
        var expected = Assert.Throws<InvalidOperationException>(() => engine.PredictSeries("nobody"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Client.ForecastAsync("nobody"));
        Assert.Contains("'nobody'", expected.Message);
        Assert.Contains("'nobody' has seen no observation yet", e.Message);
        Assert.Equal(0, (await Client.GetStatusAsync("nobody")).Steps);
    }

    [Fact]
    public async Task Observe_NaN_IsTheEnginesError_AndTheStateIsAsItWas()
    {
        const string id = "nan-series";
        var engine = Engine(fixture.ModelPath);
        var good = await Client.ObserveAsync(id, Workload.Observation(Workload.Row(id, 0)));
        engine.Predict(Workload.Row(id, 0));
        var bad = Workload.Row(id, 1);
        bad.Load = float.NaN;
        var expected = Assert.Throws<ArgumentException>(() => engine.Predict(bad));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Client.ObserveAsync(id, Workload.Observation(bad)));
        Assert.Equal(Message(expected), Message(e));
        Assert.Equal(good.Forecast, (await Client.ForecastAsync(id)).Forecast);
        Assert.Equal(1, (await Client.GetStatusAsync(id)).Steps);
        EquivalenceTests.AssertSame(engine.Predict(Workload.Row(id, 1)),
                                    await Client.ObserveAsync(id, Workload.Observation(Workload.Row(id, 1))));
    }

    [Fact]
    public async Task Observe_WrongSchema_IsTheEnginesSchemaError_AndTheStateIsAsItWas()
    {
        const string id = "schema-series";
        var first = await Client.ObserveAsync(id, Workload.Observation(Workload.Row(id, 0)));
        var missing = new SeriesObservation { { "Load", 41f } };
        var engineError = Assert.Throws<ArgumentOutOfRangeException>(
            () => ForecastingEngineExtensions.CreateTimeSeriesEngine<LoadOnlyRow, StoreForecast>(
                new MLContext().Model.Load(fixture.ModelPath, out _), new MLContext()));
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.ObserveAsync(id, missing));
        Assert.Equal(Message(engineError), Message(e));
        Assert.StartsWith("Could not find feature column 'Temperature'", e.Message);

        var extra = new SeriesObservation { { "Load", 41f }, { "Temperature", 20f }, { "Humidity", 0.4f } };
        var x = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.ObserveAsync(id, extra));
        Assert.StartsWith("Schema mismatch: the model has no input column 'Humidity'", x.Message);

        var results = await Client.ObserveManyAsync([new SeriesUpdate(id, missing), new SeriesUpdate(id, extra)]);
        Assert.All(results, r => Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, r.ErrorType));
        Assert.Equal(1, (await Client.GetStatusAsync(id)).Steps);
        Assert.Equal(first.Forecast, (await Client.ForecastAsync(id)).Forecast);
    }

    [Fact]
    public async Task Observe_RetriedWithExpectedSteps_IsAppliedOnce()
    {
        const string id = "retried-series";
        var row = Workload.Observation(Workload.Row(id, 0));
        var first = await Client.ObserveAsync(id, row, expectedSteps: 0);
        var again = await Client.ObserveAsync(id, row, expectedSteps: 0);   // its reply was "lost": not applied twice
        Assert.Equal(first.Forecast, again.Forecast);
        Assert.Equal(1, again.Steps);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Client.ObserveAsync(id, Workload.Observation(Workload.Row(id, 3)), expectedSteps: 3));
        Assert.Contains("at step 1", e.Message);
    }

    // The message without ArgumentException's " (Parameter 'x')": the engine's argument is 'example', the grain's
    // 'observation' (and across the wire the suffix stays in the message while ParamName is not carried).
    private static string Message(Exception e) =>
        System.Text.RegularExpressions.Regex.Replace(e.Message, @" \(Parameter '[^']*'\)$", "");

    private static async Task RetryAsync(Func<Task> call)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception) when (attempt < 60)
            {
                await Task.Delay(500);   // until the cluster has declared the killed silo dead
            }
        }
    }

    /// <summary>An observation class without the feature column.</summary>
    public sealed class LoadOnlyRow
    {
        public string Store { get; set; } = "";
        public float Load { get; set; }
    }
}
