namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>One method's score on a forecasting benchmark: MSE and MAE in standardised units, and its training
/// time.</summary>
internal sealed record ForecastScore(double Mse, double Mae, double TrainSeconds);
