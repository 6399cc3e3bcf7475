namespace Microsoft.ML.R2DN;

/// <summary>The outcome of one fold of a cross-validation (ML.NET's <c>CrossValidationResult</c>).</summary>
/// <typeparam name="TMetrics">The metrics type, e.g. <see cref="ForecastingMetrics"/>.</typeparam>
public sealed class CrossValidationResult<TMetrics>
    where TMetrics : class
{
    internal CrossValidationResult(ITransformer model, TMetrics metrics, IDataView scoredHoldOutSet, int fold)
    {
        Model = model;
        Metrics = metrics;
        ScoredHoldOutSet = scoredHoldOutSet;
        Fold = fold;
    }

    /// <summary>The model trained on the fold's training rows.</summary>
    public ITransformer Model { get; }

    /// <summary>The metrics of <see cref="Model"/> on the fold's test rows.</summary>
    public TMetrics Metrics { get; }

    /// <summary>The fold's test rows as scored by <see cref="Model"/> (which had run over the training rows before
    /// them, so its state had seen the history).</summary>
    public IDataView ScoredHoldOutSet { get; }

    /// <summary>The fold's index, from 0 (the earliest test block) to the number of folds minus 1.</summary>
    public int Fold { get; }
}
