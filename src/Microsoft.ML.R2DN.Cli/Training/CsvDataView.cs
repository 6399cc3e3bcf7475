using Microsoft.ML.Data;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// A <see cref="CsvTable"/> as an ML.NET <see cref="IDataView"/>: numeric columns are <c>Single</c>, text columns
/// <c>String</c> (<see cref="ReadOnlyMemory{T}"/> of char). Rows keep the files' order; the view cannot be shuffled.
/// </summary>
/// <remarks>The CLI reads CSV files itself, rather than with <c>ml.Data.LoadFromTextFile</c>, to infer which columns
/// are numbers and to name the file and line of a malformed record; the plugin then sees an ordinary ML.NET view.</remarks>
internal sealed class CsvDataView : IDataView
{
    private readonly CsvTable _table;

    public CsvDataView(CsvTable table)
    {
        _table = table;
        var builder = new DataViewSchema.Builder();
        foreach (var column in table.Columns)
            builder.AddColumn(column.Name, column.IsNumeric ? NumberDataViewType.Single : TextDataViewType.Instance);
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _table.RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded) active[column.Index] = true;
        return new Cursor(this, active);
    }

    // One cursor: the rows must be read in order (the models are recurrent), and the table is in memory anyway.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(CsvDataView owner, bool[] active) : DataViewRowCursor
    {
        private readonly int _rows = owner._table.RowCount;
        private long _position = -1;
        private bool _disposed;

        public override DataViewSchema Schema => owner.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override bool MoveNext()
        {
            if (_disposed || _position + 1 >= _rows)
            {
                _position = _rows;
                return false;
            }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)CheckRow(), 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < 0 || column.Index >= active.Length)
                throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not a column of this data.");
            if (!active[column.Index]) throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            var data = owner._table.Columns[column.Index];
            if (data.Numbers is { } numbers)
            {
                if (typeof(TValue) != typeof(float)) throw Mismatch(column, "Single", typeof(TValue));
                ValueGetter<float> get = (ref float value) => value = numbers[CheckRow()];
                return (ValueGetter<TValue>)(Delegate)get;
            }
            if (typeof(TValue) != typeof(ReadOnlyMemory<char>)) throw Mismatch(column, "String", typeof(TValue));
            var texts = data.Texts!;
            ValueGetter<ReadOnlyMemory<char>> getText = (ref ReadOnlyMemory<char> value) => value = texts[CheckRow()].AsMemory();
            return (ValueGetter<TValue>)(Delegate)getText;
        }

        private int CheckRow() =>
            _position >= 0 && _position < _rows ? (int)_position : throw new InvalidOperationException("The cursor is not on a row.");

        private static ArgumentOutOfRangeException Mismatch(DataViewSchema.Column column, string type, Type asked) =>
            new(nameof(column), $"Column '{column.Name}' holds {type} values, not {asked.Name}.");

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
