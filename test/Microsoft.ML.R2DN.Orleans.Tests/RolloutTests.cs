using Microsoft.ML.R2DN.Forecasting;
using ServingCluster;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>Issue 23, item 1: a new model version rolled out without losing states; a model whose input schema or
/// state layout differs is refused with a clear error.</summary>
public sealed class RolloutTests
{
    [Fact]
    public async Task Deploy_CompatibleModel_SeriesKeepTheirStatesAndMoveToIt()
    {
        await using var handle = await TestClusterHandle.StartAsync(Models.R2dn);
        var client = handle.Client;
        var ml = new MLContext(seed: 0);
        var oldModel = SeriesForecaster.Load(ml, Models.R2dn);
        var newModel = SeriesForecaster.Load(ml, Models.R2dnRetrained);
        var ids = Enumerable.Range(0, 6).Select(k => $"rolled-{k}").ToArray();
        var states = ids.ToDictionary(id => id, oldModel.Start);
        for (int t = 0; t < 10; t++)
            foreach (var id in ids)
            {
                var o = Workload.Observation(Workload.Row(id, t));
                Assert.Equal(oldModel.Observe(states[id], o).Forecast, (await client.ObserveAsync(id, o)).Forecast);
            }

        var deployment = await client.DeployModelAsync(Models.R2dnRetrained);
        Assert.Equal(1, deployment.Version);
        Assert.Equal(newModel.ModelId, deployment.ModelId);
        await Task.Delay(500);   // more than the silos' refresh interval (200 ms)
        for (int t = 10; t < 15; t++)
            foreach (var id in ids)
            {
                var o = Workload.Observation(Workload.Row(id, t));
                var expected = newModel.Observe(states[id], o);   // the old state, taken over by the new model
                var actual = await client.ObserveAsync(id, o);
                Assert.Equal(expected.Forecast, actual.Forecast);
                Assert.Equal(expected.Lower, actual.Lower);
                Assert.Equal(10 + (t - 10) + 1, actual.Steps);   // no state lost
            }
        var statuses = await Task.WhenAll(ids.Select(client.GetStatusAsync));
        Assert.All(statuses, s => Assert.Equal(newModel.ModelId, s.ModelId));
    }

    [Fact]
    public async Task Deploy_OtherInputSchemaOrStateLayout_IsRefusedAndTheRunningModelStays()
    {
        await using var handle = await TestClusterHandle.StartAsync(Models.R2dn);
        var client = handle.Client;
        var running = SeriesForecaster.Load(new MLContext(), Models.R2dn);
        var schema = await Assert.ThrowsAsync<ArgumentException>(() => client.DeployModelAsync(Models.LoadOnly));
        Assert.StartsWith("Schema mismatch: the new model reads 'Load' (Single) with series id column 'Store'; the " +
                          "running model reads 'Load' (Single), 'Temperature' (Single)", schema.Message);
        var layout = await Assert.ThrowsAsync<ArgumentException>(() => client.DeployModelAsync(Models.Ren));
        Assert.Contains("per-series state", layout.Message);
        Assert.Contains("cannot move to it", layout.Message);
        await client.ObserveAsync("still-served", Workload.Observation(Workload.Row("still-served", 0)));
        Assert.Equal(running.ModelId, (await client.GetStatusAsync("still-served")).ModelId);
    }
}
