namespace Microsoft.ML.R2DN.Data;

/// <summary>Reads whole columns of a view into arrays, checking their types first: what trainers and evaluators use to
/// get a series out of an <see cref="IDataView"/>.</summary>
/// <remarks>Each method checks the schema before reading anything, so a wrong column fails fast with the shared
/// messages of <see cref="SchemaErrors"/> (<c>Could not find input column 'X'</c>, <c>Schema mismatch for input column
/// 'X': expected Single, got String</c>), where <c>role</c> replaces "input column" (e.g. "label column").</remarks>
internal static class DataViewReader
{
    /// <summary>The values of a numeric column as <see cref="float"/>s.</summary>
    /// <remarks>Accepts <c>Single</c> as is; <c>Double</c>, <c>Int32</c> and <c>Int64</c> are converted (rounded to the
    /// nearest <see cref="float"/>); <c>Boolean</c> reads as 0 or 1. Missing values stay NaN.</remarks>
    public static float[] ReadSingleColumn(IDataView data, string column, string role = "input column",
                                           CancellationToken cancellation = default) =>
        ReadSingleColumns(data, [column], role, cancellation)[0];

    /// <summary>The values of several numeric columns, read in one pass; element j of the result is column
    /// <paramref name="columns"/>[j]. Conversions as for <see cref="ReadSingleColumn"/>.</summary>
    public static float[][] ReadSingleColumns(IDataView data, IReadOnlyList<string> columns, string role = "input column",
                                              CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var found = columns.Select(c => FindNumeric(data, c, role)).ToArray();
        var values = found.Select(_ => new List<float>(Capacity(data))).ToArray();
        using var cursor = data.GetRowCursor(found.Distinct());
        var getters = found.Select(c => SingleGetter(cursor, c)).ToArray();
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            for (int j = 0; j < getters.Length; j++)
                values[j].Add(getters[j]());
        }
        return values.Select(v => v.ToArray()).ToArray();
    }

    /// <summary>The values of a text column as strings. <c>Int32</c> and <c>Int64</c> columns (e.g. series ids) are
    /// accepted too, converted in the invariant culture.</summary>
    public static string[] ReadTextColumn(IDataView data, string column, string role = "input column",
                                          CancellationToken cancellation = default)
    {
        var col = SchemaErrors.FindColumn(data.Schema, column, role);
        if (col.Type == TextDataViewType.Instance)
            return Read<ReadOnlyMemory<char>, string>(data, col, v => v.ToString(), cancellation);
        if (col.Type == NumberDataViewType.Int32)
            return Read<int, string>(data, col, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellation);
        if (col.Type == NumberDataViewType.Int64)
            return Read<long, string>(data, col, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellation);
        throw SchemaErrors.Mismatch(role, column, "String", col.Type.ToString()!);
    }

    /// <summary>The values of a <c>DateTime</c> column.</summary>
    public static DateTime[] ReadDateTimeColumn(IDataView data, string column, string role = "input column",
                                                CancellationToken cancellation = default)
    {
        var col = SchemaErrors.FindColumn(data.Schema, column, DateTimeDataViewType.Instance, role);
        return Read<DateTime, DateTime>(data, col, v => v, cancellation);
    }

    /// <summary>The rows of a vector-of-<c>Single</c> column, each copied into its own array.</summary>
    /// <param name="data">The view.</param>
    /// <param name="column">The column's name.</param>
    /// <param name="role">The column's role in messages.</param>
    /// <param name="size">The length every row must have (the column's type must then be <c>Vector&lt;Single,
    /// size&gt;</c>), or 0 to accept any vector of <c>Single</c>.</param>
    /// <param name="cancellation">Checked on every row.</param>
    public static float[][] ReadVectorColumn(IDataView data, string column, string role = "input column", int size = 0,
                                             CancellationToken cancellation = default)
    {
        var col = SchemaErrors.FindColumn(data.Schema, column, role);
        var expected = new VectorDataViewType(NumberDataViewType.Single, size);
        if (col.Type is not VectorDataViewType v || !v.ItemType.Equals(NumberDataViewType.Single) || (size > 0 && v.Size != size))
            throw SchemaErrors.Mismatch(role, column, expected.ToString(), col.Type.ToString()!);
        return Read<ReadOnlyMemory<float>, float[]>(data, col, m => m.ToArray(), cancellation);
    }

    /// <summary>The number of rows: <see cref="IDataView.GetRowCount"/> when known, otherwise counted with a cursor
    /// that reads no column.</summary>
    public static long RowCount(IDataView data, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetRowCount() is { } known)
            return known;
        long count = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            count++;
        }
        return count;
    }

    private static DataViewSchema.Column FindNumeric(IDataView data, string column, string role)
    {
        ArgumentNullException.ThrowIfNull(data);
        var col = SchemaErrors.FindColumn(data.Schema, column, role);
        if (col.Type != NumberDataViewType.Single && col.Type != NumberDataViewType.Double && col.Type != NumberDataViewType.Int32
            && col.Type != NumberDataViewType.Int64 && col.Type != BooleanDataViewType.Instance)
            throw SchemaErrors.Mismatch(role, column, "Single", col.Type.ToString()!);
        return col;
    }

    private static Func<float> SingleGetter(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Single)
            return Wrap<float>(row, column, v => v);
        if (column.Type == NumberDataViewType.Double)
            return Wrap<double>(row, column, v => (float)v);
        if (column.Type == NumberDataViewType.Int32)
            return Wrap<int>(row, column, v => v);
        if (column.Type == NumberDataViewType.Int64)
            return Wrap<long>(row, column, v => v);
        return Wrap<bool>(row, column, v => v ? 1f : 0f);

        static Func<float> Wrap<T>(DataViewRow row, DataViewSchema.Column column, Func<T, float> convert)
        {
            var get = row.GetGetter<T>(column);
            T value = default!;
            return () =>
            {
                get(ref value);
                return convert(value);
            };
        }
    }

    private static TOut[] Read<TIn, TOut>(IDataView data, DataViewSchema.Column column, Func<TIn, TOut> convert,
                                          CancellationToken cancellation)
    {
        var values = new List<TOut>(Capacity(data));
        using var cursor = data.GetRowCursor([column]);
        var get = cursor.GetGetter<TIn>(column);
        TIn value = default!;
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            get(ref value);
            values.Add(convert(value));
        }
        return [.. values];
    }

    private static int Capacity(IDataView data) => data.GetRowCount() is { } n && n <= Array.MaxLength ? (int)n : 0;
}
