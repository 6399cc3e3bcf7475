namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>The names of the temporary columns of a saved model's ML.NET chain; input data must not use the
/// prefix.</summary>
internal static class CarrierColumns
{
    public const string Prefix = "__r2dn_";
    public const string Key = Prefix + "key";
    public const string NoSeries = Prefix + "noseries";
    public const string Model = Prefix + "model";
    public const string InputPrefix = Prefix + "in";
    public const string Input = Prefix + "input";
    public const string SeriesValue = Prefix + "seriesvalue";
    public const string Series = Prefix + "series";
    public const string Forecast = Prefix + "forecast";
    public const string Lower = Prefix + "lower";
    public const string Upper = Prefix + "upper";
    public const string PredictedPrefix = Prefix + "p";
}
