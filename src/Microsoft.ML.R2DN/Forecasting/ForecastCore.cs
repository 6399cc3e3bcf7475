using Microsoft.ML.R2DN.Engine.Forecasting;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>
/// A trained <see cref="Forecaster"/> with its sorted calibration residuals and the one lock every use of its model
/// goes through: what <see cref="ForecastingTransformer"/> and its prediction engines share.
/// </summary>
/// <remarks>
/// The prediction engines keep per-series states of their own (with the last features, for checkpoints) and step them
/// through the engine's <see cref="Forecaster.Observe"/> under one lock.
/// </remarks>
internal sealed class ForecastCore
{
    private readonly Lock _lock = new();

    public ForecastCore(Forecaster forecaster)
    {
        Forecaster = forecaster;
        TrainingHalfWidths = forecaster.HalfWidths;
    }

    public Forecaster Forecaster { get; }

    /// <summary>Per (target j, step k), at index j·h + k, the sorted absolute calibration residuals (empty when
    /// intervals are off).</summary>
    public IReadOnlyList<float[]> Residuals => Forecaster.CalibrationResiduals;

    /// <summary>The half-widths at the training confidence level, or empty when intervals are off.</summary>
    public float[] TrainingHalfWidths { get; }

    public bool HasIntervals => TrainingHalfWidths.Length > 0;

    public int Horizon => Forecaster.Horizon;

    public int TargetCount => Forecaster.TargetCount;

    public int FeatureCount => Forecaster.FeatureCount;

    /// <summary>targets × horizon.</summary>
    public int OutputSize => Forecaster.Horizon * Forecaster.TargetCount;

    /// <summary>A state that has seen nothing.</summary>
    public ForecastSeriesState Start()
    {
        var start = Forecaster.Start();
        return new(start.X, new float[OutputSize], 0, Enumerable.Repeat(float.NaN, TargetCount).ToArray(),
                   Enumerable.Repeat(float.NaN, FeatureCount).ToArray(), start.History);
    }

    /// <summary>Consumes one observation (finite values) with the engine's <see cref="Forecaster.Observe"/>.</summary>
    public void Observe(ForecastSeriesState state, ReadOnlySpan<float> targets, ReadOnlySpan<float> features)
    {
        var engineState = ForecastState.FromParts(state.X, state.Output, state.LastTargets, state.Steps, state.History);
        lock (_lock)
            Forecaster.Observe(engineState, targets, features);
        engineState.X.CopyTo(state.X, 0);
        engineState.Output.CopyTo(state.Output, 0);
        engineState.History.CopyTo(state.History, 0);
        targets.CopyTo(state.LastTargets);
        features.CopyTo(state.LastFeatures);
        state.Steps++;
    }

    /// <summary>The forecast of a state in data units, [targets × horizon] target-major.</summary>
    public float[] Decode(ForecastSeriesState state)
    {
        var values = new float[OutputSize];
        Forecaster.Decode(state.Output, state.LastTargets, values);
        return values;
    }

    /// <summary>Split-conformal half-widths at <paramref name="level"/>
    /// (see <see cref="Forecaster.HalfWidthsAt"/>).</summary>
    public float[] HalfWidths(double level) => Forecaster.HalfWidthsAt(level);
}
