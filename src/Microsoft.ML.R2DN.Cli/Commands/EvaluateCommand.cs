namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn evaluate</c>: applies a saved model to CSV data (the model knows its columns) and prints its metrics:
/// forecasting errors against the seasonal naive forecast, or a simulator's NRMSE.
/// </summary>
internal static class EvaluateCommand
{
    private static readonly Option<string> Model = CliOptions.ModelFile(
        "The model file (.zip) written by 'r2dn train'");
    private static readonly Option<string[]> Data = new("--data", "-d")
    {
        Description = "CSV file(s) with the model's columns; each series in time order. Without the model's series " +
                      "id column, each file is one series",
        AllowMultipleArgumentsPerToken = true,
        Required = true,
    };
    private static readonly Option<int> Seasonality = CliOptions.WithDefault("--seasonality",
        "Forecasting: season length m of the seasonal naive baseline and of MASE (1: the last value)", 1);
    private static readonly Option<double?> TestFraction = new("--test-fraction")
    {
        Description = "Score only the last fraction of every series, in (0, 1), the rows before it warming up the " +
                      "model's state (as 'r2dn train' tests) [default: every row]",
    };
    private static readonly Option<bool> Json = CliOptions.Json("tables");

    public static System.CommandLine.Command Create() => CliOptions.ModelCommand("evaluate",
        "Apply a saved model to CSV data and print its metrics: MAE, RMSE, NRMSE, sMAPE, MASE and interval " +
        "coverage against the seasonal naive forecast (forecasting), or the NRMSE (simulation).",
        Run,
        Model, Data, Seasonality, TestFraction, Json);

    private static int Run(MLContext ml, ParseResult parse, CancellationToken cancel)
    {
        int seasonality = parse.GetValue(Seasonality);
        if (seasonality < 1) throw new UsageException($"--seasonality must be at least 1 (got {seasonality}).");
        double? fraction = parse.GetValue(TestFraction) is double f
            ? CommandSupport.Fraction(f, "--test-fraction") : null;
        bool json = parse.GetValue(Json);
        var model = LoadedModel.Load(ml, parse.GetValue(Model));
        var data = model.LoadData(parse.GetValue(Data) ?? [], withOutputs: true, cancel);
        JsonObject result;
        string text;
        try
        {
            (result, text) = model.Forecaster is not null
                ? Forecasting(ml, model, data, seasonality, fraction)
                : Simulation(ml, model, data, fraction);
        }
        catch (Exception e) when (e is UsageException or ArgumentException
                                  && (model.Forecaster is not null || fraction is null))
        {
            // Rows of the whole view.
            throw new UsageException(CsvChecks.DescribeRows(data, CommandSupport.Message(e)));
        }
        CommandSupport.Out(parse).Write(json ? Report.ToJson(result) + Environment.NewLine : text);
        return ExitCodes.Success;
    }

    private static (JsonObject, string) Forecasting(MLContext ml, LoadedModel model, CsvDataSet data, int seasonality,
                                                    double? fraction)
    {
        var f = model.Forecaster!;
        string? seriesId = f.SeriesIdColumnName;
        var scored = f.Transform(data.View);
        IDataView evaluated = scored, history = data.View;
        if (fraction is double tf)
        {
            evaluated = ml.Forecasting.SplitByTime(scored, tf, seriesId).TestSet;
            history = ml.Forecasting.SplitByTime(data.View, tf, seriesId).TrainSet;
        }
        ForecastingMetrics metrics;
        try
        {
            string[]? additional = f.TargetColumnNames.Count > 1 ? [.. f.TargetColumnNames.Skip(1)] : null;
            metrics = ml.Forecasting.Evaluate(evaluated, f.TargetColumnNames[0], f.OutputColumnName,
                                              f.ConfidenceLowerBoundColumn, f.ConfidenceUpperBoundColumn, seriesId,
                                              seasonality, fraction is null ? null : history,
                                              additionalLabelColumnNames: additional);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);   // a missing value in a column the model reads
        }
        double? level = f.ConfidenceLowerBoundColumn is null ? null : f.ConfidenceLevel;
        var json = new JsonObject
        {
            ["command"] = "evaluate",
            ["task"] = "forecasting",
            ["model"] = model.Path,
            ["data"] = new JsonArray([.. data.Files.Select(x => (JsonNode)x)]),
            ["rowsScored"] = fraction is null ? "all" : $"last {fraction:0.###} of each series",
            ["metrics"] = Report.MetricsJson(metrics),
            ["certificate"] = Report.CertificateJson(model.Certificate),
        };
        var text = new StringBuilder();
        string verified = model.Certificate.IsVerified ? "yes" : "NO";
        string scoredRows = fraction is double x ? $", scored on the last {Report.Percent(x, 0)} of each series" : "";
        text.AppendLine($"Model: {model.Path}: {model.Description()} forecaster of " +
                        $"{string.Join(", ", f.TargetColumnNames)}, {f.Horizon} steps ahead; certificate verified: " +
                        $"{verified}.");
        text.AppendLine($"Data:  {data.Origin}{scoredRows}.");
        text.AppendLine();
        text.Append(Report.MetricsText(metrics, "Metrics", Report.KindName(model.Kind), level, perStep: true))
            .AppendLine();
        return (json, text.ToString());
    }

    private static (JsonObject, string) Simulation(MLContext ml, LoadedModel model, CsvDataSet data, double? fraction)
    {
        var s = model.Simulator!;
        var scoredData = fraction is double tf
            ? ml.Forecasting.SplitByTime(data.View, tf, s.SeriesIdColumnName).TestSet : data.View;
        double nrmse = s.Nrmse(scoredData);
        var json = new JsonObject
        {
            ["command"] = "evaluate",
            ["task"] = "simulation",
            ["model"] = model.Path,
            ["data"] = new JsonArray([.. data.Files.Select(x => (JsonNode)x)]),
            ["washout"] = s.Washout,
            ["metrics"] = new JsonObject { ["nrmse"] = Report.Json(nrmse) },
            ["certificate"] = Report.CertificateJson(model.Certificate),
        };
        var text = new StringBuilder();
        string verified = model.Certificate.IsVerified ? "yes" : "NO";
        string scoredRows = fraction is double x
            ? $", the last {Report.Percent(x, 0)} of each series simulated from a zero state" : "";
        text.AppendLine($"Model: {model.Path}: {model.Description()} simulator of " +
                        $"{string.Join(", ", s.OutputColumnNames)} from {string.Join(", ", s.InputColumnNames)}; " +
                        $"certificate verified: {verified}.");
        text.AppendLine($"Data:  {data.Origin}{scoredRows}.");
        text.AppendLine();
        text.AppendLine($"NRMSE {Report.Num(nrmse)} (after a washout of {s.Washout} rows per series; 0 is perfect, 1 " +
                        "is as good as the mean).");
        if (!double.IsFinite(nrmse))
            text.AppendLine($"No row is left after the washout of {s.Washout} rows: the series are too short.");
        return (json, text.ToString());
    }
}
