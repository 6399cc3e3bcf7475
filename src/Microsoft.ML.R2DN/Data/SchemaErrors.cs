namespace Microsoft.ML.R2DN.Data;

/// <summary>The exceptions for a missing column or a column of the wrong type, worded as in ML.NET, shared by every
/// loader, estimator and transformer so that users see one message shape.</summary>
/// <remarks>Both return the exception (callers write <c>throw SchemaErrors.Unknown(...)</c>) so that the compiler sees
/// the throw. Both are <see cref="ArgumentOutOfRangeException"/>s: the column is outside what the schema
/// holds.</remarks>
internal static class SchemaErrors
{
    /// <summary>"Schema mismatch for {columnKind} '{column}': expected {expected}, got {actual}".</summary>
    /// <param name="columnKind">The column's role, e.g. <c>input column</c>, <c>label
    /// column</c>, <c>column</c>.</param>
    /// <param name="column">The column's name.</param>
    /// <param name="expected">What the component needs, e.g. <c>Single</c> or <c>Vector&lt;Single&gt;</c>.</param>
    /// <param name="actual">What the column holds, e.g. <c>String</c> (a <see cref="DataViewType"/>'s
    /// ToString()).</param>
    /// <param name="paramName">The argument that named the column, or null to keep the message exactly as above
    /// (a non-null name appends " (Parameter 'x')").</param>
    public static ArgumentOutOfRangeException Mismatch(string columnKind, string column, string expected, string actual,
                                                       string? paramName = null) =>
        new(paramName, $"Schema mismatch for {columnKind} '{column}': expected {expected}, got {actual}");

    /// <summary>"Could not find {columnKind} '{column}'".</summary>
    /// <param name="column">The column's name.</param>
    /// <param name="columnKind">The column's role; <c>input column</c> unless told.</param>
    /// <param name="paramName">The argument that named the column, or null to keep the message exactly as
    /// above.</param>
    public static ArgumentOutOfRangeException Unknown(string column, string columnKind = "input column",
                                                      string? paramName = null) =>
        new(paramName, $"Could not find {columnKind} '{column}'");

    /// <summary>The visible column <paramref name="column"/> of <paramref name="schema"/>, or the
    /// <see cref="Unknown"/> exception.</summary>
    public static DataViewSchema.Column FindColumn(DataViewSchema schema, string column,
                                                   string columnKind = "input column", string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(column);
        return schema.GetColumnOrNull(column) ?? throw Unknown(column, columnKind, paramName);
    }

    /// <summary>The visible column <paramref name="column"/> of <paramref name="schema"/> when its type is
    /// <paramref name="expected"/>; otherwise the <see cref="Unknown"/> or <see cref="Mismatch"/> exception.</summary>
    public static DataViewSchema.Column FindColumn(DataViewSchema schema, string column, DataViewType expected,
                                                   string columnKind = "input column", string? paramName = null)
    {
        var found = FindColumn(schema, column, columnKind, paramName);
        if (!found.Type.Equals(expected))
            throw Mismatch(columnKind, column, expected.ToString()!, found.Type.ToString()!, paramName);
        return found;
    }

    /// <summary>The name of a getter's value type as used in schema messages: the <see cref="DataViewType"/> name for
    /// a raw type (<c>Single</c>, <c>String</c> for <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/>,
    /// <c>Vector&lt;Single&gt;</c> for <see cref="ReadOnlyMemory{T}"/> of <see cref="float"/>), else the full .NET
    /// name (<c>System.String</c>).</summary>
    public static string TypeName(Type type)
    {
        if (PrimitiveName(type) is { } name)
            return name;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ReadOnlyMemory<>)
            && PrimitiveName(type.GetGenericArguments()[0]) is { } item && type != typeof(ReadOnlyMemory<char>))
            return $"Vector<{item}>";
        return type.FullName ?? type.Name;
    }

    /// <summary>Whether <paramref name="type"/> is the raw type of some <see cref="DataViewType"/>.</summary>
    public static bool IsRawType(Type type) => !TypeName(type).Contains('.', StringComparison.Ordinal);

    private static string? PrimitiveName(Type type) =>
        type == typeof(float) ? "Single"
        : type == typeof(double) ? "Double"
        : type == typeof(int) ? "Int32"
        : type == typeof(long) ? "Int64"
        : type == typeof(bool) ? "Boolean"
        : type == typeof(DateTime) ? "DateTime"
        : type == typeof(ReadOnlyMemory<char>) ? "String"
        : null;
}
