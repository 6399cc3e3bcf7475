namespace Microsoft.ML.R2DN.Evaluation;

/// <summary>Which rows of a view belong to which part: one flag per input row, computed at most once, when first
/// needed (an exception is not cached, so a cancelled computation is retried).</summary>
internal sealed class RowMask
{
    private readonly Func<bool[]> _compute;
    private readonly bool _cheap;
    private readonly Lock _lock = new();
    private bool[]? _flags;

    /// <param name="compute">Computes the flags.</param>
    /// <param name="cheap">Whether computing reads no data (then row counts are known without reading).</param>
    public RowMask(Func<bool[]> compute, bool cheap)
    {
        _compute = compute;
        _cheap = cheap;
    }

    /// <summary>A mask over flags already known.</summary>
    public RowMask(bool[] flags)
        : this(() => flags, cheap: true)
    {
    }

    /// <summary>The flags, computed now if needed.</summary>
    public bool[] Flags
    {
        get
        {
            lock (_lock)
                return _flags ??= _compute();
        }
    }

    /// <summary>The flags when they are known or cheap to compute, otherwise null.</summary>
    public bool[]? FlagsIfCheap
    {
        get
        {
            if (_cheap)
                return Flags;
            lock (_lock)
                return _flags;
        }
    }
}

/// <summary>The rows of an input view whose flag in a <see cref="RowMask"/> equals a given value, in their order: the
/// parts of a chronological split. Lazy: the mask is computed when the first cursor moves.</summary>
internal sealed class RowFilterDataView : IDataView
{
    private readonly IDataView _input;
    private readonly RowMask _mask;
    private readonly bool _keep;
    private readonly CancellationToken _cancellation;

    public RowFilterDataView(IDataView input, RowMask mask, bool keep, CancellationToken cancellation)
    {
        _input = input;
        _mask = mask;
        _keep = keep;
        _cancellation = cancellation;
    }

    public DataViewSchema Schema => _input.Schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => _mask.FlagsIfCheap is { } flags ? flags.Count(f => f == _keep) : null;

    /// <summary>One cursor: the rows are produced in order.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n,
                                               Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded?.ToArray() ?? throw new ArgumentNullException(nameof(columnsNeeded));
        Data.RowCursorBase.ActiveFlags(Schema, needed);
        return new Cursor(this, needed, _input.GetRowCursor(needed));
    }

    private sealed class Cursor(RowFilterDataView view, IEnumerable<DataViewSchema.Column> needed,
                                DataViewRowCursor inner)
        : Data.RowCursorBase(view.Schema, needed, view._cancellation)
    {
        private bool[]? _flags;
        private int _last = -1;   // the index of the last kept input row
        private long _inputRow = -1;

        protected override bool MoveNextCore()
        {
            if (_flags is null)
            {
                _flags = view._mask.Flags;
                _last = Array.LastIndexOf(_flags, view._keep);
            }
            while (_inputRow < _last)
            {
                if (!inner.MoveNext())
                    throw new InvalidOperationException(
                        "The data has fewer rows than when it was split; a split view needs input that gives the " +
                        "same rows every time.");
                _inputRow++;
                if (_flags[_inputRow] == view._keep)
                    return true;
            }
            return false;
        }

        protected override ValueGetter<TValue> GetGetterCore<TValue>(int index) =>
            inner.GetGetter<TValue>(view.Schema[index]);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
