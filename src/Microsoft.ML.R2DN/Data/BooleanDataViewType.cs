namespace Microsoft.ML.R2DN.Data;

/// <summary>The Boolean column type; values are read as <see cref="bool"/>.</summary>
public sealed class BooleanDataViewType : PrimitiveDataViewType
{
    private BooleanDataViewType()
        : base(typeof(bool))
    {
    }

    /// <summary>The single instance of this type.</summary>
    public static BooleanDataViewType Instance { get; } = new();

    /// <summary>The type's name in schemas and error messages: <c>Boolean</c>.</summary>
    /// <returns><c>Boolean</c>.</returns>
    public override string ToString() => "Boolean";
}
