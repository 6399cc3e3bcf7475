using System.Text.Json;

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
        foreach (var name in new[] { "r2dn-example.zip", "r2dn-example-forecast.svg", "r2dn-example-loss.svg", "r2dn-example-data.csv" })
            Assert.True(File.Exists(example.Folder.File(name)), $"{name} is missing\n{train}");
        Assert.StartsWith("<svg", File.ReadAllText(example.Folder.File("r2dn-example-forecast.svg")));
        Assert.StartsWith("<svg", File.ReadAllText(example.Folder.File("r2dn-example-loss.svg")));
        var certificate = train.Out.Split('\n').Single(l => l.StartsWith("Certificate: ", StringComparison.Ordinal));
        Assert.Contains("contracting R2DN", certificate);
        Assert.Contains("verified: yes", certificate);
        Assert.Contains("seasonal naive", train.Out);
        Assert.Contains("MAE", train.Out);
        // Progress goes to stderr (plain lines: the writer is not a terminal), one per tenth of the epochs at most.
        Assert.Contains("epoch 8/8", train.Err);
        Assert.DoesNotContain("r2dn: error", train.Err);
        Assert.DoesNotContain('\r', train.Err);
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
        var text = CliRunner.Run("evaluate", "--model", example.Model, "--data", example.Data, "--seasonality", "24", "--test-fraction", "0.2");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("seasonal naive", text.Out);
        Assert.Contains("Per step ahead", text.Out);
        Assert.Equal("", text.Err);

        var json = CliRunner.Run("evaluate", "--model", example.Model, "--data", example.Data, "--seasonality", "24", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var metrics = doc.RootElement.GetProperty("metrics");
        Assert.True(metrics.GetProperty("mae").GetDouble() > 0);
        Assert.True(metrics.GetProperty("seasonalNaive").GetProperty("mae").GetDouble() > 0);
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
            var f = line.Split(',').Skip(3).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.True(f[1] <= f[0] && f[0] <= f[2], line);
        }
        Assert.Equal(["unit-1", "unit-2"], lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().ToArray());

        // To stdout, fewer steps, and as JSON.
        var stdout = CliRunner.Run("forecast", "--model", example.Model, "--data", example.Data, "--horizon", "3");
        Assert.True(stdout.ExitCode == 0, stdout.ToString());
        Assert.Equal(1 + 2 * 3, stdout.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var json = CliRunner.Run("forecast", "--model", example.Model, "--data", example.Data, "--json", "--confidence", "0.8");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(24, doc.RootElement.GetProperty("forecasts").GetArrayLength());
    }

    [Fact]
    public void PlotWritesTheForecastChartAndTheTrainingCurve()
    {
        using var folder = CliRunner.TempFolder();
        var forecast = CliRunner.Run("plot", "--model", example.Model, "--data", example.Data, "--output", folder.File("plot.svg"), "--series", "unit-2");
        Assert.True(forecast.ExitCode == 0, forecast.ToString());
        string svg = File.ReadAllText(folder.File("plot.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Contains("95% interval", svg);
        Assert.Contains("unit-2", svg);

        var loss = CliRunner.Run("plot", "--loss", example.Model, "--output", folder.File("loss.svg"));
        Assert.True(loss.ExitCode == 0, loss.ToString());
        Assert.Contains("training loss", File.ReadAllText(folder.File("loss.svg")));

        var unknown = CliRunner.Run("plot", "--model", example.Model, "--data", example.Data, "--output", folder.File("x.svg"), "--series", "nope");
        CliRunner.AssertOneLineError(unknown, 2, "--series 'nope'");
    }

    [Fact]
    public void AWrongModelPathIsExitCodeTwoWithOneErrorLine()
    {
        using var folder = CliRunner.TempFolder();
        string missing = folder.File("missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("inspect", "--model", missing), 2, "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("evaluate", "--model", missing, "--data", example.Data), 2, "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("forecast", "--model", missing, "--data", example.Data), 2, "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("plot", "--loss", missing), 2, "missing.zip");
        CliRunner.AssertOneLineError(CliRunner.Run("inspect", "--model", folder.Path), 2, "folder");
        // A file that is not a model (here: the CSV).
        CliRunner.AssertOneLineError(CliRunner.Run("inspect", "--model", example.Data), 2, "not a model file");
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
}
