using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>Reads whole columns of an <see cref="IDataView"/> into arrays, through the public cursor API.</summary>
internal static class ColumnReader
{
    /// <summary>Whether a column type is one the models read as numbers.</summary>
    public static bool IsNumeric(DataViewType type) =>
        type.Equals(NumberDataViewType.Single) || type.Equals(NumberDataViewType.Double) || type.Equals(NumberDataViewType.Int32)
        || type.Equals(NumberDataViewType.Int64) || type.Equals(BooleanDataViewType.Instance);

    /// <summary>A numeric column as <see cref="float"/>s.</summary>
    public static float[] Floats(IDataView data, string name)
    {
        var column = Find(data.Schema, name);
        var type = column.Type;
        if (type.Equals(NumberDataViewType.Single)) return Read<float, float>(data, column, v => v);
        if (type.Equals(NumberDataViewType.Double)) return Read<double, float>(data, column, v => (float)v);
        if (type.Equals(NumberDataViewType.Int32)) return Read<int, float>(data, column, v => v);
        if (type.Equals(NumberDataViewType.Int64)) return Read<long, float>(data, column, v => v);
        if (type.Equals(BooleanDataViewType.Instance)) return Read<bool, float>(data, column, v => v ? 1f : 0f);
        throw new ArgumentException($"Column '{name}' holds {type} values, not numbers.");
    }

    /// <summary>A vector-of-Single column, one array per row.</summary>
    public static float[][] Vectors(IDataView data, string name)
    {
        var column = Find(data.Schema, name);
        if (column.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Single))
            throw new ArgumentException($"Column '{name}' holds {column.Type} values, not vectors of Single.");
        return Read<VBuffer<float>, float[]>(data, column, v => v.DenseValues().ToArray());
    }

    /// <summary>A series id column as strings, formatted as the library groups series: text as is, numbers in the
    /// invariant culture (shortest round-trip form).</summary>
    public static string[] Ids(IDataView data, string name)
    {
        var column = Find(data.Schema, name);
        var type = column.Type;
        if (type.Equals(TextDataViewType.Instance)) return Read<ReadOnlyMemory<char>, string>(data, column, v => v.ToString());
        if (type.Equals(NumberDataViewType.Single)) return Read<float, string>(data, column, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (type.Equals(NumberDataViewType.Double)) return Read<double, string>(data, column, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (type.Equals(NumberDataViewType.Int32)) return Read<int, string>(data, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.Equals(NumberDataViewType.Int64)) return Read<long, string>(data, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type is KeyDataViewType { RawType: var raw } && raw == typeof(uint))
        {
            // A key (as MapValueToKey makes): named by its text key values when it has them.
            string[]? names = null;
            if (column.HasKeyValues())
            {
                VBuffer<ReadOnlyMemory<char>> values = default;
                column.GetKeyValues(ref values);
                names = [.. values.DenseValues().Select(v => v.ToString())];
            }
            return Read<uint, string>(data, column, k => k == 0 ? "" : names is not null && k <= names.Length ? names[k - 1] : k.ToString(CultureInfo.InvariantCulture));
        }
        throw new ArgumentException($"Column '{name}' holds {type} values, which cannot name a series.");
    }

    /// <summary>The number of rows, read with no column active.</summary>
    public static int Count(IDataView data)
    {
        if (data.GetRowCount() is long known) return checked((int)known);
        using var cursor = data.GetRowCursor([]);
        int n = 0;
        while (cursor.MoveNext()) n++;
        return n;
    }

    /// <summary>The rows of each series, in the order each id first appears (as the library groups them); one group
    /// of every row when <paramref name="ids"/> is null.</summary>
    public static List<(string Id, int[] Rows)> Group(string[]? ids, int rowCount)
    {
        if (ids is null) return rowCount == 0 ? [] : [("", Enumerable.Range(0, rowCount).ToArray())];
        var order = new List<string>();
        var rows = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++)
        {
            if (!rows.TryGetValue(ids[i], out var list))
            {
                rows.Add(ids[i], list = []);
                order.Add(ids[i]);
            }
            list.Add(i);
        }
        return order.Select(id => (id, rows[id].ToArray())).ToList();
    }

    private static DataViewSchema.Column Find(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException($"The data has no column '{name}'.");

    private static TOut[] Read<TIn, TOut>(IDataView data, DataViewSchema.Column column, Func<TIn, TOut> convert)
    {
        var values = new List<TOut>();
        using var cursor = data.GetRowCursor([column]);
        var get = cursor.GetGetter<TIn>(column);
        TIn value = default!;
        while (cursor.MoveNext())
        {
            get(ref value);
            values.Add(convert(value));
        }
        return [.. values];
    }
}
