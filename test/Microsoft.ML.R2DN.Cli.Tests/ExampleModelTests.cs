using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>Trains <c>r2dn train --example</c> once (with few epochs, for speed) into a temporary folder.</summary>
public sealed class ExampleModelFixture : IDisposable
{
    public ExampleModelFixture()
    {
        Folder = CliRunner.TempFolder();
        Train = CliRunner.Run("train", "--example", "--epochs", "8", "--output-dir", Folder.Path);
    }

    public TempFolder Folder { get; }

    public CliResult Train { get; }

    public string Model => Folder.File("r2dn-example.zip");

    public string Data => Folder.File("r2dn-example-data.csv");

    public void Dispose() => Folder.Dispose();
}

/// <summary>train --example, then inspect, evaluate, forecast and plot on the model it saved.</summary>
public sealed class ExampleModelTests(ExampleModelFixture example) : IClassFixture<ExampleModelFixture>
{
    [Fact]
    public void TrainExampleWritesTheModelThePlotsAndACertificateLine()
    {
        var train = example.Train;
        Assert.True(train.ExitCode == 0, train.ToString());
        string[] written = ["r2dn-example.zip", "r2dn-example-forecast.svg", "r2dn-example-loss.svg",
                            "r2dn-example-data.csv"];
        foreach (var name in written)
            Assert.True(File.Exists(example.Folder.File(name)), $"{name} is missing\n{train}");
        AssertSvg(File.ReadAllText(example.Folder.File("r2dn-example-forecast.svg")));
        AssertSvg(File.ReadAllText(example.Folder.File("r2dn-example-loss.svg")));
        var certificate = train.Out.Split('\n').Single(l => l.StartsWith("Certificate: ", StringComparison.Ordinal));
        Assert.Matches("(contracting|γ-Lipschitz) R2DN", certificate);   // robustness is chosen on the validation data
        Assert.Contains("verified: yes", certificate);
        Assert.Contains("seasonal naive", train.Out);
        Assert.Contains("MAE", train.Out);
        // Progress goes to stderr (plain lines: the writer is not a terminal), one per tenth of the epochs at most.
        Assert.Contains("epoch 8/8", train.Err);
        Assert.DoesNotContain("r2dn: error", train.Err);
        Assert.DoesNotContain('\r', train.Err);
        Assert.Contains("r2dn export --model", train.Out);
    }

    [Fact]
    public void InspectShowsTheParameterCountAndTheCertificate()
    {
        var json = CliRunner.Run("inspect", "--model", example.Model, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var root = doc.RootElement;
        int parameters = root.GetProperty("model").GetProperty("parameterCount").GetInt32();
        Assert.True(parameters > 1000);
        Assert.Equal("forecasting", root.GetProperty("task").GetString());
        Assert.Equal(16, root.GetProperty("model").GetProperty("stateSize").GetInt32());
        Assert.True(root.GetProperty("certificate").GetProperty("verified").GetBoolean());
        Assert.Equal(8, root.GetProperty("training").GetProperty("epochs").GetInt32());
        Assert.Equal("Series", root.GetProperty("columns").GetProperty("seriesId").GetString());

        var text = CliRunner.Run("inspect", "--model", example.Model);
        Assert.True(text.ExitCode == 0, text.ToString());
        var line = text.Out.Split('\n').Single(l => l.StartsWith("Parameters", StringComparison.Ordinal));
        Assert.Contains(parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), line);
        Assert.Contains("nx 16, nv 16, hidden [32, 32]", text.Out);
        Assert.Contains("Verified     yes", text.Out);
        Assert.Contains("8 epochs, final loss", text.Out);
    }

    [Fact]
    public void EvaluatePrintsMetricsAgainstTheSeasonalNaiveForecast()
    {
        var text = CliRunner.Run("evaluate", "--model", example.Model, "--data", example.Data, "--seasonality", "24",
                                 "--test-fraction", "0.2");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("seasonal naive", text.Out);
        Assert.Contains("Per step ahead", text.Out);
        Assert.Matches(@"repeat last\s+\d", text.Out);
        Assert.Matches(@"linear \(ridge\)\s+\d", text.Out);
        Assert.Equal("", text.Err);

        var json = CliRunner.Run("evaluate", "--model", example.Model, "--data", example.Data, "--seasonality", "24",
                                 "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var metrics = doc.RootElement.GetProperty("metrics");
        Assert.True(metrics.GetProperty("mae").GetDouble() > 0);
        Assert.True(metrics.GetProperty("seasonalNaive").GetProperty("mae").GetDouble() > 0);
        // The other baselines on the same pairs (the fixture's model trains 8 epochs only, so no ranking is asserted).
        Assert.True(metrics.GetProperty("repeatLast").GetProperty("mae").GetDouble() > 0);
        Assert.True(metrics.GetProperty("linear").GetProperty("mae").GetDouble() > 0);
        Assert.Equal(12, metrics.GetProperty("perStep").GetArrayLength());
        Assert.InRange(metrics.GetProperty("coverage").GetDouble(), 0.5, 1.0);
    }

    [Fact]
    public void ForecastWritesOneLinePerSeriesAndStepWithIntervals()
    {
        using var folder = CliRunner.TempFolder();
        string output = folder.File("forecasts.csv");
        var result = CliRunner.Run("forecast", "--model", example.Model, "--data", example.Data, "--output", output);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = File.ReadAllLines(output);
        Assert.Equal("series,target,step,value,lower,upper", lines[0]);
        Assert.Equal(1 + 2 * 12, lines.Length);
        var first = lines[1].Split(',');
        Assert.Equal(["unit-1", "Output", "1"], first[..3]);
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',').Skip(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(f[1] <= f[0] && f[0] <= f[2], line);
        }
        Assert.Equal(["unit-1", "unit-2"], lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().ToArray());

        // To stdout, fewer steps, and as JSON.
        var stdout = CliRunner.Run("forecast", "--model", example.Model, "--data", example.Data, "--horizon", "3");
        Assert.True(stdout.ExitCode == 0, stdout.ToString());
        Assert.Equal(1 + 2 * 3, stdout.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var json = CliRunner.Run("forecast", "--model", example.Model, "--data", example.Data, "--json",
                                 "--confidence", "0.8");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(24, doc.RootElement.GetProperty("forecasts").GetArrayLength());
    }

    [Fact]
    public void PlotWritesTheForecastChartAndTheTrainingCurve()
    {
        using var folder = CliRunner.TempFolder();
        var forecast = CliRunner.Run("plot", "--model", example.Model, "--data", example.Data,
                                     "--output", folder.File("plot.svg"), "--series", "unit-2");
        Assert.True(forecast.ExitCode == 0, forecast.ToString());
        string svg = File.ReadAllText(folder.File("plot.svg"));
        AssertSvg(svg);
        Assert.Contains("95% interval", svg);
        Assert.Contains("unit-2", svg);
        // A .png path writes a PNG picture of the same chart.
        string pngPath = folder.File("plot.png");
        var png = CliRunner.Run("plot", "--model", example.Model, "--data", example.Data, "--output", pngPath);
        Assert.True(png.ExitCode == 0, png.ToString());
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(pngPath)[..4]);

        var loss = CliRunner.Run("plot", "--loss", example.Model, "--output", folder.File("loss.svg"));
        Assert.True(loss.ExitCode == 0, loss.ToString());
        Assert.Contains("training loss", File.ReadAllText(folder.File("loss.svg")));

        var unknown = CliRunner.Run("plot", "--model", example.Model, "--data", example.Data,
                                    "--output", folder.File("x.svg"), "--series", "nope");
        CliRunner.AssertOneLineError(unknown, 2, "--series 'nope'");
    }

    [Fact]
    public void TheZipLoadsWithMLContextAndItsTransformGivesTheForecasts()
    {
        // As an application would: ML.NET alone loads the file and scores the CSV.
        var ml = new MLContext(seed: 0);
        ITransformer loaded = ml.Model.Load(example.Model, out var inputSchema);
        Assert.NotNull(inputSchema.GetColumnOrNull("Output"));
        var data = ml.Data.LoadFromTextFile(example.Data,
        [
            new TextLoader.Column("Series", DataKind.String, 0), new TextLoader.Column("Step", DataKind.Single, 1),
            new TextLoader.Column("Drive", DataKind.Single, 2), new TextLoader.Column("Output", DataKind.Single, 3),
        ], separatorChar: ',', hasHeader: true);
        // One cursor for the id and the forecasts (ML.NET's stateful mapping needs its output read; see ScoredRow).
        var rows = ml.Data.CreateEnumerable<ScoredRow>(loaded.Transform(data), reuseRowObject: false).ToArray();
        var series = rows.Select(r => r.Series).ToArray();
        var forecasts = rows.Select(r => r.Forecast).ToArray();
        var lower = rows.Select(r => r.Lower).ToArray();
        Assert.Equal(3000, forecasts.Length);
        Assert.All(forecasts, f => Assert.Equal(12, f.Length));

        // The forecast after the last row of each series is what 'r2dn forecast' writes.
        var cli = CliRunner.Run("forecast", "--model", example.Model, "--data", example.Data);
        Assert.True(cli.ExitCode == 0, cli.ToString());
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                           .Select(l => l.Split(',')).ToArray();
        foreach (string id in new[] { "unit-1", "unit-2" })
        {
            int last = Array.LastIndexOf(series, id);
            var written = lines.Where(l => l[0] == id).ToArray();
            Assert.Equal(12, written.Length);
            for (int k = 0; k < 12; k++)
            {
                Assert.Equal(forecasts[last][k], float.Parse(written[k][3], CultureInfo.InvariantCulture));
                Assert.Equal(lower[last][k], float.Parse(written[k][4], CultureInfo.InvariantCulture));
            }
        }

        // And the plugin recovers the forecaster, certificate verified.
        var forecaster = loaded.GetForecaster();
        Assert.Equal(12, forecaster.Horizon);
        Assert.Equal(["Output"], forecaster.TargetColumnNames);
        Assert.True(forecaster.Certificate.IsVerified);
    }

    [Fact]
    public void ExportWritesTheManifestAndTheNpyArrays()
    {
        using var folder = CliRunner.TempFolder();
        string npy = folder.File("weights");
        var result = CliRunner.Run("export", "--model", example.Model, "--npy", npy);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("manifest.json", result.Out);
        Assert.Contains("parameters/transformers/0/model/X.npy", result.Out);
        Assert.Contains("(32, 32)", result.Out);   // X of an R2DN with nx = nv = 16 is (2nx) x (2nx)

        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(npy, "manifest.json"))))
        {
            var root = manifest.RootElement;
            Assert.Equal("Microsoft.ML.R2DN.Model", root.GetProperty("format").GetString());
            var transformer = root.GetProperty("transformers")[0];
            Assert.Equal(16, transformer.GetProperty("training").GetProperty("stateSize").GetInt32());
        }
        string[] arrays = ["model/X.npy", "model/Y.npy", "model/B2.npy", "model/network/layers_0/XY.npy",
                           "trainingLoss.npy"];
        foreach (string name in arrays)
        {
            string path = Path.Combine(npy, "parameters", "transformers", "0", name);
            Assert.True(File.Exists(path), $"{name} is missing\n{result}");
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(0x93, bytes[0]);
            Assert.Equal("NUMPY", System.Text.Encoding.ASCII.GetString(bytes, 1, 5));
        }

        var json = CliRunner.Run("export", "--model", example.Model, "--npy", folder.File("again"), "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var files = doc.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal("manifest.json", files[0].GetProperty("path").GetString());
        var x = files.Single(f => f.GetProperty("path").GetString() == "parameters/transformers/0/model/X.npy");
        Assert.Equal([32, 32], x.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());

        CliRunner.AssertOneLineError(CliRunner.Run("export", "--model", example.Model, "--npy", example.Data), 2,
                                     "is a file");
        CliRunner.AssertOneLineError(CliRunner.Run("export", "--model", folder.File("missing.zip"), "--npy", npy), 2,
                                     "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("export", "--model", example.Model), 2, "--npy");
    }

    [Fact]
    public void AWrongModelPathIsExitCodeTwoWithOneErrorLine()
    {
        using var folder = CliRunner.TempFolder();
        string missing = folder.File("missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("inspect", "--model", missing), 2, "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("evaluate", "--model", missing, "--data", example.Data), 2,
                                     "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("forecast", "--model", missing, "--data", example.Data), 2,
                                     "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("plot", "--loss", missing), 2, "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("inspect", "--model", folder.Path), 2, "folder");
        // A file that is not a model (here: the CSV).
        CliRunner.AssertOneLineError(CliRunner.Run("inspect", "--model", example.Data), 2, "not a model file");
        // A truncated model file, and a model file given as data.
        string truncated = folder.File("truncated.zip");
        File.WriteAllBytes(truncated, File.ReadAllBytes(example.Model)[..20_000]);
        CliRunner.AssertOneLineError(CliRunner.Run("forecast", "--model", truncated, "--data", example.Data), 2,
                                     "truncated.zip': The file is not a model file");
        CliRunner.AssertOneLineError(CliRunner.Run("evaluate", "--model", example.Model, "--data", example.Model), 2,
                                     "is not a CSV text file");
    }

    [Fact]
    public void DataWithoutTheModelsColumnsIsExitCodeTwo()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("other.csv");
        File.WriteAllText(csv, "Series,Step,Temperature\nunit-1,0,1.5\nunit-1,1,2.5\n");
        CliRunner.AssertOneLineError(CliRunner.Run("evaluate", "--model", example.Model, "--data", csv), 2, "'Output'");
        CliRunner.AssertOneLineError(CliRunner.Run("forecast", "--model", example.Model, "--data", csv), 2, "'Output'");
    }

    // ScottPlot's SVG starts with an XML declaration: what matters is a well-formed document whose root is <svg>.
    private static void AssertSvg(string text) => Assert.Equal("svg", XDocument.Parse(text).Root!.Name.LocalName);
}

/// <summary>A row of a loaded forecaster's output.</summary>
/// <remarks>Read the series id together with a forecast column: a cursor over a loaded model that reads only columns
/// passed through (no forecast column) fails inside ML.NET's StatefulCustomMappingTransformer, whose cursor binds its
/// inputs even when none of its outputs is read.</remarks>
public sealed class ScoredRow
{
    public string Series { get; set; } = "";

    public float[] Forecast { get; set; } = [];

    public float[] Lower { get; set; } = [];
}
