namespace Microsoft.ML.R2DN.Data;

/// <summary>The date-and-time column type; values are read as <see cref="System.DateTime"/>.</summary>
/// <remarks>The text loaders parse ISO 8601 dates in the invariant culture. A value with a UTC offset or a <c>Z</c>
/// suffix is converted to UTC (<see cref="DateTimeKind.Utc"/>); a value without one keeps its clock time
/// (<see cref="DateTimeKind.Unspecified"/>), so parsing never depends on the machine's time zone.</remarks>
public sealed class DateTimeDataViewType : PrimitiveDataViewType
{
    private DateTimeDataViewType()
        : base(typeof(DateTime))
    {
    }

    /// <summary>The single instance of this type.</summary>
    public static DateTimeDataViewType Instance { get; } = new();

    /// <summary>The type's name in schemas and error messages: <c>DateTime</c>.</summary>
    /// <returns><c>DateTime</c>.</returns>
    public override string ToString() => "DateTime";
}
