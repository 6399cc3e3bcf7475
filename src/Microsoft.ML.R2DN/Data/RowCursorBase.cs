namespace Microsoft.ML.R2DN.Data;

/// <summary>The common part of the cursors in this package: position, active columns, cancellation, and the checks of
/// <see cref="DataViewRow.GetGetter{TValue}"/> (column of this schema, active, right value type).</summary>
/// <remarks>Subclasses implement <see cref="MoveNextCore"/> and <see cref="GetGetterCore{TValue}"/>; the getters they
/// return are wrapped so that reading before the first row or after the last throws a clear error.</remarks>
internal abstract class RowCursorBase : DataViewRowCursor
{
    private readonly bool[] _active;
    private readonly CancellationToken _cancellation;
    private long _position = -1;
    private bool _finished;

    protected RowCursorBase(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded,
                            CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        Schema = schema;
        _cancellation = cancellation;
        _active = ActiveFlags(schema, columnsNeeded);
    }

    public sealed override DataViewSchema Schema { get; }

    public sealed override long Position => _position;

    /// <summary>Rows come from one sequential cursor: one batch.</summary>
    public sealed override long Batch => 0;

    /// <summary>The row's position as its id (the views here neither shuffle nor split).</summary>
    public sealed override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

    /// <summary>Whether the cursor is on a row (after a successful <see cref="MoveNext"/>, before the end).</summary>
    protected bool IsOnRow => _position >= 0 && !_finished;

    /// <summary>Whether the column at <paramref name="index"/> was requested.</summary>
    protected bool IsActive(int index) => _active[index];

    public sealed override bool IsColumnActive(DataViewSchema.Column column)
    {
        CheckColumn(Schema, column);
        return _active[column.Index];
    }

    public sealed override bool MoveNext()
    {
        if (_finished)
            return false;
        _cancellation.ThrowIfCancellationRequested();
        if (MoveNextCore())
        {
            _position++;
            return true;
        }
        _finished = true;
        return false;
    }

    public sealed override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        CheckGetter<TValue>(this, column);
        var inner = GetGetterCore<TValue>(column.Index);
        return (ref TValue value) =>
        {
            if (!IsOnRow)
                throw new InvalidOperationException(_finished
                    ? $"Cannot read column '{column.Name}': the cursor is past the last row."
                    : $"Cannot read column '{column.Name}': call MoveNext before reading values.");
            inner(ref value);
        };
    }

    /// <summary>Moves the underlying source to the next row; false at the end.</summary>
    protected abstract bool MoveNextCore();

    /// <summary>A getter for the active column at <paramref name="index"/>, whose raw type is
    /// <typeparamref name="TValue"/> (both checked by the caller).</summary>
    protected abstract ValueGetter<TValue> GetGetterCore<TValue>(int index);

    protected override void Dispose(bool disposing)
    {
        _finished = true;
        base.Dispose(disposing);
    }

    /// <summary>The active flag of every column of <paramref name="schema"/>; the columns must belong to it.</summary>
    public static bool[] ActiveFlags(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        var active = new bool[schema.Count];
        foreach (var column in columnsNeeded)
        {
            CheckColumn(schema, column);
            active[column.Index] = true;
        }
        return active;
    }

    /// <summary>Throws unless <paramref name="column"/> is a column of <paramref name="schema"/> (same index, name and
    /// type).</summary>
    public static void CheckColumn(DataViewSchema schema, DataViewSchema.Column column)
    {
        if ((uint)column.Index >= (uint)schema.Count || schema[column.Index].Name != column.Name
            || !schema[column.Index].Type.Equals(column.Type))
            throw new ArgumentOutOfRangeException(nameof(column),
                $"Column '{column.Name}' (index {column.Index}) is not a column of this schema.");
    }

    /// <summary>The checks of <see cref="DataViewRow.GetGetter{TValue}"/> for any row implementation: the column
    /// belongs to the row's schema, is active, and <typeparamref name="TValue"/> is its raw type.</summary>
    public static void CheckGetter<TValue>(DataViewRow row, DataViewSchema.Column column)
    {
        CheckColumn(row.Schema, column);
        if (typeof(TValue) != column.Type.RawType)
        {
            string actual = column.Type.ToString()!;
            if (!SchemaErrors.IsRawType(typeof(TValue)))
                actual += $" (read it with GetGetter<{CSharpName(column.Type.RawType)}>)";
            throw SchemaErrors.Mismatch("column", column.Name, SchemaErrors.TypeName(typeof(TValue)), actual);
        }
        if (!row.IsColumnActive(column))
            throw new InvalidOperationException(
                $"Column '{column.Name}' is not active in this cursor; include it in the columns passed to " +
                "GetRowCursor.");
    }

    private static string CSharpName(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}" +
              $"<{string.Join(", ", type.GetGenericArguments().Select(CSharpName))}>"
            : type == typeof(float) ? "float" : type == typeof(double) ? "double" : type == typeof(char) ? "char"
            : type == typeof(int) ? "int" : type == typeof(long) ? "long" : type == typeof(bool) ? "bool" : type.Name;
}
