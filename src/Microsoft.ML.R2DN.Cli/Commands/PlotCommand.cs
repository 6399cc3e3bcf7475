namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn plot</c>: charts of a saved model, SVG or PNG (by the extension of <c>--output</c>): its forecasts against
/// the actual values of a CSV file, with the interval band and the forecast beyond the end of the data (a simulator:
/// simulated against measured); or, with <c>--loss</c>, its training curve.
/// </summary>
internal static class PlotCommand
{
    private static readonly Option<string?> Model = new("--model", "-m")
    {
        Description = "The model file (.zip) whose forecasts to plot (with --data)",
    };
    private static readonly Option<string?> Loss = new("--loss")
    {
        Description = "The model file (.zip) whose training curve to plot (instead of --model)",
    };
    private static readonly Option<string[]> Data = new("--data", "-d")
    {
        Description = "With --model: CSV file(s) with the model's columns",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.ZeroOrMore,
    };
    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "The chart to write: SVG, or PNG for a .png path " +
                      "[default: r2dn-plot.svg, or r2dn-loss.svg with --loss]",
    };
    private static readonly Option<string?> Series =
        new("--series") { Description = "The series to plot [default: the first]" };
    private static readonly Option<string?> Target = new("--target")
    {
        Description = "The target (simulation: output) column to plot [default: the first]",
    };
    private static readonly Option<int?> Last = new("--last")
    {
        Description = "Plot only the last N rows of the series [default: up to 8 horizons, at least 200 rows]",
    };

    public static System.CommandLine.Command Create() => CliOptions.ModelCommand("plot",
        "Write a chart (SVG, or PNG for a .png --output): 'plot --model m.zip --data d.csv' draws forecasts " +
        "against the actual values with the interval band and the forecast beyond the data (a simulator: " +
        "simulated against measured); 'plot --loss m.zip' draws the training loss per epoch.",
        Run,
        Model, Loss, Data, Output, Series, Target, Last);

    private static int Run(MLContext ml, ParseResult parse, CancellationToken cancel)
    {
        string? modelPath = parse.GetValue(Model), lossPath = parse.GetValue(Loss);
        string[] files = parse.GetValue(Data) ?? [];
        if ((modelPath is null) == (lossPath is null))
            throw new UsageException(
                "give --model (with --data) to plot forecasts, or --loss to plot a training curve.");
        string output = parse.GetValue(Output) ?? (lossPath is not null ? "r2dn-loss.svg" : "r2dn-plot.svg");
        CommandSupport.CheckWritable(output, "--output");
        string written = lossPath is not null
            ? PlotLoss(ml, lossPath, files, output)
            : PlotModel(ml, parse, modelPath!, files, output, cancel);
        CommandSupport.Out(parse).WriteLine(written);
        return ExitCodes.Success;
    }

    private static string PlotLoss(MLContext ml, string lossPath, string[] files, string output)
    {
        if (files.Length > 0)
            throw new UsageException("--data is not used with --loss: the training curve is stored in the model.");
        var m = LoadedModel.Load(ml, lossPath, "--loss");
        string what = m.Forecaster is null ? "simulator" : "forecaster";
        Charts.Save(Charts.Loss(m.TrainingLoss, $"Training loss: {m.Description()} {what}"), output);
        return $"Wrote the training curve of {lossPath} ({m.TrainingLoss.Count} epochs) to {output}.";
    }

    private static string PlotModel(MLContext ml, ParseResult parse, string modelPath, string[] files, string output,
                                    CancellationToken cancel)
    {
        if (files.Length == 0)
            throw new UsageException("--model needs --data: the CSV file(s) whose forecasts to plot.");
        var model = LoadedModel.Load(ml, modelPath);
        var data = model.LoadData(files, withOutputs: true, cancel);
        string? seriesName = parse.GetValue(Series), target = parse.GetValue(Target);
        int? last = CommandSupport.Positive(parse, Last);
        try
        {
            return model.Simulator is { } simulator
                ? PlotSimulation(simulator, data, seriesName, target, last, output)
                : PlotForecasts(model.Forecaster!, data, seriesName, target, last, output);
        }
        catch (UsageException e)   // the rows of a message ("at row 7") named by file
        {
            throw new UsageException(CsvChecks.DescribeRows(data, e.Message));
        }
    }

    private static string PlotSimulation(SimulationTransformer simulator, CsvDataSet data, string? seriesName,
                                         string? target, int? last, string output)
    {
        var (chart, name) = SimulationPlot.Chart(simulator, data.View, seriesName, target, data.Origin, last);
        Charts.Save(chart, output);
        return $"Wrote the simulation of {(name is null ? data.Origin : $"series '{name}'")} to {output}.";
    }

    private static string PlotForecasts(ForecastingTransformer f, CsvDataSet data, string? seriesName,
                                        string? target, int? last, string output)
    {
        int targetIndex = Scoring.TargetIndex(f, target);
        var all = Scoring.ReadForecasts(f.Transform(data.View), f, targetIndex);
        var series = Scoring.PickSeries(all, s => s.Name, seriesName);
        int n = series.Actual.Length, h = f.Horizon;
        int windowStart = Math.Max(0, n - (last ?? Math.Max(200, 8 * h)));
        // Paths that end at the last row and tile the window backwards, each starting again from an observed row.
        var origins = Enumerable.Range(1, (n - windowStart) / h).Select(j => n - 1 - j * h)
                                .Where(o => o >= windowStart - 1).Reverse();
        bool bounds = f.ConfidenceLowerBoundColumn is not null;
        string level = bounds ? $" with {Report.Percent(f.ConfidenceLevel, 0)} intervals" : "";
        string name = f.TargetColumnNames[targetIndex];
        string title = $"{name}{(series.Name.Length > 0 ? $" (series {series.Name})" : "")}: " +
                       $"forecasts {h} steps ahead{level}";
        var chart = Charts.Forecast(series, targetIndex, name, h, bounds ? f.ConfidenceLevel : null, windowStart,
                                    origins, future: true, (n - 0.5, ""), title);
        Charts.Save(chart, output);
        return $"Wrote the forecasts of {(series.Name.Length > 0 ? $"series '{series.Name}'" : data.Origin)} " +
               $"(last {n - windowStart} rows and {h} steps beyond) to {output}.";
    }
}
