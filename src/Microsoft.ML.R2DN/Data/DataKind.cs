namespace Microsoft.ML.R2DN.Data;

/// <summary>The kind of values a <see cref="TextLoader.Column"/> parses, as in ML.NET (the numeric values match
/// ML.NET's <c>DataKind</c>).</summary>
public enum DataKind
{
    /// <summary>32-bit signed integers (<see cref="NumberDataViewType.Int32"/>); an empty field reads as 0.</summary>
    Int32 = 5,

    /// <summary>64-bit signed integers (<see cref="NumberDataViewType.Int64"/>); an empty field reads as 0.</summary>
    Int64 = 7,

    /// <summary>32-bit floating point (<see cref="NumberDataViewType.Single"/>), the type models read; an empty field,
    /// <c>?</c>, <c>NA</c> or <c>N/A</c> reads as NaN.</summary>
    Single = 9,

    /// <summary>64-bit floating point (<see cref="NumberDataViewType.Double"/>); missing values as for
    /// <see cref="Single"/>.</summary>
    Double = 10,

    /// <summary>Text (<see cref="TextDataViewType"/>); an empty field reads as an empty value.</summary>
    String = 11,

    /// <summary>Booleans (<see cref="BooleanDataViewType"/>): <c>true</c>/<c>false</c>, <c>t</c>/<c>f</c>,
    /// <c>yes</c>/<c>no</c>, <c>y</c>/<c>n</c>, <c>1</c>/<c>0</c>, in any case; an empty field reads as false.</summary>
    Boolean = 12,

    /// <summary>Dates and times (<see cref="DateTimeDataViewType"/>), ISO 8601 in the invariant culture; an empty field
    /// reads as <see cref="System.DateTime.MinValue"/>.</summary>
    DateTime = 14,
}
