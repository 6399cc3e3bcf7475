using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.ML.R2DN.Engine.Certificates;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>Formatting shared by the commands: numbers, tables, certificates and metrics, as text and as
/// JSON.</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        // γ, ᾱ and file names as they are; output is not HTML
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A number for a table: <paramref name="format"/> in the invariant culture, or "n/a" when not
    /// finite.</summary>
    public static string Num(double value, string format = "G4") => double.IsFinite(value)
        ? value.ToString(format, Inv) : "n/a";

    /// <summary>A fraction as a percentage ("94.3%"), or "n/a".</summary>
    public static string Percent(double fraction, int decimals = 1) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("F" + decimals.ToString(Inv), Inv) + "%" : "n/a";

    /// <summary>An integer with thousands separators ("12,345").</summary>
    public static string Count(long value) => value.ToString("N0", Inv);

    /// <summary>A JSON number, or null for NaN and infinities (JSON has no such numbers).</summary>
    public static JsonNode? Json(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>The JSON text of <paramref name="node"/>, indented.</summary>
    public static string ToJson(JsonNode node) => node.ToJsonString(JsonOptions);

    /// <summary>"R2DN" or "REN".</summary>
    public static string KindName(ModelKind kind) => kind == ModelKind.R2dn ? "R2DN" : "REN";

    /// <summary>A certificate as JSON: the property, whether it is verified and the numbers behind it.</summary>
    public static JsonObject CertificateJson(Certificate c) => new()
    {
        ["model"] = c.Model,
        ["property"] = c.Property.ToString().ToLowerInvariant(),
        ["statement"] = c.Statement,
        ["verified"] = c.IsVerified,
        ["contractionRate"] = Json(c.ContractionRate),
        ["gamma"] = c.Gamma is double g ? Json(g) : null,
        ["maxEigenvalue"] = Json(c.MaxEigenvalue),
        ["relativeResidual"] = Json(c.RelativeResidual),
        ["tolerance"] = Json(c.RelativeTolerance),
        ["text"] = c.ToString(),
    };

    /// <summary>Forecasting metrics as JSON, with the seasonal naive baseline and the metrics per step ahead.</summary>
    public static JsonObject MetricsJson(ForecastingMetrics m)
    {
        var perStep = new JsonArray();
        var h = m.PerHorizon;
        for (int k = 0; k < m.Horizon; k++)
            perStep.Add(new JsonObject
            {
                ["step"] = k + 1,
                ["count"] = h.Count[k],
                ["mae"] = Json(h.Mae[k]),
                ["rmse"] = Json(h.Rmse[k]),
                ["nrmse"] = Json(h.Nrmse[k]),
                ["smape"] = Json(h.Smape[k]),
                ["mase"] = Json(h.Mase[k]),
                ["coverage"] = Json(h.Coverage[k]),
                ["seasonalNaiveMae"] = Json(h.SeasonalNaiveMae[k]),
                ["seasonalNaiveRmse"] = Json(h.SeasonalNaiveRmse[k]),
            });
        return new JsonObject
        {
            ["count"] = m.Count,
            ["horizon"] = m.Horizon,
            ["seasonality"] = m.Seasonality,
            ["targets"] = m.TargetCount,
            ["mae"] = Json(m.Mae),
            ["rmse"] = Json(m.Rmse),
            ["nrmse"] = Json(m.Nrmse),
            ["smape"] = Json(m.Smape),
            ["mase"] = Json(m.Mase),
            ["coverage"] = Json(m.Coverage),
            ["meanIntervalWidth"] = Json(m.MeanIntervalWidth),
            ["seasonalNaive"] =
                new JsonObject { ["mae"] = Json(m.SeasonalNaiveMae), ["rmse"] = Json(m.SeasonalNaiveRmse) },
            ["maeVsSeasonalNaive"] = Json(m.Mae / m.SeasonalNaiveMae),
            ["repeatLast"] = new JsonObject { ["mae"] = Json(m.RepeatLastMae), ["rmse"] = Json(m.RepeatLastRmse) },
            ["linear"] = new JsonObject { ["mae"] = Json(m.LinearMae), ["rmse"] = Json(m.LinearRmse) },
            ["perStep"] = perStep,
        };
    }

    /// <summary>Forecasting metrics as text: the model beside the seasonal naive forecast, then a verdict.</summary>
    /// <param name="m">The metrics.</param>
    /// <param name="title">The first line, e.g. "Test metrics".</param>
    /// <param name="model">The model's column header, e.g. "R2DN".</param>
    /// <param name="confidenceLevel">The intervals' nominal level, or null when the model has none.</param>
    /// <param name="perStep">Whether to add the table per step ahead.</param>
    public static string MetricsText(ForecastingMetrics m, string title, string model, double? confidenceLevel,
                                     bool perStep)
    {
        var text = new StringBuilder();
        text.Append(Inv, $"{title}: {Count(m.Count)} forecast pairs ({m.Horizon} steps ahead");
        text.Append(m.TargetCount > 1 ? string.Create(Inv, $", {m.TargetCount} targets") : "");
        text.Append(Inv, $"), seasonality {m.Seasonality}").AppendLine();
        var table = new TextTable("", model, "seasonal naive", "change");
        table.Add("MAE", Num(m.Mae), Num(m.SeasonalNaiveMae), Change(m.Mae, m.SeasonalNaiveMae));
        table.Add("RMSE", Num(m.Rmse), Num(m.SeasonalNaiveRmse), Change(m.Rmse, m.SeasonalNaiveRmse));
        table.Add("NRMSE", Num(m.Nrmse), "", "");
        table.Add("sMAPE", Num(m.Smape, "F2") + "%", "", "");
        table.Add("MASE", Num(m.Mase), "", "");
        if (double.IsFinite(m.Coverage))
            table.Add(confidenceLevel is double c ? $"coverage ({Percent(c, 0)})" : "coverage", Percent(m.Coverage), "",
                      "");
        if (double.IsFinite(m.MeanIntervalWidth))
            table.Add("interval width", Num(m.MeanIntervalWidth), "", "");
        text.Append(table.Render("  "));
        // The other baselines on the same pairs: a model worth its training beats all of them.
        var baselines = new TextTable("baseline", "MAE", "RMSE");
        baselines.Add("repeat last", Num(m.RepeatLastMae), Num(m.RepeatLastRmse));
        baselines.Add("seasonal naive", Num(m.SeasonalNaiveMae), Num(m.SeasonalNaiveRmse));
        if (double.IsFinite(m.LinearMae)) baselines.Add("linear (ridge)", Num(m.LinearMae), Num(m.LinearRmse));
        text.Append(baselines.Render("  "));
        if (perStep && m.Horizon > 1)
        {
            text.AppendLine("Per step ahead:");
            var steps = new TextTable("step", "MAE", "naive MAE", "RMSE", "coverage");
            for (int k = 0; k < m.Horizon; k++)
                steps.Add((k + 1).ToString(Inv), Num(m.PerHorizon.Mae[k]), Num(m.PerHorizon.SeasonalNaiveMae[k]),
                          Num(m.PerHorizon.Rmse[k]),
                          Percent(m.PerHorizon.Coverage[k]));
            text.Append(steps.Render("  "));
        }
        text.Append(Verdict(m));
        return text.ToString();
    }

    /// <summary>One line comparing the model's MAE with the seasonal naive forecast's.</summary>
    public static string Verdict(ForecastingMetrics m)
    {
        if (!double.IsFinite(m.Mae) || !double.IsFinite(m.SeasonalNaiveMae) || m.SeasonalNaiveMae <= 0)
            return "No comparison with the seasonal naive forecast: too few rows to compute both.";
        double ratio = m.Mae / m.SeasonalNaiveMae;
        return ratio < 1
            ? $"The model beats the seasonal naive forecast: its MAE is {Percent(1 - ratio)} lower."
            : $"The model does NOT beat the seasonal naive forecast: its MAE is {Percent(ratio - 1)} higher.";
    }

    private static string Change(double value, double baseline) =>
        double.IsFinite(value) && double.IsFinite(baseline) && baseline > 0
            ? (value / baseline - 1).ToString("+0.0%;-0.0%;0.0%", Inv)
            : "";

    /// <summary>A table of text, the first column left-aligned and the others right-aligned.</summary>
    internal sealed class TextTable(params string[] header)
    {
        private readonly List<string[]> _rows = [];

        /// <summary>Whether the columns after the first are right-aligned (numbers); false aligns every column
        /// left.</summary>
        public bool AlignRight { get; init; } = true;

        public void Add(params string[] cells) => _rows.Add(cells);

        public string Render(string indent)
        {
            var all = new List<string[]>();
            if (header.Any(h => h.Length > 0)) all.Add(header);
            all.AddRange(_rows);
            int columns = all.Max(r => r.Length);
            var widths = new int[columns];
            foreach (var row in all)
                for (int i = 0; i < row.Length; i++)
                    widths[i] = Math.Max(widths[i], row[i].Length);
            var text = new StringBuilder();
            foreach (var row in all)
            {
                var line = new StringBuilder(indent);
                for (int i = 0; i < row.Length; i++)
                {
                    if (i > 0) line.Append("  ");
                    line.Append(i == 0 || !AlignRight ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                }
                text.Append(line.ToString().TrimEnd()).AppendLine();
            }
            return text.ToString();
        }
    }
}
