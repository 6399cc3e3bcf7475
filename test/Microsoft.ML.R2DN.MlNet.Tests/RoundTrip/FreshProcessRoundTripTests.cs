using System.Globalization;
using System.Text;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.Transforms;
using RoundTrip;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.MlNet.Tests.RoundTrip;

/// <summary>Issue 9, item 5, and issue 20, item 2: forecasters and simulators, R2DN and REN, alone and last in a chain
/// after real ML.NET transforms, trained on the first <see cref="Report.TrainSteps"/> steps of each series, saved with
/// <c>mlContext.Model.Save</c> here and loaded with <c>mlContext.Model.Load</c> in a SECOND process (the RoundTrip
/// console program), which knows only the zip and the CSV. Compared bit for bit, with the program's own
/// <see cref="Report"/> run here on the in-memory model: every Single and Vector&lt;Single&gt; output column of every
/// row, the saved input schema, the training loss, the certificate (re-verified from the loaded matrices), and the
/// time-series engine on the loaded ITransformer: the forecasts it starts with (the end of training: what Transform
/// writes on each series' last training row), after 48 further observations of each series (what Transform writes on
/// that row), from the current state, at another horizon and level, after a CheckPoint reloaded into a new engine, and
/// after one more observation to both.</summary>
public sealed class FreshProcessRoundTripTests(ITestOutputHelper output)
{
    public static TheoryData<string, bool> Models => new()
    {
        { "r2dn-forecaster", false }, { "ren-forecaster", false }, { "r2dn-simulator", false },
        { "ren-simulator", false },
        { "r2dn-forecaster", true }, { "ren-forecaster", true }, { "r2dn-simulator", true }, { "ren-simulator", true },
    };

    // The R2DN forecaster keeps the defaults of the linear path and the validation split (the saved model carries
    // both);
    // the REN forecaster is the recurrent model alone, so its forecasts depend on the restored network and state only.
    // The chain: ReplaceMissingValues (mean) and NormalizeMeanVariance on the drive and the output, then ours; the R2DN
    // forecaster's chain also maps the series id to a key (MapValueToKey) and uses the key as its series id.
    private static ITransformer Train(MLContext ml, IDataView data, string kind, bool chain)
    {
        string series = chain && kind == "r2dn-forecaster" ? "SeriesKey" : "Series";
        IEstimator<ITransformer> ours = kind switch
        {
            "r2dn-forecaster" => ml.Forecasting.R2DN(new R2dnForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 5, FeatureColumnNames = ["Drive"],
                SeriesIdColumnName = series, ConfidenceLowerBoundColumn = "Lower", ConfidenceUpperBoundColumn = "Upper",
                ConfidenceLevel = 0.9f, Epochs = 2, Robustness = Robustness.Lipschitz, Gamma = 2, LearningRate = 3e-3,
            }),
            "ren-forecaster" => ml.Forecasting.REN(new RenForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 3, FeatureColumnNames = ["Drive"],
                SeriesIdColumnName = series, Epochs = 2, Robustness = Robustness.Contracting, LearningRate = 3e-3,
                LinearLookback = 0, ValidationFraction = 0,
            }),
            "r2dn-simulator" => ml.Forecasting.SimulateR2DN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"],
                                                            seriesIdColumnName: series, epochs: 2, washout: 20),
            "ren-simulator" => ml.Forecasting.SimulateREN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"],
                                                          seriesIdColumnName: series,
                                                          predictedColumnNames: ["Simulated"],
                                                          epochs: 2, washout: 20),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var training = Report.TrainingRows(ml, data);
        if (!chain) return ours.Fit(training);
        InputOutputColumnPair[] columns = [new("Drive"), new("Output")];
        IEstimator<ITransformer> before = ml.Transforms
            .ReplaceMissingValues(columns, MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance(columns));
        if (series == "SeriesKey")
            before = before.Append(ml.Transforms.Conversion.MapValueToKey("SeriesKey", "Series"));
        return before.Append(ours).Fit(training);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_model_loaded_in_a_second_process_gives_identical_outputs_certificate_and_engine_forecasts(
        string kind, bool chain)
    {
        using var folder = new TempFolder();
        string csv = folder.File("data.csv"), zip = folder.File("model.zip"), scored = folder.File("scored.csv");
        WriteCsv(csv, gaps: chain);   // the chains get missing values for ReplaceMissingValues to fill

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromTextFile<Observation>(csv, separatorChar: ',', hasHeader: true);
        var model = Train(ml, data, kind, chain);
        ml.Model.Save(model, data.Schema, zip);

        var (exit, stdout, stderr) = SecondProcess.Run(folder.Path, "score", zip, csv, scored);
        output.WriteLine(stdout);
        Assert.True(exit == 0, $"the second process exited with {exit}:\n{stderr}\n{stdout}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Assert.Equal("SCHEMA " + Report.Schema(data.Schema), Single(lines, "SCHEMA "));

        // Every output value of every row, bit for bit.
        string expectedPath = folder.File("expected.csv");
        var (rows, header) = Report.WriteOutputs(model.Transform(data), expectedPath);
        Assert.Equal(File.ReadAllText(expectedPath), File.ReadAllText(scored));
        Assert.Contains(kind switch
        {
            "ren-simulator" => "Simulated",
            "r2dn-simulator" => "OutputPredicted",
            _ => "Forecast[0]"
        },
                        header);

        // The certificate, re-verified from the loaded model's matrices, and the training loss.
        var described = Report.DescribeModel(model);
        Assert.Equal(described, lines.Where(l => l.StartsWith("MODEL ", StringComparison.Ordinal)
            || l.StartsWith("LOSS ", StringComparison.Ordinal)
            || l.StartsWith("CERTIFICATE ", StringComparison.Ordinal)));
        Assert.StartsWith("CERTIFICATE verified=True ", Single(lines, "CERTIFICATE "));

        // The engine on the loaded ITransformer, and on this process's model.
        var engineLines = lines.Where(l => l.StartsWith("ENGINE ", StringComparison.Ordinal)
            || l.StartsWith("CHECKPOINT ", StringComparison.Ordinal)).ToList();
        if (!kind.EndsWith("forecaster", StringComparison.Ordinal))
        {
            Assert.StartsWith("ENGINE refused: The model is a simulator", Assert.Single(engineLines));
            output.WriteLine($"compared {rows} rows, schema, certificate, loss; engine refused as expected");
            return;
        }
        Assert.Equal(Report.RunEngine(ml, model, data, folder.File("expected.checkpoint.zip")), engineLines);
        Assert.Equal(After(engineLines, "ENGINE current: "), After(engineLines, "CHECKPOINT current: "));
        Assert.Equal(After(engineLines, "ENGINE next: "), After(engineLines, "CHECKPOINT next: "));
        CheckAgainstTransform(ml, model, data, engineLines);
        output.WriteLine($"compared {rows} rows, schema, certificate, loss and {engineLines.Count} engine lines");
    }

    // The engine's first forecast of each series is what Transform writes on its last training row, and after 48
    // further observations it is what Transform writes on that row of the whole history.
    private static void CheckAgainstTransform(MLContext ml, ITransformer model, IDataView data,
                                              List<string> engineLines)
    {
        var all = Rows(ml, data);
        var atEnd = Predictions(ml, model.Transform(Report.TrainingRows(ml, data)));
        var throughout = Predictions(ml, model.Transform(data));
        var trainedRows = all.Select((r, i) => (r, i)).Where(p => p.r.Step < Report.TrainSteps).ToList();
        foreach (var series in all.Select(r => r.Series).Distinct())
        {
            int last = trainedRows.FindLastIndex(p => p.r.Series == series);
            Assert.Equal($"ENGINE start {series}: {Report.Format(atEnd[last])}",
                         Single(engineLines, $"ENGINE start {series}:"));
            int row = all.Select((r, i) => (r, i)).Where(p => p.r.Series == series && p.r.Step >= Report.TrainSteps)
                         .ElementAt(Report.EngineRows - 1).i;
            Assert.Equal($"ENGINE {series} after {Report.EngineRows}: {Report.Format(throughout[row])}",
                         Single(engineLines, $"ENGINE {series} after"));
        }
        Assert.Equal($"ENGINE start current {all[^1].Series}: {Report.Format(atEnd[^1])}",
                     Single(engineLines, "ENGINE start current"));
    }

    // The user flow of issue 9 as a program that references only Microsoft.ML and our package: LoadFromTextFile ->
    // ReplaceMissingValues -> R2DN -> Save -> Load in a new process -> engine; it checks itself and says so.
    [Fact]
    public void The_RoundTrip_programs_train_mode_runs_the_user_flow_and_finds_the_new_process_identical()
    {
        using var folder = new TempFolder();
        var (exit, stdout, stderr) = SecondProcess.Run(folder.Path, "train", folder.Path);
        output.WriteLine(stdout);
        Assert.True(exit == 0, $"the program exited with {exit}:\n{stderr}\n{stdout}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines,
                        l => l.StartsWith("LOG [Source=ForecastingEstimator; Training, Kind=Info] epoch 1/3: loss ",
                                                 StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("CERTIFICATE verified=True ", StringComparison.Ordinal));
        Assert.StartsWith("ROUNDTRIP identical: 1000 rows", lines[^1]);
        Assert.True(File.Exists(folder.File("model.zip")));
    }

    private static void WriteCsv(string path, bool gaps)
    {
        var text = new StringBuilder("Series,Step,Drive,Output\n");
        int i = 0;
        foreach (var s in Samples.SampleData.NonlinearSystem(length: 400, series: 2, seed: 5))
        {
            string drive = gaps && i % 29 == 11 ? "" : R(s.Drive);
            string y = gaps && i % 41 == 23 ? "" : R(s.Output);
            text.Append(CultureInfo.InvariantCulture, $"{s.Series},{s.Step},{drive},{y}\n");
            i++;
        }
        File.WriteAllText(path, text.ToString());
    }

    private static List<Observation> Rows(MLContext ml, IDataView data) =>
        ml.Data.CreateEnumerable<Observation>(data, reuseRowObject: false).ToList();

    private static List<Prediction> Predictions(MLContext ml, IDataView scored) =>
        ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false, ignoreMissingColumns: true).ToList();

    private static string Single(List<string> lines, string prefix) =>
        Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));

    private static string After(List<string> lines, string prefix) => Single(lines, prefix)[prefix.Length..];

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
