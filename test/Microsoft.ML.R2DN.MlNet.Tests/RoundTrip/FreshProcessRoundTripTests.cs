using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.Transforms;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.MlNet.Tests.RoundTrip;

/// <summary>Issue 9, item 5: forecasters and simulators, R2DN and REN, alone and last in a chain after real ML.NET
/// transforms, saved with <c>mlContext.Model.Save</c> here and loaded with <c>mlContext.Model.Load</c> in a SECOND
/// process (the RoundTrip console program), which knows only the zip and the CSV. Compared bit for bit: every Single
/// and Vector&lt;Single&gt; output column of every row, the saved input schema, the training loss, the certificate
/// (re-verified from the loaded matrices: same largest eigenvalue, same scale), and the time-series engine on the loaded
/// ITransformer: forecasts after 48 observations of each series, from the current state, at another horizon and level,
/// after a CheckPoint reloaded into a new engine, and after one more observation to both.</summary>
public sealed class FreshProcessRoundTripTests(ITestOutputHelper output)
{
    /// <summary>The CSV layout the RoundTrip program reads (its Observation class).</summary>
    public sealed class CsvRow
    {
        [LoadColumn(0)] public string Series { get; set; } = "";
        [LoadColumn(1)] public int Step { get; set; }
        [LoadColumn(2)] public float Drive { get; set; }
        [LoadColumn(3)] public float Output { get; set; }
    }

    /// <summary>What the engine writes (the RoundTrip program's Prediction class).</summary>
    public sealed class EnginePrediction
    {
        public float[] Forecast { get; set; } = [];
        public float[]? Lower { get; set; }
        public float[]? Upper { get; set; }
    }

    private const int EngineRows = 48;   // as in the RoundTrip program

    public static TheoryData<string, bool> Models => new()
    {
        { "r2dn-forecaster", false }, { "ren-forecaster", false }, { "r2dn-simulator", false }, { "ren-simulator", false },
        { "r2dn-forecaster", true }, { "ren-forecaster", true }, { "r2dn-simulator", true }, { "ren-simulator", true },
    };

    // The R2DN forecaster keeps the defaults of the linear path and the validation split (the saved model carries both);
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
                OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 5, FeatureColumnNames = ["Drive"], SeriesIdColumnName = series,
                ConfidenceLowerBoundColumn = "Lower", ConfidenceUpperBoundColumn = "Upper", ConfidenceLevel = 0.9f, Epochs = 2,
                Robustness = Robustness.Lipschitz, Gamma = 2, LearningRate = 3e-3,
            }),
            "ren-forecaster" => ml.Forecasting.REN(new RenForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 3, FeatureColumnNames = ["Drive"], SeriesIdColumnName = series,
                Epochs = 2, Robustness = Robustness.Contracting, LearningRate = 3e-3, LinearLookback = 0, ValidationFraction = 0,
            }),
            "r2dn-simulator" => ml.Forecasting.SimulateR2DN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"], seriesIdColumnName: series, epochs: 2, washout: 20),
            "ren-simulator" => ml.Forecasting.SimulateREN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"], seriesIdColumnName: series,
                                                          predictedColumnNames: ["Simulated"], epochs: 2, washout: 20),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        if (!chain) return ours.Fit(data);
        IEstimator<ITransformer> before = ml.Transforms.ReplaceMissingValues([new InputOutputColumnPair("Drive"), new InputOutputColumnPair("Output")],
                                                                            MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance([new InputOutputColumnPair("Drive"), new InputOutputColumnPair("Output")]));
        if (series == "SeriesKey") before = before.Append(ml.Transforms.Conversion.MapValueToKey("SeriesKey", "Series"));
        return before.Append(ours).Fit(data);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_model_loaded_in_a_second_process_gives_identical_outputs_certificate_and_engine_forecasts(string kind, bool chain)
    {
        using var folder = new TempFolder();
        string csv = folder.File("data.csv"), zip = folder.File("model.zip"), scored = folder.File("scored.csv");
        WriteCsv(csv, gaps: chain);   // the chains get missing values for ReplaceMissingValues to fill

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromTextFile<CsvRow>(csv, separatorChar: ',', hasHeader: true);
        var model = Train(ml, data, kind, chain);
        ml.Model.Save(model, data.Schema, zip);

        var (exit, stdout, stderr) = SecondProcess.Run(folder.Path, "score", zip, csv, scored);
        output.WriteLine(stdout);
        Assert.True(exit == 0, $"the second process exited with {exit}:\n{stderr}\n{stdout}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        // The input schema the zip carries.
        Assert.Equal("SCHEMA " + string.Join(',', data.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}:{c.Type}")), lines.Single(l => l.StartsWith("SCHEMA ", StringComparison.Ordinal)));

        // Every output value of every row, bit for bit.
        var (header, expected) = Outputs(model.Transform(data));
        var written = File.ReadAllLines(scored);
        Assert.Equal(header, written[0]);
        Assert.Equal(expected.Count, written.Length - 1);
        Assert.Contains(kind switch { "ren-simulator" => "Simulated", "r2dn-simulator" => "OutputPredicted", _ => "Forecast[0]" }, header);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i] == written[i + 1], $"row {i} differs:\n  this process:   {expected[i]}\n  second process: {written[i + 1]}");
        int values = expected.Sum(l => l.Split(',').Length);

        // The certificate, re-verified from the loaded model's matrices, and the training loss.
        bool forecaster = kind.EndsWith("forecaster", StringComparison.Ordinal);
        var certificate = forecaster ? model.GetForecaster().Certificate : model.GetSimulator().Certificate;
        var loss = forecaster ? model.GetForecaster().TrainingLoss : model.GetSimulator().TrainingLoss;
        Assert.True(certificate.IsVerified);
        string certificateLine = $"CERTIFICATE verified=True maxEigenvalue={R(certificate.MaxEigenvalue)} scale={R(certificate.Scale)} | {certificate}";
        Assert.Equal(certificateLine, lines.Single(l => l.StartsWith("CERTIFICATE ", StringComparison.Ordinal)));
        Assert.Equal("LOSS " + string.Join(';', loss.Select(R)), lines.Single(l => l.StartsWith("LOSS ", StringComparison.Ordinal)));

        // The engine on the loaded ITransformer: CreateTimeSeriesEngine, Predict, CheckPoint.
        var engineLines = lines.Where(l => l.StartsWith("ENGINE ", StringComparison.Ordinal) || l.StartsWith("CHECKPOINT ", StringComparison.Ordinal)).ToList();
        if (!forecaster)
        {
            var refusal = Assert.Single(engineLines);
            Assert.StartsWith("ENGINE refused: The model is a simulator", refusal);
            output.WriteLine($"compared {expected.Count} rows, {values} values, schema, certificate, loss; engine refused as expected");
            return;
        }
        var expectedEngine = EngineLines(ml, model, data, folder.File("expected.checkpoint.zip"), out var atRow);
        Assert.Equal(expectedEngine, engineLines);
        // The checkpoint carried the state: the resumed engine forecasts as the original one.
        Assert.Equal(After(engineLines, "ENGINE current: "), After(engineLines, "CHECKPOINT current: "));
        Assert.Equal(After(engineLines, "ENGINE next: "), After(engineLines, "CHECKPOINT next: "));
        // An engine that saw a series from its start forecasts what Transform wrote at that row.
        var transformed = ml.Data.CreateEnumerable<EnginePrediction>(model.Transform(data), reuseRowObject: false, ignoreMissingColumns: true).ToList();
        foreach (var (series, row) in atRow)
            Assert.Equal($"ENGINE {series} after {EngineRows}: {Format(transformed[row])}", engineLines.Single(l => l.StartsWith($"ENGINE {series} after", StringComparison.Ordinal)));
        output.WriteLine($"compared {expected.Count} rows, {values} values, schema, certificate, loss and {engineLines.Count} engine lines");
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
        Assert.Contains(lines, l => l.StartsWith("LOG [Source=ForecastingEstimator; Training, Kind=Info] epoch 1/3: loss ", StringComparison.Ordinal));
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

    // This process's side of the RoundTrip program's output file: every visible Single and Vector<Single> column, as hex.
    private static (string Header, List<string> Rows) Outputs(IDataView scored)
    {
        var columns = scored.Schema.Where(c => !c.IsHidden && (c.Type == NumberDataViewType.Single
            || c.Type is VectorDataViewType { Size: > 0 } v && v.ItemType == NumberDataViewType.Single)).ToList();
        var names = columns.SelectMany(c => c.Type is VectorDataViewType v ? Enumerable.Range(0, v.Size).Select(i => $"{c.Name}[{i}]") : [c.Name]);
        var rows = new List<string>();
        using var cursor = scored.GetRowCursor(columns);
        var getters = columns.Select(c => c.Type is VectorDataViewType ? VectorGetter(cursor, c) : ScalarGetter(cursor, c)).ToList();
        while (cursor.MoveNext())
            rows.Add(string.Join(',', getters.SelectMany(g => g()).Select(Hex)));
        return (string.Join(',', names), rows);
    }

    private static Func<float[]> VectorGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var get = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () => { get(ref buffer); return buffer.DenseValues().ToArray(); };
    }

    private static Func<float[]> ScalarGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var get = cursor.GetGetter<float>(column);
        float x = 0;
        return () => { get(ref x); return [x]; };
    }

    // The RoundTrip program's engine procedure, written again here against the in-memory model.
    private static List<string> EngineLines(MLContext ml, ITransformer model, IDataView data, string checkpoint, out List<(string Series, int Row)> atRow)
    {
        var engine = model.CreateTimeSeriesEngine<CsvRow, EnginePrediction>(ml);
        bool bounds = model.GetForecaster().ConfidenceLowerBoundColumn is not null;
        var rows = ml.Data.CreateEnumerable<CsvRow>(data, reuseRowObject: false).ToList();
        var lines = new List<string>();
        atRow = [];
        CsvRow? next = null;
        foreach (var series in rows.Select((r, i) => (Row: r, Index: i)).GroupBy(r => r.Row.Series))
        {
            EnginePrediction? p = null;
            foreach (var o in series.Take(EngineRows)) p = engine.Predict(o.Row);
            lines.Add($"ENGINE {series.Key} after {EngineRows}: {Format(p!)}");
            atRow.Add((series.Key, series.ElementAt(EngineRows - 1).Index));
            next = series.ElementAt(EngineRows).Row;
        }
        lines.Add("ENGINE current: " + Format(engine.Predict()));
        if (bounds) lines.Add("ENGINE current h=2 level=0.8: " + Format(engine.Predict(horizon: 2, confidenceLevel: 0.8f)));
        engine.CheckPoint(ml, checkpoint);
        var resumed = ml.Model.Load(checkpoint, out _).CreateTimeSeriesEngine<CsvRow, EnginePrediction>(ml);
        lines.Add("CHECKPOINT current: " + Format(resumed.Predict()));
        lines.Add("ENGINE next: " + Format(engine.Predict(next!)));
        lines.Add("CHECKPOINT next: " + Format(resumed.Predict(next!)));
        return lines;
    }

    private static string After(List<string> lines, string prefix) => lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    private static string Format(EnginePrediction p) => $"forecast={Hex(p.Forecast)} lower={Hex(p.Lower)} upper={Hex(p.Upper)}";

    private static string Hex(float[]? values) => values is null ? "-" : string.Join(';', values.Select(Hex));

    private static string Hex(float value) => BitConverter.SingleToUInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
