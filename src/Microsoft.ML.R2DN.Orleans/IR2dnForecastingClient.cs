namespace Microsoft.ML.R2DN.Orleans;

/// <summary>Forecasts for many series on an Orleans cluster (registered by
/// <see cref="R2dnSiloBuilderExtensions.AddR2dnForecastingClient"/>).</summary>
/// <remarks>Every call may also throw what Orleans throws when the cluster cannot be reached (for example
/// <see cref="TimeoutException"/>); an update whose call failed that way may or may not have been applied.</remarks>
public interface IR2dnForecastingClient
{
    /// <summary>Steps one series (see <see cref="IForecastSeriesGrain.Observe"/>).</summary> <param name="seriesId">The
    /// series id as text; not null.</param> <param name="observation">The values of the model's input columns; not
    /// null.</param> <param name="horizon">The number of steps ahead, in [1, the model's horizon]; null for the model's
    /// horizon.</param> <param name="confidenceLevel">The level of the bounds, in (0, 1); null for the model's
    /// level.</param> <param name="expectedSteps">The step count last seen acknowledged, so that a retry applies
    /// nothing twice (see <see cref="IForecastSeriesGrain.Observe"/>); null to apply the update whatever the
    /// state.</param> <returns>The forecast after the observation.</returns>
    Task<SeriesForecast> ObserveAsync(string seriesId, SeriesObservation observation, int? horizon = null,
                                      float? confidenceLevel = null, long? expectedSteps = null);

    /// <summary>Steps many series in one round trip (see <see cref="IForecastBatchGrain.Observe"/>).</summary>
    /// <param name="updates">The rows (rows of one series in time order); not null.</param>
    /// <param name="horizon">The number of steps ahead; null for the model's horizon.</param>
    /// <param name="confidenceLevel">The level of the bounds; null for the model's level.</param>
    /// <returns>One result per row, in order; a failed row carries its error and left its series unchanged.</returns>
    Task<SeriesResult[]> ObserveManyAsync(IReadOnlyList<SeriesUpdate> updates, int? horizon = null,
                                          float? confidenceLevel = null);

    /// <summary>The forecast of one series without a new observation (see <see
    /// cref="IForecastSeriesGrain.Forecast"/>).</summary> <param name="seriesId">The series id as text; not
    /// null.</param> <param name="horizon">The number of steps ahead; null for the model's horizon.</param> <param
    /// name="confidenceLevel">The level of the bounds; null for the model's level.</param> <returns>The
    /// forecast.</returns> <exception cref="InvalidOperationException">The series has seen no observation.</exception>
    Task<SeriesForecast> ForecastAsync(string seriesId, int? horizon = null, float? confidenceLevel = null);

    /// <summary>The forecasts of many series in one round trip.</summary>
    /// <param name="seriesIds">The series; not null.</param>
    /// <param name="horizon">The number of steps ahead; null for the model's horizon.</param>
    /// <param name="confidenceLevel">The level of the bounds; null for the model's level.</param>
    /// <returns>One result per series, in order.</returns>
    Task<SeriesResult[]> ForecastManyAsync(IReadOnlyList<string> seriesIds, int? horizon = null,
                                           float? confidenceLevel = null);

    /// <summary>Rolls a new model out (see <see cref="IForecastModelGrain.Deploy"/>): no series state is lost; each
    /// series moves to the new model at its first call after its silo picked the deployment up.</summary>
    /// <param name="modelPath">The model file, readable at this path on every silo; not null or empty.</param>
    /// <returns>The deployment.</returns>
    /// <exception cref="ArgumentException">The model reads other input columns or keeps states of another layout: it
    /// is refused.</exception>
    Task<ModelDeployment> DeployModelAsync(string modelPath);

    /// <summary>Where one series stands (see <see cref="IForecastSeriesGrain.GetStatus"/>).</summary>
    /// <param name="seriesId">The series id as text; not null.</param>
    /// <returns>The status.</returns>
    Task<SeriesStatus> GetStatusAsync(string seriesId);
}
