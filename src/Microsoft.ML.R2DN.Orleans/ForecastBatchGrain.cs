using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Microsoft.ML.R2DN.Orleans;

/// <summary>Forwards the rows of a batch to their series grains from the silo the client reached.</summary>
[StatelessWorker]
internal sealed class ForecastBatchGrain(IOptions<R2dnServingOptions> options) : Grain, IForecastBatchGrain
{
    private readonly int _parallelism = options.Value.BatchParallelism;

    public async Task<SeriesResult[]> Observe(SeriesUpdate[] updates, int? horizon, float? confidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var results = new SeriesResult[updates.Length];
        var bySeries = Enumerable.Range(0, updates.Length).GroupBy(i => updates[i]?.SeriesId ?? "");
        await ForEachLimited(bySeries, async rows =>
        {
            foreach (int i in rows)   // one series' rows in order
            {
                var update = updates[i];
                results[i] = await Try(update?.SeriesId ?? "", () => Series(update?.SeriesId)
                    .Observe(update!.Observation, horizon, confidenceLevel, update.ExpectedSteps));
            }
        });
        return results;
    }

    public async Task<SeriesResult[]> Forecast(string[] seriesIds, int? horizon, float? confidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(seriesIds);
        var results = new SeriesResult[seriesIds.Length];
        await ForEachLimited(Enumerable.Range(0, seriesIds.Length).Select(i => new[] { i }), async rows =>
        {
            int i = rows.First();
            results[i] = await Try(seriesIds[i] ?? "", () => Series(seriesIds[i]).Forecast(horizon, confidenceLevel));
        });
        return results;
    }

    private IForecastSeriesGrain Series(string? id) =>
        GrainFactory.GetGrain<IForecastSeriesGrain>(
            id ?? throw new ArgumentNullException(nameof(id), "A row has no series id."));

    private async Task ForEachLimited<T>(IEnumerable<T> items, Func<T, Task> action)
    {
        using var gate = new SemaphoreSlim(_parallelism);
        await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync();
            try
            {
                await action(item);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static async Task<SeriesResult> Try(string id, Func<Task<Forecasting.SeriesForecast>> call)
    {
        try
        {
            return new SeriesResult(id, await call(), null, null);
        }
        catch (Exception e)
        {
            return new SeriesResult(id, null, e.GetType().FullName, e.Message);
        }
    }
}
