namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>One series of a forecaster's output, for a chart: the observed target and the forecast vectors (with their
/// bounds) made after each row.</summary>
/// <param name="Name">The series id ("" for a single series).</param>
/// <param name="Actual">The observed values of the plotted target, one per row.</param>
/// <param name="Forecasts">The forecast vector of every row (horizon × targets, target-major).</param>
/// <param name="Lower">The lower bounds, laid out as the forecasts, or null.</param>
/// <param name="Upper">The upper bounds, or null.</param>
internal sealed record ForecastSeries(string Name, float[] Actual, float[][] Forecasts, float[][]? Lower,
                                      float[][]? Upper);
