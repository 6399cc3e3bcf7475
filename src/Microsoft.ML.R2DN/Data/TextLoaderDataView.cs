namespace Microsoft.ML.R2DN.Data;

/// <summary>The lazy <see cref="IDataView"/> of a <see cref="TextLoader"/> over one or more files: each cursor opens
/// the files in turn and parses the requested columns of each line.</summary>
internal sealed class TextLoaderDataView : IDataView
{
    private readonly TextLoader _loader;
    private readonly string[] _paths;

    public TextLoaderDataView(TextLoader loader, string[] paths)
    {
        _loader = loader;
        _paths = paths;
    }

    public DataViewSchema Schema => _loader.Schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    private sealed class Cursor : RowCursorBase
    {
        private readonly TextLoaderDataView _view;
        private readonly Slot?[] _slots;
        private readonly Slot[] _activeSlots;
        private readonly int _fieldsNeeded;
        private TextRecordReader? _reader;
        private int _nextFile;
        private int _expectedFields;
        private bool _headerPending;

        public Cursor(TextLoaderDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
            : base(view.Schema, columnsNeeded, view._loader.Cancellation)
        {
            _view = view;
            var columns = view._loader.Columns;
            _slots = new Slot?[columns.Length];
            for (int i = 0; i < columns.Length; i++)
                if (IsActive(i))
                    _slots[i] = Slot.Create(columns[i]);
            _activeSlots = _slots.OfType<Slot>().ToArray();
            _fieldsNeeded = columns.Max(c => c.MaxIndex) + 1;
        }

        protected override bool MoveNextCore()
        {
            while (true)
            {
                if (_reader is null)
                {
                    if (_nextFile == _view._paths.Length)
                        return false;
                    _reader = _view._loader.Open(_view._paths[_nextFile++]);
                    _expectedFields = -1;
                    _headerPending = _view._loader.HasHeader;
                }
                if (!_reader.ReadRecord())
                {
                    _reader.Dispose();
                    _reader = null;
                    continue;
                }
                if (_expectedFields < 0)
                {
                    _expectedFields = _reader.FieldCount;
                    if (_expectedFields < _fieldsNeeded)
                        throw _reader.Error(_reader.RecordLine, _headerPending
                            ? $"the header has {_expectedFields} fields, but the columns read up to field index {_fieldsNeeded - 1}."
                            : $"expected at least {_fieldsNeeded} fields, found {_expectedFields}.");
                }
                else if (_reader.FieldCount != _expectedFields)
                {
                    throw _reader.Error(_reader.RecordLine, $"expected {_expectedFields} fields, found {_reader.FieldCount}.");
                }
                if (_headerPending)
                {
                    _headerPending = false;
                    continue;
                }
                foreach (var slot in _activeSlots)
                    slot.Parse(_reader);
                return true;
            }
        }

        protected override ValueGetter<TValue> GetGetterCore<TValue>(int index)
        {
            var slot = (Slot<TValue>)_slots[index]!;
            return (ref TValue value) => value = slot.Value;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _reader?.Dispose();
                _reader = null;
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>The parsed value of one active column in the current line.</summary>
    private abstract class Slot(TextLoader.Column column)
    {
        protected TextLoader.Column Column { get; } = column;

        public abstract void Parse(TextRecordReader reader);

        public static Slot Create(TextLoader.Column column) =>
            column.IsVector
                ? new VectorSlot(column)
                : column.DataKind switch
                {
                    DataKind.Single => new ScalarSlot<float>(column, TextValueParsers.TryParseSingle),
                    DataKind.Double => new ScalarSlot<double>(column, TextValueParsers.TryParseDouble),
                    DataKind.Int32 => new ScalarSlot<int>(column, TextValueParsers.TryParseInt32),
                    DataKind.Int64 => new ScalarSlot<long>(column, TextValueParsers.TryParseInt64),
                    DataKind.Boolean => new ScalarSlot<bool>(column, TextValueParsers.TryParseBoolean),
                    DataKind.DateTime => new ScalarSlot<DateTime>(column, TextValueParsers.TryParseDateTime),
                    _ => new TextSlot(column),
                };

        protected FormatException Invalid(TextRecordReader reader, ReadOnlySpan<char> text)
        {
            string shown = text.Length <= 64 ? text.ToString() : string.Concat(text[..64], "...");
            return new FormatException(
                $"{reader.Path} line {reader.RecordLine}, column '{Column.Name}': '{shown}' is not a valid {Column.DataKind}.");
        }
    }

    private abstract class Slot<T>(TextLoader.Column column) : Slot(column)
    {
        public T Value = default!;
    }

    private delegate bool TryParse<T>(ReadOnlySpan<char> text, out T value);

    private sealed class ScalarSlot<T>(TextLoader.Column column, TryParse<T> parse) : Slot<T>(column)
    {
        public override void Parse(TextRecordReader reader)
        {
            var text = reader[Column.MinIndex];
            if (!parse(text, out Value))
                throw Invalid(reader, text);
        }
    }

    private sealed class TextSlot(TextLoader.Column column) : Slot<ReadOnlyMemory<char>>(column)
    {
        public override void Parse(TextRecordReader reader)
        {
            var text = reader[Column.MinIndex];
            Value = text.IsEmpty ? ReadOnlyMemory<char>.Empty : new string(text).AsMemory();
        }
    }

    private sealed class VectorSlot(TextLoader.Column column) : Slot<ReadOnlyMemory<float>>(column)
    {
        public override void Parse(TextRecordReader reader)
        {
            // A fresh array per row: values handed out are never overwritten (see VectorDataViewType).
            var values = new float[Column.MaxIndex - Column.MinIndex + 1];
            for (int i = 0; i < values.Length; i++)
            {
                var text = reader[Column.MinIndex + i];
                if (!TextValueParsers.TryParseSingle(text, out values[i]))
                    throw Invalid(reader, text);
            }
            Value = values;
        }
    }
}
