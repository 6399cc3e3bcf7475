using System.Globalization;
using System.Text;
using R2dnCli = Microsoft.ML.R2DN.Cli.Commands.Cli;

namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>The result of one in-process <c>r2dn</c> run.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs <c>r2dn</c> in-process through <see cref="R2dnCli.Run"/> with captured writers.</summary>
public static class CliRunner
{
    public static CliResult Run(params string[] args) => Run(false, args);

    /// <summary>Runs with stderr treated as a terminal when <paramref name="terminal"/> is true.</summary>
    public static CliResult Run(bool terminal, params string[] args) => Run(terminal, CancellationToken.None, args);

    /// <summary>Runs with <paramref name="cancellation"/> standing for Ctrl+C.</summary>
    public static CliResult Run(CancellationToken cancellation, params string[] args) => Run(false, cancellation, args);

    /// <summary>Runs, standing for Ctrl+C as soon as stderr receives text that
    /// contains <paramref name="trigger"/>.</summary>
    public static CliResult RunCancelledOn(string trigger, params string[] args)
    {
        using var cancel = new CancellationTokenSource();
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new TriggerWriter(trigger, cancel);
        int code = R2dnCli.Run(args, output, error, false, cancel.Token);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private static CliResult Run(bool terminal, CancellationToken cancellation, string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = R2dnCli.Run(args, output, error, terminal, cancellation);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    // A string writer that cancels when the text written contains a trigger.
    private sealed class TriggerWriter(string trigger, CancellationTokenSource cancel)
        : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void Write(char value)
        {
            base.Write(value);
            Check();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            Check();
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            Check();
        }

        private void Check()
        {
            if (!cancel.IsCancellationRequested && ToString().Contains(trigger, StringComparison.Ordinal))
                cancel.Cancel();
        }
    }

    /// <summary>Asserts a failed run: <paramref name="exitCode"/> and exactly one stderr line, "r2dn: error:
    /// ...".</summary>
    public static void AssertOneLineError(CliResult result, int exitCode, string? contains = null)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var lines = result.ErrLines;
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("r2dn: error: ", lines[0]);
        Assert.DoesNotContain("   at ", result.Err);   // no stack trace
        if (contains is not null) Assert.Contains(contains, lines[0]);
    }

    /// <summary>A fresh temporary folder, deleted with the returned object.</summary>
    public static TempFolder TempFolder() => new();

    /// <summary>Writes a CSV of the example system (Series, Step, Drive, Output) with <paramref name="series"/>
    /// series.</summary>
    public static void WriteSystemCsv(string path, int length, int series, int seed = 1, bool withSeriesColumn = true)
    {
        var text = new StringBuilder(withSeriesColumn ? "Series,Step,Drive,Output\n" : "Step,Drive,Output\n");
        foreach (var row in Samples.SampleData.NonlinearSystem(length, series, seed))
            text.Append(withSeriesColumn ? row.Series + "," : "")
                .Append(CultureInfo.InvariantCulture, $"{row.Step},{row.Drive:R},{row.Output:R}\n");
        File.WriteAllText(path, text.ToString());
    }
}

public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "r2dn-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
