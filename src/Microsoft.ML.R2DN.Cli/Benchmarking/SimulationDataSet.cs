namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>A system identification benchmark: its estimation and test records and how they were made.</summary>
/// <param name="InitializationRows">The rows n at the start of each test record whose measured outputs a model may
/// read to set its state, and which the benchmark's own RMSE leaves out (nonlinearbenchmark.org's
/// state_initialization_window_length: 5 for Cascaded Tanks, 20 for EMPS at 1 kHz).</param>
/// <param name="Units">The outputs' units, for the RMSE.</param>
/// <param name="Published">Published test RMSEs on the same split, in <paramref name="Units"/>.</param>
internal sealed record SimulationDataSet(string Key, string Title, string[] InputNames, string[] OutputNames,
                                         IoSeries[] Estimation, IoSeries[] Test, string Protocol,
                                         int InitializationRows, string Units, IReadOnlyList<PublishedResult> Published)
{
    public int Inputs => InputNames.Length;

    public int Outputs => OutputNames.Length;
}
