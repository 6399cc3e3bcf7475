using System.Reflection;

namespace Microsoft.ML.R2DN.Data;

/// <summary>How the public fields and properties of a row class map to <see cref="IDataView"/> columns: one
/// <see cref="Column"/> per member, editable before it is passed to <c>LoadFromEnumerable</c> or
/// <c>CreateEnumerable</c>.</summary>
/// <remarks>
/// <para><see cref="Create"/> applies the attributes (<see cref="ColumnNameAttribute"/>, <see cref="NoColumnAttribute"/>,
/// <see cref="VectorTypeAttribute"/>). Editing the result changes a column's name or type (for example the size of a
/// vector known only at run time) without changing the class. Removing an entry drops that member.</para>
/// <para>Member types and their column types: <see cref="float"/> → <c>Single</c>, <see cref="double"/> →
/// <c>Double</c>, <see cref="int"/> → <c>Int32</c>, <see cref="long"/> → <c>Int64</c>, <see cref="bool"/> →
/// <c>Boolean</c>, <see cref="string"/> or <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/> → <c>String</c>
/// (text), <see cref="System.DateTime"/> → <c>DateTime</c>, <see cref="float"/>[] → <c>Vector&lt;Single&gt;</c> (of
/// the size given by <see cref="VectorTypeAttribute"/>, else of varying size).</para>
/// </remarks>
public sealed class SchemaDefinition : List<SchemaDefinition.Column>
{
    private SchemaDefinition()
    {
    }

    /// <summary>The entry whose <see cref="Column.ColumnName"/> is <paramref name="columnName"/>.</summary>
    /// <param name="columnName">The column name (case-sensitive); not null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="columnName"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No entry has that column name.</exception>
    public Column this[string columnName]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(columnName);
            return Find(c => c.ColumnName == columnName) ?? throw SchemaErrors.Unknown(columnName, "column", nameof(columnName));
        }
    }

    /// <summary>Creates the definition of <paramref name="userType"/>: one entry for each public instance field and
    /// each public readable property (fields first, then properties, in declaration order), except those marked
    /// <see cref="NoColumnAttribute"/>.</summary>
    /// <param name="userType">The row class; not null.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="userType"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A member has a type with no column type, or two members map to the
    /// same column name.</exception>
    public static SchemaDefinition Create(Type userType)
    {
        ArgumentNullException.ThrowIfNull(userType);
        var definition = new SchemaDefinition();
        foreach (var member in RowTypeMembers.Get(userType))
            definition.Add(new Column(member.Name, member.ColumnName, member.ColumnType));
        definition.CheckUniqueNames(userType);
        return definition;
    }

    internal void CheckUniqueNames(Type userType)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in this)
            if (!seen.Add(column.ColumnName))
                throw new InvalidOperationException(
                    $"Two members of '{userType.Name}' map to column '{column.ColumnName}'; rename one with [ColumnName].");
    }

    /// <summary>One member of the row class and the column it maps to.</summary>
    public sealed class Column
    {
        private string _columnName;
        private DataViewType _columnType;

        /// <summary>Maps the member <paramref name="memberName"/> to a column.</summary>
        /// <param name="memberName">The name of the public field or property; not null or empty.</param>
        /// <param name="columnName">The column's name; not null or empty.</param>
        /// <param name="columnType">The column's type; it must suit the member's type (see
        /// <see cref="SchemaDefinition"/>); not null.</param>
        /// <exception cref="ArgumentException"><paramref name="memberName"/> or <paramref name="columnName"/> is null
        /// or empty.</exception>
        /// <exception cref="ArgumentNullException"><paramref name="columnType"/> is null.</exception>
        public Column(string memberName, string columnName, DataViewType columnType)
        {
            ArgumentException.ThrowIfNullOrEmpty(memberName);
            ArgumentException.ThrowIfNullOrEmpty(columnName);
            ArgumentNullException.ThrowIfNull(columnType);
            MemberName = memberName;
            _columnName = columnName;
            _columnType = columnType;
        }

        /// <summary>The name of the field or property.</summary>
        public string MemberName { get; }

        /// <summary>The column's name; not null or empty.</summary>
        /// <exception cref="ArgumentException">Set to null or empty.</exception>
        public string ColumnName
        {
            get => _columnName;
            set
            {
                ArgumentException.ThrowIfNullOrEmpty(value);
                _columnName = value;
            }
        }

        /// <summary>The column's type; it must suit the member's type. Not null.</summary>
        /// <exception cref="ArgumentNullException">Set to null.</exception>
        public DataViewType ColumnType
        {
            get => _columnType;
            set
            {
                ArgumentNullException.ThrowIfNull(value);
                _columnType = value;
            }
        }

        /// <summary>The entry as <c>MemberName -&gt; ColumnName: ColumnType</c>.</summary>
        /// <returns>The description.</returns>
        public override string ToString() => $"{MemberName} -> {ColumnName}: {ColumnType}";
    }
}
