namespace Microsoft.ML.R2DN.Orleans;

/// <summary>Many series in one call, so that a client pays one round trip per batch rather than per row: a stateless
/// worker on the silo the client reaches, which forwards each row to its series grain (rows of one series in order,
/// series in parallel).</summary>
public interface IForecastBatchGrain : IGrainWithIntegerKey
{
    /// <summary>Applies every row, as <see cref="IForecastSeriesGrain.Observe"/>; a row that fails leaves its series as
    /// it was and does not stop the others (nor later rows of the same series).</summary>
    /// <param name="updates">The rows; not null.</param>
    /// <param name="horizon">The number of steps ahead; null for the model's horizon.</param>
    /// <param name="confidenceLevel">The level of the bounds; null for the model's level.</param>
    /// <returns>One result per row, in the order of <paramref name="updates"/>.</returns>
    Task<SeriesResult[]> Observe(SeriesUpdate[] updates, int? horizon = null, float? confidenceLevel = null);

    /// <summary>The forecast of every series, as <see cref="IForecastSeriesGrain.Forecast"/>.</summary>
    /// <param name="seriesIds">The series; not null.</param>
    /// <param name="horizon">The number of steps ahead; null for the model's horizon.</param>
    /// <param name="confidenceLevel">The level of the bounds; null for the model's level.</param>
    /// <returns>One result per series, in the order of <paramref name="seriesIds"/>.</returns>
    Task<SeriesResult[]> Forecast(string[] seriesIds, int? horizon = null, float? confidenceLevel = null);
}
