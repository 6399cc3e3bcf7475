using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Cli.Training;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn train</c>: loads CSV files, splits them by time, trains a forecaster or a simulator (R2DN or REN), evaluates
/// it on the held-out end of every series (forecasting: against the seasonal naive forecast; simulation: NRMSE), prints
/// its robustness certificate, saves it (atomically, with <c>ml.Model.Save</c>: the ML.NET zip an application loads with
/// <c>mlContext.Model.Load</c>) and writes plots. <c>--example</c> does all of this on built-in data.
/// </summary>
internal static class TrainCommand
{
    private static readonly Option<string> Task = new("--task")
    {
        Description = "forecasting (predict the next --horizon values of the --label columns) or simulation (predict the " +
                      "--outputs from the --inputs alone, from a zero state)",
        DefaultValueFactory = _ => "forecasting",
    };
    private static readonly Option<string[]> Data = new("--data", "-d")
    {
        Description = "CSV file(s) with a header line; several files are one data set (with the file name as the series id " +
                      "when --series-id is not given)",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.ZeroOrMore,
    };
    private static readonly Option<string[]> Label = new("--label")
    {
        Description = "Forecasting: the target column(s) to forecast; repeat or separate with commas for several",
        AllowMultipleArgumentsPerToken = false,
    };
    private static readonly Option<string[]> Features = new("--features")
    {
        Description = "Forecasting: exogenous feature columns observed with the targets, comma-separated",
    };
    private static readonly Option<string?> SeriesId = new("--series-id")
    {
        Description = "Column naming each row's series (rows of several series may be interleaved); default: one series " +
                      "per file",
    };
    private static readonly Option<int?> Horizon = new("--horizon")
    {
        Description = "Forecasting: the number of steps ahead to forecast [default: 24]",
    };
    private static readonly Option<string[]> Inputs = new("--inputs") { Description = "Simulation: the input columns u, comma-separated" };
    private static readonly Option<string[]> Outputs = new("--outputs") { Description = "Simulation: the measured output columns y, comma-separated" };
    private static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "r2dn (robust recurrent deep network) or ren (recurrent equilibrium network)",
        DefaultValueFactory = _ => "r2dn",
    };
    private static readonly Option<string?> Robustness = new("--robustness")
    {
        Description = "contracting (stable: forgets its initial state) or lipschitz (gamma-Lipschitz from input to output, " +
                      "and contracting) [default: chosen on the validation data among contracting and gamma = 1 and 5 for forecasting; contracting for simulation]",
    };
    private static readonly Option<string> Backend = new("--backend")
    {
        Description = "Where training runs: managed (this package's SIMD engine) or torchsharp (libtorch; see --device)",
        DefaultValueFactory = _ => "managed",
    };
    private static readonly Option<string> Device = new("--device")
    {
        Description = "With --backend torchsharp: cpu, cuda or cuda:N (CUDA needs TorchSharp-cuda-linux or TorchSharp-cuda-windows)",
        DefaultValueFactory = _ => "cpu",
    };
    private static readonly Option<double?> Gamma = new("--gamma")
    {
        Description = "With --robustness lipschitz: the Lipschitz bound gamma (> 0, standardised units) [default: 1]",
    };
    private static readonly Option<int?> Nx = new("--nx") { Description = "Number of states nx [default: 16 below 2,000 training rows, else 32]" };
    private static readonly Option<int?> Nv = new("--nv") { Description = "Number of neurons nv (the R2DN network's width, or the REN's neurons) [default: as --nx]" };
    private static readonly Option<string?> Hidden = new("--hidden")
    {
        Description = "R2DN only: hidden widths of the 1-Lipschitz network, comma-separated, or 'none' " +
                      "[default: 32,32 below 2,000 training rows, else 64,64]",
    };
    private static readonly Option<string> Activation = new("--activation")
    {
        Description = "relu or tanh",
        DefaultValueFactory = _ => "relu",
    };
    private static readonly Option<int?> Epochs = new("--epochs") { Description = "Training epochs [default: 60 forecasting, 70 simulation]" };
    private static readonly Option<double?> LearningRate = new("--learning-rate")
    {
        Description = "Initial Adam learning rate [default: 0.003 forecasting, 0.001 simulation]",
    };
    private static readonly Option<int?> SegmentLength = new("--segment-length")
    {
        Description = "Truncated-BPTT segment length in steps [default: 128 forecasting, 256 simulation]",
    };
    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "Seed of the initialisation (runs with the same seed give the same model)",
        DefaultValueFactory = _ => 0,
    };
    private static readonly Option<int?> Threads = new("--threads") { Description = "Threads for training and scoring [default: all cores]" };
    private static readonly Option<double> TestFraction = new("--test-fraction")
    {
        Description = "Fraction at the end of every series held out for testing, in (0, 1)",
        DefaultValueFactory = _ => 0.2,
    };
    private static readonly Option<int?> Seasonality = new("--seasonality")
    {
        Description = "Forecasting: season length m of the seasonal naive baseline and of MASE (24 for hourly data with a " +
                      "daily cycle; 1 for the last value) [default: 1]",
    };
    private static readonly Option<double?> Confidence = new("--confidence")
    {
        Description = "Forecasting: confidence level of the prediction intervals, in (0, 1) [default: 0.95]",
    };
    private static readonly Option<int?> Washout = new("--washout")
    {
        Description = "Simulation: leading rows of each series left out of the NRMSE while the model forgets its zero " +
                      "initial state [default: 100]",
    };
    private static readonly Option<string> Missing = new("--missing-values")
    {
        Description = "What to do with missing (empty, NA) values in the model's columns: error, or forward-fill",
        DefaultValueFactory = _ => "error",
    };
    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "The model file to write: an ML.NET model zip, which an application loads with mlContext.Model.Load " +
                      "[default: r2dn-model.zip; with --example, r2dn-example.zip]",
    };
    private static readonly Option<string?> OutputDir = new("--output-dir")
    {
        Description = "Folder for the files written (created if missing); relative --output, --plot and --loss-plot " +
                      "paths are inside it [default: the current folder]",
    };
    private static readonly Option<string?> Plot = new("--plot")
    {
        Description = "Write a chart of the test part, SVG or PNG (a .png path): forecasts and intervals against the " +
                      "actual values (simulation: simulated against measured)",
    };
    private static readonly Option<string?> LossPlot =
        new("--loss-plot") { Description = "Write a chart of the training loss per epoch, SVG or PNG (a .png path)" };
    private static readonly Option<bool> Example = new("--example")
    {
        Description = $"Train on built-in data (a simulated nonlinear system: {ExampleData.Series} series x {ExampleData.Length} steps, " +
                      $"feature {ExampleData.Feature}, label {ExampleData.Label}, horizon {ExampleData.Horizon}); writes " +
                      $"{ExampleData.DataFile}, {ExampleData.ModelFile}, {ExampleData.ForecastPlotFile} and {ExampleData.LossPlotFile}",
    };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No progress on stderr" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object with the results instead of tables" };

    public static System.CommandLine.Command Create()
    {
        var command = new System.CommandLine.Command("train",
            "Train a forecasting or simulation model (R2DN or REN) on CSV files: split every series by time, train, evaluate on " +
            "the held-out end (forecasting: against the seasonal naive forecast; simulation: NRMSE), print the robustness " +
            "certificate, save the model and write plots. Try 'r2dn train --example'.\n" + Cli.ExitCodeHelp)
        {
            Task, Data, Label, Features, SeriesId, Horizon, Inputs, Outputs, Model, Robustness, Backend, Device, Gamma, Nx, Nv, Hidden, Activation,
            Epochs, LearningRate, SegmentLength, Seed, Threads, TestFraction, Seasonality, Confidence, Washout, Missing, Output,
            OutputDir, Plot, LossPlot, Example, Quiet, Json,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse) =>
        CommandSupport.Run(cancel => Train(new MLContext(seed: parse.GetValue(Seed)), parse, cancel));

    private static int Train(MLContext ml, ParseResult parse, CancellationToken cancel)
    {
        var settings = ReadSettings(parse);
        var output = CommandSupport.Out(parse);
        var error = CommandSupport.Error(parse);

        if (settings.OutputDir is { } dir) Directory.CreateDirectory(dir);
        CommandSupport.CheckWritable(settings.ModelPath, "--output");
        if (settings.PlotPath is { } plot) CommandSupport.CheckWritable(plot, "--plot");
        if (settings.LossPlotPath is { } loss) CommandSupport.CheckWritable(loss, "--loss-plot");
        if (settings.IsExample)
        {
            CommandSupport.CheckWritable(settings.Files[0], "--output-dir");
            ExampleData.Write(settings.Files[0]);
        }

        var data = CsvData.Load(settings.Files, cancel);
        string? seriesId = settings.SeriesId;
        if (seriesId is null && settings.Files.Count > 1)
        {
            data = CsvData.WithFileColumn(data, CsvData.UniqueName(data.View.Schema, CsvData.DefaultFileColumn));
            seriesId = data.FileColumn;
        }
        else if (seriesId is not null)
        {
            CsvData.RequireColumns(data, [(seriesId, "--series-id")], numeric: false);
            CsvData.CheckIdsPerFile(data, seriesId, "--series-id");
        }

        var run = settings.Task == "forecasting"
            ? TrainForecaster(ml, settings, data, seriesId, error, cancel)
            : TrainSimulator(ml, settings, data, seriesId, error, cancel);
        string text = run["text"]!.GetValue<string>();
        run.Remove("text");
        output.Write(settings.Json ? Report.ToJson(run) + Environment.NewLine : text);
        return ExitCodes.Success;
    }

    // ---- forecasting ----------------------------------------------------------------------------------------------

    private static JsonObject TrainForecaster(MLContext ml, Settings s, CsvDataSet data, string? seriesId, TextWriter error,
                                              CancellationToken cancel)
    {
        (string, string)[] columns = [.. s.Labels.Select(l => (l, "--label")), .. s.Features.Select(f => (f, "--features"))];
        CsvData.RequireColumns(data, columns, numeric: true);
        if (s.MissingValues == MissingValuePolicy.Error) CsvData.CheckFinite(data, columns);
        var schema = data.View.Schema;
        string forecastColumn = CsvData.UniqueName(schema, "Forecast");
        string lowerColumn = CsvData.UniqueName(schema, "Lower", forecastColumn);
        string upperColumn = CsvData.UniqueName(schema, "Upper", forecastColumn, lowerColumn);
        var (train, _) = ml.Forecasting.SplitByTime(data.View, s.TestFraction, seriesId);

        RecurrentForecastingOptions options = s.Kind == ModelKind.Ren
            ? new RenForecastingOptions { OutputColumnName = forecastColumn, InputColumnName = s.Labels[0], Horizon = s.Horizon }
            : new R2dnForecastingOptions { OutputColumnName = forecastColumn, InputColumnName = s.Labels[0], Horizon = s.Horizon, HiddenSizes = s.Hidden };
        options.AdditionalTargetColumnNames = s.Labels.Length > 1 ? s.Labels[1..] : null;
        options.FeatureColumnNames = s.Features.Length > 0 ? s.Features : null;
        options.SeriesIdColumnName = seriesId;
        options.ConfidenceLowerBoundColumn = lowerColumn;
        options.ConfidenceUpperBoundColumn = upperColumn;
        options.ConfidenceLevel = (float)s.Confidence;
        ApplyModelSettings(options, s, cancel);
        if (s.Epochs is int epochs) options.Epochs = epochs;
        if (s.LearningRate is double lr) options.LearningRate = lr;
        if (s.SegmentLength is int segment) options.SegmentLength = segment;
        var display = s.Quiet ? null : new TrainingDisplay(error, s.Interactive);
        options.Progress = display;
        var estimator = options is R2dnForecastingOptions r ? ml.Forecasting.R2DN(r) : ml.Forecasting.REN((RenForecastingOptions)options);

        var clock = Stopwatch.StartNew();
        var model = TrainingDisplay.Run(display, () => estimator.Fit(train));
        double seconds = clock.Elapsed.TotalSeconds;

        // Scored over whole series, so that the state has seen the history when it forecasts the test rows; the test
        // rows are then the same split of the scored view.
        var scored = model.Transform(data.View);
        var testScored = ml.Forecasting.SplitByTime(scored, s.TestFraction, seriesId).TestSet;
        ForecastingMetrics metrics;
        try
        {
            metrics = ml.Forecasting.Evaluate(testScored, s.Labels[0], forecastColumn, lowerColumn, upperColumn, seriesId, s.Seasonality,
                                              train, additionalLabelColumnNames: s.Labels.Length > 1 ? s.Labels[1..] : null);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);   // a missing value in the test rows, under --missing-values error
        }

        cancel.ThrowIfCancellationRequested();   // a Ctrl+C while evaluating: no model is saved
        SaveModel(ml, model, data.View.Schema, s.ModelPath);
        var saved = LoadedModel.Load(ml, s.ModelPath, "--output");   // as an application loads it; re-verifies the certificate

        string? plotNote = null;
        if (s.PlotPath is { } plotPath)
        {
            var series = Scoring.ReadForecasts(scored, model, 0);
            var first = series[0];
            int n = first.Actual.Length, h = model.Horizon, testStart = Scoring.TestStart(n, s.TestFraction);
            int windowStart = Math.Max(0, Math.Max(testStart - Math.Max(2 * h, 48), n - 1500));
            var origins = Enumerable.Range(0, (n - testStart + h) / h).Select(j => testStart - 1 + j * h).Where(o => o >= windowStart - 1);
            string title = $"{s.Labels[0]}{SeriesTitle(first.Name)}: test forecasts, {h} steps ahead from every {h}th row";
            Charts.Save(Charts.Forecast(first, 0, s.Labels[0], h, s.Confidence, windowStart, origins, future: false,
                                        (testStart - 0.5, "test starts"), title), plotPath);
            plotNote = series.Count > 1 ? $"series '{first.Name}'" : null;
        }
        if (s.LossPlotPath is { } lossPath)
            Charts.Save(Charts.Loss(model.TrainingLoss, $"Training loss: {saved.Description()} forecaster"), lossPath);

        var counts = Counts(data, train, seriesId);
        var json = new JsonObject
        {
            ["command"] = "train",
            ["task"] = "forecasting",
            ["data"] = DataJson(data, counts, seriesId),
            ["columns"] = new JsonObject
            {
                ["targets"] = new JsonArray([.. s.Labels.Select(l => (JsonNode)l)]),
                ["features"] = new JsonArray([.. s.Features.Select(f => (JsonNode)f)]),
                ["seriesId"] = seriesId,
                ["forecast"] = forecastColumn, ["lower"] = lowerColumn, ["upper"] = upperColumn,
            },
            ["horizon"] = s.Horizon,
            ["confidenceLevel"] = s.Confidence,
            ["model"] = ModelJson(saved),
            ["training"] = TrainingJson(model.TrainingLoss, seconds),
            ["metrics"] = Report.MetricsJson(metrics),
            ["certificate"] = Report.CertificateJson(saved.Certificate),
            ["outputs"] = OutputsJson(s),
        };

        var text = new StringBuilder();
        text.AppendLine($"Forecasting {Join(s.Labels)} {s.Horizon} steps ahead" +
                        (s.Features.Length > 0 ? $" from {Join(s.Labels)} and {Join(s.Features)}" : s.Labels.Length > 1 ? " from their past values" : " from its past values") + ".");
        text.Append(DataText(data, counts, seriesId, s.TestFraction));
        text.AppendLine(ModelText(saved, model.TrainingLoss, seconds));
        text.AppendLine();
        text.Append(Report.MetricsText(metrics, "Test metrics", Report.KindName(saved.Kind), s.Confidence, perStep: false)).AppendLine();
        if (metrics.Count == 0)
            text.AppendLine($"Warning: the test part is too short to compare forecasts {s.Horizon} steps ahead; raise --test-fraction.");
        text.AppendLine();
        text.AppendLine($"Certificate: {saved.Certificate}");
        text.AppendLine();
        text.Append(SavedText(s, plotNote));
        json["text"] = text.ToString();
        return json;
    }

    // ---- simulation -----------------------------------------------------------------------------------------------

    private static JsonObject TrainSimulator(MLContext ml, Settings s, CsvDataSet data, string? seriesId, TextWriter error,
                                             CancellationToken cancel)
    {
        (string, string)[] columns = [.. s.Inputs.Select(c => (c, "--inputs")), .. s.Outputs.Select(c => (c, "--outputs"))];
        CsvData.RequireColumns(data, columns, numeric: true);
        if (s.MissingValues == MissingValuePolicy.Error) CsvData.CheckFinite(data, columns);
        var schema = data.View.Schema;
        var predicted = new List<string>();
        foreach (string o in s.Outputs) predicted.Add(CsvData.UniqueName(schema, o + "Predicted", [.. predicted]));
        var (train, test) = ml.Forecasting.SplitByTime(data.View, s.TestFraction, seriesId);

        RecurrentSimulationOptions options = s.Kind == ModelKind.Ren
            ? new RenSimulationOptions { OutputColumnNames = s.Outputs, InputColumnNames = s.Inputs }
            : new R2dnSimulationOptions { OutputColumnNames = s.Outputs, InputColumnNames = s.Inputs, HiddenSizes = s.Hidden };
        options.PredictedColumnNames = [.. predicted];
        options.SeriesIdColumnName = seriesId;
        ApplyModelSettings(options, s, cancel);
        if (s.Epochs is int epochs) options.Epochs = epochs;
        if (s.LearningRate is double lr) options.LearningRate = lr;
        if (s.SegmentLength is int segment) options.SegmentLength = segment;
        if (s.Washout is int washout) options.Washout = washout;
        var display = s.Quiet ? null : new TrainingDisplay(error, s.Interactive);
        options.Progress = display;
        var estimator = options is R2dnSimulationOptions r ? ml.Forecasting.SimulateR2DN(r) : ml.Forecasting.SimulateREN((RenSimulationOptions)options);

        var clock = Stopwatch.StartNew();
        var model = TrainingDisplay.Run(display, () => estimator.Fit(train));
        double seconds = clock.Elapsed.TotalSeconds;
        double trainNrmse = model.Nrmse(train), testNrmse = model.Nrmse(test);

        cancel.ThrowIfCancellationRequested();
        SaveModel(ml, model, data.View.Schema, s.ModelPath);
        var saved = LoadedModel.Load(ml, s.ModelPath, "--output");

        string? plotNote = null;
        if (s.PlotPath is { } plotPath)
        {
            var (chart, name) = SimulationChart(model, test, null, null, "test part");
            Charts.Save(chart, plotPath);
            plotNote = name is null ? null : $"series '{name}'";
        }
        if (s.LossPlotPath is { } lossPath)
            Charts.Save(Charts.Loss(model.TrainingLoss, $"Training loss: {saved.Description()} simulator"), lossPath);

        var counts = Counts(data, train, seriesId);
        var json = new JsonObject
        {
            ["command"] = "train",
            ["task"] = "simulation",
            ["data"] = DataJson(data, counts, seriesId),
            ["columns"] = new JsonObject
            {
                ["inputs"] = new JsonArray([.. s.Inputs.Select(c => (JsonNode)c)]),
                ["outputs"] = new JsonArray([.. s.Outputs.Select(c => (JsonNode)c)]),
                ["predicted"] = new JsonArray([.. predicted.Select(c => (JsonNode)c)]),
                ["seriesId"] = seriesId,
            },
            ["washout"] = model.Washout,
            ["model"] = ModelJson(saved),
            ["training"] = TrainingJson(model.TrainingLoss, seconds),
            ["metrics"] = new JsonObject { ["testNrmse"] = Report.Json(testNrmse), ["trainNrmse"] = Report.Json(trainNrmse) },
            ["certificate"] = Report.CertificateJson(saved.Certificate),
            ["outputs"] = OutputsJson(s),
        };

        var text = new StringBuilder();
        text.AppendLine($"Simulating {Join(s.Outputs)} from {Join(s.Inputs)} (from a zero state, inputs only).");
        text.Append(DataText(data, counts, seriesId, s.TestFraction));
        text.AppendLine(ModelText(saved, model.TrainingLoss, seconds));
        text.AppendLine();
        text.AppendLine($"NRMSE (after a washout of {model.Washout} rows per series; 0 is perfect, 1 is as good as the mean):");
        text.AppendLine($"  test   {Report.Num(testNrmse)}");
        text.AppendLine($"  train  {Report.Num(trainNrmse)}");
        if (!double.IsFinite(testNrmse))
            text.AppendLine($"Warning: no test row is left after the washout of {model.Washout} rows; lower --washout or raise --test-fraction.");
        text.AppendLine();
        text.AppendLine($"Certificate: {saved.Certificate}");
        text.AppendLine();
        text.Append(SavedText(s, plotNote));
        json["text"] = text.ToString();
        return json;
    }

    /// <summary>The chart of a simulator's output against the measured output over one series of <paramref name="data"/>.</summary>
    internal static (ScottPlot.Plot Chart, string? Series) SimulationChart(
        SimulationTransformer model, IDataView data, string? seriesName, string? outputName, string what, int? last = null)
    {
        int output = outputName is null ? 0 : model.OutputColumnNames.ToList().IndexOf(outputName);
        if (output < 0)
            throw new UsageException($"--target '{outputName}' is not an output of the model; its outputs are: {string.Join(", ", model.OutputColumnNames)}.");
        var scored = model.Transform(data);
        float[] actual, predicted;
        string[]? ids;
        try
        {
            predicted = ColumnReader.Floats(scored, model.PredictedColumnNames[output]);
            actual = ColumnReader.Floats(scored, model.OutputColumnNames[output]);
            ids = model.SeriesIdColumnName is { } sid ? ColumnReader.Ids(scored, sid) : null;
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);
        }
        var group = Scoring.PickSeries(ColumnReader.Group(ids, predicted.Length), g => g.Id, seriesName);
        float[] a = [.. group.Rows.Select(r => actual[r])], p = [.. group.Rows.Select(r => predicted[r])];
        int windowStart = Math.Max(0, a.Length - (last ?? 1500));
        string name = model.OutputColumnNames[output];
        var chart = Charts.Simulation(a, p, name, windowStart, model.Washout, $"{name}{SeriesTitle(group.Id)}: simulated from the inputs ({what})");
        return (chart, ids is null ? null : group.Id);
    }

    // ---- reports --------------------------------------------------------------------------------------------------

    private sealed record DataCounts(int Rows, int TrainRows, int Series);

    private static DataCounts Counts(CsvDataSet data, IDataView train, string? seriesId)
    {
        int rows = ColumnReader.Count(data.View);
        int series = seriesId is null ? 1 : ColumnReader.Ids(data.View, seriesId).Distinct(StringComparer.Ordinal).Count();
        return new DataCounts(rows, ColumnReader.Count(train), series);
    }

    private static JsonObject DataJson(CsvDataSet data, DataCounts counts, string? seriesId) => new()
    {
        ["files"] = new JsonArray([.. data.Files.Select(f => (JsonNode)f)]),
        ["rows"] = counts.Rows,
        ["series"] = counts.Series,
        ["trainRows"] = counts.TrainRows,
        ["testRows"] = counts.Rows - counts.TrainRows,
        ["seriesIdColumn"] = seriesId,
        ["fileColumnAdded"] = data.FileColumn is not null,
    };

    private static string DataText(CsvDataSet data, DataCounts c, string? seriesId, double testFraction)
    {
        string series = seriesId is null ? "1 series" : $"{Report.Count(c.Series)} series (column '{seriesId}'{(data.FileColumn is not null ? ", the file names" : "")})";
        string test = (testFraction * 100).ToString("0.#", CultureInfo.InvariantCulture);
        string train = (100 - testFraction * 100).ToString("0.#", CultureInfo.InvariantCulture);
        return $"Data:  {data.Origin}: {Report.Count(c.Rows)} rows in {series}.\n" +
               $"       Trained on the first {train}% of each series ({Report.Count(c.TrainRows)} rows), tested on the last {test}% " +
               $"({Report.Count(c.Rows - c.TrainRows)} rows).\n";
    }

    private static JsonObject ModelJson(LoadedModel m) => new()
    {
        ["kind"] = Report.KindName(m.Kind),
        ["description"] = m.Description(),
        ["robustness"] = m.Setting("robustness")?.DeepClone(),
        ["gamma"] = m.Certificate.Gamma is double g ? Report.Json(g) : null,
        ["stateSize"] = m.Setting("stateSize")?.DeepClone(),
        ["features"] = m.Setting("features")?.DeepClone(),
        ["hiddenSizes"] = m.Kind == ModelKind.R2dn ? m.Setting("hiddenSizes")?.DeepClone() : null,
        ["activation"] = m.Setting("activation")?.DeepClone(),
        ["parameterCount"] = m.ParameterCount,
    };

    private static string ModelText(LoadedModel m, IReadOnlyList<double> loss, double seconds) =>
        $"Model: {m.Description()} ({m.SizeText()}), {Report.Count(m.ParameterCount)} parameters; trained {loss.Count} epochs in " +
        $"{seconds.ToString("0.0", CultureInfo.InvariantCulture)} s, final training loss {Report.Num(loss.Count > 0 ? loss[^1] : double.NaN, "G3")} " +
        "(standardised units).";

    private static JsonObject TrainingJson(IReadOnlyList<double> loss, double seconds) => new()
    {
        ["epochs"] = loss.Count,
        ["seconds"] = Math.Round(seconds, 3),
        ["finalLoss"] = Report.Json(loss.Count > 0 ? loss[^1] : double.NaN),
        ["loss"] = new JsonArray([.. loss.Select(Report.Json)]),
    };

    /// <summary>Saves <paramref name="model"/> with <c>ml.Model.Save</c>, atomically: to a temporary file beside
    /// <paramref name="path"/>, then moved over it, so that a failure leaves no partial file (and an older model
    /// unchanged).</summary>
    private static void SaveModel(MLContext ml, ITransformer model, DataViewSchema schema, string path)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            ml.Model.Save(model, schema, temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    // The model and robustness settings both tasks share (RecurrentModelOptions).
    private static void ApplyModelSettings(RecurrentModelOptions options, Settings s, CancellationToken cancel)
    {
        options.CancellationToken = cancel;
        options.Robustness = s.Robustness;
        options.Backend = s.Backend;
        options.Device = s.Device;
        if (s.Gamma is double gamma) options.Gamma = gamma;
        options.StateSize = s.Nx;
        options.Features = s.Nv;
        options.Activation = s.Activation;
        options.Seed = s.Seed;
        options.Threads = s.Threads;
        options.MissingValues = s.MissingValues;
    }

    private static JsonObject OutputsJson(Settings s) => new()
    {
        ["model"] = s.ModelPath,
        ["plot"] = s.PlotPath,
        ["lossPlot"] = s.LossPlotPath,
        ["data"] = s.IsExample ? s.Files[0] : null,
    };

    private static string SavedText(Settings s, string? plotNote)
    {
        var text = new StringBuilder();
        if (s.IsExample) text.AppendLine($"Wrote the example data to  {s.Files[0]}");
        text.AppendLine($"Saved the model to          {s.ModelPath}");
        if (s.PlotPath is { } plot) text.AppendLine($"Wrote the test plot to      {plot}{(plotNote is null ? "" : $" ({plotNote})")}");
        if (s.LossPlotPath is { } loss) text.AppendLine($"Wrote the training curve to {loss}");
        string model = Quote(s.ModelPath), data = string.Join(' ', s.Files.Select(Quote));
        string fraction = s.TestFraction.ToString(CultureInfo.InvariantCulture);
        text.AppendLine();
        text.AppendLine("Next:");
        text.AppendLine($"  r2dn inspect --model {model}");
        text.AppendLine(s.Task == "forecasting"
            ? $"  r2dn evaluate --model {model} --data {data} --test-fraction {fraction}{(s.Seasonality > 1 ? $" --seasonality {s.Seasonality}" : "")}"
            : $"  r2dn evaluate --model {model} --data {data}");
        text.AppendLine(s.Task == "forecasting"
            ? $"  r2dn forecast --model {model} --data {data} --output forecasts.csv"
            : $"  r2dn forecast --model {model} --data {data} --output simulated.csv");
        text.AppendLine($"  r2dn plot --model {model} --data {data} --output plot.svg");
        text.AppendLine($"  r2dn export --model {model} --npy {Quote(Path.ChangeExtension(s.ModelPath, null) + "-npy")}");
        return text.ToString();
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    private static string Join(IEnumerable<string> names) => string.Join(", ", names);

    private static string SeriesTitle(string id) => id.Length > 0 ? $" (series {id})" : "";

    // ---- settings -------------------------------------------------------------------------------------------------

    /// <summary>The command line, checked and with the defaults (and the example's) applied.</summary>
    private sealed record Settings
    {
        public required string Task { get; init; }
        public required bool IsExample { get; init; }
        public required IReadOnlyList<string> Files { get; init; }
        public string[] Labels { get; init; } = [];
        public string[] Features { get; init; } = [];
        public string[] Inputs { get; init; } = [];
        public string[] Outputs { get; init; } = [];
        public string? SeriesId { get; init; }
        public int Horizon { get; init; }
        public int Seasonality { get; init; }
        public double Confidence { get; init; }
        public int? Washout { get; init; }
        public ModelKind Kind { get; init; }
        public Robustness? Robustness { get; init; }
        public R2dnBackend Backend { get; init; }
        public string Device { get; init; } = "cpu";
        public double? Gamma { get; init; }
        public int? Nx { get; init; }
        public int? Nv { get; init; }
        public int[]? Hidden { get; init; }
        public Activation Activation { get; init; }
        public int? Epochs { get; init; }
        public double? LearningRate { get; init; }
        public int? SegmentLength { get; init; }
        public int Seed { get; init; }
        public int? Threads { get; init; }
        public double TestFraction { get; init; }
        public MissingValuePolicy MissingValues { get; init; }
        public string? OutputDir { get; init; }
        public required string ModelPath { get; init; }
        public string? PlotPath { get; init; }
        public string? LossPlotPath { get; init; }
        public bool Quiet { get; init; }
        public bool Json { get; init; }
        public bool Interactive { get; init; }
    }

    private static Settings ReadSettings(ParseResult p)
    {
        bool example = p.GetValue(Example);
        string task = CommandSupport.Choice(p.GetValue(TrainCommand.Task), "--task", ("forecasting", "forecasting"), ("simulation", "simulation"));
        bool forecasting = task == "forecasting";
        var kind = CommandSupport.Choice(p.GetValue(Model), "--model", ("r2dn", ModelKind.R2dn), ("ren", ModelKind.Ren));
        Robustness? robustness = p.GetValue(TrainCommand.Robustness) is { } r
            ? CommandSupport.Choice(r, "--robustness", ("contracting", Engine.Forecasting.Robustness.Contracting), ("lipschitz", Engine.Forecasting.Robustness.Lipschitz))
            : null;
        var backend = CommandSupport.Choice(p.GetValue(TrainCommand.Backend), "--backend", ("managed", R2dnBackend.Managed), ("torchsharp", R2dnBackend.TorchSharp));
        string device = p.GetValue(TrainCommand.Device) ?? "cpu";
        if (backend == R2dnBackend.Managed && CommandSupport.IsExplicit(p, TrainCommand.Device) && device != "cpu")
            throw new UsageException($"--device {device} needs --backend torchsharp: the managed engine runs on the CPU.");
        var activation = CommandSupport.Choice(p.GetValue(TrainCommand.Activation), "--activation",
                                               ("relu", Engine.Models.Activation.ReLU), ("tanh", Engine.Models.Activation.Tanh));
        var missing = CommandSupport.Choice(p.GetValue(Missing), "--missing-values",
                                            ("error", MissingValuePolicy.Error), ("forward-fill", MissingValuePolicy.ForwardFill));

        string[] files = p.GetValue(Data) ?? [];
        string[] labels = CommandSupport.List(p, Label), features = CommandSupport.List(p, TrainCommand.Features);
        string[] inputs = CommandSupport.List(p, TrainCommand.Inputs), outputs = CommandSupport.List(p, TrainCommand.Outputs);
        string? seriesId = p.GetValue(SeriesId);

        // Options that do not apply are errors when given, not silently ignored.
        void NotWith(Option option, bool condition, string why)
        {
            if (condition && CommandSupport.IsExplicit(p, option)) throw new UsageException($"{option.Name} {why}.");
        }
        NotWith(Data, example, "cannot be used with --example, which trains on built-in data");
        NotWith(Label, example, "cannot be used with --example (its label is Output)");
        NotWith(TrainCommand.Features, example, "cannot be used with --example (its feature is Drive)");
        NotWith(SeriesId, example, "cannot be used with --example (its series id is Series)");
        NotWith(TrainCommand.Task, example && !forecasting, "simulation cannot be used with --example, which is a forecasting example");
        NotWith(TrainCommand.Inputs, forecasting, "applies to --task simulation only; for forecasting, name exogenous columns with --features");
        NotWith(TrainCommand.Outputs, forecasting, "applies to --task simulation only; for forecasting, name the targets with --label");
        NotWith(TrainCommand.Features, !forecasting, "applies to --task forecasting only; for simulation, name the inputs with --inputs");
        NotWith(Horizon, !forecasting, "applies to --task forecasting only");
        NotWith(TrainCommand.Seasonality, !forecasting, "applies to --task forecasting only");
        NotWith(Confidence, !forecasting, "applies to --task forecasting only");
        NotWith(TrainCommand.Washout, forecasting, "applies to --task simulation only");
        NotWith(Hidden, kind == ModelKind.Ren, "does not apply to --model ren: a REN has no hidden network; its size is --nv");
        NotWith(Gamma, robustness != Engine.Forecasting.Robustness.Lipschitz, "applies to --robustness lipschitz only");

        if (!forecasting)
        {
            if (outputs.Length == 0) outputs = labels;
            else if (labels.Length > 0) throw new UsageException("give the measured outputs with --outputs or --label, not both.");
            if (inputs.Length == 0) throw new UsageException("--task simulation needs --inputs (the input columns u).");
            if (outputs.Length == 0) throw new UsageException("--task simulation needs --outputs (the measured output columns y).");
            labels = [];
        }
        if (example)
        {
            labels = [ExampleData.Label];
            features = [ExampleData.Feature];
            seriesId = ExampleData.SeriesId;
        }
        else
        {
            if (files.Length == 0) throw new UsageException("--data is required (one or more CSV files), or use --example to train on built-in data.");
            if (forecasting && labels.Length == 0) throw new UsageException("--label is required: the column(s) to forecast.");
        }

        string? outputDir = p.GetValue(OutputDir) is { Length: > 0 } d ? d : null;
        string Resolve(string path) => outputDir is null || Path.IsPathRooted(path) ? path : Path.Combine(outputDir, path);
        string? plot = p.GetValue(Plot), lossPlot = p.GetValue(LossPlot);
        int? horizon = CommandSupport.Positive(p, Horizon), seasonality = CommandSupport.Positive(p, TrainCommand.Seasonality);
        double confidence = p.GetValue(Confidence) ?? 0.95;
        int? washout = p.GetValue(TrainCommand.Washout);
        if (washout is < 0) throw new UsageException($"--washout must be at least 0 (got {washout}).");
        int? threads = CommandSupport.Positive(p, TrainCommand.Threads);

        return new Settings
        {
            Task = task,
            IsExample = example,
            Files = example ? [Resolve(ExampleData.DataFile)] : files,
            Labels = labels,
            Features = features,
            Inputs = inputs,
            Outputs = outputs,
            SeriesId = seriesId,
            Horizon = horizon ?? (example ? ExampleData.Horizon : 24),
            Seasonality = seasonality ?? (example ? ExampleData.Seasonality : 1),
            Confidence = CommandSupport.Fraction(confidence, "--confidence"),
            Washout = washout,
            Kind = kind,
            Robustness = robustness,
            Backend = backend,
            Device = device,
            Gamma = CommandSupport.Positive(p, Gamma),
            Nx = CommandSupport.Positive(p, Nx) ?? (example ? ExampleData.StateSize : null),
            Nv = CommandSupport.Positive(p, Nv) ?? (example ? ExampleData.Features : null),
            Hidden = p.GetValue(Hidden) is { } hidden ? CommandSupport.ParseHidden(hidden)
                : example && kind == ModelKind.R2dn ? ExampleData.HiddenSizes : null,
            Activation = activation,
            Epochs = CommandSupport.Positive(p, Epochs) ?? (example ? ExampleData.Epochs : null),
            LearningRate = CommandSupport.Positive(p, LearningRate) ?? (example ? ExampleData.LearningRate : null),
            SegmentLength = CommandSupport.Positive(p, SegmentLength) ?? (example ? ExampleData.SegmentLength : null),
            Seed = p.GetValue(TrainCommand.Seed),
            Threads = threads,
            TestFraction = CommandSupport.Fraction(p.GetValue(TrainCommand.TestFraction), "--test-fraction"),
            MissingValues = missing,
            OutputDir = outputDir,
            ModelPath = Resolve(p.GetValue(Output) ?? (example ? ExampleData.ModelFile : "r2dn-model.zip")),
            PlotPath = plot is not null ? Resolve(plot) : example ? Resolve(ExampleData.ForecastPlotFile) : null,
            LossPlotPath = lossPlot is not null ? Resolve(lossPlot) : example ? Resolve(ExampleData.LossPlotFile) : null,
            Quiet = p.GetValue(TrainCommand.Quiet),
            Json = p.GetValue(TrainCommand.Json),
            Interactive = CommandSupport.Interactive(p),
        };
    }
}
