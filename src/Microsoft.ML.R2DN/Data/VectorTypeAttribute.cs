namespace Microsoft.ML.R2DN.Data;

/// <summary>Declares the length of the <see cref="float"/>[] vector held by a field or property, making its column a
/// <see cref="VectorDataViewType"/> of known size.</summary>
/// <remarks>Without this attribute a <see cref="float"/>[] member maps to a vector column of varying size
/// (<c>Vector&lt;Single&gt;</c>). With it, <c>LoadFromEnumerable</c> checks every row's length and
/// <c>CreateEnumerable</c> checks that the column has this size.</remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class VectorTypeAttribute : Attribute
{
    /// <summary>Declares a vector of varying length (size 0).</summary>
    public VectorTypeAttribute()
    {
    }

    /// <summary>Declares a vector of <paramref name="size"/> items.</summary>
    /// <param name="size">The number of items, &gt;= 0; 0 means the length may vary between rows.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public VectorTypeAttribute(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Size = size;
    }

    /// <summary>The number of items; 0 when the length may vary.</summary>
    public int Size { get; }
}
