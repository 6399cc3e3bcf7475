namespace Microsoft.ML.R2DN.Data;

/// <summary>Names the <see cref="IDataView"/> column that a field or property maps to, when it differs from the
/// member's name.</summary>
/// <remarks>Used by <c>LoadFromEnumerable</c>, <c>CreateEnumerable</c>, <c>LoadFromTextFile&lt;T&gt;</c> and
/// <c>SchemaDefinition.Create</c>. Column names are case-sensitive.</remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ColumnNameAttribute : Attribute
{
    /// <summary>Maps the member to the column <paramref name="name"/>.</summary>
    /// <param name="name">The column's name; not null or empty.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public ColumnNameAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }
}
