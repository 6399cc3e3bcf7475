using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>r2dn bench-simulation: argument errors, data sets that are not there, and the ARX baseline on a linear
/// system it must recover. The real runs (R2DN and REN on the benchmark files) are benchmarks, not tests.</summary>
public sealed class BenchSimulationCommandTests
{
    [Fact]
    public void InvalidArgumentsAreExitCodeTwoWithOneErrorLine()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("bench-simulation"), 2, "--data");
        CliRunner.AssertOneLineError(CliRunner.Run("bench-simulation", "--data", "silverbox"), 2,
                                     "--data must be one of cascaded-tanks, emps, f16 or all (got 'silverbox')");
        CliRunner.AssertOneLineError(CliRunner.Run("bench-simulation", "--data", "all", "--models", "r2dn,lstm"), 2,
                                     "--models takes r2dn, ren or none (got 'lstm')");
        CliRunner.AssertOneLineError(CliRunner.Run("bench-simulation", "--data", "emps", "--emps-decimation", "0"), 2,
                                     "--emps-decimation must be in [1, 100]");
        var huge = CliRunner.Run("bench-simulation", "--data", "emps", "--emps-decimation", "2147483647");
        CliRunner.AssertOneLineError(huge, 2, "--emps-decimation must be in [1, 100]");
        CliRunner.AssertOneLineError(CliRunner.Run("bench-simulation", "--data", "f16", "--bogus"), 2, "--bogus");
        using var folder = CliRunner.TempFolder();
        var noFolder = CliRunner.Run("bench-simulation", "--data", "all", "--data-dir", folder.File("nope"));
        CliRunner.AssertOneLineError(noFolder, 2, "is not a folder");
    }

    [Fact]
    public void MissingDataSetsAreSkippedSayingWhereToGetThem()
    {
        using var folder = CliRunner.TempFolder();
        var result = CliRunner.Run("bench-simulation", "--data", "all", "--data-dir", folder.Path, "--quiet");
        Assert.True(result.ExitCode == 0, result.ToString());
        var skipped = result.ErrLines;
        Assert.Equal(3, skipped.Length);
        Assert.StartsWith("cascaded-tanks: SKIPPED: ", skipped[0]);
        Assert.Contains(Path.Combine(folder.Path, "CascadedTanks", "dataBenchmark.csv"), skipped[0]);
        Assert.Contains("nonlinearbenchmark.org", skipped[0]);
        Assert.StartsWith("emps: SKIPPED: ", skipped[1]);
        Assert.Contains("DATA_EMPS_PULSES.csv", skipped[1]);
        Assert.StartsWith("f16: SKIPPED: ", skipped[2]);
        Assert.Contains("doi:10.4121/12954911", skipped[2]);
        Assert.Contains("F16Data_FullMSine_Level2_Validation.csv", skipped[2]);
        foreach (var key in new[] { "cascaded-tanks", "emps", "f16" })
            Assert.Contains(result.Out.Split('\n'), line => line.StartsWith(key, StringComparison.Ordinal)
                                                          && line.Contains("SKIPPED", StringComparison.Ordinal));

        var json = CliRunner.Run("bench-simulation", "--data", "f16", "--data-dir", folder.Path, "--json", "--quiet");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Contains("F16GVT", doc.RootElement.GetProperty("f16").GetProperty("skipped").GetString());
        Assert.False(doc.RootElement.TryGetProperty("emps", out _));
    }

    [Fact]
    public void TheArxBaselineRecoversALinearSystemAndIsScoredOnTheTestPart()
    {
        using var folder = CliRunner.TempFolder();
        WriteLinearTanks(folder.Path);
        var result = CliRunner.Run("bench-simulation", "--data", "cascaded-tanks", "--models", "none",
                                   "--data-dir", folder.Path, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("fitting ARX models", result.Err);
        using var doc = JsonDocument.Parse(result.Out);
        var set = doc.RootElement.GetProperty("cascaded-tanks");
        Assert.Equal(1024, set.GetProperty("estimation_rows").GetInt32());
        Assert.Equal(1024, set.GetProperty("test_rows").GetInt32());
        var arx = set.GetProperty("arx");
        // A noise-free second-order system: any order from 2 up fits it exactly, in simulation too (after the washout:
        // the simulation starts from the estimation mean, the system from zero).
        Assert.True(arx.GetProperty("na").GetInt32() >= 2, arx.ToString());
        Assert.True(arx.GetProperty("nrmse").GetDouble() < 1e-3, arx.ToString());
        Assert.True(arx.GetProperty("order_validation_nrmse").GetProperty("1").GetDouble() > 1e-2, arx.ToString());
        Assert.False(set.TryGetProperty("r2dn", out _));

        var table = CliRunner.Run("bench-simulation", "--data", "cascaded-tanks", "--models", "none",
                                  "--data-dir", folder.Path, "--quiet");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(table.Out.Split('\n'),
                        line => line.StartsWith("cascaded-tanks  arx", StringComparison.Ordinal));
        Assert.Equal("", table.Err);
    }

    [Fact]
    public void AMalformedDataFileIsExitCodeTwoNamingTheRow()
    {
        using var folder = CliRunner.TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "CascadedTanks"));
        File.WriteAllText(Path.Combine(folder.Path, "CascadedTanks", "dataBenchmark.csv"),
                          "\"uEst\",\"uVal\",\"yEst\",\"yVal\",\"Ts\",\n1,2,3,x,4,\n");
        var result = CliRunner.Run("bench-simulation", "--data", "cascaded-tanks", "--models", "none",
                                   "--data-dir", folder.Path);
        CliRunner.AssertOneLineError(result, 2,
                                     "column 'yVal' (a benchmark column) in dataBenchmark.csv is not numeric: " +
                                     "row 1 of dataBenchmark.csv (counting data rows from 1) holds 'x'");
    }

    // A file laid out as the Cascaded Tanks benchmark's, from y_t = 1.5 y_{t−1} − 0.7 y_{t−2} + 0.5 u_{t−1} +
    // 0.2 u_t + 3 driven by random steps, the test part by another input.
    private static void WriteLinearTanks(string dataFolder)
    {
        const int Rows = 1024;
        var random = new Random(7);
        double[] Input()
        {
            var u = new double[Rows];
            double level = 0;
            for (int t = 0; t < Rows; t++)
            {
                if (t % 16 == 0) level = 4 * random.NextDouble();
                u[t] = level;
            }
            return u;
        }
        double[] Output(double[] u)
        {
            var y = new double[Rows];
            for (int t = 0; t < Rows; t++)
                y[t] = (t >= 1 ? 1.5 * y[t - 1] + 0.5 * u[t - 1] : 0) - (t >= 2 ? 0.7 * y[t - 2] : 0) + 0.2 * u[t] + 3;
            return y;
        }
        double[] uEst = Input(), uVal = Input();
        double[] yEst = Output(uEst), yVal = Output(uVal);
        var text = new StringBuilder("\"uEst\",\"uVal\",\"yEst\",\"yVal\",\"Ts\",\n");
        for (int t = 0; t < Rows; t++)
            text.Append(CultureInfo.InvariantCulture,
                        $"{uEst[t]:R},{uVal[t]:R},{yEst[t]:R},{yVal[t]:R},{(t == 0 ? "4" : "")},\n");
        Directory.CreateDirectory(Path.Combine(dataFolder, "CascadedTanks"));
        File.WriteAllText(Path.Combine(dataFolder, "CascadedTanks", "dataBenchmark.csv"), text.ToString());
    }
}
