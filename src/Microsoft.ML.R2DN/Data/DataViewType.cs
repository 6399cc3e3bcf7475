namespace Microsoft.ML.R2DN;

/// <summary>The type of the values in one column of an <see cref="IDataView"/>.</summary>
/// <remarks>
/// <para>The concrete types live in <c>Microsoft.ML.R2DN.Data</c>, as in ML.NET: <c>NumberDataViewType</c>
/// (<c>Single</c>, <c>Double</c>, <c>Int32</c>, <c>Int64</c>), <c>BooleanDataViewType</c>, <c>TextDataViewType</c>,
/// <c>DateTimeDataViewType</c> and <c>VectorDataViewType</c>.</para>
/// <para>Each type names the .NET type its getters produce (<see cref="RawType"/>):
/// <see cref="DataViewRow.GetGetter{TValue}"/> must be called with exactly that type.</para>
/// <para>Types compare by value: two <c>VectorDataViewType</c>s of the same item type and size are equal.</para>
/// </remarks>
public abstract class DataViewType : IEquatable<DataViewType>
{
    /// <summary>Creates a type whose values are read as <paramref name="rawType"/>.</summary>
    /// <param name="rawType">The .NET type a getter for this column produces; not null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rawType"/> is null.</exception>
    private protected DataViewType(Type rawType)
    {
        ArgumentNullException.ThrowIfNull(rawType);
        RawType = rawType;
    }

    /// <summary>The .NET type of the values: the type argument <see cref="DataViewRow.GetGetter{TValue}"/> needs.</summary>
    public Type RawType { get; }

    /// <summary>Whether <paramref name="other"/> is the same type as this one.</summary>
    /// <param name="other">The type to compare with; may be null (then the result is false).</param>
    /// <returns>True when both describe the same values.</returns>
    public abstract bool Equals(DataViewType? other);

    /// <summary>Whether <paramref name="obj"/> is a <see cref="DataViewType"/> equal to this one.</summary>
    /// <param name="obj">The object to compare with; may be null.</param>
    /// <returns>True when <paramref name="obj"/> is an equal <see cref="DataViewType"/>.</returns>
    public override bool Equals(object? obj) => obj is DataViewType other && Equals(other);

    /// <summary>A hash code consistent with <see cref="Equals(DataViewType)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => RawType.GetHashCode();
}
