namespace Microsoft.ML.R2DN.Data;

/// <summary>A column whose value in each row is a vector of numbers, for example a forecast of the next
/// <c>horizon</c> values.</summary>
/// <remarks>
/// <para>Values are read as <see cref="ReadOnlyMemory{T}"/> of the item's raw type: a vector of
/// <see cref="NumberDataViewType.Single"/> is read with <c>GetGetter&lt;ReadOnlyMemory&lt;float&gt;&gt;</c>
/// (ML.NET uses <c>VBuffer&lt;float&gt;</c>; this package has no sparse vectors, so plain memory is enough). The
/// views in this package never overwrite memory they have handed out, so a value may be kept after the cursor moves
/// on; it must not be modified.</para>
/// <para><see cref="Size"/> is the number of items in every row, or 0 when rows may differ in length (as in
/// ML.NET). The loaders and <c>LoadFromEnumerable</c> produce vectors of <see cref="float"/> only.</para>
/// </remarks>
public sealed class VectorDataViewType : DataViewType
{
    /// <summary>Creates a vector type.</summary>
    /// <param name="itemType">The type of each item, a primitive type other than text; typically
    /// <see cref="NumberDataViewType.Single"/>.</param>
    /// <param name="size">The number of items in every row, &gt;= 0; 0 means the length may vary between rows.</param>
    /// <exception cref="ArgumentNullException"><paramref name="itemType"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="itemType"/> is <see cref="TextDataViewType"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
        : base(MakeRawType(itemType))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ItemType = itemType;
        Size = size;
    }

    /// <summary>The type of each item of the vector.</summary>
    public PrimitiveDataViewType ItemType { get; }

    /// <summary>The number of items in every row; 0 when the length may vary between rows.</summary>
    public int Size { get; }

    /// <summary>Whether every row has <see cref="Size"/> items (<see cref="Size"/> &gt; 0).</summary>
    public bool IsKnownSize => Size > 0;

    /// <summary>Whether <paramref name="other"/> is a vector of the same item type and size.</summary>
    /// <param name="other">The type to compare with; may be null.</param>
    /// <returns>True when item type and size match.</returns>
    public override bool Equals(DataViewType? other) =>
        other is VectorDataViewType v && v.ItemType.Equals(ItemType) && v.Size == Size;

    /// <summary>A hash code consistent with <see cref="Equals(DataViewType)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(ItemType, Size);

    /// <summary>The type's name in schemas and error messages, as in ML.NET: <c>Vector&lt;Single, 24&gt;</c>, or
    /// <c>Vector&lt;Single&gt;</c> when the size varies.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => IsKnownSize ? $"Vector<{ItemType}, {Size}>" : $"Vector<{ItemType}>";

    private static Type MakeRawType(PrimitiveDataViewType itemType)
    {
        ArgumentNullException.ThrowIfNull(itemType);
        if (itemType is TextDataViewType)
            throw new ArgumentException("Vectors of text are not supported; use a number, Boolean or DateTime item type.", nameof(itemType));
        return typeof(ReadOnlyMemory<>).MakeGenericType(itemType.RawType);
    }
}
