namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>What the forecasting and simulation trainers and transformers do with a missing (NaN) or infinite value in
/// a column they read.</summary>
public enum MissingValuePolicy
{
    /// <summary>Fail with an error that names the column and the row (0-based, the row's position in the
    /// <see cref="IDataView"/>). The default.</summary>
    Error = 0,

    /// <summary>Replace the value by the last finite value of the same column in the same series. In the training data,
    /// missing values at the start of a series take the first finite value after them; when scoring (which reads the
    /// rows one at a time, in order), a missing value with no earlier value in its series is an error, as is a column
    /// with no finite value in a training series.</summary>
    ForwardFill = 1,
}
