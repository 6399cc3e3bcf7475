namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn forecast</c>: runs a saved forecaster over the history in CSV files and writes, for every series, the
/// forecast made after its last row (every target and step ahead, with its interval) as CSV. For a saved simulator it
/// writes the outputs simulated from the inputs of every row (series, row, one column per output).
/// </summary>
internal static class ForecastCommand
{
    private static readonly Option<string> Model = CliOptions.ModelFile(
        "The model file (.zip) written by 'r2dn train' (or mlContext.Model.Save): a forecaster, or a " +
        "simulator");
    private static readonly Option<string[]> Data = new("--data", "-d")
    {
        Description = "CSV file(s) with the history: the model's target and feature columns (a simulator: its input " +
                      "columns), each series in time order. Without the model's series id column, each file is one " +
                      "series",
        AllowMultipleArgumentsPerToken = true,
        Required = true,
    };
    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "The CSV file to write (series, target, step, value, lower, upper; a simulator: series, row " +
                      "and its predicted columns) [default: stdout]",
    };
    private static readonly Option<int?> Horizon = new("--horizon")
    {
        Description = "Steps ahead to write, from 1 up to the model's horizon [default: the model's horizon]",
    };
    private static readonly Option<double?> Confidence = new("--confidence")
    {
        Description = "Confidence level of the intervals, in (0, 1) [default: the level the model was trained with]",
    };
    private static readonly Option<bool> Json = CliOptions.Json("CSV");

    public static System.CommandLine.Command Create() => CliOptions.ModelCommand("forecast",
        "Forecast from the end of each series' history: writes a CSV with one line per series, target and step " +
        "ahead (series, target, step, value, lower, upper). With a simulation model, writes its outputs " +
        "simulated from the inputs of every row (series, row, one column per output).",
        Run,
        Model, Data, Output, Horizon, Confidence, Json);

    private static int Run(MLContext ml, ParseResult parse, CancellationToken cancel)
    {
        string? outputPath = parse.GetValue(Output);
        if (outputPath is not null) CommandSupport.CheckWritable(outputPath, "--output");
        double? confidence = parse.GetValue(Confidence) is double c
            ? CommandSupport.Fraction(c, "--confidence") : null;
        var model = LoadedModel.Load(ml, parse.GetValue(Model));
        if (model.Simulator is { } simulator) return Simulate(parse, model, simulator, outputPath, cancel);
        var f = model.Forecaster!;
        int h = parse.GetValue(Horizon) ?? f.Horizon;
        if (h < 1 || h > f.Horizon)
            throw new UsageException($"--horizon must be between 1 and the model's horizon {f.Horizon} (got {h}).");
        var data = model.LoadData(parse.GetValue(Data) ?? [], withOutputs: false, cancel);

        List<ForecastSeries> series;
        try
        {
            float? level = confidence is double l ? (float)l : null;
            series = Scoring.ReadForecasts(f.Transform(data.View), f, 0, level);
        }
        catch (UsageException e)
        {
            throw new UsageException(CsvChecks.DescribeRows(data, e.Message));
        }
        var rows = new List<(string Series, string Target, int Step, float Value, float? Lower, float? Upper)>();
        foreach (var s in series)
        {
            int last = s.Actual.Length - 1;
            for (int j = 0; j < f.TargetColumnNames.Count; j++)
                for (int k = 1; k <= h; k++)
                {
                    int i = j * f.Horizon + k - 1;
                    rows.Add((s.Name, f.TargetColumnNames[j], k, s.Forecasts[last][i], s.Lower?[last][i],
                              s.Upper?[last][i]));
                }
        }

        var output = CommandSupport.Out(parse);
        if (parse.GetValue(Json))
        {
            var list = new JsonArray();
            foreach (var r in rows)
                list.Add(new JsonObject
                {
                    ["series"] = r.Series, ["target"] = r.Target, ["step"] = r.Step,
                    ["value"] = Report.Json(r.Value),
                    ["lower"] = r.Lower is float lo ? Report.Json(lo) : null,
                    ["upper"] = r.Upper is float hi ? Report.Json(hi) : null,
                });
            var json = new JsonObject
            {
                ["command"] = "forecast", ["model"] = model.Path, ["series"] = series.Count, ["horizon"] = h,
                ["confidenceLevel"] = series.Count > 0 && series[0].Lower is not null
                    ? Report.Json(confidence ?? f.ConfidenceLevel) : null,
                ["output"] = outputPath, ["forecasts"] = list,
            };
            if (outputPath is not null) TextFiles.WriteAtomically(outputPath, w => WriteCsv(w, rows));
            output.WriteLine(Report.ToJson(json));
            return ExitCodes.Success;
        }
        if (outputPath is null)
        {
            WriteCsv(output, rows);
            return ExitCodes.Success;
        }
        TextFiles.WriteAtomically(outputPath, w => WriteCsv(w, rows));
        output.WriteLine($"Wrote {Report.Count(rows.Count)} forecasts ({series.Count} series x " +
                         $"{f.TargetColumnNames.Count} target(s) x {h} steps) to {outputPath}.");
        return ExitCodes.Success;
    }

    // A simulator: its outputs simulated from the inputs of every row, from the zero state at the start of each series,
    // or, for a model with an initial-state encoder and files holding the output columns, from the encoder's estimate
    // on each series' first rows.
    private static int Simulate(ParseResult parse, LoadedModel model, SimulationTransformer s, string? outputPath,
                                CancellationToken cancel)
    {
        foreach (var option in new Option[] { Horizon, Confidence })
            if (CommandSupport.IsExplicit(parse, option))
                throw new UsageException($"{option.Name} applies to forecasting models; '{model.Path}' is a " +
                                         "simulator, whose forecast is its outputs simulated from the inputs of " +
                                         "every row.");
        var data = model.LoadData(parse.GetValue(Data) ?? [], withOutputs: false, cancel);
        float[][] predicted;
        List<(string Id, int[] Rows)> groups;
        try
        {
            var scored = s.Transform(data.View);
            predicted = DataViewReader.ReadSingleColumns(scored, s.PredictedColumnNames);
            groups = Scoring.Series(scored, s.SeriesIdColumnName, predicted[0].Length);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(CsvChecks.DescribeRows(data, e.Message));   // a missing input value
        }
        cancel.ThrowIfCancellationRequested();
        int rowCount = predicted[0].Length;
        var output = CommandSupport.Out(parse);
        void Write(TextWriter w)
        {
            var c = CultureInfo.InvariantCulture;
            w.WriteLine("series,row," + string.Join(',', s.PredictedColumnNames.Select(TextFiles.CsvField)));
            var line = new StringBuilder();
            foreach (var (id, rows) in groups)
                for (int i = 0; i < rows.Length; i++)
                {
                    line.Clear().Append(TextFiles.CsvField(id)).Append(',').Append((i + 1).ToString(c));
                    foreach (var column in predicted) line.Append(',').Append(column[rows[i]].ToString("R", c));
                    w.WriteLine(line.ToString());
                }
        }
        if (parse.GetValue(Json))
        {
            var list = new JsonArray();
            foreach (var (id, rows) in groups)
                for (int i = 0; i < rows.Length; i++)
                {
                    var o = new JsonObject { ["series"] = id, ["row"] = i + 1 };
                    for (int j = 0; j < predicted.Length; j++)
                        o[s.PredictedColumnNames[j]] = Report.Json(predicted[j][rows[i]]);
                    list.Add(o);
                }
            var json = new JsonObject
            {
                ["command"] = "forecast", ["task"] = "simulation", ["model"] = model.Path, ["series"] = groups.Count,
                ["rows"] = rowCount, ["columns"] = new JsonArray([.. s.PredictedColumnNames.Select(c => (JsonNode)c)]),
                ["output"] = outputPath, ["simulated"] = list,
            };
            if (outputPath is not null) TextFiles.WriteAtomically(outputPath, Write);
            output.WriteLine(Report.ToJson(json));
            return ExitCodes.Success;
        }
        if (outputPath is null)
        {
            Write(output);
            return ExitCodes.Success;
        }
        TextFiles.WriteAtomically(outputPath, Write);
        output.WriteLine($"Wrote {Report.Count(rowCount)} simulated rows ({groups.Count} series; " +
                         $"{string.Join(", ", s.PredictedColumnNames)} simulated from " +
                         $"{string.Join(", ", s.InputColumnNames)}) to {outputPath}.");
        return ExitCodes.Success;
    }

    private static void WriteCsv(TextWriter w,
                                 IEnumerable<(string Series, string Target, int Step, float Value, float? Lower,
                                              float? Upper)> rows)
    {
        var c = CultureInfo.InvariantCulture;
        w.WriteLine("series,target,step,value,lower,upper");
        var line = new StringBuilder();
        foreach (var r in rows)
        {
            line.Clear();
            line.Append(TextFiles.CsvField(r.Series)).Append(',').Append(TextFiles.CsvField(r.Target)).Append(',')
                .Append(r.Step.ToString(c)).Append(',')
                .Append(r.Value.ToString("R", c)).Append(',')
                .Append(r.Lower?.ToString("R", c) ?? "").Append(',')
                .Append(r.Upper?.ToString("R", c) ?? "");
            w.WriteLine(line.ToString());
        }
    }
}
