namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>One time series for forecasting: targets y_t (one or more) and optional exogenous features f_t,
/// row-major.</summary>
public sealed class SeriesData
{
    /// <summary>Creates a series of <c>targets.Length / targetCount</c> time steps.</summary>
    /// <param name="targets">y, shape [length, targetCount], finite.</param>
    /// <param name="targetCount">Targets per step (&gt; 0).</param>
    /// <param name="features">f, shape [length, featureCount], finite; null or empty when there are none.</param>
    /// <param name="featureCount">Features per step (≥ 0).</param>
    /// <param name="name">A name for error messages (for example the series id).</param>
    /// <exception cref="ArgumentException">A length does not match, or a value is not finite.</exception>
    public SeriesData(float[] targets, int targetCount, float[]? features = null, int featureCount = 0,
                      string? name = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        ArgumentOutOfRangeException.ThrowIfNegative(featureCount);
        if (targets.Length % targetCount != 0)
            throw new ArgumentException($"targets has {targets.Length} values, not a multiple of {targetCount}.",
                                        nameof(targets));
        Length = targets.Length / targetCount;
        features ??= [];
        if (features.Length != Length * featureCount)
            throw new ArgumentException(
                $"features must have {Length * featureCount} values ({Length} steps × {featureCount}), got " +
                $"{features.Length}.", nameof(features));
        Name = name ?? "series";
        Validation.ThrowIfNotFinite(targets, nameof(targets), targetCount);
        Validation.ThrowIfNotFinite(features, nameof(features), Math.Max(1, featureCount));
        (Targets, TargetCount, Features, FeatureCount) = (targets, targetCount, features, featureCount);
    }

    /// <summary>y, [Length, TargetCount].</summary>
    public float[] Targets { get; }

    /// <summary>f, [Length, FeatureCount].</summary>
    public float[] Features { get; }

    /// <summary>Number of time steps.</summary>
    public int Length { get; }

    /// <summary>Targets per step.</summary>
    public int TargetCount { get; }

    /// <summary>Features per step.</summary>
    public int FeatureCount { get; }

    /// <summary>The series' name, for messages.</summary>
    public string Name { get; }
}
