namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The wire form of a <see cref="SeriesForecast"/>.</summary>
[GenerateSerializer]
internal struct SeriesForecastSurrogate
{
    [Id(0)] public string SeriesId;
    [Id(1)] public long Steps;
    [Id(2)] public float[] Forecast;
    [Id(3)] public float[]? Lower;
    [Id(4)] public float[]? Upper;
}

/// <summary>Converts <see cref="SeriesForecast"/> to and from its wire form.</summary>
[RegisterConverter]
internal sealed class SeriesForecastConverter : IConverter<SeriesForecast, SeriesForecastSurrogate>
{
    public SeriesForecast ConvertFromSurrogate(in SeriesForecastSurrogate s) =>
        new(s.SeriesId, s.Steps, s.Forecast, s.Lower, s.Upper);

    public SeriesForecastSurrogate ConvertToSurrogate(in SeriesForecast value) =>
        new()
        {
            SeriesId = value.SeriesId, Steps = value.Steps, Forecast = value.Forecast, Lower = value.Lower,
            Upper = value.Upper,
        };
}
