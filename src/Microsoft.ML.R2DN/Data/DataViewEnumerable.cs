using System.Reflection;

namespace Microsoft.ML.R2DN.Data;

/// <summary>The implementation of <c>CreateEnumerable</c>: maps the columns of a view onto the writable members of a
/// row class by name, checking types up front, then fills one object per row lazily.</summary>
internal static class DataViewEnumerable
{
    public static IEnumerable<TRow> Create<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns,
                                                 SchemaDefinition? schemaDefinition, CancellationToken cancellation)
        where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var definition = schemaDefinition ?? SchemaDefinition.Create(typeof(TRow));
        definition.CheckUniqueNames(typeof(TRow));
        var members = RowTypeMembers.Get(typeof(TRow)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var bindings = new List<Func<DataViewRow, Action<TRow>>>();
        var columns = new List<DataViewSchema.Column>();
        foreach (var entry in definition)
        {
            if (!members.TryGetValue(entry.MemberName, out var member))
                throw new ArgumentOutOfRangeException(nameof(schemaDefinition),
                    $"'{typeof(TRow).Name}' has no public field or property '{entry.MemberName}'.");
            if (!member.CanWrite)
                continue;
            if (!RowTypeMembers.Suits(member.MemberType, entry.ColumnType))
                throw SchemaErrors.Mismatch("column", entry.ColumnName, entry.ColumnType.ToString()!,
                                            $"member '{member.Name}' of type '{member.MemberType.Name}'", nameof(schemaDefinition));
            var found = data.Schema.GetColumnOrNull(entry.ColumnName);
            if (found is not { } column)
            {
                if (ignoreMissingColumns)
                    continue;
                throw SchemaErrors.Unknown(entry.ColumnName, "column");
            }
            bool fits = column.Type.Equals(entry.ColumnType)
                        || (entry.ColumnType is VectorDataViewType { IsKnownSize: false } wanted
                            && column.Type is VectorDataViewType actual && actual.ItemType.Equals(wanted.ItemType));
            if (!fits)
                throw SchemaErrors.Mismatch("column", entry.ColumnName, entry.ColumnType.ToString()!, column.Type.ToString()!);
            columns.Add(column);
            bindings.Add(CreateBinding<TRow>(column, member, reuseRowObject));
        }
        return Iterate(data, columns, bindings, reuseRowObject, cancellation);
    }

    private static IEnumerable<TRow> Iterate<TRow>(IDataView data, List<DataViewSchema.Column> columns,
                                                   List<Func<DataViewRow, Action<TRow>>> bindings, bool reuseRowObject,
                                                   CancellationToken cancellation)
        where TRow : class, new()
    {
        using var cursor = data.GetRowCursor(columns);
        var fill = bindings.Select(b => b(cursor)).ToArray();
        TRow? row = reuseRowObject ? new TRow() : null;
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            if (!reuseRowObject)
                row = new TRow();
            foreach (var action in fill)
                action(row!);
            yield return row!;
        }
    }

    private static Func<DataViewRow, Action<TRow>> CreateBinding<TRow>(DataViewSchema.Column column, RowTypeMember member, bool reuse)
        where TRow : class
    {
        var method = typeof(DataViewEnumerable).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!
                                               .MakeGenericMethod(typeof(TRow), column.Type.RawType);
        try
        {
            return (Func<DataViewRow, Action<TRow>>)method.Invoke(null, [column, member, reuse])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static Func<DataViewRow, Action<TRow>> Bind<TRow, TRaw>(DataViewSchema.Column column, RowTypeMember member, bool reuse)
        where TRow : class
    {
        var write = MemberAccessors.CreateWriter<TRow, TRaw>(member.Member, member.MemberType, reuse);
        return row =>
        {
            var get = row.GetGetter<TRaw>(column);
            TRaw value = default!;
            return target =>
            {
                get(ref value);
                write(target, value);
            };
        };
    }
}
