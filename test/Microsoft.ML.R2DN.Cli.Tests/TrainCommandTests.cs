using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>r2dn train on CSV files: errors, several files, JSON output, simulation; and the top-level error
/// policy.</summary>
public sealed class TrainCommandTests
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // Small and fast: a few epochs of a small model.
    private static readonly string[] Fast = ["--epochs", "3", "--nx", "4", "--nv", "4", "--hidden", "8", "--quiet"];

    [Fact]
    public void AMalformedCsvIsExitCodeTwoWithOneErrorLine()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("bad.csv");
        File.WriteAllText(csv, "Step,Drive,Output\n0,1.0,2.0\n1,1.5\n2,1.0,2.0\n");
        var result = CliRunner.Run(["train", "--data", csv, "--label", "Output", "--output-dir", folder.Path, .. Fast]);
        CliRunner.AssertOneLineError(result, 2, "row 2 of bad.csv (counting data rows from 1): expected 3 fields");
        Assert.False(File.Exists(folder.File("r2dn-model.zip")));
    }

    [Fact]
    public void AnEmptyCsvAndAMissingFileAreExitCodeTwo()
    {
        using var folder = CliRunner.TempFolder();
        string empty = folder.File("empty.csv");
        File.WriteAllText(empty, "");
        CliRunner.AssertOneLineError(CliRunner.Run(["train", "--data", empty, "--label", "Output", .. Fast]), 2,
                                     "empty");
        var missing = CliRunner.Run(["train", "--data", folder.File("nope.csv"), "--label", "Output", .. Fast]);
        CliRunner.AssertOneLineError(missing, 2, "nope.csv");
    }

    [Fact]
    public void AMissingColumnIsExitCodeTwoNamingTheColumnsThereAre()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("data.csv");
        CliRunner.WriteSystemCsv(csv, 200, 1);
        var label = CliRunner.Run(["train", "--data", csv, "--label", "Load", .. Fast]);
        CliRunner.AssertOneLineError(label, 2, "column 'Load' (--label) is not in data.csv; its columns are: " +
                                               "Series, Step, Drive, Output.");
        var feature = CliRunner.Run(["train", "--data", csv, "--label", "Output", "--features", "Drive,Temperature",
                                     .. Fast]);
        CliRunner.AssertOneLineError(feature, 2, "'Temperature' (--features)");
        var text = CliRunner.Run(["train", "--data", csv, "--label", "Series", .. Fast]);
        CliRunner.AssertOneLineError(text, 2, "not numeric");
        var series = CliRunner.Run(["train", "--data", csv, "--label", "Output", "--series-id", "Unit", .. Fast]);
        CliRunner.AssertOneLineError(series, 2, "'Unit' (--series-id)");
    }

    [Fact]
    public void InvalidArgumentsAreExitCodeTwoWithOneErrorLine()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--bogus"), 2, "--bogus");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--example", "--model", "lstm"), 2,
                                     "--model must be one of r2dn, ren");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--example", "--gamma", "2"), 2,
                                     "--gamma applies to --robustness lipschitz only");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--example", "--test-fraction", "1.5"), 2,
                                     "--test-fraction");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--example", "--epochs", "0"), 2,
                                     "--epochs must be at least 1");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--label", "Output"), 2, "--data is required");
        CliRunner.AssertOneLineError(CliRunner.Run("evaluate", "--data", "x.csv"), 2, "'--model' is required");
        CliRunner.AssertOneLineError(CliRunner.Run("plot", "--output", "x.svg"), 2, "--model");
    }

    [Fact]
    public void AMissingValueIsExitCodeTwoNamingTheFileAndRowUnlessForwardFilled()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("gaps.csv");
        CliRunner.WriteSystemCsv(csv, 200, 1);
        var lines = File.ReadAllLines(csv);
        lines[10] = string.Join(',', lines[10].Split(',')[..3]) + ",";   // data row 10: Output missing
        File.WriteAllLines(csv, lines);
        var refused = CliRunner.Run(["train", "--data", csv, "--label", "Output", "--horizon", "4",
                                     "--output-dir", folder.Path, .. Fast]);
        CliRunner.AssertOneLineError(refused, 2, "column 'Output' (--label) has a missing value in row 10 of gaps.csv");
        var filled = CliRunner.Run(["train", "--data", csv, "--label", "Output", "--horizon", "4",
                                    "--missing-values", "forward-fill", "--output-dir", folder.Path, .. Fast]);
        Assert.True(filled.ExitCode == 0, filled.ToString());
    }

    [Fact]
    public void ASeriesTooShortForTheHorizonIsExitCodeTwo()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("short.csv");
        CliRunner.WriteSystemCsv(csv, 60, 1);
        var result = CliRunner.Run(["train", "--data", csv, "--label", "Output", "--series-id", "Series",
                                    "--horizon", "24", .. Fast]);
        CliRunner.AssertOneLineError(result, 2, "needs at least");
    }

    [Fact]
    public void SeveralFilesAreSeveralSeriesNamedByTheFileAndJsonParses()
    {
        using var folder = CliRunner.TempFolder();
        string a = folder.File("a.csv"), b = folder.File("b.csv");
        CliRunner.WriteSystemCsv(a, 300, 1, seed: 1, withSeriesColumn: false);
        CliRunner.WriteSystemCsv(b, 250, 1, seed: 2, withSeriesColumn: false);
        var result = CliRunner.Run(["train", "--data", a, b, "--label", "Output", "--features", "Drive",
                                    "--horizon", "6", "--output-dir", folder.Path, "--output", "multi.zip",
                                    "--plot", "multi.svg", "--json", .. Fast]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Out);
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(550, data.GetProperty("rows").GetInt32());
        Assert.Equal(2, data.GetProperty("series").GetInt32());
        Assert.Equal("File", data.GetProperty("seriesIdColumn").GetString());
        Assert.True(data.GetProperty("fileColumnAdded").GetBoolean());
        Assert.Equal(440, data.GetProperty("trainRows").GetInt32());   // 240 + 200: the first 80% of each file
        Assert.True(doc.RootElement.GetProperty("certificate").GetProperty("verified").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("model").GetProperty("parameterCount").GetInt32() > 0);
        Assert.Equal(6, doc.RootElement.GetProperty("metrics").GetProperty("horizon").GetInt32());
        Assert.True(File.Exists(folder.File("multi.zip")));
        Assert.True(File.Exists(folder.File("multi.svg")));

        // The model's series id is the file name: forecasting from either file or both gives one series per file.
        var one = CliRunner.Run("forecast", "--model", folder.File("multi.zip"), "--data", b);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.StartsWith("b.csv,Output,1,", one.Out.Split('\n')[1]);
        var both = CliRunner.Run("forecast", "--model", folder.File("multi.zip"), "--data", a, b);
        Assert.True(both.ExitCode == 0, both.ToString());
        var files = both.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]);
        Assert.Equal(["a.csv", "b.csv"], files.Distinct().ToArray());
    }

    [Fact]
    public void ASeriesIdThatAppearsInTwoFilesIsRefused()
    {
        using var folder = CliRunner.TempFolder();
        string a = folder.File("a.csv"), b = folder.File("b.csv");
        CliRunner.WriteSystemCsv(a, 100, 1, seed: 1);
        CliRunner.WriteSystemCsv(b, 100, 1, seed: 2);   // both files name their series "unit-1"
        var result = CliRunner.Run(["train", "--data", a, b, "--label", "Output", "--series-id", "Series",
                                    "--horizon", "4", .. Fast]);
        CliRunner.AssertOneLineError(result, 2,
                                     "series 'unit-1' (column 'Series', --series-id) appears in both a.csv and b.csv");
    }

    [Fact]
    public void SimulationTrainsEvaluatesAndPlots()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("system.csv");
        CliRunner.WriteSystemCsv(csv, 300, 2);
        var train = CliRunner.Run(["train", "--task", "simulation", "--data", csv, "--inputs", "Drive",
                                   "--outputs", "Output", "--series-id", "Series", "--washout", "10",
                                   "--output-dir", folder.Path, "--output", "sim.zip",
                                   "--plot", "sim.svg", "--loss-plot", "sim-loss.svg", .. Fast]);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("NRMSE", train.Out);
        // Robustness is left to the validation data: either certificate is fine, as long as it verifies.
        Assert.Matches("Certificate: (contracting|γ-Lipschitz) R2DN: .*verified: yes", train.Out);
        Assert.True(File.Exists(folder.File("sim.svg")));
        Assert.True(File.Exists(folder.File("sim-loss.svg")));

        var evaluate = CliRunner.Run("evaluate", "--model", folder.File("sim.zip"), "--data", csv, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        using var doc = JsonDocument.Parse(evaluate.Out);
        Assert.Equal("simulation", doc.RootElement.GetProperty("task").GetString());
        Assert.True(doc.RootElement.GetProperty("metrics").GetProperty("nrmse").GetDouble() > 0);

        var inspect = CliRunner.Run("inspect", "--model", folder.File("sim.zip"));
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("simulation", inspect.Out);
        Assert.Contains("OutputPredicted", inspect.Out);

        // 'forecast' with a simulator writes the outputs it simulates from the inputs of every row.
        var forecast = CliRunner.Run("forecast", "--model", folder.File("sim.zip"), "--data", csv,
                                     "--output", folder.File("simulated.csv"));
        Assert.True(forecast.ExitCode == 0, forecast.ToString());
        Assert.Contains("600 simulated rows", forecast.Out);
        var lines = File.ReadAllLines(folder.File("simulated.csv"));
        Assert.Equal("series,row,OutputPredicted", lines[0]);
        Assert.Equal(1 + 600, lines.Length);
        Assert.Equal(["unit-1", "1"], lines[1].Split(',')[..2]);
        Assert.Equal(["unit-2", "300"], lines[^1].Split(',')[..2]);
        Assert.All(lines.Skip(1), l => Assert.True(double.IsFinite(double.Parse(l.Split(',')[2], Invariant)), l));

        // The same numbers as ML.NET's own scoring of the loaded zip.
        var ml = new MLContext(seed: 0);
        var loaded = ml.Model.Load(folder.File("sim.zip"), out _);
        var view = ml.Data.LoadFromTextFile(csv,
        [
            new TextLoader.Column("Series", DataKind.String, 0), new TextLoader.Column("Step", DataKind.Single, 1),
            new TextLoader.Column("Drive", DataKind.Single, 2), new TextLoader.Column("Output", DataKind.Single, 3),
        ], separatorChar: ',', hasHeader: true);
        // The simulator's own output: fine alone.
        var simulated = loaded.Transform(view).GetColumn<float>("OutputPredicted").ToArray();
        Assert.Equal(simulated, lines.Skip(1).Select(l => float.Parse(l.Split(',')[2], Invariant)).ToArray());
        Assert.Equal(10, loaded.GetSimulator().Washout);

        var stdout = CliRunner.Run("forecast", "--model", folder.File("sim.zip"), "--data", csv, "--json");
        Assert.True(stdout.ExitCode == 0, stdout.ToString());
        using (var simJson = JsonDocument.Parse(stdout.Out))
        {
            Assert.Equal("simulation", simJson.RootElement.GetProperty("task").GetString());
            Assert.Equal(600, simJson.RootElement.GetProperty("simulated").GetArrayLength());
        }
        var horizon = CliRunner.Run("forecast", "--model", folder.File("sim.zip"), "--data", csv, "--horizon", "2");
        CliRunner.AssertOneLineError(horizon, 2, "--horizon applies to forecasting models");
        var plot = CliRunner.Run("plot", "--model", folder.File("sim.zip"), "--data", csv,
                                 "--output", folder.File("simplot.svg"));
        Assert.True(plot.ExitCode == 0, plot.ToString());
        Assert.Contains("simulated from the inputs", File.ReadAllText(folder.File("simplot.svg")));
    }

    [Fact]
    public void RenAndLipschitzModelsTrainWithTheirCertificate()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("data.csv");
        CliRunner.WriteSystemCsv(csv, 200, 1);
        var ren = CliRunner.Run("train", "--data", csv, "--label", "Output", "--features", "Drive", "--horizon", "4",
                                "--model", "ren", "--robustness", "lipschitz", "--gamma", "3", "--epochs", "2",
                                "--nx", "4", "--nv", "4", "--quiet", "--output-dir", folder.Path, "--json");
        Assert.True(ren.ExitCode == 0, ren.ToString());
        using var doc = JsonDocument.Parse(ren.Out);
        var certificate = doc.RootElement.GetProperty("certificate");
        Assert.Equal("lipschitz", certificate.GetProperty("property").GetString());
        Assert.Equal(3, certificate.GetProperty("gamma").GetDouble());
        Assert.Equal("REN", doc.RootElement.GetProperty("model").GetProperty("kind").GetString());
        var hidden = CliRunner.Run(["train", "--data", csv, "--label", "Output", "--model", "ren", "--hidden", "8"]);
        CliRunner.AssertOneLineError(hidden, 2, "--hidden");
    }

    [Fact]
    public void ProgressIsABarRedrawnInPlaceOnATerminalPlainLinesElsewhereAndOffWithQuiet()
    {
        using var folder = CliRunner.TempFolder();
        var terminal = CliRunner.Run(true, "train", "--example", "--epochs", "4", "--output-dir", folder.Path);
        Assert.True(terminal.ExitCode == 0, terminal.ToString());
        Assert.Contains("\u001b[", terminal.Err);   // Spectre.Console's live display, redrawn in place
        string shown = Regex.Replace(terminal.Err, @"\u001b\[[0-9;?]*[A-Za-z]", "");
        Assert.Contains("Training setting 1/", shown);
        Assert.Contains("  epoch 4/4: loss ", shown);   // each training's last epoch stays when its bar goes

        var plain = CliRunner.Run("train", "--example", "--epochs", "4", "--output-dir", folder.Path);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.DoesNotContain("\u001b", plain.Err);
        Assert.StartsWith("Training setting 1/", plain.ErrLines[0]);
        Assert.Contains(plain.ErrLines, l => l.StartsWith("epoch 4/4: loss ", StringComparison.Ordinal));

        var quiet = CliRunner.Run("train", "--example", "--epochs", "2", "--output-dir", folder.Path, "--quiet");
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.Equal("", quiet.Err);
    }

    [Fact]
    public void HelpListsTheCommandsAndTheExitCodes()
    {
        var help = CliRunner.Run("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "train", "evaluate", "forecast", "inspect", "plot", "export", "bench" })
            Assert.Contains(command, help.Out);
        Assert.Contains("130 cancelled", help.Out);
        Assert.Contains("2 invalid arguments or data", help.Out);
        var train = CliRunner.Run("train", "--help");
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("--example", train.Out);
        Assert.Contains("Exit codes", train.Out);
    }
}
