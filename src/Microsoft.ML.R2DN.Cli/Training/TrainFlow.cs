using System.Diagnostics;
using Microsoft.ML.R2DN.Cli.Commands;
using Microsoft.ML.R2DN.Engine;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// The one flow of <c>r2dn train</c> for both tasks: loads the CSV files, checks the model's columns, splits every
/// series by time, trains (<see cref="ITrainTask"/> says what), evaluates on the held-out end, saves the model
/// atomically with <c>ml.Model.Save</c> (the ML.NET zip an application loads with <c>mlContext.Model.Load</c>), loads
/// it back as an application would, writes the plots and reports.
/// </summary>
internal static class TrainFlow
{
    /// <summary>Runs it.</summary>
    /// <param name="ml">The context (its seed is the command's).</param>
    /// <param name="s">The command line.</param>
    /// <param name="error">Where the progress goes.</param>
    /// <param name="cancel">Ctrl+C: no model is saved.</param>
    /// <returns>The result as JSON and as text.</returns>
    public static (JsonObject Json, string Text) Run(MLContext ml, TrainSettings s, TextWriter error,
                                                     CancellationToken cancel)
    {
        PrepareOutputs(s);
        var (data, seriesId) = LoadData(s, cancel);
        ITrainTask task = s.Task == "forecasting" ? new ForecastingTask(s, cancel) : new SimulationTask(s, cancel);
        CsvChecks.RequireColumns(data, task.Columns, numeric: true);
        if (s.MissingValues == MissingValuePolicy.Error) CsvChecks.CheckFinite(data, task.Columns);
        var (train, test) = ml.Forecasting.SplitByTime(data.View, s.TestFraction, seriesId);
        var display = s.Quiet ? null : new TrainingDisplay(error, s.Interactive);
        var estimator = task.CreateEstimator(ml, data.View.Schema, seriesId, display);
        var (model, seconds) = Fit(display, estimator, train);
        var loss = task.Evaluate(ml, model, data.View, train, test, seriesId);

        cancel.ThrowIfCancellationRequested();   // a Ctrl+C while evaluating: no model is saved
        SaveModel(ml, model, data.View.Schema, s.ModelPath);
        // As an application loads it: this verifies the certificate again.
        var saved = LoadedModel.Load(ml, s.ModelPath, "--output");
        string? plotNote = s.PlotPath is { } plot ? task.WritePlot(plot) : null;
        if (s.LossPlotPath is { } lossPath)
            Charts.Save(Charts.Loss(loss, $"Training loss: {saved.Description()} {task.ModelNoun}"), lossPath);

        var counts = TrainReport.Counts.Of(data, train, seriesId);
        var run = new Outcome(data, seriesId, counts, saved, loss, seconds, plotNote);
        return (Json(s, task, run), Text(s, task, run));
    }

    // Trains while the display (null under --quiet) shows the epochs the estimator reports.
    private static (ITransformer Model, double Seconds) Fit(TrainingDisplay? display,
                                                            IEstimator<ITransformer> estimator, IDataView train)
    {
        var clock = Stopwatch.StartNew();
        var model = TrainingDisplay.Run(display, () => estimator.Fit(train));
        return (model, clock.Elapsed.TotalSeconds);
    }

    // What the report says of a run: the data, the model as saved, its training and the plot.
    private sealed record Outcome(CsvDataSet Data, string? SeriesId, TrainReport.Counts Counts, LoadedModel Saved,
                                  IReadOnlyList<double> Loss, double Seconds, string? PlotNote);

    // The output folder, the files that will be written, and the example's data.
    private static void PrepareOutputs(TrainSettings s)
    {
        if (s.OutputDir is { } dir) Directory.CreateDirectory(dir);
        CommandSupport.CheckWritable(s.ModelPath, "--output");
        if (s.PlotPath is { } plot) CommandSupport.CheckWritable(plot, "--plot");
        if (s.LossPlotPath is { } loss) CommandSupport.CheckWritable(loss, "--loss-plot");
        if (!s.IsExample) return;
        CommandSupport.CheckWritable(s.Files[0], "--output-dir");
        ExampleData.Write(s.Files[0]);
    }

    // The data and its series id: --series-id, or the file names when several files are given without one.
    private static (CsvDataSet Data, string? SeriesId) LoadData(TrainSettings s, CancellationToken cancel)
    {
        var data = CsvLoader.Load(s.Files, cancel);
        if (s.SeriesId is { } seriesId)
        {
            CsvChecks.RequireColumns(data, [(seriesId, "--series-id")], numeric: false);
            CsvChecks.CheckIdsPerFile(data, seriesId, "--series-id");
            return (data, seriesId);
        }
        if (s.Files.Count < 2) return (data, null);
        data = CsvLoader.WithFileColumn(data, CsvChecks.UniqueName(data.View.Schema, CsvLoader.DefaultFileColumn));
        return (data, data.FileColumn);
    }

    /// <summary>Saves <paramref name="model"/> with <c>ml.Model.Save</c>, atomically: to a temporary file beside
    /// <paramref name="path"/>, then moved over it, so that a failure leaves no partial file (and an older model
    /// unchanged).</summary>
    private static void SaveModel(MLContext ml, ITransformer model, DataViewSchema schema, string path) =>
        AtomicFile.Write(path, stream => ml.Model.Save(model, schema, stream));

    private static JsonObject Json(TrainSettings s, ITrainTask task, Outcome run)
    {
        var json = new JsonObject
        {
            ["command"] = "train",
            ["task"] = task.Name,
            ["data"] = TrainReport.DataJson(run.Data, run.Counts, run.SeriesId),
        };
        task.AddSettingsJson(json, run.SeriesId);
        json["model"] = TrainReport.ModelJson(run.Saved);
        json["training"] = TrainReport.TrainingJson(run.Loss, run.Seconds);
        json["metrics"] = task.MetricsJson();
        json["certificate"] = Report.CertificateJson(run.Saved.Certificate);
        json["outputs"] = TrainReport.OutputsJson(s);
        return json;
    }

    private static string Text(TrainSettings s, ITrainTask task, Outcome run)
    {
        var text = new StringBuilder();
        text.AppendLine(task.Headline());
        text.Append(TrainReport.DataText(run.Data, run.Counts, run.SeriesId, s.TestFraction));
        text.AppendLine(TrainReport.ModelText(run.Saved, run.Loss, run.Seconds));
        text.AppendLine();
        text.Append(task.MetricsText(run.Saved));
        text.AppendLine();
        text.AppendLine($"Certificate: {run.Saved.Certificate}");
        text.AppendLine();
        text.Append(TrainReport.SavedText(s, task, run.PlotNote));
        return text.ToString();
    }
}
