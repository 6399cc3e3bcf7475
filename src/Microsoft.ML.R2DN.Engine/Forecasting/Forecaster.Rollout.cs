namespace Microsoft.ML.R2DN.Engine.Forecasting;

// A forecaster's rollouts: its forecasts at every step of a whole series, and the model inputs they are made from
// (shared with training, which builds its tensors from the same inputs).
public sealed partial class Forecaster
{
    /// <summary>
    /// Runs the model over a whole series from a zero state and returns, for every step t, the forecast made after
    /// observing step t: [Length, TargetCount, Horizon] in data units (y_{t+1..t+h} for each target).
    /// </summary>
    /// <exception cref="ArgumentException">The series' widths are not the forecaster's.</exception>
    public float[] Rollout(SeriesData series)
    {
        CheckSeries(series);
        int T = series.Length, nu = Model.InputSize * Lanes, ny = Horizon * TargetCount;
        var u = new float[T * nu];
        for (int t = 0; t < T; t++) FillInput(series, t, u.AsSpan(t * nu, nu));
        var y = new float[T * ny];
        if (RecurrentCorrection)
            lock (_modelLock)
                Model.Simulate(new float[Model.StateSize * Lanes], u, T, Lanes, y, new float[Model.StateSize * Lanes]);
        if (Linear is not null)
            Parallel.For(0, TargetCount, j =>
                Linear.AddPredictions(series, j, TargetScaling.Std[j], 0, T, y.AsSpan(j * Horizon), ny));
        for (int t = 0; t < T; t++)
            Decode(y.AsSpan(t * ny, ny), series.Targets.AsSpan(t * TargetCount, TargetCount), y.AsSpan(t * ny, ny));
        return y;
    }

    // The model's input at row t for every lane; the lanes' inputs for one row are consecutive (the model's batch).
    private void FillInput(SeriesData s, int t, Span<float> u)
    {
        int width = Model.InputSize;
        for (int lane = 0; lane < Lanes; lane++)
            FillLaneInput(s, t, ChannelIndependent ? lane : -1, TargetScaling, FeatureScaling, DifferenceInputs,
                          u.Slice(lane * width, width));
    }

    /// <summary>The model's input at row <paramref name="t"/>: all targets and the features, or (lane ≥ 0,
    /// channel-independent) target <paramref name="lane"/> and the features; levels or changes, standardised.</summary>
    internal static void FillLaneInput(SeriesData s, int t, int lane, Standardizer ty, Standardizer tf,
                                       bool differences, Span<float> u)
    {
        int nt = s.TargetCount, nf = s.FeatureCount, at = 0;
        for (int j = lane >= 0 ? lane : 0; j < (lane >= 0 ? lane + 1 : nt); j++)
            u[at++] = differences
                ? (t == 0 ? 0f : (float)((s.Targets[t * nt + j] - s.Targets[(t - 1) * nt + j]) / ty.Std[j]))
                : ty.Forward(s.Targets[t * nt + j], j);
        for (int j = 0; j < nf; j++) u[at + j] = tf.Forward(s.Features[t * nf + j], j);
    }
}
