namespace Microsoft.ML.R2DN.Data;

/// <summary>The text column type; values are read as <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/>, as in
/// ML.NET.</summary>
/// <remarks>Request a getter with <c>GetGetter&lt;ReadOnlyMemory&lt;char&gt;&gt;</c> and call <c>ToString()</c> on the
/// value to get a <see cref="string"/>. The memory a getter hands out is never overwritten by the views in this
/// package, so a value may be kept after the cursor moves on. A text value is never null: a missing value is empty.
/// <c>LoadFromEnumerable</c> and <c>CreateEnumerable</c> accept <see cref="string"/> members for text columns.</remarks>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType()
        : base(typeof(ReadOnlyMemory<char>))
    {
    }

    /// <summary>The single instance of this type.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <summary>The type's name in schemas and error messages: <c>String</c>.</summary>
    /// <returns><c>String</c>.</returns>
    public override string ToString() => "String";
}
