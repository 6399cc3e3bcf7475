using Microsoft.ML.R2DN.Engine.Forecasting;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>
/// A trained <see cref="Forecaster"/> with its sorted calibration residuals and the one lock every use of its model
/// goes through: what <see cref="ForecastingTransformer"/> and its prediction engines share.
/// </summary>
/// <remarks>
/// Implementation note: the engine's <see cref="ForecastState"/> cannot be rebuilt from stored values (its state is
/// internal to the engine), so the prediction engine keeps its own state and steps the model directly, reproducing
/// <see cref="Forecaster.Observe"/>. The model is not thread-safe and the forecaster's own lock is private, so
/// <see cref="Rollout"/> and <see cref="Observe"/> both run under <see cref="_lock"/>.
/// </remarks>
internal sealed class ForecastCore
{
    private readonly Lock _lock = new();

    /// <param name="forecaster">The forecaster.</param>
    /// <param name="residuals">Per (target j, step k), at index j·h + k, the absolute calibration residuals sorted
    /// ascending; all of one length (0 when intervals are off).</param>
    public ForecastCore(Forecaster forecaster, float[][] residuals)
    {
        Forecaster = forecaster;
        Residuals = residuals;
        TrainingHalfWidths = HasResiduals(residuals) ? HalfWidths(residuals, forecaster.ConfidenceLevel) : [];
    }

    public Forecaster Forecaster { get; }

    public float[][] Residuals { get; }

    /// <summary>The half-widths at the training confidence level, or empty when intervals are off.</summary>
    public float[] TrainingHalfWidths { get; }

    public bool HasIntervals => TrainingHalfWidths.Length > 0;

    public int Horizon => Forecaster.Horizon;

    public int TargetCount => Forecaster.TargetCount;

    public int FeatureCount => Forecaster.FeatureCount;

    /// <summary>targets × horizon.</summary>
    public int OutputSize => Forecaster.Horizon * Forecaster.TargetCount;

    /// <summary>The forecast after every step of a series from a zero state, [Length, targets, horizon], data units.</summary>
    public float[] Rollout(SeriesData series)
    {
        lock (_lock)
            return Forecaster.Rollout(series);
    }

    /// <summary>A state that has seen nothing.</summary>
    public ForecastSeriesState Start() =>
        new(new float[Forecaster.Model.StateSize], new float[OutputSize], 0,
            Enumerable.Repeat(float.NaN, TargetCount).ToArray(), Enumerable.Repeat(float.NaN, FeatureCount).ToArray());

    /// <summary>Consumes one observation (finite values), as <see cref="Forecaster.Observe"/> does.</summary>
    public void Observe(ForecastSeriesState state, ReadOnlySpan<float> targets, ReadOnlySpan<float> features)
    {
        int nt = TargetCount, nf = FeatureCount;
        var u = new float[nt + nf];
        for (int j = 0; j < nt; j++) u[j] = Forecaster.TargetScaling.Forward(targets[j], j);
        for (int j = 0; j < nf; j++) u[nt + j] = Forecaster.FeatureScaling.Forward(features[j], j);
        var next = new float[state.X.Length];
        lock (_lock)
            Forecaster.Model.Simulate(state.X, u, 1, 1, state.Output, next);
        next.CopyTo(state.X, 0);
        targets.CopyTo(state.LastTargets);
        features.CopyTo(state.LastFeatures);
        state.Steps++;
    }

    /// <summary>The forecast of a state in data units, [targets × horizon] target-major.</summary>
    public float[] Decode(ForecastSeriesState state)
    {
        int h = Horizon;
        var values = new float[OutputSize];
        for (int j = 0; j < TargetCount; j++)
            for (int k = 0; k < h; k++)
                values[j * h + k] = (float)Forecaster.TargetScaling.Inverse(state.Output[j * h + k], j);
        return values;
    }

    /// <summary>Split-conformal half-widths at <paramref name="level"/>: per (target, step) the ⌈(n + 1)·level⌉-th
    /// smallest residual (the largest when that rank exceeds n), as the engine computes them.</summary>
    public float[] HalfWidths(double level) => HalfWidths(Residuals, level);

    /// <summary>Whether there are calibration residuals (intervals are on).</summary>
    public static bool HasResiduals(float[][] residuals) => residuals.Length > 0 && residuals[0].Length > 0;

    /// <summary>The half-widths of <paramref name="residuals"/> (each sorted ascending) at <paramref name="level"/>.</summary>
    public static float[] HalfWidths(float[][] residuals, double level)
    {
        var widths = new float[residuals.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            var r = residuals[i];
            int rank = Math.Min(r.Length, (int)Math.Ceiling((r.Length + 1) * level));
            widths[i] = r.Length == 0 ? float.PositiveInfinity : r[Math.Max(0, rank - 1)];
        }
        return widths;
    }

    /// <summary>
    /// The calibration residuals of a freshly trained forecaster, recomputed exactly as <see cref="Forecaster.Train"/>
    /// computes them (the engine keeps only the half-widths at one level): per (target, step), the absolute errors of
    /// the forecasts made at the held-out times t ∈ [split, length − h) of every series, sorted.
    /// </summary>
    public static float[][] CalibrationResiduals(Forecaster forecaster, IReadOnlyList<SeriesData> series, double calibrationFraction)
    {
        int nt = forecaster.TargetCount, h = forecaster.Horizon;
        if (calibrationFraction <= 0) return Enumerable.Range(0, nt * h).Select(_ => Array.Empty<float>()).ToArray();
        int length = series.Min(s => s.Length);
        int calibration = Math.Max(h + 1, (int)(length * calibrationFraction));
        int split = length - calibration;
        var residuals = new List<float>[nt * h];
        for (int i = 0; i < residuals.Length; i++) residuals[i] = [];
        foreach (var s in series)
        {
            int offset = s.Length - length;
            var forecasts = forecaster.Rollout(s);   // not yet shared: no lock needed
            for (int t = offset + split; t < s.Length - h; t++)
                for (int j = 0; j < nt; j++)
                    for (int k = 0; k < h; k++)
                        residuals[j * h + k].Add(Math.Abs(forecasts[(t * nt + j) * h + k] - s.Targets[(t + 1 + k) * nt + j]));
        }
        return residuals.Select(r => { r.Sort(); return r.ToArray(); }).ToArray();
    }
}
