namespace Microsoft.ML.R2DN.Data;

/// <summary>Groups the rows of a view into series by a series-id column: each series is the list of its row indices in
/// row order (rows of different series may be interleaved). Without an id column, all rows are one series.</summary>
internal static class SeriesGrouping
{
    /// <summary>The row indices of each series, series in the order of their first row.</summary>
    /// <param name="data">The view.</param>
    /// <param name="seriesIdColumnName">A String, Int32, Int64, Single or Double column, or null for one
    /// series.</param>
    /// <param name="cancellation">Checked on every row.</param>
    public static int[][] Group(IDataView data, string? seriesIdColumnName, CancellationToken cancellation)
    {
        if (seriesIdColumnName is null)
        {
            long count = DataViewReader.RowCount(data, cancellation);
            if (count > Array.MaxLength)
                throw new InvalidOperationException(
                    $"The data has {count} rows; at most {Array.MaxLength} are supported here.");
            return [Enumerable.Range(0, (int)count).ToArray()];
        }
        return Group(DataViewReader.ReadTextColumn(data, seriesIdColumnName, "series id column", cancellation));
    }


    /// <summary>The row indices of each distinct id, ids in the order of their first row.</summary>
    public static int[][] Group(string[] ids)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var series = new List<List<int>>();
        for (int row = 0; row < ids.Length; row++)
        {
            if (!index.TryGetValue(ids[row], out int s))
            {
                s = series.Count;
                index.Add(ids[row], s);
                series.Add([]);
            }
            series[s].Add(row);
        }
        return [.. series.Select(s => s.ToArray())];
    }
}

/// <summary>The series-id check shared by the split, the evaluation and cross-validation.</summary>
internal static class SeriesIdColumns
{
    /// <summary>Checks that a series-id column exists and is text, a key, an integer or a floating-point
    /// number.</summary>
    public static void Check(DataViewSchema schema, string? name)
    {
        if (name is null)
            return;
        var column = SchemaErrors.FindColumn(schema, name, "series id column");
        if (!DataViewReader.IsIdType(column.Type))
            throw SchemaErrors.Mismatch("series id column", name, "String", column.Type.ToString()!);
    }
}
