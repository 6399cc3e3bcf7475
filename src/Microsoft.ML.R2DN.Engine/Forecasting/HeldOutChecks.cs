namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>What a forecaster's training measures on the held-out origins of its series, from their rollouts: the
/// squared errors that decide which parts are kept, the test of a gain between two of them, and the calibration
/// residuals of the intervals.</summary>
internal static class HeldOutChecks
{
    /// <summary>
    /// Whether the mean reduction in squared error from <paramref name="errors0"/> to <paramref name="errors1"/> per
    /// forecast origin exceeds twice its standard error. The forecasts of origins less than h apart share targets, so
    /// the errors are averaged over blocks of h origins first and the standard error is that of the block means. With
    /// fewer than <paramref name="minimumBlocks"/> blocks there is too little to tell: the answer is no, and
    /// <paramref name="decided"/> is false.
    /// </summary>
    public static bool IsSignificantGain(double[] errors1, double[] errors0, int h, out bool decided,
                                         int minimumBlocks = 4)
    {
        int blocks = errors1.Length / h;
        decided = blocks >= minimumBlocks;
        if (!decided) return false;
        var means = new double[blocks];
        for (int b = 0; b < blocks; b++)
        {
            double sum = 0;
            for (int i = b * h; i < (b + 1) * h; i++) sum += errors0[i] - errors1[i];
            means[b] = sum / h;
        }
        double mean = means.Average(), variance = means.Sum(m => (m - mean) * (m - mean)) / (blocks - 1);
        return mean > 2 * Math.Sqrt(variance / blocks);
    }

    /// <summary>Per forecast origin t ∈ [from, to) of the common axis, the squared error of its forecast in
    /// standardised changes, summed over targets, steps and series.</summary>
    public static double[] Errors(Forecaster f, IReadOnlyList<SeriesData> series, float[][] rollouts, int length,
                                  int from, int to)
    {
        int nt = f.TargetCount, h = f.Horizon;
        var errors = new double[Math.Max(0, to - from)];
        for (int b = 0; b < series.Count; b++)
        {
            var s = series[b];
            int offset = s.Length - length;
            var forecasts = rollouts[b];
            for (int t = from; t < to; t++)
                for (int j = 0; j < nt; j++)
                    for (int k = 0; k < h; k++)
                    {
                        double d =
                            (forecasts[((offset + t) * nt + j) * h + k] - s.Targets[(offset + t + 1 + k) * nt + j])
                                   / f.TargetScaling.Std[j];
                        errors[t - from] += d * d;
                    }
        }
        return errors;
    }

    /// <summary>The sorted absolute residuals for each (target, step) over the forecast origins t ∈ [from, to) of
    /// every series, from the series' rollouts: what the split-conformal intervals are made of.</summary>
    public static float[][] Residuals(Forecaster f, IReadOnlyList<SeriesData> series, float[][] rollouts, int length,
                                      int from, int to)
    {
        int nt = f.TargetCount, h = f.Horizon;
        var residuals = new List<float>[nt * h];
        for (int i = 0; i < residuals.Length; i++) residuals[i] = new();
        for (int b = 0; b < series.Count; b++)
        {
            var s = series[b];
            int offset = s.Length - length;
            var forecasts = rollouts[b];
            for (int t = offset + from; t < offset + to; t++)
                for (int j = 0; j < nt; j++)
                    for (int k = 0; k < h; k++)
                        residuals[j * h + k].Add(
                            Math.Abs(forecasts[(t * nt + j) * h + k] - s.Targets[(t + 1 + k) * nt + j]));
        }
        return residuals.Select(r =>
        {
            r.Sort();
            return r.ToArray();
        }).ToArray();
    }

    /// <summary>No residuals: intervals off.</summary>
    public static float[][] None(int n) => Enumerable.Range(0, n).Select(_ => Array.Empty<float>()).ToArray();
}
