namespace Microsoft.ML.R2DN.Evaluation;

/// <summary>The columns an evaluation reads, checked and read into arrays.</summary>
internal sealed class ForecastColumns
{
    public required float[][] Labels { get; init; }          // [row][target]
    public required float[][] Forecasts { get; init; }       // [row][target * horizon + step - 1]
    public float[][]? Lower { get; init; }
    public float[][]? Upper { get; init; }
    public required int Horizon { get; init; }
}

/// <summary>Computes <see cref="ForecastingMetrics"/> from arrays: the shared core of Evaluate and
/// CrossValidate.</summary>
internal static class ForecastEvaluator
{
    /// <summary>Checks the argument values shared by Evaluate and CrossValidate.</summary>
    /// <returns>The label columns (the label column, then the additional ones) and the number of targets.</returns>
    public static (string[] Labels, int Targets) CheckArguments(
        string labelColumnName, string forecastColumnName, string? lowerBoundColumnName, string? upperBoundColumnName,
        string? seriesIdColumnName, int seasonality, int targetCount, string[]? additionalLabelColumnNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(forecastColumnName);
        if (lowerBoundColumnName is { Length: 0 })
            throw new ArgumentException("The lower bound column name must not be empty; pass null for none.",
                                        nameof(lowerBoundColumnName));
        if (upperBoundColumnName is { Length: 0 })
            throw new ArgumentException("The upper bound column name must not be empty; pass null for none.",
                                        nameof(upperBoundColumnName));
        if ((lowerBoundColumnName is null) != (upperBoundColumnName is null))
        {
            string missing = lowerBoundColumnName is null ? nameof(lowerBoundColumnName) : nameof(upperBoundColumnName);
            throw new ArgumentException("Give both the lower and the upper bound column, or neither.", missing);
        }
        if (seriesIdColumnName is { Length: 0 })
            throw new ArgumentException("The series id column name must not be empty; pass null for a single series.",
                                        nameof(seriesIdColumnName));
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonality, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetCount, 1);
        if (additionalLabelColumnNames is null || additionalLabelColumnNames.Length == 0)
            return ([labelColumnName], targetCount);
        if (additionalLabelColumnNames.Any(string.IsNullOrEmpty))
            throw new ArgumentException("The additional label column names must not be null or empty.",
                                        nameof(additionalLabelColumnNames));
        int targets = 1 + additionalLabelColumnNames.Length;
        if (targetCount != 1 && targetCount != targets)
            throw new ArgumentException(
                $"{targets} label columns are given but targetCount is {targetCount}; leave targetCount at 1 or make " +
                $"it {targets}.", nameof(targetCount));
        return ([labelColumnName, .. additionalLabelColumnNames], targets);
    }

    /// <summary>Checks the label columns: one Single (or another number) per target, or, for a single label column,
    /// a vector of Single of size <paramref name="targetCount"/>.</summary>
    public static void CheckLabel(DataViewSchema schema, string[] labels, int targetCount)
    {
        var vector = new VectorDataViewType(NumberDataViewType.Single, targetCount);
        foreach (var label in labels)
        {
            var column = SchemaErrors.FindColumn(schema, label, "label column");
            if (labels.Length == 1 && column.Type.Equals(vector))
                return;
            var type = column.Type;
            bool numeric = type.Equals(NumberDataViewType.Single) || type.Equals(NumberDataViewType.Double)
                           || type.Equals(NumberDataViewType.Int32) || type.Equals(NumberDataViewType.Int64);
            bool wantsVector = labels.Length == 1 && targetCount != 1;
            if (!numeric || wantsVector)
                throw SchemaErrors.Mismatch("label column", label, wantsVector ? vector.ToString() : "Single",
                                            type.ToString()!);
        }
    }

    /// <summary>Checks a forecast or bound column: a vector of Single whose known size is a multiple of the number of
    /// targets. Returns the known size, or 0.</summary>
    public static int CheckForecast(DataViewSchema schema, string name, string role, int targetCount)
    {
        var column = SchemaErrors.FindColumn(schema, name, role);
        if (column.Type is not VectorDataViewType v || !v.ItemType.Equals(NumberDataViewType.Single))
            throw SchemaErrors.Mismatch(role, name, "Vector<Single>", column.Type.ToString()!);
        if (v.IsKnownSize && v.Size % targetCount != 0)
            throw new ArgumentOutOfRangeException(nameof(targetCount),
                $"The {role} '{name}' holds {v.Size} values per row, which is not a multiple of the {targetCount} " +
                "targets.");
        return v.Size;
    }

    /// <summary>Checks every column of an evaluation before anything is read.</summary>
    public static void CheckSchema(DataViewSchema schema, string[] label, string forecast, string? lower, string? upper,
                                   string? seriesId, int targetCount)
    {
        CheckLabel(schema, label, targetCount);
        int size = CheckForecast(schema, forecast, "forecast column", targetCount);
        foreach (var (name, role) in new[] { (lower, "lower bound column"), (upper, "upper bound column") })
        {
            if (name is null)
                continue;
            int boundSize = CheckForecast(schema, name, role, targetCount);
            if (size > 0 && boundSize > 0 && boundSize != size)
                throw SchemaErrors.Mismatch(role, name, schema[forecast].Type.ToString()!,
                                            schema[name].Type.ToString()!);
        }
        SeriesIdColumns.Check(schema, seriesId);
    }

    /// <summary>The label of every row, one value per target.</summary>
    public static float[][] ReadLabels(IDataView data, string[] labels, int targetCount, CancellationToken token)
    {
        CheckLabel(data.Schema, labels, targetCount);
        if (labels.Length == 1 && data.Schema[labels[0]].Type is VectorDataViewType)
            return DataViewReader.ReadVectorColumn(data, labels[0], "label column", targetCount, token);
        var columns = DataViewReader.ReadSingleColumns(data, labels, "label column", token);
        var rows = new float[columns[0].Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new float[columns.Length];
            for (int j = 0; j < columns.Length; j++)
                rows[i][j] = columns[j][i];
        }
        return rows;
    }

    /// <summary>Reads the label, forecast and bound columns (checked with <see cref="CheckSchema"/>).</summary>
    public static ForecastColumns Read(IDataView data, string[] label, string forecast, string? lower, string? upper,
                                       int targetCount, CancellationToken token)
    {
        var labels = ReadLabels(data, label, targetCount, token);
        var forecasts = DataViewReader.ReadVectorColumn(data, forecast, "forecast column", 0, token);
        int width = CheckForecast(data.Schema, forecast, "forecast column", targetCount);
        if (width == 0 && forecasts.Length > 0)
            width = forecasts[0].Length;
        CheckRows(forecasts, width, forecast);
        if (forecasts.Length > 0 && (width == 0 || width % targetCount != 0))
            throw new InvalidOperationException(
                $"The rows of forecast column '{forecast}' hold {width} values, which is not a positive multiple " +
                $"of the {targetCount} targets.");
        float[][]? lowerRows = null, upperRows = null;
        if (lower is not null && upper is not null)
        {
            lowerRows = DataViewReader.ReadVectorColumn(data, lower, "lower bound column", 0, token);
            upperRows = DataViewReader.ReadVectorColumn(data, upper, "upper bound column", 0, token);
            CheckRows(lowerRows, width, lower);
            CheckRows(upperRows, width, upper);
        }
        return new ForecastColumns
        {
            Labels = labels,
            Forecasts = forecasts,
            Lower = lowerRows,
            Upper = upperRows,
            Horizon = width / targetCount,
        };
    }

    /// <summary>The scale of the MASE for each target: the mean of |y_p - y_(p-m)| over the positions p &gt;= m of each
    /// series (pairs with a NaN skipped), pooled over the series; NaN when it is 0 or there is no pair.</summary>
    /// <param name="labels">The labels, [row][target].</param>
    /// <param name="series">The rows of each series, in time order.</param>
    /// <param name="seasonality">m.</param>
    /// <param name="targetCount">The number of targets.</param>
    public static double[] SeasonalScale(float[][] labels, IEnumerable<int[]> series, int seasonality, int targetCount)
    {
        var sum = new double[targetCount];
        var count = new long[targetCount];
        foreach (var rows in series)
            for (int p = seasonality; p < rows.Length; p++)
                for (int j = 0; j < targetCount; j++)
                {
                    double d = (double)labels[rows[p]][j] - labels[rows[p - seasonality]][j];
                    if (double.IsNaN(d))
                        continue;
                    sum[j] += Math.Abs(d);
                    count[j]++;
                }
        var scale = new double[targetCount];
        for (int j = 0; j < targetCount; j++)
            scale[j] = count[j] > 0 && sum[j] > 0 ? sum[j] / count[j] : double.NaN;
        return scale;
    }

    /// <summary>Compares the forecasts with the labels.</summary>
    /// <param name="data">The columns.</param>
    /// <param name="series">The rows of each series, in time order.</param>
    /// <param name="start">For each series, the first position evaluated (0 for all).</param>
    /// <param name="end">For each series, the position after the last evaluated one (the series length for all).
    /// Origins t and targets t + k both lie in [start, end); the seasonal naive value may lie before start.</param>
    /// <param name="seasonality">m.</param>
    /// <param name="targetCount">The number of targets.</param>
    /// <param name="scale">The MASE scale of each target.</param>
    /// <param name="token">Checked once per series.</param>
    /// <param name="linear">Per row, the linear baseline's forecasts (laid out as the forecasts; empty rows are
    /// skipped), or null for none.</param>
    public static ForecastingMetrics Compute(ForecastColumns data, int[][] series, int[] start, int[] end,
                                             int seasonality, int targetCount, double[] scale, CancellationToken token,
                                             float[][]? linear = null)
    {
        int h = data.Horizon;
        var steps = new Accumulator[h];
        for (int k = 0; k < h; k++)
            steps[k] = new Accumulator();
        bool bounds = data.Lower is not null && data.Upper is not null;
        for (int s = 0; s < series.Length; s++)
        {
            token.ThrowIfCancellationRequested();
            var rows = series[s];
            for (int p = start[s]; p < end[s]; p++)
            {
                var forecast = data.Forecasts[rows[p]];
                for (int k = 1; k <= h && p + k < end[s]; k++)
                {
                    var label = data.Labels[rows[p + k]];
                    int naive = p + k - seasonality * ((k + seasonality - 1) / seasonality);
                    var acc = steps[k - 1];
                    for (int j = 0; j < targetCount; j++)
                    {
                        double y = label[j];
                        int index = j * h + k - 1;
                        double f = forecast[index];
                        if (double.IsNaN(y) || double.IsNaN(f))
                            continue;
                        double e = f - y;
                        acc.Count++;
                        acc.SumAbs += Math.Abs(e);
                        acc.SumSquared += e * e;
                        acc.SumLabelSquared += y * y;
                        acc.SumScaled += Math.Abs(e) / scale[j];
                        double denominator = Math.Abs(y) + Math.Abs(f);
                        if (denominator > 0)
                        {
                            acc.SmapeSum += 200 * Math.Abs(e) / denominator;
                            acc.SmapeCount++;
                        }
                        if (bounds)
                        {
                            double lo = data.Lower![rows[p]][index], hi = data.Upper![rows[p]][index];
                            if (!double.IsNaN(lo) && !double.IsNaN(hi))
                            {
                                acc.IntervalCount++;
                                if (lo <= y && y <= hi)
                                    acc.Covered++;
                                acc.WidthSum += hi - lo;
                            }
                        }
                        double last = data.Labels[rows[p]][j];
                        if (!double.IsNaN(last))
                        {
                            acc.RepeatCount++;
                            acc.RepeatSumAbs += Math.Abs(last - y);
                            acc.RepeatSumSquared += (last - y) * (last - y);
                        }
                        if (linear is not null && linear[rows[p]] is { Length: > 0 } lf && !double.IsNaN(lf[index]))
                        {
                            double d = lf[index] - y;
                            acc.LinearCount++;
                            acc.LinearSumAbs += Math.Abs(d);
                            acc.LinearSumSquared += d * d;
                        }
                        if (naive >= 0)
                        {
                            double b = data.Labels[rows[naive]][j];
                            if (!double.IsNaN(b))
                            {
                                acc.NaiveCount++;
                                acc.NaiveSumAbs += Math.Abs(b - y);
                                acc.NaiveSumSquared += (b - y) * (b - y);
                            }
                        }
                    }
                }
            }
        }
        var total = new Accumulator();
        foreach (var step in steps)
            total.Add(step);
        return new ForecastingMetrics(h, seasonality, targetCount, total.Summarize(bounds),
                                      new HorizonMetrics([.. steps.Select(a => a.Summarize(bounds))]));
    }

    private static void CheckRows(float[][] rows, int width, string column)
    {
        for (int i = 0; i < rows.Length; i++)
            if (rows[i].Length != width)
                throw new InvalidOperationException(
                    $"Row {i} of column '{column}' holds {rows[i].Length} values; expected {width}.");
    }

    private sealed class Accumulator
    {
        public long Count;
        public double SumAbs;
        public double SumSquared;
        public double SumLabelSquared;
        public double SumScaled;
        public double SmapeSum;
        public long SmapeCount;
        public long IntervalCount;
        public long Covered;
        public double WidthSum;
        public long NaiveCount;
        public double NaiveSumAbs;
        public double NaiveSumSquared;
        public long RepeatCount, LinearCount;
        public double RepeatSumAbs, RepeatSumSquared, LinearSumAbs, LinearSumSquared;

        public void Add(Accumulator other)
        {
            RepeatCount += other.RepeatCount;
            RepeatSumAbs += other.RepeatSumAbs;
            RepeatSumSquared += other.RepeatSumSquared;
            LinearCount += other.LinearCount;
            LinearSumAbs += other.LinearSumAbs;
            LinearSumSquared += other.LinearSumSquared;
            Count += other.Count;
            SumAbs += other.SumAbs;
            SumSquared += other.SumSquared;
            SumLabelSquared += other.SumLabelSquared;
            SumScaled += other.SumScaled;
            SmapeSum += other.SmapeSum;
            SmapeCount += other.SmapeCount;
            IntervalCount += other.IntervalCount;
            Covered += other.Covered;
            WidthSum += other.WidthSum;
            NaiveCount += other.NaiveCount;
            NaiveSumAbs += other.NaiveSumAbs;
            NaiveSumSquared += other.NaiveSumSquared;
        }

        public ForecastingMetrics.Summary Summarize(bool bounds)
        {
            double rmse = Mean(SumSquared, Count) is var ms && double.IsNaN(ms) ? double.NaN : Math.Sqrt(ms);
            double rms = Math.Sqrt(Mean(SumLabelSquared, Count));
            return new ForecastingMetrics.Summary(
                Mae: Mean(SumAbs, Count),
                Rmse: rmse,
                Nrmse: rms > 0 ? rmse / rms : double.NaN,
                Smape: Mean(SmapeSum, SmapeCount),
                Mase: Mean(SumScaled, Count),
                Coverage: bounds ? Mean(Covered, IntervalCount) : double.NaN,
                MeanIntervalWidth: bounds ? Mean(WidthSum, IntervalCount) : double.NaN,
                Count: Count,
                SeasonalNaiveMae: Mean(NaiveSumAbs, NaiveCount),
                SeasonalNaiveRmse: Math.Sqrt(Mean(NaiveSumSquared, NaiveCount)),
                RepeatLastMae: Mean(RepeatSumAbs, RepeatCount),
                RepeatLastRmse: Math.Sqrt(Mean(RepeatSumSquared, RepeatCount)),
                LinearMae: Mean(LinearSumAbs, LinearCount),
                LinearRmse: Math.Sqrt(Mean(LinearSumSquared, LinearCount)));
        }

        private static double Mean(double sum, long count) => count > 0 ? sum / count : double.NaN;
    }
}
