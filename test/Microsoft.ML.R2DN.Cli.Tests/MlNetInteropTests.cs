using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>The CLI with models that applications save with ML.NET, its CSV loading, and Ctrl+C.</summary>
public sealed class MlNetInteropTests
{
    private static IDataView LoadSystemCsv(MLContext ml, string path) =>
        ml.Data.LoadFromTextFile(path,
        [
            new TextLoader.Column("Series", DataKind.String, 0), new TextLoader.Column("Step", DataKind.Single, 1),
            new TextLoader.Column("Drive", DataKind.Single, 2), new TextLoader.Column("Output", DataKind.Single, 3),
        ], separatorChar: ',', hasHeader: true);

    [Fact]
    public void AChainSavedByAnApplicationIsInspectedAndForecastThroughItsMlNetTransforms()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("system.csv"), path = folder.File("chain.zip");
        CliRunner.WriteSystemCsv(csv, 200, 2);
        var ml = new MLContext(seed: 1);
        var data = LoadSystemCsv(ml, csv);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Drive")
            .Append(ml.Forecasting.R2DN(new R2dnForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 4, FeatureColumnNames = ["Drive"],
                SeriesIdColumnName = "Series", ConfidenceLowerBoundColumn = "Lower",
                ConfidenceUpperBoundColumn = "Upper",
                Epochs = 2, StateSize = 4, NonlinearWidth = 4, HiddenSizes = [8],
            }));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, path);

        var inspect = CliRunner.Run("inspect", "--model", path);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("1 ML.NET transformer(s) before the R2DN", inspect.Out);
        Assert.Contains("Verified     yes", inspect.Out);

        // The CLI applies the normalisation before the forecaster: the same numbers as ML.NET scoring the loaded chain.
        var forecast = CliRunner.Run("forecast", "--model", path, "--data", csv);
        Assert.True(forecast.ExitCode == 0, forecast.ToString());
        var loaded = new MLContext(seed: 0).Model.Load(path, out _);
        var scored = ml.Data.CreateEnumerable<ScoredRow>(loaded.Transform(LoadSystemCsv(ml, csv)),
                                                         reuseRowObject: false).ToArray();
        var ids = scored.Select(r => r.Series).ToArray();
        var forecasts = scored.Select(r => r.Forecast).ToArray();
        var lines =
            forecast.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(2 * 4, lines.Length);
        foreach (var line in lines)
        {
            int last = Array.LastIndexOf(ids, line[0]);
            int step = int.Parse(line[2], CultureInfo.InvariantCulture);
            Assert.Equal(forecasts[last][step - 1], float.Parse(line[3], CultureInfo.InvariantCulture));
        }

        var evaluate = CliRunner.Run("evaluate", "--model", path, "--data", csv, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
    }

    [Fact]
    public void AnMlNetModelWithoutAnR2dnPartIsExitCodeTwo()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("system.csv"), path = folder.File("normalizer.zip");
        CliRunner.WriteSystemCsv(csv, 50, 1);
        var ml = new MLContext(seed: 0);
        var data = LoadSystemCsv(ml, csv);
        ml.Model.Save(ml.Transforms.NormalizeMeanVariance("Drive").Fit(data), data.Schema, path);
        CliRunner.AssertOneLineError(CliRunner.Run("inspect", "--model", path), 2,
                                     "holds no R2DN/REN forecaster or simulator");
    }

    [Fact]
    public void CancellingTrainingIsExitCode130AndSavesNoModel()
    {
        using var folder = CliRunner.TempFolder();
        // "Ctrl+C" as the first epoch is reported.
        var result =
            CliRunner.RunCancelledOn("epoch 1/", "train", "--example", "--epochs", "1000", "--output-dir", folder.Path);
        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Equal("r2dn: cancelled.", result.ErrLines[^1]);
        Assert.Equal("", result.Out);
        Assert.False(File.Exists(folder.File("r2dn-example.zip")));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public void QuotedFieldsAndWindowsLineEndingsAreRead()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("quoted.csv");
        var text = new System.Text.StringBuilder("\"Series\",\"Step\",\"Drive\",\"Output\"\r\n");
        foreach (var row in Samples.SampleData.NonlinearSystem(120, 2, 3))
            text.Append(CultureInfo.InvariantCulture,
                        $"\"plant, {row.Series}\",{row.Step},{row.Drive:R},{row.Output:R}\r\n");
        File.WriteAllText(csv, text.ToString());
        var train = CliRunner.Run("train", "--data", csv, "--label", "Output", "--features", "Drive", "--series-id",
                                  "Series", "--horizon", "3",
                                  "--epochs", "2", "--nx", "4", "--nv", "4", "--hidden", "8", "--quiet", "--output-dir",
                                      folder.Path, "--json");
        Assert.True(train.ExitCode == 0, train.ToString());
        using (var doc = JsonDocument.Parse(train.Out))
        {
            Assert.Equal(240, doc.RootElement.GetProperty("data").GetProperty("rows").GetInt32());
            Assert.Equal(2, doc.RootElement.GetProperty("data").GetProperty("series").GetInt32());
        }
        var forecast = CliRunner.Run("forecast", "--model", folder.File("r2dn-model.zip"), "--data", csv);
        Assert.True(forecast.ExitCode == 0, forecast.ToString());
        Assert.StartsWith("\"plant, unit-1\",Output,1,", forecast.Out.Split('\n')[1]);
    }

    [Fact]
    public void CsvErrorsNameTheFileAndLine()
    {
        using var folder = CliRunner.TempFolder();
        string a = folder.File("a.csv"), b = folder.File("b.csv"), open = folder.File("open.csv");
        CliRunner.WriteSystemCsv(a, 50, 1);
        CliRunner.WriteSystemCsv(b, 50, 1, withSeriesColumn: false);
        File.WriteAllText(open, "Step,Output\n0,1\n1,\"2\n2,3\n");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--data", a, b, "--label", "Output", "--quiet"), 2,
                                     "b.csv: the header (Step,Drive,Output) differs from the header of a.csv");
        CliRunner.AssertOneLineError(CliRunner.Run("train", "--data", open, "--label", "Output", "--quiet"), 2,
                                     "open.csv line 3: a quoted field is not terminated");
    }
}
