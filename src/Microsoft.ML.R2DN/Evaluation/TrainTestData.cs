namespace Microsoft.ML.R2DN;

/// <summary>A training set and a test set, as returned by <c>ml.Forecasting.SplitByTime</c> (ML.NET's
/// <c>TrainTestData</c>). Deconstructs into <c>(train, test)</c>: <c>var (train, test) =
/// ml.Forecasting.SplitByTime(data);</c></summary>
/// <param name="TrainSet">The rows to train on.</param>
/// <param name="TestSet">The rows to test on.</param>
public sealed record TrainTestData(IDataView TrainSet, IDataView TestSet);
