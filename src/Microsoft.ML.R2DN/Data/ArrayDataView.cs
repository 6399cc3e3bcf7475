namespace Microsoft.ML.R2DN.Data;

/// <summary>An in-memory <see cref="IDataView"/> over one array per column, built with <see cref="Builder"/>.</summary>
/// <remarks>The arrays are not copied: text columns are wrapped as <see cref="ReadOnlyMemory{T}"/> of
/// <see cref="char"/> over the given strings and vector columns as <see cref="VBuffer{T}"/> of
/// <see cref="float"/> over the given rows, so the caller must not modify them afterwards.</remarks>
internal sealed class ArrayDataView : IDataView
{
    private readonly Array[] _values;
    private readonly int _rowCount;
    private readonly CancellationToken _cancellation;

    private ArrayDataView(DataViewSchema schema, Array[] values, int rowCount, CancellationToken cancellation)
    {
        Schema = schema;
        _values = values;
        _rowCount = rowCount;
        _cancellation = cancellation;
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _rowCount;

    /// <summary>One cursor: the rows are produced in order.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n,
                                               Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    /// <summary>Collects the columns of an <see cref="ArrayDataView"/>; every column must have the same
    /// length.</summary>
    internal sealed class Builder
    {
        private readonly DataViewSchema.Builder _schema = new();
        private readonly List<Array> _values = [];
        private readonly List<string> _names = [];
        private readonly CancellationToken _cancellation;

        /// <param name="cancellation">Observed by the cursors' MoveNext (pass the MLContext's token).</param>
        public Builder(CancellationToken cancellation = default) => _cancellation = cancellation;

        public Builder AddColumn(string name, float[] values) => AddColumn(name, NumberDataViewType.Single, values);

        public Builder AddColumn(string name, double[] values) => AddColumn(name, NumberDataViewType.Double, values);

        public Builder AddColumn(string name, int[] values) => AddColumn(name, NumberDataViewType.Int32, values);

        public Builder AddColumn(string name, long[] values) => AddColumn(name, NumberDataViewType.Int64, values);

        public Builder AddColumn(string name, bool[] values) => AddColumn(name, BooleanDataViewType.Instance, values);

        public Builder AddColumn(string name, DateTime[] values) =>
            AddColumn(name, DateTimeDataViewType.Instance, values);

        /// <summary>A text column; null strings become empty values.</summary>
        public Builder AddColumn(string name, string?[] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            var memory = new ReadOnlyMemory<char>[values.Length];
            for (int i = 0; i < values.Length; i++)
                memory[i] = values[i].AsMemory();
            return AddColumn(name, TextDataViewType.Instance, memory);
        }

        /// <summary>A vector column of <see cref="float"/>: row i is <paramref name="vectors"/>[i].</summary>
        /// <param name="name">The column's name.</param>
        /// <param name="vectors">One array per row; none null.</param>
        /// <param name="size">The length of every row (&gt; 0), or 0 when rows may differ in length.</param>
        public Builder AddColumn(string name, float[][] vectors, int size)
        {
            ArgumentNullException.ThrowIfNull(vectors);
            ArgumentOutOfRangeException.ThrowIfNegative(size);
            var buffers = new VBuffer<float>[vectors.Length];
            for (int i = 0; i < vectors.Length; i++)
            {
                string what = $"Row {i} of vector column '{name}'";
                var row = vectors[i] ?? throw new ArgumentException($"{what} is null.", nameof(vectors));
                if (size > 0 && row.Length != size)
                    throw new ArgumentException($"{what} has {row.Length} values; expected {size}.", nameof(vectors));
                buffers[i] = new VBuffer<float>(row.Length, row);
            }
            return AddColumn(name, new VectorDataViewType(NumberDataViewType.Single, size), buffers);
        }

        /// <summary>A column of any type whose raw type is <typeparamref name="T"/>.</summary>
        public Builder AddColumn<T>(string name, DataViewType type, T[] values)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            ArgumentNullException.ThrowIfNull(values);
            if (typeof(T) != type.RawType)
                throw SchemaErrors.Mismatch("column", name, type.ToString()!, SchemaErrors.TypeName(typeof(T)),
                                            nameof(values));
            if (_values.Count > 0 && values.Length != _values[0].Length)
                throw new ArgumentException(
                    $"Column '{name}' has {values.Length} values; column '{_names[0]}' has {_values[0].Length}.",
                    nameof(values));
            _schema.AddColumn(name, type);
            _values.Add(values);
            _names.Add(name);
            return this;
        }

        public ArrayDataView Build() =>
            new(_schema.ToSchema(), [.. _values], _values.Count == 0 ? 0 : _values[0].Length, _cancellation);
    }

    private sealed class Cursor : RowCursorBase
    {
        private readonly ArrayDataView _view;

        public Cursor(ArrayDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
            : base(view.Schema, columnsNeeded, view._cancellation)
        {
            _view = view;
        }

        protected override bool MoveNextCore() => Position + 1 < _view._rowCount;

        protected override ValueGetter<TValue> GetGetterCore<TValue>(int index)
        {
            var values = (TValue[])_view._values[index];
            // A vector is copied into the caller's buffer: ML.NET's consumers may write into what a getter gave them.
            if (values is VBuffer<float>[] vectors)
            {
                ValueGetter<VBuffer<float>> copy = (ref VBuffer<float> value) => vectors[Position].CopyTo(ref value);
                return (ValueGetter<TValue>)(object)copy;
            }
            return (ref TValue value) => value = values[Position];
        }
    }
}
