using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Tests.Data;

/// <summary>Vector columns for <see cref="ArrayDataView"/> built with ML.NET's raw type.</summary>
internal static class ArrayDataViewBuilderExtensions
{
    /// <summary>A vector-of-Single column whose row i is <paramref name="rows"/>[i], stored as
    /// <see cref="VBuffer{T}"/> (the raw type of <see cref="VectorDataViewType"/> in ML.NET).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The column's name.</param>
    /// <param name="rows">One array per row.</param>
    /// <param name="size">The length of every row, or 0 for rows of any length.</param>
    public static ArrayDataView.Builder AddVectors(this ArrayDataView.Builder builder,
                                                                          string name, float[][] rows, int size) =>
        builder.AddColumn(name, new VectorDataViewType(NumberDataViewType.Single, size),
                          rows.Select(r => new VBuffer<float>(r.Length, (float[])r.Clone())).ToArray());
}
