namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>A forecast: horizon × targets values in the data's units (target-major: all steps of target 0, then
/// target 1, …), with bounds.</summary>
/// <param name="Values">Point forecasts.</param>
/// <param name="Lower">Lower bounds (empty when the forecaster has no intervals).</param>
/// <param name="Upper">Upper bounds (empty when the forecaster has no intervals).</param>
public sealed record ForecastResult(float[] Values, float[] Lower, float[] Upper);
