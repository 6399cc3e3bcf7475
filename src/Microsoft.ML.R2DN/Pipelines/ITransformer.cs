namespace Microsoft.ML.R2DN;

/// <summary>A fitted, immutable data transformation: maps an input <see cref="IDataView"/> to an output one, lazily.</summary>
/// <remarks>Transformers are immutable and safe to share across threads.</remarks>
public interface ITransformer
{
    /// <summary>The schema <see cref="Transform"/> produces for an input with <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column the transformer needs is missing or has the wrong type.</exception>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>Applies the transformation. Columns are computed when a cursor reads them, not now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column the transformer needs is missing or has the wrong type.</exception>
    IDataView Transform(IDataView input);
}

/// <summary>An untrained transformation: <see cref="Fit"/> learns from data and returns the transformer.</summary>
/// <typeparam name="TTransformer">The transformer type.</typeparam>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Trains on <paramref name="input"/>.</summary>
    TTransformer Fit(IDataView input);

    /// <summary>The schema the fitted transformer would produce, checking that every needed column exists with a valid type.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
}
