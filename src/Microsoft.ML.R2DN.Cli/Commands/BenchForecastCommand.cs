using Microsoft.ML.R2DN.Cli.Benchmarking;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn bench-forecast</c>: the field's standard forecasting protocols on a CSV, our R2DN and REN forecasters with
/// their defaults next to the baselines (repeat last, seasonal naive, ridge on the look-back), from one run.
/// </summary>
internal static class BenchForecastCommand
{
    private static readonly Option<string> Protocol = CliOptions.WithDefault("--protocol",
        "ltsf (Informer/DLinear/PatchTST borders, windows sliding by one) or rolling (rolling origin, " +
        "for small sets)", "ltsf");
    private static readonly Option<string?> Data = new("--data")
    {
        Description = "A CSV with a header: every numeric column is a channel (a date column is not)",
    };
    private static readonly Option<string?> Example =
        new("--example") { Description = "A built-in data set instead of --data: random-walk" };
    private static readonly Option<int> Horizon =
        new("--horizon") { Description = "Steps ahead h, in [1, 100000]", Required = true };
    private static readonly Option<int?> Lookback = new("--lookback")
    {
        Description = "Look-back L of the linear baseline and of the ltsf borders, in [2, 100000] (default: 336 " +
                      "under ltsf; under rolling a third of the first fold's training rows, at most 336, about the " +
                      "forecaster's own automatic rule)",
    };
    private static readonly Option<int?> Seasonality = new("--seasonality")
    {
        Description = "Period of the seasonal naive baseline (default: 24 for hourly dates, 96 for 15-minute, " +
                      "7 daily, 12 monthly, else 1)",
    };
    private static readonly Option<string> Models = CliOptions.WithDefault("--models",
        "Recurrent models to train, comma-separated: r2dn, ren (none: baselines only)", "r2dn,ren");
    private static readonly Option<int> Seed = CliOptions.WithDefault("--seed", "MLContext seed", 1);
    private static readonly Option<bool> Json = CliOptions.Json("a table");
    private static readonly Option<bool> Quiet = CliOptions.Quiet();

    /// <summary>The largest horizon or look-back accepted (checked before anything is allocated).</summary>
    internal const int MaxSize = 100_000;

    public static System.CommandLine.Command Create() => CliOptions.Command("bench-forecast",
        "Forecast accuracy on the standard protocols: R2DN and REN with their defaults next to repeat-last, "
        + "seasonal naive and a ridge regression on the look-back, MSE and MAE in standardised units, training "
        + "seconds.",
        parse => CommandSupport.Run(cancel => Run(parse, cancel)),
        Protocol, Data, Example, Horizon, Lookback, Seasonality, Models, Seed, Json, Quiet);

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        int horizon = parse.GetValue(Horizon);
        int? lookback = parse.GetValue(Lookback);
        if (horizon is < 1 or > MaxSize)
            throw new UsageException($"--horizon must be in [1, {MaxSize}] (got {horizon}).");
        if (lookback is < 2 or > MaxSize)
            throw new UsageException($"--lookback must be in [2, {MaxSize}] (got {lookback}).");
        string protocol = parse.GetValue(Protocol) ?? "ltsf";
        if (protocol is not ("ltsf" or "rolling"))
            throw new UsageException($"--protocol must be ltsf or rolling (got '{protocol}').");
        var models = (parse.GetValue(Models) ?? "")
                     .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                     .Where(m => m != "none").ToArray();
        foreach (var m in models)
            if (m is not ("r2dn" or "ren")) throw new UsageException($"--models takes r2dn and ren (got '{m}').");
        string? data = parse.GetValue(Data), example = parse.GetValue(Example);
        if ((data is null) == (example is null)) throw new UsageException("give --data FILE or --example random-walk.");
        ChannelTable table;
        if (example is not null)
            table = example == "random-walk"
                ? ChannelTable.RandomWalk()
                : throw new UsageException($"unknown example '{example}'; the built-in one is random-walk.");
        else
        {
            if (!File.Exists(data)) throw new UsageException($"Could not find the data file '{data}'.");
            try { table = ChannelTable.Read(data!); }
            catch (FormatException e) { throw new UsageException(e.Message); }
        }
        int seasonality = parse.GetValue(Seasonality) ?? table.SuggestedSeasonality;
        if (seasonality is < 1 or > MaxSize)
            throw new UsageException($"--seasonality must be in [1, {MaxSize}] (got {seasonality}).");
        bool quiet = parse.GetValue(Quiet), json = parse.GetValue(Json);
        var error = CommandSupport.Error(parse);
        Action<string> progress = line => { if (!quiet) error.WriteLine(line); };
        ForecastBenchmarkReport report;
        try
        {
            report = ForecastBenchmark.Run(table, protocol, horizon, lookback, seasonality, models,
                                           parse.GetValue(Seed), progress, cancel);
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        CommandSupport.Out(parse).WriteLine(json ? ToJson(report) : ToText(report));
        return ExitCodes.Success;
    }

    internal static string ToJson(ForecastBenchmarkReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{{\"protocol\": \"{r.Protocol}\", \"data\": \"{Escape(Path.GetFileName(r.Data))}\", ");
        sb.Append(inv, $"\"rows\": {r.Rows}, \"channels\": {r.Channels}, \"horizon\": {r.Horizon}, ");
        sb.Append(inv, $"\"lookback\": {r.Lookback}, \"seasonality\": {r.Seasonality}, ");
        sb.Append(inv, $"\"test_windows\": {r.TestWindows}, \"borders\": \"{Escape(r.Borders)}\"");
        foreach (var m in ForecastBenchmark.Methods)
            if (r.Scores.TryGetValue(m, out var s))
                sb.Append(inv, $", \"{m}\": {{\"mse\": {s.Mse.ToString("R", inv)}, ")
                  .Append(inv, $"\"mae\": {s.Mae.ToString("R", inv)}, ")
                  .Append(inv, $"\"train_seconds\": {s.TrainSeconds.ToString("0.###", inv)}}}");
        sb.Append('}');
        return sb.ToString();
    }

    internal static string ToText(ForecastBenchmarkReport r)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"{Path.GetFileName(r.Data)}: {r.Rows} rows, {r.Channels} channel(s), protocol {r.Protocol}, ")
          .AppendLine(inv, $"horizon {r.Horizon}, look-back {r.Lookback}, seasonality {r.Seasonality}, " +
                           $"{r.TestWindows} test windows");
        sb.AppendLine(inv, $"{"method",-16}{"MSE",10}{"MAE",10}{"train s",10}");
        foreach (var m in ForecastBenchmark.Methods)
            if (r.Scores.TryGetValue(m, out var s))
                sb.AppendLine(inv, $"{m,-16}{s.Mse,10:F4}{s.Mae,10:F4}{s.TrainSeconds,10:F1}");
        return sb.ToString().TrimEnd();
    }

    private static string Escape(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
