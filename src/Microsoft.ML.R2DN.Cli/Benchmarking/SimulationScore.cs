namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>One method's score on a data set's test part.</summary>
/// <param name="Method">"arx", "r2dn" or "ren".</param>
/// <param name="Nrmse">sqrt(Σ(y − ŷ)² / Σy²) in the estimation data's standardised units,
/// after the washout.</param>
/// <param name="Rmse">The root mean squared error in data units, after the washout.</param>
/// <param name="RmseAllRows">The same over every test row.</param>
/// <param name="RmseProtocol">The benchmark's own: over every test row after its initialisation window
/// (<see cref="SimulationDataSet.InitializationRows"/>), in data units.</param>
/// <param name="TrainSeconds">Training time, the ARX order search included.</param>
/// <param name="Detail">What was trained (orders, chosen settings), for the table.</param>
/// <param name="Extra">More, for the JSON: written as they are (numbers, strings, arrays, objects).</param>
internal sealed record SimulationScore(string Method, double Nrmse, double Rmse, double RmseAllRows,
                                       double RmseProtocol, double TrainSeconds, string Detail,
                                       IReadOnlyDictionary<string, object?> Extra);
