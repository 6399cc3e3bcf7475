namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>Reading a model's output over a data view, per series.</summary>
internal static class Scoring
{
    /// <summary>Reads the forecasts (and bounds) a forecaster added to <paramref name="scored"/>, with the observed
    /// values of target <paramref name="target"/>, one <see cref="ForecastSeries"/> per series in the order the series
    /// first appear.</summary>
    /// <param name="scored">The forecaster's output.</param>
    /// <param name="forecaster">The forecaster (its column names).</param>
    /// <param name="target">The index of the target whose observed values to read.</param>
    /// <param name="confidenceLevel">Recompute the bounds at this level; null for the bound columns as they
    /// are.</param>
    /// <exception cref="UsageException">A value the model reads is missing (NaN) or infinite.</exception>
    public static List<ForecastSeries> ReadForecasts(IDataView scored, ForecastingTransformer forecaster, int target,
                                                     float? confidenceLevel = null)
    {
        string? seriesId = forecaster.SeriesIdColumnName;
        float[][] forecasts, lower, upper;
        float[] actual;
        List<(string Id, int[] Rows)> groups;
        bool bounds = forecaster.ConfidenceLowerBoundColumn is not null || confidenceLevel is not null;
        try
        {
            // The forecast columns are computed when first read: missing values surface here.
            forecasts = DataViewReader.ReadVectorColumn(scored, forecaster.OutputColumnName);
            if (confidenceLevel is not null || forecaster.ConfidenceLowerBoundColumn is null)
            {
                lower = upper = [];
                if (bounds)
                {
                    var widths = forecaster.GetIntervalHalfWidths(confidenceLevel);
                    lower = forecasts.Select(f => f.Select((v, i) => v - widths[i]).ToArray()).ToArray();
                    upper = forecasts.Select(f => f.Select((v, i) => v + widths[i]).ToArray()).ToArray();
                }
            }
            else
            {
                lower = DataViewReader.ReadVectorColumn(scored, forecaster.ConfidenceLowerBoundColumn);
                upper = DataViewReader.ReadVectorColumn(scored, forecaster.ConfidenceUpperBoundColumn!);
            }
            actual = DataViewReader.ReadSingleColumn(scored, forecaster.TargetColumnNames[target]);
            groups = Series(scored, seriesId, forecasts.Length);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);
        }
        return groups.Select(g => new ForecastSeries(g.Id, [.. g.Rows.Select(r => actual[r])],
                                                     [.. g.Rows.Select(r => forecasts[r])],
                                                     bounds ? [.. g.Rows.Select(r => lower[r])] : null,
                                                     bounds ? [.. g.Rows.Select(r => upper[r])] : null))
                     .ToList();
    }

    /// <summary>The rows of each series of <paramref name="scored"/>, in the order each id first appears, as the plugin
    /// groups them; one series (id "") of every row without an id column, none without rows.</summary>
    /// <param name="scored">The view.</param>
    /// <param name="seriesId">The series id column, or null.</param>
    /// <param name="rowCount">The number of rows (already read with another column).</param>
    public static List<(string Id, int[] Rows)> Series(IDataView scored, string? seriesId, int rowCount)
    {
        if (seriesId is null) return rowCount == 0 ? [] : [("", [.. Enumerable.Range(0, rowCount)])];
        var ids = DataViewReader.ReadTextColumn(scored, seriesId, "series id column");
        return [.. SeriesGrouping.Group(ids).Select(rows => (ids[rows[0]], rows))];
    }

    /// <summary>The first test row of a series of <paramref name="length"/> rows, as <c>SplitByTime</c> computes
    /// it.</summary>
    public static int TestStart(int length, double testFraction)
    {
        if (length < 2) return length;
        int test = Math.Clamp((int)Math.Round(length * testFraction, MidpointRounding.AwayFromZero), 1, length - 1);
        return length - test;
    }

    /// <summary>The index of a target of a forecaster by name; the first when <paramref name="name"/> is
    /// null.</summary>
    /// <exception cref="UsageException">The model has no such target.</exception>
    public static int TargetIndex(ForecastingTransformer forecaster, string? name)
    {
        if (name is null) return 0;
        int index = forecaster.TargetColumnNames.ToList().IndexOf(name);
        return index >= 0 ? index
            : throw new UsageException($"--target '{name}' is not a target of the model; its targets are: " +
                                       $"{string.Join(", ", forecaster.TargetColumnNames)}.");
    }

    /// <summary>Picks one series by id (the first when <paramref name="id"/> is null).</summary>
    /// <exception cref="UsageException">No series has that id, or there is no data.</exception>
    public static T PickSeries<T>(IReadOnlyList<T> series, Func<T, string> idOf, string? id)
    {
        if (series.Count == 0) throw new UsageException("the data has no rows.");
        if (id is null) return series[0];
        foreach (var s in series)
            if (idOf(s) == id) return s;
        var known = series.Take(10).Select(idOf).ToList();
        string more = series.Count > 10 ? ", ..." : "";
        throw new UsageException($"--series '{id}' is not in the data; its series are: " +
                                 $"{string.Join(", ", known)}{more}.");
    }
}
