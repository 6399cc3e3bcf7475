namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>The column types a model file records for its input columns, written as <c>DataViewType.ToString()</c>
/// does (keys as <c>Key&lt;UInt32, 0-n&gt;</c>).</summary>
internal static class TypeNames
{
    public static string Format(DataViewType type) => type.ToString()!;

    public static DataViewType Parse(string name)
    {
        switch (name)
        {
            case "Single": return NumberDataViewType.Single;
            case "Double": return NumberDataViewType.Double;
            case "Int32": return NumberDataViewType.Int32;
            case "Int64": return NumberDataViewType.Int64;
            case "UInt32": return NumberDataViewType.UInt32;
            case "UInt64": return NumberDataViewType.UInt64;
            case "Boolean": return BooleanDataViewType.Instance;
            case "String": return TextDataViewType.Instance;
            case "DateTime": return DateTimeDataViewType.Instance;
        }
        const string KeyPrefix = "Key<UInt32, 0-";
        if (name.StartsWith(KeyPrefix, StringComparison.Ordinal) && name.EndsWith('>')
            && ulong.TryParse(name[KeyPrefix.Length..^1], NumberStyles.None, CultureInfo.InvariantCulture,
                              out ulong max)
            && max < uint.MaxValue)
            return new KeyDataViewType(typeof(uint), max + 1);
        throw new FormatException($"The model file is damaged: unknown column type '{name}'.");
    }
}
