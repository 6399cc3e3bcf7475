namespace Microsoft.ML.R2DN;

/// <summary>One row of an <see cref="IDataView"/>, whose column values are read through getters: the base of
/// <see cref="DataViewRowCursor"/>.</summary>
/// <remarks>A getter is created once per column with <see cref="GetGetter{TValue}"/> and called for every row; it
/// always reads the row the cursor is on.</remarks>
public abstract class DataViewRow : IDisposable
{
    /// <summary>The columns of the row.</summary>
    public abstract DataViewSchema Schema { get; }

    /// <summary>The 0-based index of the current row; -1 before the first call to <c>MoveNext</c>.</summary>
    public abstract long Position { get; }

    /// <summary>Whether the values of <paramref name="column"/> can be read from this row (it was among the columns
    /// requested when the cursor was opened).</summary>
    /// <param name="column">A column of <see cref="Schema"/>.</param>
    /// <returns>True when <see cref="GetGetter{TValue}"/> may be called for the column.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="column"/> is not a column of <see cref="Schema"/>.</exception>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>Creates a getter that reads <paramref name="column"/> in the current row.</summary>
    /// <typeparam name="TValue">The column's <see cref="DataViewType.RawType"/>: <see cref="float"/> for
    /// <c>Single</c>, <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/> for text, <see cref="ReadOnlyMemory{T}"/>
    /// of <see cref="float"/> for a vector of <c>Single</c>, and so on.</typeparam>
    /// <param name="column">A column of <see cref="Schema"/> that is active.</param>
    /// <returns>The getter.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="column"/> is not a column of <see cref="Schema"/>,
    /// or <typeparamref name="TValue"/> is not the column's raw type (message: <c>Schema mismatch for column 'X':
    /// expected Single, got String</c>).</exception>
    /// <exception cref="InvalidOperationException">The column is not active in this cursor.</exception>
    public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

    /// <summary>Releases the resources (open files) held by the row.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; called by <see cref="Dispose()"/> with <paramref name="disposing"/> true.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>, false from a finalizer.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
