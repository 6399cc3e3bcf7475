using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.R2DN.Samples;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn bench-states</c>: the cost of the per-series states a forecaster's model file carries (the end of training,
/// or an engine's checkpoint): for 1, 100 and 10,000 series, each having seen a look-back of its own values, the file
/// size and the times of saving (<c>CheckPoint</c>, which is <c>ml.Model.Save</c>) and of <c>ml.Model.Load</c> with
/// the engine created from it, so that the growth with the number of series shows.
/// </summary>
internal static class BenchStatesCommand
{
    // Not CliOptions.WithDefault: a fresh array for each parse, so that no caller can change the default.
    private static readonly Option<string[]> Series = new("--series")
    {
        Description = "Numbers of series, comma-separated, each in [1, 1000000]",
        DefaultValueFactory = _ => ["1,100,10000"],
    };
    private static readonly Option<int> Lookback = CliOptions.WithDefault("--lookback",
        "Look-back L of the forecaster's linear path, in [2, 1000]", 96);
    private static readonly Option<int> Repeats = CliOptions.WithDefault("--repeats",
        "Timed repetitions of each save and load (the median is reported), in [1, 20]", 3);
    private static readonly Option<bool> Json = CliOptions.Json("a table");

    private const int Horizon = 24;

    public static System.CommandLine.Command Create() => CliOptions.Command("bench-states",
        "Model-file size and ml.Model.Save / ml.Model.Load times of a forecaster holding the states of 1, 100 and "
        + "10,000 series (one target, one feature, horizon 24).",
        parse => CommandSupport.Run(_ => Run(parse)),
        Series, Lookback, Repeats, Json);

    private static int Run(ParseResult parse)
    {
        var counts = CommandSupport.List(parse, Series).Select(ParseCount).ToArray();
        int lookback = parse.GetValue(Lookback), repeats = parse.GetValue(Repeats);
        if (lookback is < 2 or > 1000) throw new UsageException($"--lookback must be in [2, 1000] (got {lookback}).");
        if (repeats is < 1 or > 20) throw new UsageException($"--repeats must be in [1, 20] (got {repeats}).");
        var ml = new MLContext(seed: 1);
        var model = Train(ml, lookback);
        var rows = counts.Select(n => Measure(ml, model, n, repeats)).ToList();
        var output = CommandSupport.Out(parse);
        if (parse.GetValue(Json))
            output.WriteLine(JsonSerializer.Serialize(new { lookback, horizon = Horizon, rows },
                                                      new JsonSerializerOptions { WriteIndented = true }));
        else
            Print(output, lookback, rows);
        return 0;
    }

    private static int ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1_000_000
            ? n
            : throw new UsageException($"--series takes numbers in [1, 1000000] separated by commas (got '{text}').");

    // One small forecaster; the states of the benchmark's series come from its engine, one observation each.
    private static ForecastingTransformer Train(MLContext ml, int lookback) =>
        ml.Forecasting.R2DN(new R2dnForecastingOptions
        {
            OutputColumnName = "Forecast", InputColumnName = nameof(SystemSample.Output), Horizon = Horizon,
            FeatureColumnNames = [nameof(SystemSample.Drive)], SeriesIdColumnName = nameof(SystemSample.Series),
            LinearLookback = lookback, Epochs = 1,
            Robustness = Engine.Models.Robustness.Contracting, LearningRate = 3e-3, StateSize = 16, NonlinearWidth = 16,
            HiddenSizes = [32], KeepEndStates = false,
        }).Fit(ml.Data.LoadFromEnumerable(SampleData.NonlinearSystem(length: 4 * lookback + 200)));

    /// <summary>One measurement: the file for <paramref name="series"/> series and the median times.</summary>
    internal sealed record StatesRow(int Series, long FileBytes, double BytesPerSeries, double SaveMs, double LoadMs,
                                     double SaveMicrosecondsPerSeries, double LoadMicrosecondsPerSeries);

    private static StatesRow Measure(MLContext ml, ForecastingTransformer model, int series, int repeats)
    {
        // Every series sees a look-back of its own noisy values, so its states compress as real ones would.
        var engine = model.CreateTimeSeriesEngine<SystemSample, ForecastRow>(ml);
        int lookback = model.LinearLookback;
        var history = SampleData.NonlinearSystem(length: lookback, series: series, seed: 3);
        engine.Observe(ml.Data.LoadFromEnumerable(history));
        string path = Path.Combine(Path.GetTempPath(), $"r2dn-bench-states-{Environment.ProcessId}-{series}.zip");
        try
        {
            double save = Median(repeats, () => engine.CheckPoint(ml, path));
            long bytes = new FileInfo(path).Length;
            double load = Median(repeats, () =>
            {
                var loaded = new MLContext(seed: 2).Model.Load(path, out _);
                var resumed = loaded.CreateTimeSeriesEngine<SystemSample, ForecastRow>(ml);
                if (resumed.Series.Count != series)
                    throw new InvalidOperationException("The states were not all loaded.");
            });
            return new(series, bytes, (double)bytes / series, save, load, 1000 * save / series, 1000 * load / series);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Median(int repeats, Action action)
    {
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    private static void Print(TextWriter output, int lookback, IReadOnlyList<StatesRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"States in a forecaster's model file (one target, one feature, look-back {lookback}, " +
            $"horizon {Horizon}):"));
        output.WriteLine(
            "   series   file bytes  bytes/series    save ms    load ms  save µs/series  load µs/series");
        foreach (var r in rows)
            output.WriteLine(string.Create(inv,
                $"{r.Series,9} {r.FileBytes,12} {r.BytesPerSeries,13:F0} {r.SaveMs,10:F1} {r.LoadMs,10:F1} " +
                $"{r.SaveMicrosecondsPerSeries,15:F1} {r.LoadMicrosecondsPerSeries,15:F1}"));
    }

    /// <summary>What the engine writes; the benchmark reads nothing of it.</summary>
    private sealed class ForecastRow
    {
        public float[] Forecast { get; set; } = [];
    }
}
