using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Cli.Training;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn forecast</c>: runs a saved forecaster over the history in CSV files and writes, for every series, the
/// forecast made after its last row (every target and step ahead, with its interval) as CSV.
/// </summary>
internal static class ForecastCommand
{
    private static readonly Option<string> Model = new("--model", "-m") { Description = "The forecasting model file (.zip) written by 'r2dn train'", Required = true };
    private static readonly Option<string[]> Data = new("--data", "-d")
    {
        Description = "CSV file(s) with the history: the model's target and feature columns, each series in time order. " +
                      "Without the model's series id column, each file is one series",
        AllowMultipleArgumentsPerToken = true,
        Required = true,
    };
    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "The CSV file to write (series, target, step, value, lower, upper) [default: stdout]",
    };
    private static readonly Option<int?> Horizon = new("--horizon")
    {
        Description = "Steps ahead to write, from 1 up to the model's horizon [default: the model's horizon]",
    };
    private static readonly Option<double?> Confidence = new("--confidence")
    {
        Description = "Confidence level of the intervals, in (0, 1) [default: the level the model was trained with]",
    };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object instead of CSV" };

    public static Command Create()
    {
        var command = new Command("forecast",
            "Forecast from the end of each series' history: writes a CSV with one line per series, target and step ahead " +
            "(series, target, step, value, lower, upper).\n" + Cli.ExitCodeHelp)
        {
            Model, Data, Output, Horizon, Confidence, Json,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var ml = new MLContext(seed: 0);
        return CommandSupport.Run(ml, () =>
        {
            string? outputPath = parse.GetValue(Output);
            if (outputPath is not null) CommandSupport.CheckWritable(outputPath, "--output");
            double? confidence = parse.GetValue(Confidence) is double c ? CommandSupport.Fraction(c, "--confidence") : null;
            var model = LoadedModel.Load(ml, parse.GetValue(Model));
            var f = model.Forecaster
                    ?? throw new UsageException($"'{model.Path}' is a simulation model; 'r2dn forecast' needs a forecasting model " +
                                                "(use 'r2dn evaluate' or 'r2dn plot' for a simulator).");
            int h = parse.GetValue(Horizon) ?? f.Horizon;
            if (h < 1 || h > f.Horizon)
                throw new UsageException($"--horizon must be between 1 and the model's horizon {f.Horizon} (got {h}).");
            var data = model.LoadData(ml, parse.GetValue(Data) ?? [], withOutputs: false);

            List<ForecastSeries> series;
            try
            {
                series = Scoring.ReadForecasts(model.Model.Transform(data.View), f, 0, confidence is double level ? (float)level : null);
            }
            catch (UsageException e)
            {
                throw new UsageException(CsvData.DescribeRows(ml, data, e.Message));
            }
            var rows = new List<(string Series, string Target, int Step, float Value, float? Lower, float? Upper)>();
            foreach (var s in series)
            {
                int last = s.Actual.Length - 1;
                for (int j = 0; j < f.TargetColumnNames.Count; j++)
                    for (int k = 1; k <= h; k++)
                    {
                        int i = j * f.Horizon + k - 1;
                        rows.Add((s.Name, f.TargetColumnNames[j], k, s.Forecasts[last][i], s.Lower?[last][i], s.Upper?[last][i]));
                    }
            }

            var output = CommandSupport.Out(parse);
            if (parse.GetValue(Json))
            {
                var list = new JsonArray();
                foreach (var r in rows)
                    list.Add(new JsonObject
                    {
                        ["series"] = r.Series, ["target"] = r.Target, ["step"] = r.Step, ["value"] = Report.Json(r.Value),
                        ["lower"] = r.Lower is float lo ? Report.Json(lo) : null, ["upper"] = r.Upper is float hi ? Report.Json(hi) : null,
                    });
                var json = new JsonObject
                {
                    ["command"] = "forecast", ["model"] = model.Path, ["series"] = series.Count, ["horizon"] = h,
                    ["confidenceLevel"] = series.Count > 0 && series[0].Lower is not null ? Report.Json(confidence ?? f.ConfidenceLevel) : null,
                    ["output"] = outputPath, ["forecasts"] = list,
                };
                if (outputPath is not null) CsvData.WriteAtomically(outputPath, w => WriteCsv(w, rows));
                output.WriteLine(Report.ToJson(json));
                return ExitCodes.Success;
            }
            if (outputPath is null)
            {
                WriteCsv(output, rows);
                return ExitCodes.Success;
            }
            CsvData.WriteAtomically(outputPath, w => WriteCsv(w, rows));
            output.WriteLine($"Wrote {Report.Count(rows.Count)} forecasts ({series.Count} series x {f.TargetColumnNames.Count} target(s) x {h} steps) " +
                             $"to {outputPath}.");
            return ExitCodes.Success;
        });
    }

    private static void WriteCsv(TextWriter w, IEnumerable<(string Series, string Target, int Step, float Value, float? Lower, float? Upper)> rows)
    {
        var c = CultureInfo.InvariantCulture;
        w.WriteLine("series,target,step,value,lower,upper");
        var line = new StringBuilder();
        foreach (var r in rows)
        {
            line.Clear();
            line.Append(CsvData.Field(r.Series)).Append(',').Append(CsvData.Field(r.Target)).Append(',').Append(r.Step.ToString(c)).Append(',')
                .Append(r.Value.ToString("R", c)).Append(',')
                .Append(r.Lower?.ToString("R", c) ?? "").Append(',')
                .Append(r.Upper?.ToString("R", c) ?? "");
            w.WriteLine(line.ToString());
        }
    }
}
