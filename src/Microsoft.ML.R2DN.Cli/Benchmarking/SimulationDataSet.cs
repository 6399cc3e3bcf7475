namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>A system identification benchmark: its estimation and test records and how they were made.</summary>
internal sealed record SimulationDataSet(string Key, string Title, string[] InputNames, string[] OutputNames,
                                         IoSeries[] Estimation, IoSeries[] Test, string Protocol)
{
    public int Inputs => InputNames.Length;

    public int Outputs => OutputNames.Length;
}
