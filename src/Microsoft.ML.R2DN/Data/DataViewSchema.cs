using System.Collections;
using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN;

/// <summary>The columns of an <see cref="IDataView"/>: for each, its name, position and <see cref="DataViewType"/>.</summary>
/// <remarks>
/// <para>A schema may hold several columns of the same name, as in ML.NET: a transformer that writes a column named like
/// one of its input's columns shadows it. Only the last column of a name is visible; the earlier ones are kept (their
/// <see cref="Column.IsHidden"/> is true) and reachable by index, never by name.</para>
/// <para>Schemas are immutable; build one with <see cref="Builder"/>.</para>
/// </remarks>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _visibleByName;

    private DataViewSchema(Column[] columns)
    {
        _columns = columns;
        _visibleByName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var column in columns)
            if (!column.IsHidden)
                _visibleByName[column.Name] = column.Index;
    }

    /// <summary>The number of columns, hidden ones included.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at <paramref name="columnIndex"/>.</summary>
    /// <param name="columnIndex">The position of the column, in [0, <see cref="Count"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columnIndex"/> is outside [0, <see cref="Count"/>).</exception>
    public Column this[int columnIndex]
    {
        get
        {
            if ((uint)columnIndex >= (uint)_columns.Length)
                throw new ArgumentOutOfRangeException(nameof(columnIndex), columnIndex,
                    $"Column index must be in [0, {_columns.Length}).");
            return _columns[columnIndex];
        }
    }

    /// <summary>The visible column named <paramref name="name"/> (names are case-sensitive).</summary>
    /// <param name="name">The column name; not null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No visible column has that name; the message reads
    /// <c>Could not find column 'X'</c>.</exception>
    public Column this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            return GetColumnOrNull(name) ?? throw SchemaErrors.Unknown(name, "column");
        }
    }

    /// <summary>The visible column named <paramref name="name"/>, or null when there is none.</summary>
    /// <param name="name">The column name (case-sensitive); not null.</param>
    /// <returns>The column, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public Column? GetColumnOrNull(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _visibleByName.TryGetValue(name, out int index) ? _columns[index] : null;
    }

    /// <summary>Enumerates the columns in index order, hidden ones included.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One line per column: <c>Name: Type</c>, with <c>(hidden)</c> after hidden columns.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => string.Join(Environment.NewLine, _columns);

    /// <summary>One column of a <see cref="DataViewSchema"/>.</summary>
    public readonly struct Column
    {
        internal Column(string name, int index, bool isHidden, DataViewType type)
        {
            Name = name;
            Index = index;
            IsHidden = isHidden;
            Type = type;
        }

        /// <summary>The column's name; not null, may be shared with hidden columns.</summary>
        public string Name { get; }

        /// <summary>The column's position in its schema, in [0, <see cref="DataViewSchema.Count"/>).</summary>
        public int Index { get; }

        /// <summary>Whether a later column of the same name shadows this one (then it is reachable by index only).</summary>
        public bool IsHidden { get; }

        /// <summary>The type of the column's values.</summary>
        public DataViewType Type { get; }

        /// <summary>The column as <c>Name: Type</c>, followed by <c>(hidden)</c> when hidden.</summary>
        /// <returns>The description.</returns>
        public override string ToString() => IsHidden ? $"{Name}: {Type} (hidden)" : $"{Name}: {Type}";
    }

    /// <summary>Builds a <see cref="DataViewSchema"/> column by column.</summary>
    /// <remarks>Adding a column whose name is already present hides the earlier one (see <see cref="DataViewSchema"/>).</remarks>
    public sealed class Builder
    {
        private readonly List<(string Name, DataViewType Type)> _columns = [];

        /// <summary>Appends a column.</summary>
        /// <param name="name">The column's name; not null or empty.</param>
        /// <param name="type">The type of its values; not null.</param>
        /// <returns>This builder.</returns>
        /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
        /// <exception cref="ArgumentNullException"><paramref name="type"/> is null.</exception>
        public Builder AddColumn(string name, DataViewType type)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            _columns.Add((name, type));
            return this;
        }

        /// <summary>Appends copies of <paramref name="columns"/> (name and type; their index and hidden flag are
        /// recomputed in the new schema).</summary>
        /// <param name="columns">The columns to copy, typically those of another schema; not null.</param>
        /// <returns>This builder.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="columns"/> is null.</exception>
        public Builder AddColumns(IEnumerable<Column> columns)
        {
            ArgumentNullException.ThrowIfNull(columns);
            foreach (var column in columns)
                AddColumn(column.Name, column.Type);
            return this;
        }

        /// <summary>Creates the schema from the columns added so far.</summary>
        /// <returns>The schema; the builder may be used again afterwards.</returns>
        public DataViewSchema ToSchema()
        {
            var lastIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < _columns.Count; i++)
                lastIndexOf[_columns[i].Name] = i;
            var columns = new Column[_columns.Count];
            for (int i = 0; i < columns.Length; i++)
                columns[i] = new Column(_columns[i].Name, i, lastIndexOf[_columns[i].Name] != i, _columns[i].Type);
            return new DataViewSchema(columns);
        }
    }
}
