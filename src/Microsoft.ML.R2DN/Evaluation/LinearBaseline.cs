using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Evaluation;

/// <summary>The linear baseline of the forecast evaluation: the forecaster's own kind of linear path (a ridge
/// regression from each target's last L values to its next h changes, channel independent) fitted on given rows and run
/// over every row of the evaluated data.</summary>
internal static class LinearBaseline
{
    /// <summary>Per row of <paramref name="labels"/>, the linear forecasts (horizon × targets, target-major, data
    /// units), from a path fitted on the rows <paramref name="fitSeries"/> of <paramref name="fitLabels"/>; null when
    /// the fit rows are too few (fewer than 2·h + 8 per series).</summary>
    public static float[][]? Forecasts(float[][] labels, int[][] series, float[][] fitLabels, int[][] fitSeries,
                                       int horizon, int targets,
                                       CancellationToken token)
    {
        var fit = fitSeries.Where(s => s.Length >= 2 * horizon
                                  + 8).Select(s => ToSeries(fitLabels, s, targets)).Where(s => s is not null).ToList();
        if (fit.Count == 0) return null;
        int shortest = fit.Min(s => s!.Length);
        int lookback = Math.Clamp(shortest / 3, 2, 336);
        var scaling = Standardizer.Fit(fit.Select(s => s!.Targets), targets);
        // The last fifth of the fit rows chooses the ridge penalty.
        int length = shortest, validation = Math.Max(horizon + 1, length / 5), trainEnd = length - validation;
        if (trainEnd - horizon < 4) return null;
        var offsets = fit.Select(s => s!.Length - length).ToArray();
        LinearForecastPath path;
        try
        {
            (path, _) = LinearForecastPath.Fit(fit!, scaling, lookback, horizon, offsets, 0, trainEnd - horizon,
                                               length - horizon,
                                               [1e-4, 1e-3, 1e-2, 1e-1, 1, 10], token);
        }
        catch (ArgumentException)
        {
            return null;   // degenerate data (a constant series): no baseline rather than a failed evaluation
        }
        var result = new float[labels.Length][];
        for (int i = 0; i < result.Length; i++) result[i] = [];
        foreach (var rows in series)
        {
            token.ThrowIfCancellationRequested();
            var s = ToSeries(labels, rows, targets);
            if (s is null) continue;
            var change = new float[rows.Length * horizon];
            for (int p = 0; p < rows.Length; p++) result[rows[p]] = new float[horizon * targets];
            for (int j = 0; j < targets; j++)
            {
                change.AsSpan().Clear();
                path.AddPredictions(s, j, scaling.Std[j], 0, rows.Length, change, horizon);
                for (int p = 0; p < rows.Length; p++)
                    for (int k = 0; k < horizon; k++)
                        result[rows[p]][j * horizon + k] =
                            (float)(s.Targets[p * targets + j] + scaling.Std[j] * change[p * horizon + k]);
            }
        }
        return result;
    }

    // A series' labels as engine data; null when a label is missing (the baseline needs complete windows).
    private static SeriesData? ToSeries(float[][] labels, int[] rows, int targets)
    {
        var flat = new float[rows.Length * targets];
        for (int p = 0; p < rows.Length; p++)
            for (int j = 0; j < targets; j++)
            {
                float v = labels[rows[p]][j];
                if (!float.IsFinite(v)) return null;
                flat[p * targets + j] = v;
            }
        return rows.Length == 0 ? null : new SeriesData(flat, targets);
    }
}
