using Microsoft.ML.R2DN.Cli.Benchmarking;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn bench-expressivity</c>: the paper's timing study (MODELS.md 4.4), a REN nv sweep and an R2DN width sweep,
/// with forward and backward times, log-log slopes and the REN/R2DN speed ratio at equal parameter count. Its PyTorch
/// peer is <c>test/reference/expressivity_timing.py</c>.
/// </summary>
internal static class BenchExpressivityCommand
{
    private static readonly Option<string> Models = CliOptions.WithDefault("--models",
        "Models to time, comma-separated: ren, r2dn", "ren,r2dn");
    private static readonly Option<string> RenSizes = CliOptions.WithDefault("--ren-sizes",
        "REN sizes nv, comma-separated (tanh; default: the paper's)", string.Join(",", PaperTimingStudy.RenSizes));
    private static readonly Option<string> R2dnWidths = CliOptions.WithDefault("--r2dn-widths",
        $"R2DN hidden widths nh, comma-separated (relu, nv = {PaperTimingStudy.R2dnNonlinearWidth}, " +
        $"{PaperTimingStudy.R2dnDepth} hidden layers; default: the paper's)",
        string.Join(",", PaperTimingStudy.R2dnWidths));
    private static readonly Option<int> Batch = CliOptions.WithDefault("--batch",
        "Sequences per batch", PaperTimingStudy.Batch);
    private static readonly Option<int> Horizon = CliOptions.WithDefault("--horizon",
        "Time steps per sequence", PaperTimingStudy.Horizon);
    private static readonly Option<int> Repeats = CliOptions.WithDefault("--repeats",
        "Timed calls per configuration and pass (the median is reported)", 20);
    private static readonly Option<int?> Warmup = new("--warmup")
    {
        Description = "Untimed calls before each configuration's forward and backward loops (default: automatic, "
                      + $"{WarmupPolicy.AutoCalls} calls or {WarmupPolicy.AutoSeconds:0.#} s, whichever comes first)",
    };
    private static readonly Option<int> Threads = CliOptions.WithDefault("--threads", "Threads used by the models", 2);
    private static readonly Option<int> Seed = CliOptions.WithDefault("--seed",
        "Seed of the first configuration's parameters and data (the k-th uses seed + k)", 0);
    private static readonly Option<string?> Json = new("--json")
    {
        Description = "Also write everything as JSON to this file ('-': JSON on stdout, the table on stderr)",
    };

    public static System.CommandLine.Command Create() => CliOptions.Command("bench-expressivity",
        "The paper's expressivity timing study (MODELS.md 4.4): nx = nu = ny = 1, identity output, random init, " +
        "batch 64, "
        + "horizon 128; REN (tanh) over nv, R2DN (relu, nv 16, 6 hidden layers) over the hidden width. Prints, " +
          "per size, "
        + "the parameters and the median forward time (map + Simulate) and backward time (map + forward + " +
          "mean(y^2) + "
        + "gradient); then least-squares slopes of log(time) against log(parameters) and against log(the paper's " +
          "mean "
        + "expressivity at that size), with standard errors, next to the paper's; then the REN/R2DN time ratio " +
          "at equal "
        + "parameter count (R2DN times interpolated log-log). Progress goes to stderr.",
        Run,
        Models, RenSizes, R2dnWidths, Batch, Horizon, Repeats, Warmup, Threads, Seed, Json);

    private static int Run(ParseResult parse)
    {
        string[] models = ParseModels(parse.GetValue(Models));
        var settings = new ExpressivitySettings(
            Models: models,
            RenSizes: ParseSizes(parse.GetValue(RenSizes), RenSizes.Name),
            R2dnWidths: ParseSizes(parse.GetValue(R2dnWidths), R2dnWidths.Name),
            Batch: BenchCommand.Positive(parse, Batch),
            Horizon: BenchCommand.Positive(parse, Horizon),
            Repeats: BenchCommand.Positive(parse, Repeats),
            Warmup: BenchCommand.ParseWarmup(parse, Warmup),
            Threads: BenchCommand.Positive(parse, Threads),
            Seed: parse.GetValue(Seed));
        string? jsonPath = parse.GetValue(Json);
        if (jsonPath is not null && jsonPath.Trim().Length == 0)
            throw new UsageException("--json needs a file path (or '-').");
        bool jsonToStdout = jsonPath == "-";

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var rows = ExpressivityStudy.Run(settings, line => Console.Error.WriteLine(line), cancel.Token);
            var report = new ExpressivityReport(settings, rows);
            (jsonToStdout ? Console.Error : Console.Out).Write(report.ToText());
            if (jsonToStdout)
            {
                Console.Out.WriteLine(report.ToJson());
            }
            else if (jsonPath is not null)
            {
                File.WriteAllText(jsonPath, report.ToJson() + Environment.NewLine);
                Console.Error.WriteLine($"Wrote {jsonPath}");
            }
            return ExitCodes.Success;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static string[] ParseModels(string? text)
    {
        var models = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                                 .Select(m => m.ToLowerInvariant()).Distinct().ToArray();
        if (models.Length == 0) throw new UsageException("--models needs at least one of ren, r2dn.");
        foreach (string m in models)
            if (m is not ("ren" or "r2dn"))
                throw new UsageException($"--models: unknown model '{m}'; the study has ren and r2dn.");
        return models;
    }

    private static int[] ParseSizes(string? text, string option)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] <= 0)
                throw new UsageException($"{option} '{text}' is not a comma-separated list of positive integers.");
        if (sizes.Length == 0) throw new UsageException($"{option} needs at least one size.");
        return sizes;
    }
}
