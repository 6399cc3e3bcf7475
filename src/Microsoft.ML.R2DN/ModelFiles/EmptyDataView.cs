namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>A view with a schema and no rows: what the carrier's estimators are fitted on.</summary>
internal sealed class EmptyDataView : IDataView
{
    public EmptyDataView(DataViewSchema schema) => Schema = schema;

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(Schema, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n,
                                               Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewSchema schema, IEnumerable<DataViewSchema.Column> needed)
        : RowCursorBase(schema, needed, default)
    {
        protected override bool MoveNextCore() => false;

        protected override ValueGetter<TValue> GetGetterCore<TValue>(int index) => (ref TValue value) =>
            value = default!;
    }
}
