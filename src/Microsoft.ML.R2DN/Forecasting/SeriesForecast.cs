namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>A forecast of one series from a <see cref="SeriesForecaster"/>: the values the engine's forecast column
/// holds, with the bounds when the model has them.</summary>
/// <param name="SeriesId">The series.</param>
/// <param name="Steps">The number of observations the series' state had consumed when the forecast was made.</param>
/// <param name="Forecast">Horizon × targets values in data units, target-major (all steps of the first target, then the
/// next); the same numbers as <see cref="ForecastingEngine{TSrc, TDst}"/> writes.</param>
/// <param name="Lower">The lower bounds, laid out as <paramref name="Forecast"/>; null when the model writes no
/// bounds.</param>
/// <param name="Upper">The upper bounds; null when the model writes no bounds.</param>
public sealed record SeriesForecast(string SeriesId, long Steps, float[] Forecast, float[]? Lower, float[]? Upper);
