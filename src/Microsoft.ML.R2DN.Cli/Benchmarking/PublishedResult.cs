namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>A published test-set simulation error on a benchmark, printed beside ours.</summary>
/// <param name="Method">The method, as its authors name it.</param>
/// <param name="Rmse">Its test RMSE, in the data's units.</param>
/// <param name="Source">Who published it (author, year, where).</param>
internal sealed record PublishedResult(string Method, double Rmse, string Source);
