namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The schema checks of the forecasting and simulation estimators and transformers, with the shared
/// ML.NET-worded messages of <see cref="SchemaErrors"/>.</summary>
internal static class ColumnChecks
{
    public const string InputRole = "input column";
    public const string FeatureRole = "feature column";
    public const string OutputRole = "output column";
    public const string SeriesIdRole = "series id column";

    /// <summary>Throws unless <paramref name="column"/> exists with a type the numeric reader accepts.</summary>
    public static void Numeric(DataViewSchema schema, ColumnRole column)
    {
        var found = SchemaErrors.FindColumn(schema, column.Name, column.Role);
        var t = found.Type;
        if (!DataViewReader.IsNumeric(t))
            throw SchemaErrors.Mismatch(column.Role, column.Name, "Single", t.ToString()!);
    }

    /// <summary>Whether <paramref name="column"/> exists with a type the numeric reader accepts.</summary>
    public static bool IsNumeric(DataViewSchema schema, string column) =>
        schema.GetColumnOrNull(column) is { IsHidden: false } c && DataViewReader.IsNumeric(c.Type);

    /// <summary>Throws unless the series id column exists as text, a key, an integer or a floating-point
    /// number.</summary>
    public static void SeriesId(DataViewSchema schema, string column)
    {
        var t = SchemaErrors.FindColumn(schema, column, SeriesIdRole).Type;
        if (!DataViewReader.IsIdType(t))
            throw SchemaErrors.Mismatch(SeriesIdRole, column, "String", t.ToString()!);
    }
}
