using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Transforms;

/// <summary>Keeps or drops columns: <c>ml.Transforms.SelectColumns</c> and <c>ml.Transforms.DropColumns</c>. Fitting
/// learns nothing.</summary>
/// <remarks><c>SelectColumns</c> keeps the named visible columns, in the order named (hidden columns are left out).
/// <c>DropColumns</c> removes every column of the given names, hidden ones included, and keeps the rest in order.</remarks>
public sealed class ColumnSelectingEstimator : IEstimator<ColumnSelectingTransformer>
{
    private readonly MLContext _context;
    private readonly string[] _columnNames;
    private readonly bool _keep;

    internal ColumnSelectingEstimator(MLContext context, string[] columnNames, bool keep)
    {
        _context = context;
        _columnNames = columnNames;
        _keep = keep;
    }

    /// <summary>Checks the columns and returns the transformer.</summary>
    /// <param name="input">The data; only its schema is used. Not null.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A named column is missing.</exception>
    public ColumnSelectingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return new ColumnSelectingTransformer(_context, _columnNames, _keep);
    }

    /// <summary>The schema with only the kept columns.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A named column is missing.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        ColumnSelectingTransformer.Map(inputSchema, _columnNames, _keep, out _);
}

/// <summary>Keeps or drops columns, lazily: the result of <see cref="ColumnSelectingEstimator"/>.</summary>
[PersistableTransformer(PersistedName)]
public sealed class ColumnSelectingTransformer : ITransformer, IPersistableTransformer
{
    private const string PersistedName = "SelectColumns";
    private readonly MLContext? _context;
    private readonly string[] _columnNames;

    internal ColumnSelectingTransformer(MLContext? context, string[] columnNames, bool keep)
    {
        _context = context;
        _columnNames = columnNames;
        IsKeep = keep;
    }

    /// <summary>The named columns: those kept when <see cref="IsKeep"/>, otherwise those dropped.</summary>
    public IReadOnlyList<string> ColumnNames => _columnNames;

    /// <summary>True when <see cref="ColumnNames"/> are kept (<c>SelectColumns</c>), false when they are dropped
    /// (<c>DropColumns</c>).</summary>
    public bool IsKeep { get; }

    string IPersistableTransformer.TypeName => PersistedName;

    /// <summary>The schema with only the kept columns.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A named column is missing.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Map(inputSchema, _columnNames, IsKeep, out _);

    /// <summary>A view of <paramref name="input"/> with only the kept columns.</summary>
    /// <param name="input">The data; not null.</param>
    /// <returns>The lazy output view.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A named column is missing.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = Map(input.Schema, _columnNames, IsKeep, out var map);
        return new ColumnSelectingDataView(input, schema, map, _context?.CancellationToken ?? default);
    }

    void IPersistableTransformer.Save(ModelSaveContext context)
    {
        context.Properties["columns"] = TransformUtils.ToJson(_columnNames);
        context.Properties["keep"] = IsKeep;
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        var names = context.GetStrings("columns");
        if (names.Length == 0 || names.Any(string.IsNullOrEmpty))
            throw new FormatException($"The model file is damaged: a '{PersistedName}' transformer must name at least one column.");
        return new ColumnSelectingTransformer(context.Context, names, context.GetBoolean("keep"));
    }

    /// <summary>The output schema and, for each output column, the index of the input column it shows.</summary>
    internal static DataViewSchema Map(DataViewSchema inputSchema, string[] names, bool keep, out int[] map)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var found = names.Select(n => SchemaErrors.FindColumn(inputSchema, n, "column")).ToArray();
        if (keep)
            map = [.. found.Select(c => c.Index)];
        else
        {
            var dropped = new HashSet<string>(names, StringComparer.Ordinal);
            map = [.. inputSchema.Where(c => !dropped.Contains(c.Name)).Select(c => c.Index)];
        }
        var builder = new DataViewSchema.Builder();
        foreach (int i in map)
            builder.AddColumn(inputSchema[i].Name, inputSchema[i].Type);
        return builder.ToSchema();
    }

    /// <summary>Shows some columns of an input view, in a new order.</summary>
    private sealed class ColumnSelectingDataView : IDataView
    {
        private readonly IDataView _input;
        private readonly int[] _map;
        private readonly CancellationToken _cancellation;

        public ColumnSelectingDataView(IDataView input, DataViewSchema schema, int[] map, CancellationToken cancellation)
        {
            _input = input;
            Schema = schema;
            _map = map;
            _cancellation = cancellation;
        }

        public DataViewSchema Schema { get; }

        public bool CanShuffle => false;

        public long? GetRowCount() => _input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded?.ToArray() ?? throw new ArgumentNullException(nameof(columnsNeeded));
            var active = RowCursorBase.ActiveFlags(Schema, needed);
            var inputColumns = Enumerable.Range(0, _map.Length).Where(i => active[i]).Select(i => _input.Schema[_map[i]]).Distinct();
            return new Cursor(this, needed, _input.GetRowCursor(inputColumns));
        }

        private sealed class Cursor : RowCursorBase
        {
            private readonly ColumnSelectingDataView _view;
            private readonly DataViewRowCursor _inner;

            public Cursor(ColumnSelectingDataView view, IEnumerable<DataViewSchema.Column> needed, DataViewRowCursor inner)
                : base(view.Schema, needed, view._cancellation)
            {
                _view = view;
                _inner = inner;
            }

            protected override bool MoveNextCore() => _inner.MoveNext();

            protected override ValueGetter<TValue> GetGetterCore<TValue>(int index) =>
                _inner.GetGetter<TValue>(_view._input.Schema[_view._map[index]]);

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    _inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
