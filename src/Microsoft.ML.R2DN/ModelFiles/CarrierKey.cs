using System.ComponentModel;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Infrastructure: the lookup key of the model bytes and the series id of single-series models.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierKey
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Key)] public int Key;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.NoSeries)] public string NoSeries = "";
}
