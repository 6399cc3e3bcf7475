using System.Diagnostics;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

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
    /// <param name="lookback">The linear baseline's look-back L ≥ 2 (also where the ltsf splits start); null for
    /// <see cref="DefaultLookback"/>.</param>
    /// <param name="seasonality">The seasonal naive period m ≥ 1.</param>
    /// <param name="models">Which recurrent models to train ("r2dn", "ren").</param>
    /// <param name="seed">The MLContext seed.</param>
    /// <param name="progress">Receives one line per stage and the training log's epoch lines.</param>
    /// <param name="cancellation">Stops training.</param>
    /// <exception cref="ArgumentException">The protocol is unknown, or the table is too short for it.</exception>
    public static ForecastBenchmarkReport Run(ChannelTable table, string protocol, int horizon, int? lookback,
                                              int seasonality, IReadOnlyCollection<string> models, int seed,
                                              Action<string> progress, CancellationToken cancellation)
    {
        var folds = protocol switch
        {
            "ltsf" => [LtsfBorders(table.Name, table.Rows, lookback ?? LtsfLookback)],
            "rolling" => RollingBorders(table.Rows),
            _ => throw new ArgumentException($"Unknown protocol '{protocol}': use ltsf or rolling.", nameof(protocol)),
        };
        foreach (var f in folds) CheckFold(table, protocol, f, horizon);
        int look = lookback ?? DefaultLookback(protocol, folds);
        var sums = Methods.ToDictionary(m => m, _ => new Accumulator());
        int windows = 0;
        for (int k = 0; k < folds.Length; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            string name = folds.Length > 1 ? $"fold {k + 1}/{folds.Length}: " : "";
            var run = new FoldRun(folds[k], name, Standardise(table, folds[k].TrainEnd), horizon);
            windows += run.LastOrigin - run.FirstOrigin + 1;
            ScoreNaive(sums, run, seasonality);
            ScoreLinear(sums["linear"], run, look, progress, cancellation);
            foreach (var model in Methods.Where(models.Contains))
                ScoreModel(sums[model], model, run, seed, progress, cancellation);
        }
        var scores = sums.Where(kv => kv.Value.Count > 0)
                         .ToDictionary(kv => kv.Key,
                                       kv => new ForecastScore(kv.Value.Mse, kv.Value.Mae, kv.Value.Seconds));
        string borders = string.Join("; ", folds.Select(f => $"train [0, {f.TrainEnd}), validation to " +
                                                             $"{f.ValidationEnd}, test windows " +
                                                             $"[{f.TestStart - look}, {f.TestEnd})"));
        return new ForecastBenchmarkReport(protocol, table.Name, table.Rows, table.Channels, horizon, look, seasonality,
                                           windows, scores, borders);
    }

    /// <summary>The field's look-back under the ltsf protocol.</summary>
    public const int LtsfLookback = 336;

    // Without --lookback: the ltsf protocol's 336, or under rolling a third of the first, shortest fold's rows, at most
    // 336, so that the baseline never regresses on more lags than a short series has windows. That is the forecaster's
    // own automatic rule: half of the 65 % of its rows it trains on (the rest validate and calibrate).
    internal static int DefaultLookback(string protocol, Fold[] folds) =>
        protocol == "ltsf" ? LtsfLookback : Math.Clamp(folds[0].ValidationEnd / 3, 2, LtsfLookback);

    private static void CheckFold(ChannelTable table, string protocol, Fold f, int horizon)
    {
        if (f.TestStart - horizon < f.TrainEnd / 2 || f.TestEnd - f.TestStart <= horizon
            || f.TrainEnd < Math.Max(2 * horizon, 16))
            throw new ArgumentException($"{table.Name} has {table.Rows} rows: too few for horizon {horizon} under " +
                                        $"the {protocol} protocol (training rows [0, {f.TrainEnd}), test origins " +
                                        $"from row {f.TestStart - 1} to {f.TestEnd - horizon - 1}).");
    }

    // Repeating the last value, and the seasonal naive forecast (the value one season before each step).
    private static void ScoreNaive(Dictionary<string, Accumulator> sums, FoldRun run, int m)
    {
        var z = run.Z;
        Score(sums["repeat"], run, (t, j, step) => z[t][j]);
        Score(sums["seasonal_naive"], run, (t, j, step) => z[Math.Max(0, t + step - m * ((step + m - 1) / m))][j]);
    }

    // The ridge regression on the last `lookback` values of every channel, fitted on the rows before the test split.
    private static void ScoreLinear(Accumulator sum, FoldRun run, int lookback, Action<string> progress,
                                    CancellationToken cancellation)
    {
        var (fold, z, horizon) = (run.Fold, run.Z, run.Horizon);
        int channels = z[0].Length, first = run.FirstOrigin, last = run.LastOrigin;
        progress($"{run.Name}fitting the ridge regression on the last {lookback} values");
        long start = Stopwatch.GetTimestamp();
        var series = ToSeries(z, channels, fold.ValidationEnd);
        var scaling = new Standardizer(new double[channels], Enumerable.Repeat(1.0, channels).ToArray());
        double[] ridges = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];
        var (linear, _) = LinearForecastPath.Fit([series], scaling, lookback, horizon, [0], 0, fold.TrainEnd - horizon,
                                                 fold.ValidationEnd - horizon, ridges, cancellation);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = ToSeries(z, channels, fold.TestEnd);
        int stride = channels * horizon;
        var forecasts = new float[(last - first + 1) * stride];
        for (int j = 0; j < channels; j++)
        {
            linear.AddPredictions(all, j, 1, first, last + 1, forecasts.AsSpan(j * horizon), stride);
            for (int t = first; t <= last; t++)
                for (int step = 0; step < horizon; step++)
                    forecasts[(t - first) * stride + j * horizon + step] += z[t][j];
        }
        Score(sum, run, (t, j, step) => forecasts[((t - first) * channels + j) * horizon + step - 1]);
        sum.Seconds += seconds;
    }

    // An R2DN or REN forecaster with its defaults, trained on the rows before the test split.
    private static void ScoreModel(Accumulator sum, string model, FoldRun run, int seed, Action<string> progress,
                                   CancellationToken cancellation)
    {
        var fold = run.Fold;
        int horizon = run.Horizon;
        progress($"{run.Name}training the {model.ToUpperInvariant()} forecaster with its defaults on rows [0, " +
                 $"{fold.ValidationEnd})");
        var (forecasts, seconds) = TrainAndForecast(model, run.Z, fold.ValidationEnd, fold.TestEnd, horizon, seed,
                                                    progress, cancellation);
        Score(sum, run, (t, j, step) => forecasts[t][j * horizon + step - 1]);
        sum.Seconds += seconds;
        progress(string.Create(CultureInfo.InvariantCulture,
                               $"{run.Name}{model}: MSE {sum.Mse:F4} so far ({seconds:0.0} s of training)"));
    }

    /// <summary>The ltsf borders: (train end, validation end, first test target row, test end).</summary>
    internal static Fold LtsfBorders(string name, int rows, int lookback)
    {
        string file = Path.GetFileName(name);
        if (file.StartsWith("ETTh", StringComparison.OrdinalIgnoreCase) && rows >= 14400)
            return new(8640, 11520, 11520, 14400);
        if (file.StartsWith("ETTm", StringComparison.OrdinalIgnoreCase) && rows >= 57600)
            return new(34560, 46080, 46080, 57600);
        int train = (int)(rows * 0.7), test = (int)(rows * 0.2);
        return new(train, rows - test, rows - test, rows);
    }

    private static Fold[] RollingBorders(int rows) =>
        [.. new[] { 0.6, 0.7, 0.8, 0.9 }.Select(c => (int)(rows * c)).Select((cut, i) =>
            new Fold(cut, cut, cut, i == 3 ? rows : (int)(rows * (0.7 + 0.1 * i))))];

    internal readonly record struct Fold(int TrainEnd, int ValidationEnd, int TestStart, int TestEnd);

    // One fold's standardised rows and the forecast origins scored: the last look-back row of every test window.
    private readonly record struct FoldRun(Fold Fold, string Name, float[][] Z, int Horizon)
    {
        public int FirstOrigin => Fold.TestStart - 1;

        public int LastOrigin => Fold.TestEnd - Horizon - 1;
    }

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

    private static void Score(Accumulator a, FoldRun run, Func<int, int, int, float> forecast)
    {
        var z = run.Z;
        int c = z[0].Length;
        for (int t = run.FirstOrigin; t <= run.LastOrigin; t++)
            for (int j = 0; j < c; j++)
                for (int step = 1; step <= run.Horizon; step++)
                {
                    double d = forecast(t, j, step) - z[t + step][j];
                    a.Squares += d * d;
                    a.Absolutes += Math.Abs(d);
                    a.Count++;
                }
    }

    // Trains through the ML.NET pipeline, as a user would: the standardised rows go to a CSV that LoadFromTextFile
    // reads.
    private static (float[][] Forecasts, double Seconds) TrainAndForecast(string model, float[][] z, int trainRows,
                                                                         int scoreRows, int horizon, int seed,
                                                                         Action<string> progress,
                                                                         CancellationToken cancellation)
    {
        string folder = Path.Combine(Path.GetTempPath(), "r2dn-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var names = Enumerable.Range(0, z[0].Length).Select(j => $"c{j}").ToArray();
            string trainPath = Path.Combine(folder, "train.csv"), scorePath = Path.Combine(folder, "score.csv");
            WriteCsv(trainPath, names, z, trainRows);
            WriteCsv(scorePath, names, z, scoreRows);
            var ml = new MLContext(seed);
            ml.Log += (_, e) =>
            {
                if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info
                    && e.Source.StartsWith(nameof(ForecastingEstimator), StringComparison.Ordinal))
                    progress("  " + e.RawMessage);
            };
            var columns = names.Select((n, i) => new TextLoader.Column(n, DataKind.Single, i)).ToArray();
            var train = ml.Data.LoadFromTextFile(trainPath, columns, separatorChar: ',', hasHeader: true);
            var score = ml.Data.LoadFromTextFile(scorePath, columns, separatorChar: ',', hasHeader: true);
            string[]? additional = names.Length > 1 ? names[1..] : null;
            IEstimator<ITransformer> estimator = model == "ren"
                ? ml.Forecasting.REN(new RenForecastingOptions
                {
                    OutputColumnName = "Forecast", InputColumnName = names[0], Horizon = horizon,
                    AdditionalTargetColumnNames = additional, CancellationToken = cancellation,
                })
                : ml.Forecasting.R2DN(new R2dnForecastingOptions
                {
                    OutputColumnName = "Forecast", InputColumnName = names[0], Horizon = horizon,
                    AdditionalTargetColumnNames = additional, CancellationToken = cancellation,
                });
            long start = Stopwatch.GetTimestamp();
            var fitted = estimator.Fit(train);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var forecasts = ml.Data.CreateEnumerable<ForecastRow>(fitted.Transform(score), reuseRowObject: false)
                                   .Select(r => r.Forecast).ToArray();
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
        for (int t = 0; t < rows; t++)
            sb.AppendLine(string.Join(',', z[t].Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
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
