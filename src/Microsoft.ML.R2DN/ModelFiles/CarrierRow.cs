using System.ComponentModel;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Infrastructure: the columns the saved model's scorer reads.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierRow
{
    /// <summary>Infrastructure: the serialised model (base64 of the model archive).</summary>
    [ColumnName(CarrierColumns.Model)] public ReadOnlyMemory<char> Model;

    /// <summary>Infrastructure: the numeric values of the row, as Single.</summary>
    [ColumnName(CarrierColumns.Input), VectorType] public float[] Input = [];

    /// <summary>Infrastructure: the series id as text.</summary>
    [ColumnName(CarrierColumns.Series)] public ReadOnlyMemory<char> Series;
}
