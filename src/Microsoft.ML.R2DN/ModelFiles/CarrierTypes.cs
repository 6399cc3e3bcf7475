using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.R2DN.ModelFiles;

// The row types and custom-mapping factories through which ML.NET rebuilds a saved R2DN/REN model (see MlNetCarrier).
// ML.NET finds a factory by its contract name in this assembly, and a custom mapping's columns and vector sizes come
// from attributes, so each output size has its own small type: a forecast of n values uses the smallest tier >= n and
// a count-based slot selection cuts it to n. The tiers repeat one pattern on purpose: a C# attribute takes only
// constants, so a size cannot be a type parameter. These types are public only because ML.NET's code generation needs
// them to be; they are not an API.

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 4 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput4 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(4)] public float[] Forecast = new float[4];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(4)] public float[] Lower = new float[4];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(4)] public float[] Upper = new float[4];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 4 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory4 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput4, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.4";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput4, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 16 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput16 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(16)] public float[] Forecast = new float[16];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(16)] public float[] Lower = new float[16];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(16)] public float[] Upper = new float[16];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 16 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory16 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput16, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.16";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput16, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 64 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput64 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(64)] public float[] Forecast = new float[64];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(64)] public float[] Lower = new float[64];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(64)] public float[] Upper = new float[64];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 64 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory64 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput64, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.64";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput64, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 256 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput256 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(256)] public float[] Forecast = new float[256];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(256)] public float[] Lower = new float[256];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(256)] public float[] Upper = new float[256];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 256 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory256 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput256, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.256";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput256, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 1024 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput1024 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(1024)] public float[] Forecast = new float[1024];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(1024)] public float[] Lower = new float[1024];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(1024)] public float[] Upper = new float[1024];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 1024 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory1024 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput1024, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.1024";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput1024, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 4096 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput4096 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(4096)] public float[] Forecast = new float[4096];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(4096)] public float[] Lower = new float[4096];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(4096)] public float[] Upper = new float[4096];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 4096 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory4096 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput4096, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.4096";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput4096, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 16384 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput16384 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(16384)] public float[] Forecast = new float[16384];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(16384)] public float[] Lower = new float[16384];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(16384)] public float[] Upper = new float[16384];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 16384 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory16384 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput16384, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.16384";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput16384, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 65536 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput65536 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(65536)] public float[] Forecast = new float[65536];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(65536)] public float[] Lower = new float[65536];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(65536)] public float[] Upper = new float[65536];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 65536 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory65536 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput65536, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.65536";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput65536, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

/// <summary>Infrastructure: the forecast, lower and upper columns of a saved forecaster, up to 262144 values each.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ForecastCarrierOutput262144 : ForecastCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Forecast), VectorType(262144)] public float[] Forecast = new float[262144];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Lower), VectorType(262144)] public float[] Lower = new float[262144];

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Upper), VectorType(262144)] public float[] Upper = new float[262144];

    internal override float[] ForecastValues => Forecast;

    internal override float[] LowerValues => Lower;

    internal override float[] UpperValues => Upper;
}

/// <summary>Infrastructure: rebuilds a saved forecaster of up to 262144 output values.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ForecastCarrierFactory262144 : StatefulCustomMappingFactory<CarrierRow, ForecastCarrierOutput262144, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Forecast.262144";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, ForecastCarrierOutput262144, CarrierState> GetMapping() => CarrierMapping.Forecast;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}

internal static partial class MlNetCarrier
{
    /// <summary>The output sizes that have a carrier type, smallest first.</summary>
    internal static readonly int[] ForecastTiers = [4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144];

    /// <summary>The most forecast values per row (horizon × targets): the largest tier.</summary>
    internal const int MaxForecastValues = 262_144;

    /// <summary>Adds the stateful forecast mapping of the tier <paramref name="tier"/>.</summary>
    private static IEstimator<ITransformer> ForecastMapping(MLContext ml, int tier) => tier switch
    {
        4 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput4, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory4.ContractName),
        16 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput16, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory16.ContractName),
        64 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput64, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory64.ContractName),
        256 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput256, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory256.ContractName),
        1024 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput1024, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory1024.ContractName),
        4096 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput4096, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory4096.ContractName),
        16384 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput16384, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory16384.ContractName),
        65536 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput65536, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory65536.ContractName),
        262144 => ml.Transforms.StatefulCustomMapping<CarrierRow, ForecastCarrierOutput262144, CarrierState>(CarrierMapping.Forecast, CarrierMapping.Init, ForecastCarrierFactory262144.ContractName),
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };
}

/// <summary>Infrastructure: the predicted columns of a saved simulator, up to 64 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class SimulationCarrierOutput
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "0")] public float P0;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "1")] public float P1;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "2")] public float P2;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "3")] public float P3;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "4")] public float P4;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "5")] public float P5;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "6")] public float P6;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "7")] public float P7;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "8")] public float P8;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "9")] public float P9;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "10")] public float P10;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "11")] public float P11;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "12")] public float P12;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "13")] public float P13;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "14")] public float P14;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "15")] public float P15;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "16")] public float P16;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "17")] public float P17;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "18")] public float P18;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "19")] public float P19;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "20")] public float P20;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "21")] public float P21;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "22")] public float P22;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "23")] public float P23;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "24")] public float P24;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "25")] public float P25;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "26")] public float P26;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "27")] public float P27;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "28")] public float P28;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "29")] public float P29;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "30")] public float P30;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "31")] public float P31;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "32")] public float P32;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "33")] public float P33;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "34")] public float P34;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "35")] public float P35;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "36")] public float P36;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "37")] public float P37;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "38")] public float P38;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "39")] public float P39;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "40")] public float P40;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "41")] public float P41;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "42")] public float P42;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "43")] public float P43;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "44")] public float P44;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "45")] public float P45;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "46")] public float P46;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "47")] public float P47;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "48")] public float P48;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "49")] public float P49;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "50")] public float P50;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "51")] public float P51;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "52")] public float P52;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "53")] public float P53;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "54")] public float P54;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "55")] public float P55;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "56")] public float P56;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "57")] public float P57;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "58")] public float P58;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "59")] public float P59;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "60")] public float P60;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "61")] public float P61;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "62")] public float P62;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.PredictedPrefix + "63")] public float P63;

    internal const int Capacity = 64;

    internal void Set(ReadOnlySpan<float> values)
    {
        P0 = values.Length > 0 ? values[0] : 0;
        P1 = values.Length > 1 ? values[1] : 0;
        P2 = values.Length > 2 ? values[2] : 0;
        P3 = values.Length > 3 ? values[3] : 0;
        P4 = values.Length > 4 ? values[4] : 0;
        P5 = values.Length > 5 ? values[5] : 0;
        P6 = values.Length > 6 ? values[6] : 0;
        P7 = values.Length > 7 ? values[7] : 0;
        P8 = values.Length > 8 ? values[8] : 0;
        P9 = values.Length > 9 ? values[9] : 0;
        P10 = values.Length > 10 ? values[10] : 0;
        P11 = values.Length > 11 ? values[11] : 0;
        P12 = values.Length > 12 ? values[12] : 0;
        P13 = values.Length > 13 ? values[13] : 0;
        P14 = values.Length > 14 ? values[14] : 0;
        P15 = values.Length > 15 ? values[15] : 0;
        P16 = values.Length > 16 ? values[16] : 0;
        P17 = values.Length > 17 ? values[17] : 0;
        P18 = values.Length > 18 ? values[18] : 0;
        P19 = values.Length > 19 ? values[19] : 0;
        P20 = values.Length > 20 ? values[20] : 0;
        P21 = values.Length > 21 ? values[21] : 0;
        P22 = values.Length > 22 ? values[22] : 0;
        P23 = values.Length > 23 ? values[23] : 0;
        P24 = values.Length > 24 ? values[24] : 0;
        P25 = values.Length > 25 ? values[25] : 0;
        P26 = values.Length > 26 ? values[26] : 0;
        P27 = values.Length > 27 ? values[27] : 0;
        P28 = values.Length > 28 ? values[28] : 0;
        P29 = values.Length > 29 ? values[29] : 0;
        P30 = values.Length > 30 ? values[30] : 0;
        P31 = values.Length > 31 ? values[31] : 0;
        P32 = values.Length > 32 ? values[32] : 0;
        P33 = values.Length > 33 ? values[33] : 0;
        P34 = values.Length > 34 ? values[34] : 0;
        P35 = values.Length > 35 ? values[35] : 0;
        P36 = values.Length > 36 ? values[36] : 0;
        P37 = values.Length > 37 ? values[37] : 0;
        P38 = values.Length > 38 ? values[38] : 0;
        P39 = values.Length > 39 ? values[39] : 0;
        P40 = values.Length > 40 ? values[40] : 0;
        P41 = values.Length > 41 ? values[41] : 0;
        P42 = values.Length > 42 ? values[42] : 0;
        P43 = values.Length > 43 ? values[43] : 0;
        P44 = values.Length > 44 ? values[44] : 0;
        P45 = values.Length > 45 ? values[45] : 0;
        P46 = values.Length > 46 ? values[46] : 0;
        P47 = values.Length > 47 ? values[47] : 0;
        P48 = values.Length > 48 ? values[48] : 0;
        P49 = values.Length > 49 ? values[49] : 0;
        P50 = values.Length > 50 ? values[50] : 0;
        P51 = values.Length > 51 ? values[51] : 0;
        P52 = values.Length > 52 ? values[52] : 0;
        P53 = values.Length > 53 ? values[53] : 0;
        P54 = values.Length > 54 ? values[54] : 0;
        P55 = values.Length > 55 ? values[55] : 0;
        P56 = values.Length > 56 ? values[56] : 0;
        P57 = values.Length > 57 ? values[57] : 0;
        P58 = values.Length > 58 ? values[58] : 0;
        P59 = values.Length > 59 ? values[59] : 0;
        P60 = values.Length > 60 ? values[60] : 0;
        P61 = values.Length > 61 ? values[61] : 0;
        P62 = values.Length > 62 ? values[62] : 0;
        P63 = values.Length > 63 ? values[63] : 0;
    }
}

/// <summary>Infrastructure: rebuilds a saved simulator.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SimulationCarrierFactory : StatefulCustomMappingFactory<CarrierRow, SimulationCarrierOutput, CarrierState>
{
    internal const string ContractName = "Microsoft.ML.R2DN.Simulate";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierRow, SimulationCarrierOutput, CarrierState> GetMapping() => CarrierMapping.Simulate;

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierState> GetStateInitAction() => CarrierMapping.Init;
}
