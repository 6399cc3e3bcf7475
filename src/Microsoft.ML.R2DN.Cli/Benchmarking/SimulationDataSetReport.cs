namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>The result on one data set: its scores, or why it was skipped.</summary>
internal sealed record SimulationDataSetReport(string Key, string Title, string? Skipped, string Protocol,
                                               int EstimationRows, int TestRows, IReadOnlyList<SimulationScore> Scores,
                                               int InitializationRows = 0, string Units = "",
                                               IReadOnlyList<PublishedResult>? Published = null);
