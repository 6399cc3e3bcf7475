namespace Microsoft.ML.R2DN.Orleans;

/// <summary>What grain storage holds for one series: its state in the binary form of
/// <see cref="Microsoft.ML.R2DN.Forecasting.SeriesState.ToBytes"/> (versioned and checked, so a damaged or too new
/// record is refused rather than misread).</summary>
[GenerateSerializer]
public sealed class SeriesRecord
{
    /// <summary>The state's bytes, or null before the first stored update.</summary>
    [Id(0)]
    public byte[]? State { get; set; }
}
