namespace Microsoft.ML.R2DN.Data;

/// <summary>Streams the numeric value columns and the series id of a view, row by row in order.</summary>
internal static class RowReading
{
    /// <summary>Calls <paramref name="action"/> with the series id (empty without an id column), the values of
    /// <paramref name="valueColumns"/> as <see cref="float"/> (a buffer reused between rows) and the row's
    /// position.</summary>
    public static void ForEachRow(IDataView data, string[] valueColumns, string? idColumn,
                                  Action<string, float[], long> action, CancellationToken cancellation = default)
    {
        var columns = valueColumns.Select(c => data.Schema[c]).ToList();
        var id = idColumn is null ? (DataViewSchema.Column?)null : data.Schema[idColumn];
        var needed = columns.ToList();
        if (id is { } idc) needed.Add(idc);
        using var cursor = data.GetRowCursor(needed.Distinct());
        var getters = columns.Select(c => DataViewReader.SingleGetter(cursor, c)).ToArray();
        var idGetter = id is { } i ? DataViewReader.IdGetter(cursor, i) : null;
        var row = new float[getters.Length];
        long position = 0;
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            for (int j = 0; j < getters.Length; j++) row[j] = getters[j]();
            action(idGetter?.Invoke() ?? "", row, position++);
        }
    }
}
