namespace Microsoft.ML.R2DN;

/// <summary>A type whose values are single, immutable scalars (a number, a Boolean, a text value or a date):
/// the item type of a <c>VectorDataViewType</c>.</summary>
/// <remarks>The instances are singletons (<c>NumberDataViewType.Single</c>, <c>TextDataViewType.Instance</c>, ...);
/// users do not derive from this class.</remarks>
public abstract class PrimitiveDataViewType : DataViewType
{
    /// <summary>Creates a primitive type whose values are read as <paramref name="rawType"/>.</summary>
    /// <param name="rawType">The .NET type of the values; not null.</param>
    private protected PrimitiveDataViewType(Type rawType)
        : base(rawType)
    {
    }

    /// <summary>Primitive types are singletons, so equality is reference equality.</summary>
    /// <param name="other">The type to compare with; may be null.</param>
    /// <returns>True when <paramref name="other"/> is this instance.</returns>
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);
}
