using System.Diagnostics;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>Issue 23, item 3, in small: examples/ServingCluster with PostgreSQL, two silo processes, 1,000 series, a
/// kill -9 of one silo mid-run, and every series checked against the single-process run. Skipped (and says so) when
/// PostgreSQL cannot be started on this machine. In the PostgreSQL collection: never beside another test that recreates
/// the example's database.</summary>
[Collection("PostgreSQL")]
public sealed class RealClusterTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void ServingCluster_TwoSilosOnPostgres_KillOneMidRun_LosesNoUpdate()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ServingCluster.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "--series", "1000", "--observations", "16", "--silos", "2", "--kill-at", "8" })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "the example did not finish in 5 minutes");
        output.WriteLine(stdout);
        output.WriteLine(stderr.Result);
        Skip.If(process.ExitCode == 4, stdout.Trim());
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        Assert.Contains("lost updates: 0; series whose forecast differs from the single-process run: 0", stdout);
        Assert.Contains("kill -9 of silo 1", stdout);
    }
}
