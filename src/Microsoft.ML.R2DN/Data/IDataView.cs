namespace Microsoft.ML.R2DN;

/// <summary>A table of data, read row by row through cursors: the input and output of every loader, estimator and
/// transformer.</summary>
/// <remarks>
/// <para>A data view is lazy and immutable: it computes or reads rows only when a cursor asks for them, and every
/// cursor sees the same rows in the same order. Loaders re-read their source for each cursor, so a view over a large
/// file never holds the file in memory.</para>
/// <para>A cursor only needs to compute the columns it is asked for (<c>columnsNeeded</c>); asking for fewer
/// columns makes reading cheaper.</para>
/// </remarks>
public interface IDataView
{
    /// <summary>The columns of the view.</summary>
    DataViewSchema Schema { get; }

    /// <summary>Whether the view can produce rows in a random order when <see cref="GetRowCursor"/> is given a
    /// <see cref="Random"/>. The views in this package keep time order and return false.</summary>
    bool CanShuffle { get; }

    /// <summary>The number of rows when it is known without reading the data, otherwise null.</summary>
    /// <returns>The number of rows (&gt;= 0), or null; text files report null.</returns>
    long? GetRowCount();

    /// <summary>Opens a cursor over the rows.</summary>
    /// <param name="columnsNeeded">The columns the caller will read (columns of <see cref="Schema"/>); getters of other
    /// columns throw. Not null; may be empty, for example to count rows.</param>
    /// <param name="rand">A random source for a shuffled order; ignored when <see cref="CanShuffle"/> is false.</param>
    /// <returns>A cursor positioned before the first row; dispose it when done.</returns>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);
}
