namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The state of one series in a <see cref="ForecastingEngine{TSrc, TDst}"/>: the model's state x,
/// its latest (standardised) output, the number of observations seen and the last observed values (for forward
/// filling).</summary>
internal sealed class ForecastSeriesState
{
    public ForecastSeriesState(float[] x, float[] output, long steps, float[] lastTargets, float[] lastFeatures,
                               float[]? history = null)
    {
        X = x; Output = output; Steps = steps;
        LastTargets = lastTargets; LastFeatures = lastFeatures; History = history ?? [];
    }

    /// <summary>The linear path's look-back window, targets × L, oldest first per target (empty without one).</summary>
    public float[] History { get; }

    /// <summary>x, [nx].</summary>
    public float[] X { get; }

    /// <summary>The model's output after the last observation, standardised, [targets × horizon].</summary>
    public float[] Output { get; }

    /// <summary>The number of observations consumed.</summary>
    public long Steps { get; set; }

    /// <summary>The last observed targets (NaN before the first observation).</summary>
    public float[] LastTargets { get; }

    /// <summary>The last observed features (NaN before the first observation).</summary>
    public float[] LastFeatures { get; }

    public ForecastSeriesState Clone() =>
        new((float[])X.Clone(), (float[])Output.Clone(), Steps, (float[])LastTargets.Clone(),
            (float[])LastFeatures.Clone(), (float[])History.Clone());
}
