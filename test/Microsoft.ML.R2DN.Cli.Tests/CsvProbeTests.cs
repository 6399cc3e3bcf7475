using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>The CSV files <c>r2dn train</c> refuses, each with one clear error line naming the file and the row, line
/// or column; and the ones it reads as they are meant (a byte-order mark, Windows line ends, blank lines, quotes,
/// spaces).</summary>
public sealed class CsvProbeTests
{
    private static readonly string[] Fast =
        ["--label", "Output", "--features", "Drive", "--horizon", "2", "--epochs", "1", "--nx", "2", "--nv", "2",
         "--hidden", "4", "--quiet"];

    [Theory]
    [InlineData("empty", "", "empty.csv is empty: expected a header line naming the columns")]
    [InlineData("header-only", "", "empty")]
    [InlineData("text", "2,abc,0.5", "column 'Drive' (--features) in text.csv is not numeric: row 3 of text.csv " +
                                     "(counting data rows from 1) holds 'abc'")]
    [InlineData("short-row", "2,0.5", "row 3 of short-row.csv (counting data rows from 1): expected 3 fields " +
                                      "(Step,Drive,Output), found 2.")]
    [InlineData("long-row", "2,0.5,1,7", "row 3 of long-row.csv (counting data rows from 1): expected 3 fields " +
                                         "(Step,Drive,Output), found 4.")]
    [InlineData("nan", "2,0.5,NaN", "column 'Output' (--label) has a missing value in row 3 of nan.csv")]
    [InlineData("inf", "2,0.5,-Infinity", "column 'Output' (--label) has an infinite value (-Infinity) in row 3")]
    [InlineData("huge", "2,1e400,0.5", "column 'Drive' (--features) has an infinite value (Infinity) in row 3")]
    [InlineData("open-quote", "2,\"0.5,1", "open-quote.csv line 4: a quoted field is not terminated")]
    [InlineData("bad-quote", "2,\"0.5\"x,1", "bad-quote.csv is not well-formed CSV: ")]
    [InlineData("twice", "", "twice.csv: the header names column 'Drive' twice.")]
    public void AMalformedCsvIsOneClearError(string name, string change, string expected)
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File(name + ".csv");
        File.WriteAllText(csv, name switch
        {
            "empty" => "",
            "header-only" => "Step,Drive,Output\n",
            "twice" => "Step,Drive,Drive\n" + Rows(0, 40),
            _ => Csv(40, 2, change),
        });
        var result = CliRunner.Run(["train", "--data", csv, "--output-dir", folder.Path, .. Fast]);
        CliRunner.AssertOneLineError(result, 2, expected);
    }

    [Fact]
    public void AByteOrderMarkWindowsLineEndsBlankLinesQuotesAndSpacesAreRead()
    {
        using var folder = CliRunner.TempFolder();
        string csv = folder.File("windows.csv");
        string rows = Rows(0, 40).Replace("\n5,", "\n\n 5 ,", StringComparison.Ordinal);
        string text = "\"Step\", \"Drive\" ,Output\n" + rows;
        File.WriteAllText(csv, text.Replace("\n", "\r\n", StringComparison.Ordinal), new UTF8Encoding(true));
        var result = CliRunner.Run(["train", "--data", csv, "--output-dir", folder.Path, "--json", .. Fast]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(40, doc.RootElement.GetProperty("data").GetProperty("rows").GetInt32());
    }

    // A header and `rows` rows, with row `at` (0-based) replaced by `change`.
    private static string Csv(int rows, int at, string change)
    {
        var lines = Rows(0, rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[at] = change;
        return "Step,Drive,Output\n" + string.Join('\n', lines) + "\n";
    }

    private static string Rows(int first, int rows)
    {
        var text = new StringBuilder();
        for (int t = first; t < first + rows; t++)
            text.Append(CultureInfo.InvariantCulture, $"{t},{Math.Sin(t / 3.0):R},{Math.Cos(t / 5.0):R}\n");
        return text.ToString();
    }
}
