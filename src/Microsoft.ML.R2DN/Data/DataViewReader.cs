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
    public static float[][] ReadSingleColumns(IDataView data, IReadOnlyList<string> columns,
                                              string role = "input column", CancellationToken cancellation = default) =>
        ReadNumericColumns(data, columns, role, SingleGetter, cancellation);

    /// <summary>The values of several numeric columns as <see cref="double"/>s, read in one pass: <c>Double</c> as is,
    /// the other numeric types (see <see cref="IsNumeric"/>) converted. For data read at full precision, such as the
    /// benchmark files.</summary>
    public static double[][] ReadDoubleColumns(IDataView data, IReadOnlyList<string> columns,
                                               string role = "input column",
                                               CancellationToken cancellation = default) =>
        ReadNumericColumns(data, columns, role, DoubleGetter, cancellation);

    private static T[][] ReadNumericColumns<T>(IDataView data, IReadOnlyList<string> columns, string role,
                                               Func<DataViewRow, DataViewSchema.Column, Func<T>> getter,
                                               CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var found = columns.Select(c => FindNumeric(data, c, role)).ToArray();
        var values = found.Select(_ => new List<T>(Capacity(data))).ToArray();
        using var cursor = data.GetRowCursor(found.Distinct());
        var getters = found.Select(c => getter(cursor, c)).ToArray();
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            for (int j = 0; j < getters.Length; j++)
                values[j].Add(getters[j]());
        }
        return values.Select(v => v.ToArray()).ToArray();
    }

    // A Double column as is; the other numeric types as the Single reader reads them.
    private static Func<double> DoubleGetter(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type != NumberDataViewType.Double)
        {
            var single = SingleGetter(row, column);
            return () => single();
        }
        var get = row.GetGetter<double>(column);
        double value = 0;
        return () =>
        {
            get(ref value);
            return value;
        };
    }

    /// <summary>The values of a text column as strings. <c>Int32</c> and <c>Int64</c> columns (e.g. series ids) are
    /// accepted too, converted in the invariant culture.</summary>
    public static string[] ReadTextColumn(IDataView data, string column, string role = "input column",
                                          CancellationToken cancellation = default)
    {
        var col = SchemaErrors.FindColumn(data.Schema, column, role);
        if (!IsIdType(col.Type))
            throw SchemaErrors.Mismatch(role, column, "String", col.Type.ToString()!);
        var values = new List<string>(Capacity(data));
        using var cursor = data.GetRowCursor([col]);
        var get = IdGetter(cursor, col);
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            values.Add(get());
        }
        return [.. values];
    }

    /// <summary>Whether a column of this type can name series: text, a key, or an integer or floating-point
    /// number.</summary>
    public static bool IsIdType(DataViewType type) =>
        type is TextDataViewType or KeyDataViewType || type == NumberDataViewType.Int32
        || type == NumberDataViewType.Int64 || type == NumberDataViewType.Single || type == NumberDataViewType.Double
        || type == NumberDataViewType.UInt32 || type == NumberDataViewType.UInt64;

    /// <summary>Reads an id column of the current row as a string: text as is, numbers in the invariant culture (the
    /// shortest round-trip form), keys as their value when the column has key values, else their number.</summary>
    public static Func<string> IdGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var t = column.Type;
        if (t is TextDataViewType) return Wrap<ReadOnlyMemory<char>>(v => v.ToString());
        if (t is KeyDataViewType key)
        {
            string[]? names = null;
            if (column.HasKeyValues(TextDataViewType.Instance))
            {
                VBuffer<ReadOnlyMemory<char>> buffer = default;
                column.GetKeyValues(ref buffer);
                names = buffer.DenseValues().Select(v => v.ToString()).ToArray();
            }
            if (key.RawType == typeof(uint)) return Wrap<uint>(v => KeyName(v, names));
            if (key.RawType == typeof(ulong)) return Wrap<ulong>(v => KeyName(v, names));
            if (key.RawType == typeof(ushort)) return Wrap<ushort>(v => KeyName(v, names));
            return Wrap<byte>(v => KeyName(v, names));
        }
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (t == NumberDataViewType.Int32) return Wrap<int>(v => v.ToString(inv));
        if (t == NumberDataViewType.Int64) return Wrap<long>(v => v.ToString(inv));
        if (t == NumberDataViewType.UInt32) return Wrap<uint>(v => v.ToString(inv));
        if (t == NumberDataViewType.UInt64) return Wrap<ulong>(v => v.ToString(inv));
        if (t == NumberDataViewType.Single) return Wrap<float>(v => v.ToString("R", inv));
        if (t == NumberDataViewType.Double) return Wrap<double>(v => v.ToString("R", inv));
        throw SchemaErrors.Mismatch("series id column", column.Name, "String", t.ToString()!);

        Func<string> Wrap<T>(Func<T, string> format)
        {
            var get = row.GetGetter<T>(column);
            T value = default!;
            return () =>
            {
                get(ref value);
                return format(value);
            };
        }
    }

    // Key 0 is the missing key; 1..n index the key values.
    private static string KeyName(ulong key, string[]? names) =>
        key == 0 ? "" : names is not null && key <= (ulong)names.Length ? names[key - 1]
                      : key.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
        if (col.Type is not VectorDataViewType v || !v.ItemType.Equals(NumberDataViewType.Single)
            || (size > 0 && v.Size != size))
            throw SchemaErrors.Mismatch(role, column, expected.ToString(), col.Type.ToString()!);
        return Read<VBuffer<float>, float[]>(data, col, m => m.DenseValues().ToArray(), cancellation);
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
        if (!IsNumeric(col.Type))
            throw SchemaErrors.Mismatch(role, column, "Single", col.Type.ToString()!);
        return col;
    }

    /// <summary>Whether the numeric reader takes a column of this type (Single, Double, Int32, Int64 or
    /// Boolean).</summary>
    public static bool IsNumeric(DataViewType t) =>
        t == NumberDataViewType.Single || t == NumberDataViewType.Double || t == NumberDataViewType.Int32
        || t == NumberDataViewType.Int64 || t == BooleanDataViewType.Instance;

    /// <summary>A reader of a numeric column of the current row as <see cref="float"/>.</summary>
    public static Func<float> SingleGetter(DataViewRow row, DataViewSchema.Column column)
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
