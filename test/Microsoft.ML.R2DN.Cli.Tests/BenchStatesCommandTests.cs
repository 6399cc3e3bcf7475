using System.Text.Json;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary><c>r2dn bench-states</c> (issue 20, item 4): the model file's size and its save and load times for several
/// numbers of series; the sizes grow with the number of series.</summary>
public sealed class BenchStatesCommandTests
{
    [Fact]
    public void BenchStates_SmallRun_ReportsEveryCountWithSizesThatGrowWithTheSeries()
    {
        var result = CliRunner.Run("bench-states", "--series", "1,20", "--lookback", "8", "--repeats", "1", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([1, 20], rows.Select(r => r.GetProperty("Series").GetInt32()));
        long one = rows[0].GetProperty("FileBytes").GetInt64(), twenty = rows[1].GetProperty("FileBytes").GetInt64();
        Assert.True(twenty > one, $"{twenty} bytes for 20 series, {one} for 1");
        Assert.All(rows, r => Assert.True(r.GetProperty("LoadMs").GetDouble() > 0));
    }

    [Fact]
    public void BenchStates_BadArguments_OneLineErrors()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("bench-states", "--series", "0"), 2, "--series");
        CliRunner.AssertOneLineError(CliRunner.Run("bench-states", "--lookback", "1"), 2, "--lookback");
        CliRunner.AssertOneLineError(CliRunner.Run("bench-states", "--repeats", "0"), 2, "--repeats");
    }
}
