namespace Microsoft.ML.R2DN.Data;

/// <summary>A lazy <see cref="IDataView"/> that passes the columns of an input view through and appends computed
/// columns: how transformers add their output columns without copying their input.</summary>
/// <remarks>
/// <para>An appended column's values come from one of three sources, chosen per column on
/// the <see cref="Builder"/>:</para>
/// <list type="bullet">
/// <item>an array computed once, on first use, by a callback (<c>AddColumn(name, () =&gt; values)</c>): for outputs
/// that need the whole input, such as forecasts from a recurrent model run over the series. The callback runs only when
/// a cursor asks for the column, at most once if it succeeds (an exception is not cached, so a cancelled computation is
/// retried by the next cursor), and row i reads element i;</item>
/// <item>a callback per row index (<c>AddColumn(name, type, (long row) =&gt; value)</c>);</item>
/// <item>a callback that builds a getter over the input row (<c>AddColumn(name, type, inputColumns, row =&gt;
/// getter)</c>), for per-row maps of input columns, as ML.NET's row mappers do; the listed input columns are read
/// whenever the appended column is.</item>
/// </list>
/// <para>An appended column named like an input column hides it (see <see cref="DataViewSchema"/>).</para>
/// </remarks>
internal sealed class ColumnAppendingDataView : IDataView
{
    private readonly IDataView _input;
    private readonly AppendedColumn[] _appended;
    private readonly CancellationToken _cancellation;

    private ColumnAppendingDataView(IDataView input, AppendedColumn[] appended, CancellationToken cancellation)
    {
        _input = input;
        _appended = appended;
        _cancellation = cancellation;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input.Schema);
        foreach (var column in appended)
            builder.AddColumn(column.Name, column.Type);
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _input.GetRowCount();

    /// <summary>One cursor: the rows are produced in order.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n,
                                               Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded?.ToArray() ?? throw new ArgumentNullException(nameof(columnsNeeded));
        var active = RowCursorBase.ActiveFlags(Schema, needed);
        int inputCount = _input.Schema.Count;
        var inputActive = new bool[inputCount];
        for (int i = 0; i < inputCount; i++)
            inputActive[i] = active[i];
        for (int j = 0; j < _appended.Length; j++)
            if (active[inputCount + j])
                foreach (int dependency in _appended[j].InputDependencies)
                    inputActive[dependency] = true;
        var inputColumns = _input.Schema.Where(c => inputActive[c.Index]).ToArray();
        var inputCursor = _input.GetRowCursor(inputColumns);
        return new Cursor(this, needed, inputCursor);
    }

    /// <summary>Collects the appended columns.</summary>
    internal sealed class Builder
    {
        private readonly IDataView _input;
        private readonly CancellationToken _cancellation;
        private readonly List<AppendedColumn> _columns = [];

        /// <param name="input">The view whose columns are passed through.</param>
        /// <param name="cancellation">Observed by the cursors' MoveNext (pass the MLContext's token).</param>
        public Builder(IDataView input, CancellationToken cancellation = default)
        {
            ArgumentNullException.ThrowIfNull(input);
            _input = input;
            _cancellation = cancellation;
        }

        /// <summary>A <see cref="float"/> column whose values are computed once, on first use.</summary>
        public Builder AddColumn(string name, Func<float[]> values) =>
            AddColumn(name, NumberDataViewType.Single, values);

        /// <summary>A text column whose values are computed once, on first use; null strings read as empty.</summary>
        public Builder AddColumn(string name, Func<string?[]> values)
        {
            ArgumentNullException.ThrowIfNull(values);
            return AddColumn(name, TextDataViewType.Instance, () => Array.ConvertAll(values(), s => s.AsMemory()));
        }

        /// <summary>A vector column of <see cref="float"/> whose rows are computed once, on first use.</summary>
        /// <param name="name">The column's name.</param>
        /// <param name="size">The length of every row (&gt; 0), or 0 when rows may differ in length; checked when the
        /// values are computed.</param>
        /// <param name="values">Computes one array per row.</param>
        public Builder AddColumn(string name, int size, Func<float[][]> values)
        {
            ArgumentNullException.ThrowIfNull(values);
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
            _columns.Add(new VectorColumn(name, size, values));
            return this;
        }

        public Builder AddColumn<T>(string name, DataViewType type, Func<T[]> values)
        {
            Check<T>(name, type);
            ArgumentNullException.ThrowIfNull(values);
            _columns.Add(new ArrayColumn<T>(name, type, values));
            return this;
        }

        /// <summary>A column whose value in row i is <paramref name="valueAtRow"/>(i).</summary>
        public Builder AddColumn<T>(string name, DataViewType type, Func<long, T> valueAtRow)
        {
            Check<T>(name, type);
            ArgumentNullException.ThrowIfNull(valueAtRow);
            _columns.Add(new RowIndexColumn<T>(name, type, valueAtRow));
            return this;
        }

        /// <summary>A column computed from the input row: <paramref name="createGetter"/> receives the input cursor
        /// (schema: the input's) and returns the getter of the new column.</summary>
        /// <param name="name">The column's name.</param>
        /// <param name="type">The column's type; its raw type is <typeparamref name="T"/>.</param>
        /// <param name="inputColumns">The input columns the getter reads; they are activated with the new
        /// column.</param>
        /// <param name="createGetter">Creates the column's getter over the input cursor, once per cursor.</param>
        public Builder AddColumn<T>(string name, DataViewType type, IEnumerable<string> inputColumns,
                                    Func<DataViewRow, ValueGetter<T>> createGetter)
        {
            Check<T>(name, type);
            ArgumentNullException.ThrowIfNull(inputColumns);
            ArgumentNullException.ThrowIfNull(createGetter);
            int[] dependencies = inputColumns
                .Select(c => SchemaErrors.FindColumn(_input.Schema, c, paramName: nameof(inputColumns)).Index)
                .ToArray();
            _columns.Add(new RowMappedColumn<T>(name, type, dependencies, createGetter));
            return this;
        }

        public ColumnAppendingDataView Build() => new(_input, [.. _columns], _cancellation);

        private static void Check<T>(string name, DataViewType type)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            if (typeof(T) != type.RawType)
                throw SchemaErrors.Mismatch("column", name, type.ToString()!, SchemaErrors.TypeName(typeof(T)),
                                            nameof(type));
        }
    }

    private abstract class AppendedColumn(string name, DataViewType type, int[] inputDependencies)
    {
        public string Name { get; } = name;

        public DataViewType Type { get; } = type;

        public int[] InputDependencies { get; } = inputDependencies;

        public abstract Delegate CreateGetter(Cursor cursor);
    }

    private sealed class ArrayColumn<T>(string name, DataViewType type, Func<T[]> compute)
        : AppendedColumn(name, type, [])
    {
        private readonly Lock _lock = new();
        private T[]? _values;

        public override Delegate CreateGetter(Cursor cursor)
        {
            var values = Values();
            return (ValueGetter<T>)((ref T value) =>
            {
                long row = cursor.Position;
                if (row >= values.Length)
                    throw new InvalidOperationException(
                        $"Computed column '{Name}' has {values.Length} values but the input has more rows.");
                value = values[row];
            });
        }

        // Not Lazy<T>: Lazy caches exceptions, and a computation cancelled through the MLContext must be retried by the
        // next cursor rather than fail forever.
        private T[] Values()
        {
            lock (_lock)
                return _values ??= compute()
                                   ?? throw new InvalidOperationException($"Computed column '{Name}' returned null.");
        }
    }

    // A known-size Single vector per row, copied into the caller's buffer (ML.NET's getters own their destination).
    private sealed class VectorColumn(string name, int size, Func<float[][]> compute)
        : AppendedColumn(name, new VectorDataViewType(NumberDataViewType.Single, size), [])
    {
        private readonly Lock _lock = new();
        private float[][]? _values;

        public override Delegate CreateGetter(Cursor cursor)
        {
            var values = Values();
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                long row = cursor.Position;
                if (row >= values.Length)
                    throw new InvalidOperationException(
                        $"Computed column '{Name}' has {values.Length} values but the input has more rows.");
                var editor = VBufferEditor.Create(ref value, size);
                values[row].AsSpan().CopyTo(editor.Values);
                value = editor.Commit();
            });
        }

        private float[][] Values()
        {
            lock (_lock)
            {
                if (_values is not null) return _values;
                var v = compute() ?? throw new InvalidOperationException($"Computed column '{Name}' returned null.");
                foreach (var row in v)
                    if (row.Length != size)
                        throw new InvalidOperationException(
                            $"A row of computed column '{Name}' has {row.Length} values; expected {size}.");
                return _values = v;
            }
        }
    }

    private sealed class RowIndexColumn<T>(string name, DataViewType type, Func<long, T> valueAtRow)
        : AppendedColumn(name, type, [])
    {
        public override Delegate CreateGetter(Cursor cursor) =>
            (ValueGetter<T>)((ref T value) => value = valueAtRow(cursor.Position));
    }

    private sealed class RowMappedColumn<T>(string name, DataViewType type, int[] dependencies,
                                           Func<DataViewRow, ValueGetter<T>> createGetter)
        : AppendedColumn(name, type, dependencies)
    {
        public override Delegate CreateGetter(Cursor cursor) =>
            createGetter(cursor.Input)
            ?? throw new InvalidOperationException($"The getter of column '{Name}' is null.");
    }

    private sealed class Cursor : RowCursorBase
    {
        private readonly ColumnAppendingDataView _view;

        public Cursor(ColumnAppendingDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded,
                      DataViewRowCursor input)
            : base(view.Schema, columnsNeeded, view._cancellation)
        {
            _view = view;
            Input = input;
        }

        public DataViewRowCursor Input { get; }

        protected override bool MoveNextCore() => Input.MoveNext();

        protected override ValueGetter<TValue> GetGetterCore<TValue>(int index)
        {
            int inputCount = _view._input.Schema.Count;
            return index < inputCount
                ? Input.GetGetter<TValue>(_view._input.Schema[index])
                : (ValueGetter<TValue>)_view._appended[index - inputCount].CreateGetter(this);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                Input.Dispose();
            base.Dispose(disposing);
        }
    }
}
