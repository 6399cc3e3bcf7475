using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN;

/// <summary>Loading and reading data: <c>MLContext.Data</c>.</summary>
/// <remarks>
/// <para>Every view created here is lazy: nothing is read until a cursor moves, and each cursor reads its source again
/// (the enumerable is enumerated again, the files are re-read). Views created here stop with an
/// <see cref="OperationCanceledException"/> once <see cref="MLContext.CancelExecution"/> has been called.</para>
/// <para>Text files: see <see cref="TextLoader"/> for the format (RFC 4180 quoting, headers, invariant culture), the
/// missing-value rules (an empty numeric field is NaN, not an error) and the <see cref="FormatException"/> raised for a
/// malformed line (naming the file, the 1-based line and the column).</para>
/// </remarks>
public sealed class DataOperationsCatalog
{
    private readonly MLContext _context;

    internal DataOperationsCatalog(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <summary>Creates a lazy view over a sequence of objects: each public field and property of
    /// <typeparamref name="TRow"/> becomes a column.</summary>
    /// <typeparam name="TRow">The row class. Member types: <see cref="float"/>, <see cref="double"/>, <see cref="int"/>,
    /// <see cref="long"/>, <see cref="bool"/>, <see cref="string"/> (a text column; null reads as empty),
    /// <see cref="DateTime"/>, and <see cref="float"/>[] (a vector column, of the size given by
    /// <see cref="VectorTypeAttribute"/>). <see cref="ColumnNameAttribute"/> renames a column;
    /// <see cref="NoColumnAttribute"/> skips a member.</typeparam>
    /// <param name="data">The rows; enumerated again by each cursor, so it must be re-enumerable (a list, an array, or a
    /// query over one). Not null; no item may be null.</param>
    /// <param name="schemaDefinition">The member-to-column map, to override names or vector sizes at run time; null
    /// for <see cref="SchemaDefinition.Create"/> of <typeparamref name="TRow"/>.</param>
    /// <returns>The view. Its row count is known when <paramref name="data"/> is a collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A member's type maps to no column type, or two members map to the
    /// same column.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="schemaDefinition"/> names a missing member or a
    /// type that does not suit the member.</exception>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, SchemaDefinition? schemaDefinition = null)
        where TRow : class =>
        new EnumerableDataView<TRow>(data, schemaDefinition, _context.CancellationToken);

    /// <summary>Reads a view back as objects: each writable public field and property of <typeparamref name="TRow"/> is
    /// filled from the column of the same name (or of its <see cref="ColumnNameAttribute"/>).</summary>
    /// <typeparam name="TRow">The row class, with a public parameterless constructor; member types as for
    /// <see cref="LoadFromEnumerable{TRow}"/>. Text columns fill <see cref="string"/> members; vector columns fill
    /// <see cref="float"/>[] members.</typeparam>
    /// <param name="data">The view to read; not null.</param>
    /// <param name="reuseRowObject">True to return the same object for every row, overwritten in place (faster; copy
    /// what you keep); false for a new object per row.</param>
    /// <param name="ignoreMissingColumns">True to leave members without a matching column untouched; false to throw.</param>
    /// <param name="schemaDefinition">The member-to-column map; null for <see cref="SchemaDefinition.Create"/> of
    /// <typeparamref name="TRow"/>.</param>
    /// <returns>A lazy sequence: each enumeration opens a cursor. Columns and types are checked before this returns.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing (<c>Could not find column 'X'</c>) or has the
    /// wrong type (<c>Schema mismatch for column 'X': expected Single, got String</c>).</exception>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false,
                                                    SchemaDefinition? schemaDefinition = null)
        where TRow : class, new() =>
        DataViewEnumerable.Create<TRow>(data, reuseRowObject, ignoreMissingColumns, schemaDefinition, _context.CancellationToken);

    /// <summary>Creates a reusable loader for text files laid out as <typeparamref name="TInput"/> describes.</summary>
    /// <typeparam name="TInput">The row class: every public field and property has a <see cref="LoadColumnAttribute"/>
    /// (or <see cref="NoColumnAttribute"/>); a <see cref="float"/>[] member reads a range of fields.</typeparam>
    /// <param name="separatorChar">The field separator, e.g. <c>'\t'</c> (default) or <c>','</c>; not a line break,
    /// nor <c>"</c> when quoting is allowed.</param>
    /// <param name="hasHeader">Whether the first line of each file is a header to skip.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180); false reads quotes as ordinary characters.</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The loader.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="TInput"/> has a member without
    /// <see cref="LoadColumnAttribute"/> or of an unsupported type.</exception>
    /// <exception cref="ArgumentException"><paramref name="separatorChar"/> is not allowed.</exception>
    public TextLoader CreateTextLoader<TInput>(char separatorChar = '\t', bool hasHeader = false, bool allowQuoting = true,
                                               bool trimWhitespace = false) =>
        new(TextColumnInference.FromType(typeof(TInput)), separatorChar, hasHeader, allowQuoting, trimWhitespace,
            _context.CancellationToken);

    /// <summary>Creates a reusable loader for text files with the given columns.</summary>
    /// <param name="columns">The columns to load, each a name, a <see cref="DataKind"/> and a field index (or range);
    /// not null or empty.</param>
    /// <param name="separatorChar">The field separator; <c>','</c> by default.</param>
    /// <param name="hasHeader">Whether the first line of each file is a header to skip; true by default.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180).</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The loader.</returns>
    /// <exception cref="ArgumentException"><paramref name="columns"/> is null, empty or holds null, or
    /// <paramref name="separatorChar"/> is not allowed.</exception>
    public TextLoader CreateTextLoader(TextLoader.Column[] columns, char separatorChar = ',', bool hasHeader = true,
                                       bool allowQuoting = true, bool trimWhitespace = false) =>
        new(columns, separatorChar, hasHeader, allowQuoting, trimWhitespace, _context.CancellationToken);

    /// <summary>Loads a delimited text file laid out as <typeparamref name="TInput"/> describes, lazily.</summary>
    /// <typeparam name="TInput">The row class: every public field and property has a <see cref="LoadColumnAttribute"/>
    /// (or <see cref="NoColumnAttribute"/>); a <see cref="float"/>[] member reads a range of fields.</typeparam>
    /// <param name="path">The file; it must exist.</param>
    /// <param name="separatorChar">The field separator, e.g. <c>'\t'</c> (default) or <c>','</c>.</param>
    /// <param name="hasHeader">Whether the first line is a header to skip.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180).</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The view; the file is read by each cursor, never held in memory.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TInput"/> has a member without
    /// <see cref="LoadColumnAttribute"/> or of an unsupported type.</exception>
    /// <example><code>
    /// IDataView data = ml.Data.LoadFromTextFile&lt;LoadRow&gt;("load.csv", separatorChar: ',', hasHeader: true);
    /// </code></example>
    public IDataView LoadFromTextFile<TInput>(string path, char separatorChar = '\t', bool hasHeader = false,
                                              bool allowQuoting = true, bool trimWhitespace = false) =>
        LoadFromTextFile<TInput>([path], separatorChar, hasHeader, allowQuoting, trimWhitespace);

    /// <summary>Loads several delimited text files of the same layout as one view, their rows one file after the
    /// other; see <see cref="LoadFromTextFile{TInput}(string, char, bool, bool, bool)"/>.</summary>
    /// <typeparam name="TInput">The row class, with <see cref="LoadColumnAttribute"/>s.</typeparam>
    /// <param name="paths">The files, in order; not null or empty; each must exist. With a header, each file has one.</param>
    /// <param name="separatorChar">The field separator.</param>
    /// <param name="hasHeader">Whether the first line of each file is a header to skip.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180).</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException"><paramref name="paths"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TInput"/> is not a valid row class.</exception>
    public IDataView LoadFromTextFile<TInput>(string[] paths, char separatorChar = '\t', bool hasHeader = false,
                                              bool allowQuoting = true, bool trimWhitespace = false) =>
        CreateTextLoader<TInput>(separatorChar, hasHeader, allowQuoting, trimWhitespace).Load(paths);

    /// <summary>Loads a delimited text file with the given columns, lazily.</summary>
    /// <param name="path">The file; it must exist.</param>
    /// <param name="columns">The columns to load (name, <see cref="DataKind"/>, field index); not null or empty.</param>
    /// <param name="separatorChar">The field separator; <c>','</c> by default.</param>
    /// <param name="hasHeader">Whether the first line is a header to skip; true by default.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180).</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The view; the file is read by each cursor, never held in memory.</returns>
    /// <exception cref="ArgumentException"><paramref name="columns"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public IDataView LoadFromTextFile(string path, TextLoader.Column[] columns, char separatorChar = ',', bool hasHeader = true,
                                      bool allowQuoting = true, bool trimWhitespace = false) =>
        LoadFromTextFile([path], columns, separatorChar, hasHeader, allowQuoting, trimWhitespace);

    /// <summary>Loads several delimited text files of the same layout as one view, their rows one file after the
    /// other; see <see cref="LoadFromTextFile(string, TextLoader.Column[], char, bool, bool, bool)"/>.</summary>
    /// <param name="paths">The files, in order; not null or empty; each must exist.</param>
    /// <param name="columns">The columns to load; not null or empty.</param>
    /// <param name="separatorChar">The field separator; <c>','</c> by default.</param>
    /// <param name="hasHeader">Whether the first line of each file is a header to skip; true by default.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180).</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException"><paramref name="paths"/> or <paramref name="columns"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public IDataView LoadFromTextFile(string[] paths, TextLoader.Column[] columns, char separatorChar = ',', bool hasHeader = true,
                                      bool allowQuoting = true, bool trimWhitespace = false) =>
        CreateTextLoader(columns, separatorChar, hasHeader, allowQuoting, trimWhitespace).Load(paths);

    /// <summary>Loads a CSV file whose first line names the columns, inferring each column's type from its values.</summary>
    /// <remarks>
    /// <para>A column is <c>Single</c> when every value is a number or missing (empty, <c>?</c>, <c>NA</c>, <c>N/A</c>),
    /// <c>DateTime</c> when every non-empty value is an ISO 8601 date (<c>2024-01-31</c>, <c>2024-01-31T13:00:00Z</c>,
    /// ...), and text (<c>String</c>) otherwise. Header names are trimmed; an empty one becomes <c>Column{index}</c>
    /// (0-based). Integers are loaded as <c>Single</c> too: use
    /// <see cref="LoadFromTextFile(string, TextLoader.Column[], char, bool, bool, bool)"/> to choose types yourself.</para>
    /// <para>Unlike the other loaders this reads the file once when called, streaming, to infer the types (and to check
    /// the field counts); the returned view is lazy as usual.</para>
    /// </remarks>
    /// <param name="path">The file; it must exist and have a header line.</param>
    /// <param name="separatorChar">The field separator; <c>','</c> by default.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180).</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The view, one column per header field.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is empty, the header names a column twice, or a line has the wrong
    /// number of fields.</exception>
    /// <exception cref="OperationCanceledException"><see cref="MLContext.CancelExecution"/> was called.</exception>
    public IDataView LoadFromCsv(string path, char separatorChar = ',', bool allowQuoting = true, bool trimWhitespace = false) =>
        LoadFromCsv([path], separatorChar, allowQuoting, trimWhitespace);

    /// <summary>Loads several CSV files with identical headers as one view, inferring the column types from all of
    /// them; see <see cref="LoadFromCsv(string, char, bool, bool)"/>.</summary>
    /// <param name="paths">The files, in order; not null or empty; each must exist and have the same header.</param>
    /// <param name="separatorChar">The field separator; <c>','</c> by default.</param>
    /// <param name="allowQuoting">Whether fields may be quoted (RFC 4180).</param>
    /// <param name="trimWhitespace">Whether to remove spaces and tabs around unquoted fields and skip blank lines.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException"><paramref name="paths"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FormatException">A file is empty, the headers differ, a header names a column twice, or a line
    /// has the wrong number of fields.</exception>
    /// <exception cref="OperationCanceledException"><see cref="MLContext.CancelExecution"/> was called.</exception>
    public IDataView LoadFromCsv(string[] paths, char separatorChar = ',', bool allowQuoting = true, bool trimWhitespace = false)
    {
        TextLoader.CheckPaths(paths);
        var columns = TextColumnInference.FromHeader(paths, separatorChar, allowQuoting, trimWhitespace, _context.CancellationToken);
        return CreateTextLoader(columns, separatorChar, hasHeader: true, allowQuoting, trimWhitespace).Load(paths);
    }
}
