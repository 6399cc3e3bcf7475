namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The grain calls behind <see cref="IR2dnForecastingClient"/>.</summary>
internal sealed class R2dnForecastingClient(IGrainFactory grains) : IR2dnForecastingClient
{
    public Task<SeriesForecast> ObserveAsync(string seriesId, SeriesObservation observation, int? horizon = null,
                                             float? confidenceLevel = null, long? expectedSteps = null)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        ArgumentNullException.ThrowIfNull(observation);
        var grain = grains.GetGrain<IForecastSeriesGrain>(seriesId);
        return grain.Observe(observation, horizon, confidenceLevel, expectedSteps);
    }

    public Task<SeriesResult[]> ObserveManyAsync(IReadOnlyList<SeriesUpdate> updates, int? horizon = null,
                                                 float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(updates);
        return grains.GetGrain<IForecastBatchGrain>(0).Observe([.. updates], horizon, confidenceLevel);
    }

    public Task<SeriesForecast> ForecastAsync(string seriesId, int? horizon = null, float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        return grains.GetGrain<IForecastSeriesGrain>(seriesId).Forecast(horizon, confidenceLevel);
    }

    public Task<SeriesResult[]> ForecastManyAsync(IReadOnlyList<string> seriesIds, int? horizon = null,
                                                  float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(seriesIds);
        return grains.GetGrain<IForecastBatchGrain>(0).Forecast([.. seriesIds], horizon, confidenceLevel);
    }

    public Task<ModelDeployment> DeployModelAsync(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return grains.GetGrain<IForecastModelGrain>(0).Deploy(modelPath);
    }

    public Task<SeriesStatus> GetStatusAsync(string seriesId)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        return grains.GetGrain<IForecastSeriesGrain>(seriesId).GetStatus();
    }
}
