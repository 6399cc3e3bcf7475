namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The outcome of one row of a batch: the forecast, or the error that refused the row (the series' state is
/// then as it was before the row).</summary>
/// <param name="SeriesId">The series.</param>
/// <param name="Forecast">The forecast after the row; null when the row failed.</param>
/// <param name="ErrorType">The full name of the exception that refused the row (for example
/// <c>System.ArgumentException</c>); null on success.</param>
/// <param name="Error">The exception's message; null on success.</param>
[GenerateSerializer, Immutable]
public sealed record SeriesResult([property: Id(0)] string SeriesId, [property: Id(1)] SeriesForecast? Forecast,
                                  [property: Id(2)] string? ErrorType, [property: Id(3)] string? Error)
{
    /// <summary>Whether the row succeeded.</summary>
    public bool Succeeded => Forecast is not null;
}
