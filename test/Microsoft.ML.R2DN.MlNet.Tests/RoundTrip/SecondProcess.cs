using System.Diagnostics;

namespace Microsoft.ML.R2DN.MlNet.Tests.RoundTrip;

/// <summary>Runs a console program this project references (the RoundTrip program, an example) in a new process: its
/// dll is copied beside the tests with its runtime configuration, so both processes run the same build of the
/// plugin.</summary>
internal static class SecondProcess
{
    private const string RoundTripProgram = "Microsoft.ML.R2DN.RoundTrip";

    /// <summary>Runs the RoundTrip program with <paramref name="args"/>.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string workingDirectory, params string[] args) =>
        RunProgram(RoundTripProgram, workingDirectory, args);

    /// <summary>Runs <c>dotnet &lt;program&gt;.dll args</c> and returns its exit code and output.</summary>
    public static (int Exit, string Stdout, string Stderr) RunProgram(string program, string workingDirectory,
                                                                      params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, program + ".dll");
        Assert.True(File.Exists(dll),
                    $"{dll} is missing: the test project references {program}, so building it builds that.");
        var start = new ProcessStartInfo(DotNetHost())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)
                            ?? throw new InvalidOperationException("The second process did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The second process ({string.Join(' ', args)}) ran for more than 3 minutes.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    // The dotnet CLI tells its children where it is (DOTNET_HOST_PATH); a test host started another way is itself
    // dotnet.
    private static string DotNetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        if (Environment.ProcessPath is { } path
            && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return path;
        return "dotnet";
    }
}
