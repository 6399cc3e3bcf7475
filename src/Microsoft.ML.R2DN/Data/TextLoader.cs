namespace Microsoft.ML.R2DN.Data;

/// <summary>Loads delimited text files (CSV, TSV) into lazy <see cref="IDataView"/>s: create one with
/// <c>MLContext.Data.CreateTextLoader</c> and call <see cref="Load"/> for each set of files of that layout.</summary>
/// <remarks>
/// <para><b>Streaming.</b> Nothing is read when <see cref="Load"/> is called, beyond checking that the files exist.
/// Each cursor re-reads the files from the start, holding one buffer and the current line, so files of any size can
/// be loaded; <c>GetRowCount()</c> of the view is null. Only the columns a cursor asks for are parsed.</para>
/// <para><b>Format.</b> Fields are separated by one character. With quoting allowed, the format is RFC 4180: a field
/// in double quotes may contain separators, line breaks and doubled quotes (<c>""</c>). Lines end with LF, CRLF or CR;
/// empty lines are skipped. With a header, the first line of every file is skipped (columns are found by index,
/// never by header name). Text is UTF-8 unless a byte-order mark says otherwise. Numbers and dates are parsed in the
/// invariant culture (a <c>.</c> decimal point).</para>
/// <para><b>Missing values.</b> An empty field is not an error: it reads as NaN in a <c>Single</c> or <c>Double</c>
/// column (as do <c>?</c>, <c>NA</c> and <c>N/A</c>), as 0 in an integer column, false in a Boolean one, an empty
/// string in a text one and <see cref="DateTime.MinValue"/> in a date one.</para>
/// <para><b>Errors.</b> Every line must have as many fields as the header (or, without one, as the file's first
/// line), at least one more than the largest column index. A wrong field count, an unparsable value or a broken
/// quote throws a <see cref="FormatException"/> from the cursor's <c>MoveNext</c>, naming the file, the 1-based line
/// and the column, e.g. <c>load.csv line 17, column 'Load': 'abc' is not a valid Single.</c></para>
/// </remarks>
public sealed class TextLoader
{
    private readonly Column[] _columns;
    private readonly char _separator;
    private readonly bool _hasHeader;
    private readonly bool _allowQuoting;
    private readonly bool _trimWhitespace;
    private readonly CancellationToken _cancellation;
    private readonly DataViewSchema _schema;

    internal TextLoader(Column[] columns, char separatorChar, bool hasHeader, bool allowQuoting, bool trimWhitespace,
                        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
            throw new ArgumentException("At least one column is needed.", nameof(columns));
        if (separatorChar is '\n' or '\r' || (allowQuoting && separatorChar == '"'))
            throw new ArgumentException($"'{separatorChar}' cannot be a separator: it is a line break or the quote.", nameof(separatorChar));
        for (int i = 0; i < columns.Length; i++)
            if (columns[i] is null)
                throw new ArgumentException($"Column {i} is null.", nameof(columns));
        _columns = (Column[])columns.Clone();
        _separator = separatorChar;
        _hasHeader = hasHeader;
        _allowQuoting = allowQuoting;
        _trimWhitespace = trimWhitespace;
        _cancellation = cancellation;
        var builder = new DataViewSchema.Builder();
        foreach (var column in _columns)
            builder.AddColumn(column.Name, column.Type);
        _schema = builder.ToSchema();
    }

    /// <summary>The schema of the views this loader produces: one column per <see cref="Column"/>, in order.</summary>
    /// <returns>The schema.</returns>
    public DataViewSchema GetOutputSchema() => _schema;

    /// <summary>Creates a lazy view over the rows of <paramref name="paths"/>, read one file after the other.</summary>
    /// <param name="paths">One or more files of this loader's layout; not null or empty.</param>
    /// <returns>The view; reading happens when a cursor moves.</returns>
    /// <exception cref="ArgumentException"><paramref name="paths"/> is null, empty or holds a null or empty path.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist (the message names it).</exception>
    public IDataView Load(params string[] paths)
    {
        CheckPaths(paths);
        return new TextLoaderDataView(this, (string[])paths.Clone());
    }

    internal DataViewSchema Schema => _schema;

    internal Column[] Columns => _columns;

    internal CancellationToken Cancellation => _cancellation;

    internal TextRecordReader Open(string path) => TextRecordReader.Open(path, _separator, _allowQuoting, _trimWhitespace);

    internal bool HasHeader => _hasHeader;

    internal static void CheckPaths(string[] paths)
    {
        if (paths is null || paths.Length == 0)
            throw new ArgumentException("At least one path is needed.", nameof(paths));
        foreach (var path in paths)
        {
            if (string.IsNullOrEmpty(path))
                throw new ArgumentException("A path is null or empty.", nameof(paths));
            if (!File.Exists(path))
                throw new FileNotFoundException($"Could not find file '{path}'.", path);
        }
    }

    /// <summary>One column of a text file: its name, the kind of values, and the field index (or range of indices,
    /// for a vector) it is read from.</summary>
    public sealed class Column
    {
        /// <summary>A scalar column read from field <paramref name="index"/> of each line.</summary>
        /// <param name="name">The column's name; not null or empty.</param>
        /// <param name="dataKind">The kind of values.</param>
        /// <param name="index">The 0-based field index, &gt;= 0.</param>
        /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty, or
        /// <paramref name="dataKind"/> is not a defined value.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
        public Column(string name, DataKind dataKind, int index)
            : this(name, dataKind, index, index, isVector: false)
        {
        }

        /// <summary>A vector column of <c>Single</c> read from fields <paramref name="minIndex"/> to
        /// <paramref name="maxIndex"/> (both included): its type is <c>Vector&lt;Single, maxIndex - minIndex + 1&gt;</c>.</summary>
        /// <param name="name">The column's name; not null or empty.</param>
        /// <param name="dataKind">The kind of each item; only <see cref="DataKind.Single"/> is supported for vectors.</param>
        /// <param name="minIndex">The first 0-based field index, &gt;= 0.</param>
        /// <param name="maxIndex">The last field index, &gt;= <paramref name="minIndex"/>.</param>
        /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty, or
        /// <paramref name="dataKind"/> is not <see cref="DataKind.Single"/>.</exception>
        /// <exception cref="ArgumentOutOfRangeException">An index is negative or <paramref name="maxIndex"/> &lt;
        /// <paramref name="minIndex"/>.</exception>
        public Column(string name, DataKind dataKind, int minIndex, int maxIndex)
            : this(name, dataKind, minIndex, maxIndex, isVector: true)
        {
        }

        private Column(string name, DataKind dataKind, int minIndex, int maxIndex, bool isVector)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentOutOfRangeException.ThrowIfNegative(minIndex);
            ArgumentOutOfRangeException.ThrowIfLessThan(maxIndex, minIndex);
            if (!Enum.IsDefined(dataKind))
                throw new ArgumentException($"{dataKind} is not a DataKind.", nameof(dataKind));
            if (isVector && dataKind != DataKind.Single)
                throw new ArgumentException($"Vector column '{name}' must be of DataKind.Single, not {dataKind}.", nameof(dataKind));
            Name = name;
            DataKind = dataKind;
            MinIndex = minIndex;
            MaxIndex = maxIndex;
            IsVector = isVector;
        }

        /// <summary>The column's name.</summary>
        public string Name { get; }

        /// <summary>The kind of values (of each item, for a vector).</summary>
        public DataKind DataKind { get; }

        /// <summary>The first (or only) 0-based field index.</summary>
        public int MinIndex { get; }

        /// <summary>The last field index, included; equal to <see cref="MinIndex"/> for a scalar column.</summary>
        public int MaxIndex { get; }

        /// <summary>Whether the column is a vector (created with a range of indices).</summary>
        public bool IsVector { get; }

        /// <summary>The column's type in the loaded view.</summary>
        public DataViewType Type => IsVector
            ? new VectorDataViewType(NumberDataViewType.Single, MaxIndex - MinIndex + 1)
            : KindToType(DataKind);

        /// <summary>The column as <c>Name: Type [index]</c> or <c>Name: Type [min-max]</c>.</summary>
        /// <returns>The description.</returns>
        public override string ToString() => IsVector ? $"{Name}: {Type} [{MinIndex}-{MaxIndex}]" : $"{Name}: {Type} [{MinIndex}]";

        internal static DataViewType KindToType(DataKind kind) => kind switch
        {
            DataKind.Single => NumberDataViewType.Single,
            DataKind.Double => NumberDataViewType.Double,
            DataKind.Int32 => NumberDataViewType.Int32,
            DataKind.Int64 => NumberDataViewType.Int64,
            DataKind.Boolean => BooleanDataViewType.Instance,
            DataKind.String => TextDataViewType.Instance,
            DataKind.DateTime => DateTimeDataViewType.Instance,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown DataKind."),
        };
    }
}
