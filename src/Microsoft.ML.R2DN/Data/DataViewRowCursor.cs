namespace Microsoft.ML.R2DN;

/// <summary>A forward-only cursor over the rows of an <see cref="IDataView"/>.</summary>
/// <remarks>A cursor starts before the first row (<see cref="DataViewRow.Position"/> is -1); each
/// <see cref="MoveNext"/> advances one row. Dispose it when done: cursors over files hold the file open.
/// A cursor is not thread-safe; open one cursor per thread.</remarks>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Advances to the next row.</summary>
    /// <returns>True when the cursor is on a row; false once the rows are exhausted (and on every later call).</returns>
    /// <exception cref="OperationCanceledException">The <c>MLContext</c> that created the view was cancelled with
    /// <c>CancelExecution</c>.</exception>
    /// <exception cref="FormatException">A loaded file holds a malformed row (the message names the file, line and
    /// column).</exception>
    public abstract bool MoveNext();
}
