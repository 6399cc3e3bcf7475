using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>r2dn bench-forecast: range checks on every size, and the baselines on a short series. The R2DN and REN
/// runs on the benchmark files are benchmarks, not tests.</summary>
public sealed class BenchForecastCommandTests
{
    [Fact]
    public void SizesAreRangeCheckedBeforeAnythingRuns()
    {
        static void Refused(string message, params string[] args) =>
            CliRunner.AssertOneLineError(CliRunner.Run(["bench-forecast", "--example", "random-walk", .. args]), 2,
                                         message);
        Refused("--horizon must be in [1, 100000] (got 2147483647)", "--horizon", "2147483647");
        Refused("--horizon must be in [1, 100000]", "--horizon", "-5");
        Refused("--lookback must be in [2, 100000] (got 1)", "--horizon", "4", "--lookback", "1");
        Refused("--seasonality must be in [1, 100000]", "--horizon", "4", "--seasonality", "0");
        Refused("--protocol must be ltsf or rolling", "--horizon", "4", "--protocol", "daily");
    }

    [Fact]
    public void RollingDefaultLookbackIsAThirdOfTheFirstFoldsTrainingRows()
    {
        // 150 monthly-like rows: the first rolling fold trains on 90, so the ridge baseline regresses on 30 lags, not
        // on the ltsf protocol's 336 (more lags than such a series has windows).
        using var folder = CliRunner.TempFolder();
        var csv = new StringBuilder("month,value\n");
        for (int t = 0; t < 150; t++)
            csv.Append(CultureInfo.InvariantCulture, $"{t},{10 + 0.1 * t + 3 * Math.Sin(2 * Math.PI * t / 12):F4}\n");
        File.WriteAllText(folder.File("short.csv"), csv.ToString());
        var result = CliRunner.Run("bench-forecast", "--protocol", "rolling", "--data", folder.File("short.csv"),
                                   "--horizon", "6", "--models", "none", "--json", "--quiet");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(30, doc.RootElement.GetProperty("lookback").GetInt32());
        double linear = doc.RootElement.GetProperty("linear").GetProperty("mse").GetDouble();
        double seasonal = doc.RootElement.GetProperty("seasonal_naive").GetProperty("mse").GetDouble();
        double repeat = doc.RootElement.GetProperty("repeat").GetProperty("mse").GetDouble();
        // A trend plus a clean season: the ridge on 30 lags beats both naive baselines by far.
        Assert.True(linear < 0.1 * Math.Min(seasonal, repeat), result.Out);
    }

    [Fact]
    public void OnTheBuiltInRandomWalk_R2dnWithDefaults_IsWithinOnePercentOfRepeatingTheLastValue()
    {
        // The target on the built-in example (about 6 s of training): the ridge path fits the noise of its 336
        // lags (test MSE 0.327 against 0.282), and a correction can beat the path on the held-out rows yet still lose
        // to repeating the last value, so what is kept must also beat the naive forecast by more than its noise.
        var result = CliRunner.Run("bench-forecast", "--protocol", "ltsf", "--example", "random-walk",
                                   "--horizon", "96", "--models", "r2dn", "--json", "--quiet");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Out);
        double r2dn = doc.RootElement.GetProperty("r2dn").GetProperty("mse").GetDouble();
        double repeat = doc.RootElement.GetProperty("repeat").GetProperty("mse").GetDouble();
        Assert.True(r2dn <= 1.01 * repeat, result.Out);
    }
}
