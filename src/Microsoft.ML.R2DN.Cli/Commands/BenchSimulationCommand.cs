using System.Text.Json;
using Microsoft.ML.R2DN.Cli.Benchmarking;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn bench-simulation</c>: system identification on Cascaded Tanks, EMPS and the F-16 ground vibration test, our
/// R2DN and REN simulators with their defaults next to a least-squares ARX model, each simulated freely over the data
/// set's own test part (see <see cref="SimulationBenchmark"/>).
/// </summary>
internal static class BenchSimulationCommand
{
    private static readonly Option<string> Data = new("--data")
    {
        Description = "The data set: cascaded-tanks, emps, f16 or all",
        Required = true,
    };
    private static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "The folder holding CascadedTanks/, EMPS/derived_csv/ and F16GVT/ (default: the first "
                      + "shared/data found above the current folder, i.e. ../shared/data from the repository root)",
    };
    private static readonly Option<string> Models = CliOptions.WithDefault("--models",
        "Recurrent simulators to train, comma-separated: r2dn, ren (none: the ARX baseline only)", "r2dn,ren");
    private static readonly Option<int> EmpsDecimation = CliOptions.WithDefault("--emps-decimation",
        $"EMPS only: average every N rows of the 1 kHz records into one, in [1, {MaxDecimation}] "
        + "(1: the raw 1 kHz rows)", SimulationBenchmark.DefaultEmpsDecimation);
    private static readonly Option<int> Seed = CliOptions.WithDefault("--seed", "MLContext seed", 1);
    private static readonly Option<bool> Json = CliOptions.Json("a table");
    private static readonly Option<bool> Quiet = CliOptions.Quiet(still: "skipped data sets are still reported");

    /// <summary>The largest EMPS decimation accepted:
    /// 24,841 rows / 100 still leaves more rows than the washout.</summary>
    internal const int MaxDecimation = 100;

    public static System.CommandLine.Command Create() => CliOptions.Command("bench-simulation",
        "System identification on Cascaded Tanks, EMPS and F-16 GVT: R2DN and REN simulators with their "
        + "defaults next to a linear ARX model fitted by least squares, all simulated freely on each data set's "
        + $"own test part; NRMSE (standardised, after a {SimulationBenchmark.Washout}-row washout), RMSE in data "
        + "units, training seconds. A data set whose files are missing is SKIPPED.",
        parse => CommandSupport.Run(cancel => Run(parse, cancel)),
        Data, DataDir, Models, EmpsDecimation, Seed, Json, Quiet);

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        string data = (parse.GetValue(Data) ?? "").Trim().ToLowerInvariant();
        string[] keys = data == "all" ? SimulationBenchmark.Keys
            : SimulationBenchmark.Keys.Contains(data) ? [data]
            : throw new UsageException($"--data must be one of {string.Join(", ", SimulationBenchmark.Keys)} or all " +
                                      $"(got '{parse.GetValue(Data)}').");
        var models = (parse.GetValue(Models) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => m.ToLowerInvariant()).Where(m => m != "none").Distinct().ToArray();
        foreach (var m in models)
            if (m is not ("r2dn" or "ren")) throw new UsageException($"--models takes r2dn, ren or none (got '{m}').");
        string? explicitFolder = parse.GetValue(DataDir);
        if (explicitFolder is not null && !Directory.Exists(explicitFolder))
            throw new UsageException($"--data-dir '{explicitFolder}' is not a folder.");
        int decimation = parse.GetValue(EmpsDecimation);
        if (decimation is < 1 or > MaxDecimation)
            throw new UsageException($"--emps-decimation must be in [1, {MaxDecimation}] (got {decimation}).");
        bool quiet = parse.GetValue(Quiet), json = parse.GetValue(Json);
        int seed = parse.GetValue(Seed);
        var error = CommandSupport.Error(parse);
        void Progress(string line)
        {
            if (!quiet) error.WriteLine(line);
        }

        string? folder = SimulationDataSets.Locate(explicitFolder, out var searched);
        var reports = new List<SimulationDataSetReport>();
        foreach (var key in keys)
        {
            cancel.ThrowIfCancellationRequested();
            string? skipped = SkipReason(key, folder, searched);
            if (skipped is not null)
            {
                error.WriteLine($"{key}: SKIPPED: {skipped}");
                reports.Add(new SimulationDataSetReport(key, key, skipped, "", 0, 0, []));
                continue;
            }
            SimulationDataSet set;
            try { set = SimulationDataSets.Load(key, folder!, decimation); }
            catch (FormatException e) { throw new UsageException(e.Message); }
            Progress($"{key}: {set.Protocol}");
            reports.Add(SimulationBenchmark.Run(set, models, seed, Progress, cancel));
        }
        CommandSupport.Out(parse).WriteLine(json ? ToJson(reports, seed) : ToText(reports));
        return ExitCodes.Success;
    }

    // Why the data set cannot be run (no data folder, or files missing from it), or null when it can.
    private static string? SkipReason(string key, string? folder, IEnumerable<string> searched)
    {
        if (folder is null)
            return $"no data folder: looked for shared/data in {string.Join(", ", searched)}. " +
                   $"Get {SimulationDataSets.Source(key)}, " +
                   "and put it under ../shared/data beside the repository (or pass --data-dir).";
        if (SimulationDataSets.Missing(key, folder) is { Length: > 0 } missing)
            return $"{string.Join(", ", missing.Select(f => Path.Combine(folder, f)))} not found. " +
                   $"Get {SimulationDataSets.Source(key)}, " +
                   $"and put it there (or pass --data-dir).";
        return null;
    }

    /// <summary>One JSON object: per data set (by its --data name) the protocol and, per method (arx, r2dn, ren),
    /// <c>{"nrmse", "rmse", "rmse_all_rows", "train_seconds", …}</c>, or <c>{"skipped": reason}</c>.</summary>
    internal static string ToJson(IReadOnlyList<SimulationDataSetReport> reports, int seed)
    {
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var w = new Utf8JsonWriter(stream, options))
        {
            w.WriteStartObject();
            w.WriteString("benchmark", "simulation");
            w.WriteNumber("washout", SimulationBenchmark.Washout);
            w.WriteNumber("seed", seed);
            w.WriteString("nrmse", "sqrt(sum (y - yhat)^2 / sum y^2), outputs standardised with the estimation " +
                                   "data's mean and std, after the washout");
            foreach (var r in reports)
                WriteDataSet(w, r);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // One data set's object: its reason for being skipped, or its protocol, published results and scores.
    private static void WriteDataSet(Utf8JsonWriter w, SimulationDataSetReport r)
    {
        w.WriteStartObject(r.Key);
        if (r.Skipped is not null)
        {
            w.WriteString("skipped", r.Skipped);
            w.WriteEndObject();
            return;
        }
        w.WriteString("protocol", r.Protocol);
        w.WriteNumber("estimation_rows", r.EstimationRows);
        w.WriteNumber("test_rows", r.TestRows);
        w.WriteNumber("initialization_rows", r.InitializationRows);
        w.WriteString("units", r.Units);
        WritePublished(w, r.Published ?? []);
        var arx = r.Scores.FirstOrDefault(s => s.Method == "arx");
        foreach (var s in r.Scores)
        {
            w.WriteStartObject(s.Method);
            Number(w, "nrmse", s.Nrmse);
            Number(w, "rmse", s.Rmse);
            Number(w, "rmse_all_rows", s.RmseAllRows);
            Number(w, "rmse_protocol", s.RmseProtocol);
            Number(w, "train_seconds", Math.Round(s.TrainSeconds, 3));
            if (s.Method != "arx" && arx is not null) Number(w, "ratio_to_arx", s.Nrmse / arx.Nrmse);
            w.WriteString("detail", s.Detail);
            foreach (var (name, value) in s.Extra) Value(w, name, value);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WritePublished(Utf8JsonWriter w, IReadOnlyList<PublishedResult> published)
    {
        w.WriteObjects("published", published, p =>
        {
            w.WriteString("method", p.Method);
            w.WriteNumber("rmse", p.Rmse);
            w.WriteString("source", p.Source);
        });
    }

    /// <summary>The table: data set, method, test NRMSE, test RMSE (after the washout, the benchmark's own after its
    /// initialisation window, and over all rows), training seconds, what was trained; the published results on each
    /// set's split beside ours; then whether each simulator halves the ARX error.</summary>
    internal static string ToText(IReadOnlyList<SimulationDataSetReport> reports)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("Free-run simulation on each data set's test part. NRMSE = sqrt(sum (y - yhat)^2 / sum y^2) in " +
                      "the estimation data's standardised units after a " +
                      $"{SimulationBenchmark.Washout}-row washout; RMSE in the data's units after the washout, after " +
                      "the benchmark's own initialisation window (n rows) and over all rows.");
        sb.AppendLine(inv, $"{"data set",-16}{"method",-8}{"NRMSE",9}{"RMSE",12}{"RMSE n",12}{"RMSE all",12}" +
                           $"{"train s",9}  detail");
        foreach (var r in reports)
        {
            if (r.Skipped is not null)
            {
                sb.AppendLine(inv, $"{r.Key,-16}SKIPPED: {r.Skipped}");
                continue;
            }
            foreach (var s in r.Scores)
                sb.AppendLine(inv, $"{r.Key,-16}{s.Method,-8}{s.Nrmse,9:F4}{s.Rmse,12:G4}{s.RmseProtocol,12:G4}" +
                                   $"{s.RmseAllRows,12:G4}{s.TrainSeconds,9:F1}  {s.Detail}");
            AppendPublished(sb, r);
        }
        var verdicts = new List<string>();
        foreach (var r in reports.Where(r => r.Skipped is null))
        {
            var arx = r.Scores.First(s => s.Method == "arx");
            foreach (var s in r.Scores.Where(s => s.Method != "arx"))
            {
                double ratio = s.Nrmse / arx.Nrmse;
                string verdict = ratio <= 0.5 ? "halves it" : "does not halve it";
                verdicts.Add(string.Create(inv, $"{r.Key} {s.Method}: {ratio:F2} x the ARX NRMSE ({verdict})"));
            }
        }
        if (verdicts.Count > 0) sb.AppendLine(string.Join("; ", verdicts) + ".");
        return sb.ToString().TrimEnd();
    }

    // Published test RMSEs on the set's split, against ours after its initialisation window.
    private static void AppendPublished(StringBuilder sb, SimulationDataSetReport r)
    {
        if (r.Published is not { Count: > 0 } published) return;
        var inv = CultureInfo.InvariantCulture;
        string ours = string.Join(", ", r.Scores.Where(s => s.Method != "arx")
            .Select(s => string.Create(inv, $"{s.Method} {s.RmseProtocol:G3}")));
        ours = ours.Length > 0 ? $"; ours: {ours}" : "";
        sb.AppendLine(inv, $"{"",-16}published test RMSE ({r.Units}, rows from {r.InitializationRows}{ours}):");
        foreach (var p in published)
            sb.AppendLine(inv, $"{"",-16}  {p.Rmse,8:G3} {r.Units,-4} {p.Method} ({p.Source})");
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    private static void Value(Utf8JsonWriter w, string name, object? value)
    {
        switch (value)
        {
            case null: w.WriteNull(name); break;
            case int i: w.WriteNumber(name, i); break;
            case double d: Number(w, name, d); break;
            case string s: w.WriteString(name, s); break;
            case JsonElement e: w.WritePropertyName(name); e.WriteTo(w); break;
            case IReadOnlyDictionary<string, object?> map:
                w.WriteStartObject(name);
                foreach (var (k, v) in map) Value(w, k, v);
                w.WriteEndObject();
                break;
            case IDictionary<string, object?> map:
                w.WriteStartObject(name);
                foreach (var (k, v) in map) Value(w, k, v);
                w.WriteEndObject();
                break;
            default: w.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }
}
