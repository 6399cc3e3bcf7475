namespace Microsoft.ML.R2DN.Data;

/// <summary>The numeric column types: <see cref="Single"/> (<see cref="float"/>), <see cref="Double"/>
/// (<see cref="double"/>), <see cref="Int32"/> (<see cref="int"/>) and <see cref="Int64"/> (<see cref="long"/>).</summary>
/// <remarks>Models compute in <see cref="float"/>; <see cref="Single"/> is the type every trainer reads without
/// conversion. Missing floating-point values are <see cref="float.NaN"/>; integers have no missing value.</remarks>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private readonly string _name;

    private NumberDataViewType(Type rawType, string name)
        : base(rawType)
    {
        _name = name;
    }

    /// <summary>32-bit floating point values, read as <see cref="float"/>.</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float), nameof(Single));

    /// <summary>64-bit floating point values, read as <see cref="double"/>.</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double), nameof(Double));

    /// <summary>32-bit signed integers, read as <see cref="int"/>.</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int), nameof(Int32));

    /// <summary>64-bit signed integers, read as <see cref="long"/>.</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long), nameof(Int64));

    /// <summary>The type's name as it appears in schemas and error messages: <c>Single</c>, <c>Double</c>,
    /// <c>Int32</c> or <c>Int64</c>.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => _name;
}
