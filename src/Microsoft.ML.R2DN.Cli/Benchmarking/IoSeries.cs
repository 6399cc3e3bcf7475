namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>One input/output record of a system: inputs u and outputs y, row-major (T × nu and T × ny), in data
/// units.</summary>
internal sealed record IoSeries(string Name, int Length, double[] U, double[] Y);
