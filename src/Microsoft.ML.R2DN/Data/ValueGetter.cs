namespace Microsoft.ML.R2DN;

/// <summary>Reads the value of one column in the current row of a cursor.</summary>
/// <typeparam name="TValue">The column's <see cref="DataViewType.RawType"/>.</typeparam>
/// <param name="value">Receives the value.</param>
public delegate void ValueGetter<TValue>(ref TValue value);
