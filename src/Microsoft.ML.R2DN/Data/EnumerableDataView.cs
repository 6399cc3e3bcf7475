using System.Reflection;

namespace Microsoft.ML.R2DN.Data;

/// <summary>The <see cref="IDataView"/> of <c>LoadFromEnumerable</c>: a lazy view over a sequence of row objects,
/// enumerated afresh by each cursor.</summary>
internal sealed class EnumerableDataView<TRow> : IDataView
    where TRow : class
{
    private readonly IEnumerable<TRow> _data;
    private readonly Delegate[] _readers;
    private readonly CancellationToken _cancellation;

    public EnumerableDataView(IEnumerable<TRow> data, SchemaDefinition? schemaDefinition, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _cancellation = cancellation;
        var definition = schemaDefinition ?? SchemaDefinition.Create(typeof(TRow));
        definition.CheckUniqueNames(typeof(TRow));
        var members = RowTypeMembers.Get(typeof(TRow)).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var schema = new DataViewSchema.Builder();
        _readers = new Delegate[definition.Count];
        for (int i = 0; i < definition.Count; i++)
        {
            var column = definition[i];
            if (!members.TryGetValue(column.MemberName, out var member))
                throw new ArgumentOutOfRangeException(nameof(schemaDefinition),
                    $"'{typeof(TRow).Name}' has no public field or property '{column.MemberName}'.");
            if (!RowTypeMembers.Suits(member.MemberType, column.ColumnType))
                throw SchemaErrors.Mismatch("column", column.ColumnName, column.ColumnType.ToString()!,
                                            $"member '{member.Name}' of type '{member.MemberType.Name}'", nameof(schemaDefinition));
            schema.AddColumn(column.ColumnName, column.ColumnType);
            _readers[i] = CreateReader(member, column.ColumnType);
        }
        Schema = schema.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _data switch
    {
        ICollection<TRow> c => c.Count,
        IReadOnlyCollection<TRow> c => c.Count,
        _ => null,
    };

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    private static Delegate CreateReader(RowTypeMember member, DataViewType columnType)
    {
        var method = typeof(MemberAccessors).GetMethod(nameof(MemberAccessors.CreateReader))!
                                            .MakeGenericMethod(typeof(TRow), columnType.RawType);
        try
        {
            return (Delegate)method.Invoke(null, [member.Member, member.MemberType])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private sealed class Cursor : RowCursorBase
    {
        private readonly EnumerableDataView<TRow> _view;
        private readonly IEnumerator<TRow> _enumerator;
        private TRow? _current;

        public Cursor(EnumerableDataView<TRow> view, IEnumerable<DataViewSchema.Column> columnsNeeded)
            : base(view.Schema, columnsNeeded, view._cancellation)
        {
            _view = view;
            _enumerator = view._data.GetEnumerator();
        }

        protected override bool MoveNextCore()
        {
            if (!_enumerator.MoveNext())
                return false;
            _current = _enumerator.Current ?? throw new InvalidOperationException(
                $"Item {Position + 1} of the enumerable passed to LoadFromEnumerable is null.");
            return true;
        }

        protected override ValueGetter<TValue> GetGetterCore<TValue>(int index)
        {
            if (Schema[index].Type is VectorDataViewType { IsKnownSize: true } vector)
            {
                // The raw type of a vector whose member is a float[] is ReadOnlyMemory<float> (RowTypeMembers.Suits).
                var readVector = (Func<TRow, ReadOnlyMemory<float>>)_view._readers[index];
                string name = Schema[index].Name;
                ValueGetter<ReadOnlyMemory<float>> getter = (ref ReadOnlyMemory<float> value) =>
                {
                    value = readVector(_current!);
                    if (value.Length != vector.Size)
                        throw new InvalidOperationException(
                            $"Row {Position} of column '{name}' has {value.Length} values; its type is {vector}.");
                };
                return (ValueGetter<TValue>)(object)getter;
            }
            var read = (Func<TRow, TValue>)_view._readers[index];
            return (ref TValue value) => value = read(_current!);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _enumerator.Dispose();
            base.Dispose(disposing);
        }
    }
}
