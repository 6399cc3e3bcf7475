namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>The scores of one forecasting benchmark run, side by side.</summary>
internal sealed record ForecastBenchmarkReport(string Protocol, string Data, int Rows, int Channels, int Horizon,
                                               int Lookback, int Seasonality, int TestWindows,
                                               IReadOnlyDictionary<string, ForecastScore> Scores, string Borders);
