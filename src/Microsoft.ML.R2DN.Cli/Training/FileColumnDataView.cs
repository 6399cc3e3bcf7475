using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// A view over rows loaded from several files, one file after the other, with one text column added that names the
/// file each row came from: the series id when several files are trained on and none was named.
/// </summary>
/// <remarks>Streaming: the added column is computed from the row's position and the number of rows of each file; the
/// other columns are read from the inner view as they are.</remarks>
internal sealed class FileColumnDataView : IDataView
{
    private readonly IDataView _inner;
    private readonly long[] _ends;
    private readonly ReadOnlyMemory<char>[] _names;
    private readonly int _added;

    /// <param name="inner">The rows of every file, in file order.</param>
    /// <param name="columnName">The added column's name; not a column of <paramref name="inner"/>.</param>
    /// <param name="fileNames">The value of the added column for each file.</param>
    /// <param name="rowCounts">The number of rows of each file, in <paramref name="inner"/>'s order.</param>
    public FileColumnDataView(IDataView inner, string columnName, IReadOnlyList<string> fileNames, IReadOnlyList<int> rowCounts)
    {
        if (inner.Schema.GetColumnOrNull(columnName) is not null)
            throw new ArgumentException($"The data already has a column '{columnName}'.", nameof(columnName));
        if (fileNames.Count != rowCounts.Count) throw new ArgumentException("One row count per file is needed.", nameof(rowCounts));
        _inner = inner;
        _names = fileNames.Select(n => n.AsMemory()).ToArray();
        _ends = new long[rowCounts.Count];
        long end = 0;
        for (int i = 0; i < _ends.Length; i++) _ends[i] = end += rowCounts[i];
        Schema = new DataViewSchema.Builder().AddColumns(inner.Schema).AddColumn(columnName, TextDataViewType.Instance).ToSchema();
        _added = Schema.Count - 1;
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _ends.Length == 0 ? 0 : _ends[^1];

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        bool addedActive = needed.Any(c => c.Index == _added);
        var inner = _inner.GetRowCursor(needed.Where(c => c.Index != _added).Select(c => _inner.Schema[c.Index]).ToList());
        return new Cursor(this, inner, addedActive);
    }

    private sealed class Cursor(FileColumnDataView owner, DataViewRowCursor inner, bool addedActive) : DataViewRowCursor
    {
        private long _position = -1;
        private int _file;

        public override DataViewSchema Schema => owner.Schema;

        public override long Position => _position;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == owner._added ? addedActive : inner.IsColumnActive(inner.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != owner._added) return inner.GetGetter<TValue>(inner.Schema[column.Index]);
            if (!addedActive) throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");
            if (typeof(TValue) != typeof(ReadOnlyMemory<char>))
                throw new ArgumentOutOfRangeException(nameof(TValue), $"Schema mismatch for column '{column.Name}': expected String, got {typeof(TValue).Name}.");
            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) =>
            {
                if (_position < 0) throw new InvalidOperationException("The cursor is not on a row.");
                value = owner._names[_file];
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        public override bool MoveNext()
        {
            if (!inner.MoveNext()) return false;
            _position++;
            while (_file < owner._ends.Length - 1 && _position >= owner._ends[_file]) _file++;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
