using System.Globalization;
using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Transforms;

/// <summary>Groups the rows of a view into series by a series-id column: each series is the list of its row indices in
/// row order (rows of different series may be interleaved). Without an id column, all rows are one series.</summary>
internal static class SeriesGrouping
{
    /// <summary>The row indices of each series, series in the order of their first row.</summary>
    /// <param name="data">The view.</param>
    /// <param name="seriesIdColumnName">A String, Int32, Int64, Single or Double column, or null for one series.</param>
    /// <param name="cancellation">Checked on every row.</param>
    public static int[][] Group(IDataView data, string? seriesIdColumnName, CancellationToken cancellation)
    {
        if (seriesIdColumnName is null)
        {
            long count = DataViewReader.RowCount(data, cancellation);
            if (count > Array.MaxLength)
                throw new InvalidOperationException($"The data has {count} rows; at most {Array.MaxLength} are supported here.");
            return [Enumerable.Range(0, (int)count).ToArray()];
        }
        var column = SchemaErrors.FindColumn(data.Schema, seriesIdColumnName, "series id column");
        if (column.Type.Equals(NumberDataViewType.Single))
            return Group(ReadIds<float>(data, column, v => v.ToString("R", CultureInfo.InvariantCulture), cancellation));
        if (column.Type.Equals(NumberDataViewType.Double))
            return Group(ReadIds<double>(data, column, v => v.ToString("R", CultureInfo.InvariantCulture), cancellation));
        return Group(DataViewReader.ReadTextColumn(data, seriesIdColumnName, "series id column", cancellation));
    }

    private static string[] ReadIds<T>(IDataView data, DataViewSchema.Column column, Func<T, string> format,
                                       CancellationToken cancellation)
    {
        var ids = new List<string>();
        using var cursor = data.GetRowCursor([column]);
        var get = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            get(ref value);
            ids.Add(format(value));
        }
        return [.. ids];
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
