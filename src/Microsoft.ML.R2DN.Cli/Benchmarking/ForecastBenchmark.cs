using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>One method's score on a forecasting benchmark: MSE and MAE in standardised units, and its training time.</summary>
internal sealed record ForecastScore(double Mse, double Mae, double TrainSeconds);

/// <summary>The scores of one benchmark run, side by side.</summary>
internal sealed record ForecastBenchmarkReport(string Protocol, string Data, int Rows, int Channels, int Horizon, int Lookback, int Seasonality,
                                               int TestWindows, IReadOnlyDictionary<string, ForecastScore> Scores, string Borders);

/// <summary>
/// The long-term forecasting protocol of Informer / DLinear / PatchTST, and a rolling-origin protocol for small sets:
/// our R2DN and REN forecasters with their defaults, trained through the ML.NET pipeline a user writes, next to the
/// baselines (repeat the last value, seasonal naive, and a ridge regression on the look-back), on the same windows.
/// </summary>
/// <remarks>
/// <para><b>ltsf.</b> ETT-hour files: train rows [0, 8640), validation [8640 − L, 11520), test [11520 − L, 14400)
/// (ETT-minute: four times those); any other file: the first 70% train, the last 20% test, the rest validation, each
/// later split starting L rows earlier. Every channel is standardised with the training split's mean and standard
/// deviation; windows slide by one; MSE and MAE are averaged over all test windows, channels and steps in standardised
/// units.</para>
/// <para>The recurrent models are trained on the training and validation rows (their own validation tail comes out of
/// them) with every option left at its default, then run over all rows up to the end of the test split; the forecast
/// made at each test window's last look-back row is scored. They carry state from the start of the series, so they see
/// more than L rows of history (a contracting model forgets it at its own rate).</para>
/// <para><b>rolling.</b> The rows are cut at 60, 70, 80 and 90% of the series; fold k trains on the rows before cut k
/// and scores the windows whose forecast origin lies in the block after it. Standardisation uses each fold's training
/// rows. Scores are pooled over folds; training seconds add up.</para>
/// </remarks>
internal static class ForecastBenchmark
{
    /// <summary>The methods of a report, in the order they are printed, with their JSON keys.</summary>
    public static readonly string[] Methods = ["r2dn", "ren", "linear", "seasonal_naive", "repeat"];

    /// <summary>Runs the benchmark.</summary>
    /// <param name="table">The data: every numeric column a channel.</param>
    /// <param name="protocol">"ltsf" or "rolling".</param>
    /// <param name="horizon">h ≥ 1.</param>
    /// <param name="lookback">The linear baseline's look-back L ≥ 2 (also where the ltsf splits start); null for <see cref="DefaultLookback"/>.</param>
    /// <param name="seasonality">The seasonal naive period m ≥ 1.</param>
    /// <param name="models">Which recurrent models to train ("r2dn", "ren").</param>
    /// <param name="seed">The MLContext seed.</param>
    /// <param name="progress">Receives one line per stage and the training log's epoch lines.</param>
    /// <param name="cancellation">Stops training.</param>
    public static ForecastBenchmarkReport Run(ChannelTable table, string protocol, int horizon, int? lookback, int seasonality,
                                              IReadOnlyCollection<string> models, int seed, Action<string> progress,
                                              CancellationToken cancellation)
    {
        var folds = protocol switch
        {
            "ltsf" => [LtsfBorders(table.Name, table.Rows, lookback ?? LtsfLookback)],
            "rolling" => RollingBorders(table.Rows),
            _ => throw new ArgumentException($"Unknown protocol '{protocol}': use ltsf or rolling.", nameof(protocol)),
        };
        return Run(table, protocol, folds, horizon, lookback ?? DefaultLookback(protocol, folds), seasonality, models, seed, progress, cancellation);
    }

    /// <summary>The field's look-back under the ltsf protocol.</summary>
    public const int LtsfLookback = 336;

    // Without --lookback: the ltsf protocol's 336, or under rolling a third of the first, shortest fold's rows, at most
    // 336, so that the baseline never regresses on more lags than a short series has windows. That is the forecaster's
    // own automatic rule: half of the 65 % of its rows it trains on (the rest validate and calibrate).
    internal static int DefaultLookback(string protocol, Fold[] folds) =>
        protocol == "ltsf" ? LtsfLookback : Math.Clamp(folds[0].ValidationEnd / 3, 2, LtsfLookback);

    private static ForecastBenchmarkReport Run(ChannelTable table, string protocol, Fold[] folds, int horizon, int lookback, int seasonality,
                                               IReadOnlyCollection<string> models, int seed, Action<string> progress,
                                               CancellationToken cancellation)
    {
        foreach (var f in folds)
            if (f.TestStart - horizon < f.TrainEnd / 2 || f.TestEnd - f.TestStart <= horizon || f.TrainEnd < Math.Max(2 * horizon, 16))
                throw new ArgumentException($"{table.Name} has {table.Rows} rows: too few for horizon {horizon} under the {protocol} protocol " +
                                            $"(training rows [0, {f.TrainEnd}), test origins from row {f.TestStart - 1} to {f.TestEnd - horizon - 1}).");

        var sums = Methods.ToDictionary(m => m, _ => new Accumulator());
        int windows = 0;
        for (int k = 0; k < folds.Length; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            var fold = folds[k];
            string foldName = folds.Length > 1 ? $"fold {k + 1}/{folds.Length}: " : "";
            var z = Standardise(table, fold.TrainEnd);
            int firstOrigin = fold.TestStart - 1, lastOrigin = fold.TestEnd - horizon - 1;
            windows += lastOrigin - firstOrigin + 1;

            Score(sums["repeat"], z, firstOrigin, lastOrigin, horizon, (t, j, step) => z[t][j]);
            Score(sums["seasonal_naive"], z, firstOrigin, lastOrigin, horizon,
                  (t, j, step) => z[Math.Max(0, t + step - seasonality * ((step + seasonality - 1) / seasonality))][j]);

            progress($"{foldName}fitting the ridge regression on the last {lookback} values");
            long start = Stopwatch.GetTimestamp();
            var series = ToSeries(z, table.Channels, fold.ValidationEnd);
            var scaling = new Standardizer(new double[table.Channels], Enumerable.Repeat(1.0, table.Channels).ToArray());
            var (linear, _) = LinearForecastPath.Fit([series], scaling, lookback, horizon, [0], 0, fold.TrainEnd - horizon,
                                                     fold.ValidationEnd - horizon, [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000], cancellation);
            double linearSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var all = ToSeries(z, table.Channels, fold.TestEnd);
            int stride = table.Channels * horizon;
            var linearForecasts = new float[(lastOrigin - firstOrigin + 1) * stride];
            for (int j = 0; j < table.Channels; j++)
            {
                linear.AddPredictions(all, j, 1, firstOrigin, lastOrigin + 1, linearForecasts.AsSpan(j * horizon), stride);
                for (int t = firstOrigin; t <= lastOrigin; t++)
                    for (int step = 0; step < horizon; step++)
                        linearForecasts[(t - firstOrigin) * stride + j * horizon + step] += z[t][j];
            }
            Score(sums["linear"], z, firstOrigin, lastOrigin, horizon,
                  (t, j, step) => linearForecasts[((t - firstOrigin) * table.Channels + j) * horizon + step - 1]);
            sums["linear"].Seconds += linearSeconds;

            foreach (var model in Methods.Where(models.Contains))
            {
                progress($"{foldName}training the {model.ToUpperInvariant()} forecaster with its defaults on rows [0, {fold.ValidationEnd})");
                var (forecasts, seconds) = TrainAndForecast(model, table, z, fold.ValidationEnd, fold.TestEnd, horizon, seed, progress, cancellation);
                Score(sums[model], z, firstOrigin, lastOrigin, horizon, (t, j, step) => forecasts[t][j * horizon + step - 1]);
                sums[model].Seconds += seconds;
                progress(string.Create(CultureInfo.InvariantCulture, $"{foldName}{model}: MSE {sums[model].Mse:F4} so far ({seconds:0.0} s of training)"));
            }
        }
        var scores = sums.Where(kv => kv.Value.Count > 0)
                         .ToDictionary(kv => kv.Key, kv => new ForecastScore(kv.Value.Mse, kv.Value.Mae, kv.Value.Seconds));
        string borders = string.Join("; ", folds.Select(f => $"train [0, {f.TrainEnd}), validation to {f.ValidationEnd}, test windows [{f.TestStart - lookback}, {f.TestEnd})"));
        return new ForecastBenchmarkReport(protocol, table.Name, table.Rows, table.Channels, horizon, lookback, seasonality, windows, scores, borders);
    }

    /// <summary>The ltsf borders: (train end, validation end, first test target row, test end).</summary>
    internal static Fold LtsfBorders(string name, int rows, int lookback)
    {
        string file = Path.GetFileName(name);
        if (file.StartsWith("ETTh", StringComparison.OrdinalIgnoreCase) && rows >= 14400) return new(8640, 11520, 11520, 14400);
        if (file.StartsWith("ETTm", StringComparison.OrdinalIgnoreCase) && rows >= 57600) return new(34560, 46080, 46080, 57600);
        int train = (int)(rows * 0.7), test = (int)(rows * 0.2);
        return new(train, rows - test, rows - test, rows);
    }

    private static Fold[] RollingBorders(int rows) =>
        [.. new[] { 0.6, 0.7, 0.8, 0.9 }.Select(c => (int)(rows * c)).Select((cut, i) =>
            new Fold(cut, cut, cut, i == 3 ? rows : (int)(rows * (0.7 + 0.1 * i))))];

    internal readonly record struct Fold(int TrainEnd, int ValidationEnd, int TestStart, int TestEnd);

    private static float[][] Standardise(ChannelTable table, int trainEnd)
    {
        int c = table.Channels;
        var mean = new double[c];
        var std = new double[c];
        for (int j = 0; j < c; j++)
        {
            double m = 0;
            for (int t = 0; t < trainEnd; t++) m += table.Values[t][j];
            m /= trainEnd;
            double v = 0;
            for (int t = 0; t < trainEnd; t++) v += (table.Values[t][j] - m) * (table.Values[t][j] - m);
            mean[j] = m;
            std[j] = Math.Sqrt(v / trainEnd) is var s && s > 0 ? s : 1;
        }
        return table.Values.Select(r => r.Select((v, j) => (float)((v - mean[j]) / std[j])).ToArray()).ToArray();
    }

    private static SeriesData ToSeries(float[][] z, int channels, int rows)
    {
        var flat = new float[rows * channels];
        for (int t = 0; t < rows; t++) z[t].AsSpan(0, channels).CopyTo(flat.AsSpan(t * channels));
        return new SeriesData(flat, channels);
    }

    private static void Score(Accumulator a, float[][] z, int firstOrigin, int lastOrigin, int horizon, Func<int, int, int, float> forecast)
    {
        int c = z[0].Length;
        for (int t = firstOrigin; t <= lastOrigin; t++)
            for (int j = 0; j < c; j++)
                for (int step = 1; step <= horizon; step++)
                {
                    double d = forecast(t, j, step) - z[t + step][j];
                    a.Squares += d * d;
                    a.Absolutes += Math.Abs(d);
                    a.Count++;
                }
    }

    // Trains through the ML.NET pipeline, as a user would: the standardised rows go to a CSV that LoadFromTextFile reads.
    private static (float[][] Forecasts, double Seconds) TrainAndForecast(string model, ChannelTable table, float[][] z, int trainRows, int scoreRows,
                                                                         int horizon, int seed, Action<string> progress, CancellationToken cancellation)
    {
        string folder = Path.Combine(Path.GetTempPath(), "r2dn-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var names = Enumerable.Range(0, table.Channels).Select(j => $"c{j}").ToArray();
            string trainPath = Path.Combine(folder, "train.csv"), scorePath = Path.Combine(folder, "score.csv");
            WriteCsv(trainPath, names, z, trainRows);
            WriteCsv(scorePath, names, z, scoreRows);
            var ml = new MLContext(seed);
            ml.Log += (_, e) =>
            {
                if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.StartsWith(nameof(ForecastingEstimator), StringComparison.Ordinal)) progress("  " + e.RawMessage);
            };
            var columns = names.Select((n, i) => new TextLoader.Column(n, DataKind.Single, i)).ToArray();
            var train = ml.Data.LoadFromTextFile(trainPath, columns, separatorChar: ',', hasHeader: true);
            var score = ml.Data.LoadFromTextFile(scorePath, columns, separatorChar: ',', hasHeader: true);
            string[]? additional = names.Length > 1 ? names[1..] : null;
            IEstimator<ITransformer> estimator = model == "ren"
                ? ml.Forecasting.REN(new RenForecastingOptions
                {
                    OutputColumnName = "Forecast", InputColumnName = names[0], Horizon = horizon, AdditionalTargetColumnNames = additional,
                    CancellationToken = cancellation,
                })
                : ml.Forecasting.R2DN(new R2dnForecastingOptions
                {
                    OutputColumnName = "Forecast", InputColumnName = names[0], Horizon = horizon, AdditionalTargetColumnNames = additional,
                    CancellationToken = cancellation,
                });
            long start = Stopwatch.GetTimestamp();
            var fitted = estimator.Fit(train);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var forecasts = ml.Data.CreateEnumerable<ForecastRow>(fitted.Transform(score), reuseRowObject: false).Select(r => r.Forecast).ToArray();
            return (forecasts, seconds);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static void WriteCsv(string path, string[] names, float[][] z, int rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', names));
        for (int t = 0; t < rows; t++) sb.AppendLine(string.Join(',', z[t].Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        File.WriteAllText(path, sb.ToString());
    }

    private sealed class ForecastRow
    {
        public float[] Forecast { get; set; } = [];
    }

    private sealed class Accumulator
    {
        public double Squares, Absolutes, Seconds;
        public long Count;

        public double Mse => Count == 0 ? double.NaN : Squares / Count;

        public double Mae => Count == 0 ? double.NaN : Absolutes / Count;
    }
}

/// <summary>A CSV's numeric columns as channels (a date or text column is not a channel), and the seasonality its
/// timestamps suggest.</summary>
internal sealed class ChannelTable
{
    private ChannelTable(string name, string[] channelNames, double[][] values, int seasonality)
    {
        Name = name; ChannelNames = channelNames; Values = values; SuggestedSeasonality = seasonality;
    }

    /// <summary>The file (or example) name.</summary>
    public string Name { get; }

    /// <summary>The channels' column names.</summary>
    public string[] ChannelNames { get; }

    /// <summary>[rows][channels].</summary>
    public double[][] Values { get; }

    /// <summary>The number of rows.</summary>
    public int Rows => Values.Length;

    /// <summary>The number of channels.</summary>
    public int Channels => ChannelNames.Length;

    /// <summary>24 for hourly timestamps, 7 for daily, 12 for monthly, else 1.</summary>
    public int SuggestedSeasonality { get; }

    /// <summary>Reads a comma-separated file with a header: a column whose every value parses as a number is a channel; a
    /// first column of dates sets the seasonality.</summary>
    /// <exception cref="FormatException">The file has no header, no numeric column, or rows of different widths.</exception>
    public static ChannelTable Read(string path)
    {
        var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count < 3) throw new FormatException($"{path} has {lines.Count} non-empty lines; a header and at least two rows are needed.");
        var header = Split(lines[0]);
        var rows = new List<string[]>(lines.Count - 1);
        for (int i = 1; i < lines.Count; i++)
        {
            var fields = Split(lines[i]);
            if (fields.Length != header.Length)
                throw new FormatException($"{path} line {i + 1}: expected {header.Length} fields, found {fields.Length}.");
            rows.Add(fields);
        }
        var numeric = Enumerable.Range(0, header.Length)
            .Where(c => rows.All(r => double.TryParse(r[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)))
            .ToArray();
        if (numeric.Length == 0) throw new FormatException($"{path} has no numeric column (every value a finite number).");
        var values = rows.Select(r => numeric.Select(c => double.Parse(r[c], NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int seasonality = 1;
        int dateColumn = Enumerable.Range(0, header.Length).Except(numeric).FirstOrDefault(-1);
        if (dateColumn >= 0 && rows.Count > 2
            && DateTime.TryParse(rows[0][dateColumn], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d0)
            && DateTime.TryParse(rows[1][dateColumn], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d1))
        {
            var step = d1 - d0;
            seasonality = step == TimeSpan.FromHours(1) ? 24 : step == TimeSpan.FromMinutes(15) ? 96 : step == TimeSpan.FromDays(1) ? 7
                        : step.TotalDays is >= 28 and <= 31 ? 12 : 1;
        }
        return new ChannelTable(path, [.. numeric.Select(c => header[c])], values, seasonality);
    }

    /// <summary>A random walk (the built-in example): repeating the last value is the best forecast there is.</summary>
    public static ChannelTable RandomWalk(int rows = 6000, int seed = 0)
    {
        var rnd = new Random(seed);
        var values = new double[rows][];
        double y = 0;
        for (int t = 0; t < rows; t++)
        {
            y += Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());
            values[t] = [y];
        }
        return new ChannelTable("random-walk", ["y"], values, 1);
    }

    private static string[] Split(string line) => line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();
}
