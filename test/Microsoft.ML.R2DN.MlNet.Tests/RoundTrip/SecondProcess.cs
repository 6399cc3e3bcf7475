using System.Diagnostics;
using System.Security.Cryptography;

namespace Microsoft.ML.R2DN.MlNet.Tests.RoundTrip;

/// <summary>Runs the RoundTrip console program (test/Microsoft.ML.R2DN.RoundTrip) in a new process.</summary>
internal static class SecondProcess
{
    private const string ProgramName = "Microsoft.ML.R2DN.RoundTrip";

    /// <summary>The program's dll: built beside this project, in the same configuration and target framework
    /// (test/Microsoft.ML.R2DN.RoundTrip/bin/&lt;configuration&gt;/&lt;tfm&gt;/). Fails the test clearly when it is missing
    /// or was built against another build of the plugin.</summary>
    public static string ProgramPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        string tfm = output.Name, configuration = output.Parent!.Name;
        string testRoot = output.Parent!.Parent!.Parent!.Parent!.FullName;   // .../test
        string folder = Path.Combine(testRoot, ProgramName, "bin", configuration, tfm);
        string dll = Path.Combine(folder, ProgramName + ".dll");
        if (!File.Exists(dll))
            Assert.Fail($"The RoundTrip console program is not built: {dll} is missing. Build it with " +
                        $"`dotnet build test/{ProgramName}/{ProgramName}.csproj -c {configuration}` (building this test project " +
                        "with its project references builds it too).");
        foreach (var shared in new[] { "Microsoft.ML.R2DN.dll", "Microsoft.ML.R2DN.Engine.dll" })
        {
            string mine = Path.Combine(AppContext.BaseDirectory, shared), theirs = Path.Combine(folder, shared);
            if (!File.Exists(theirs) || !Hash(mine).SequenceEqual(Hash(theirs)))
                Assert.Fail($"The RoundTrip program at {folder} was built against another build of {shared} than this test: rebuild " +
                            $"test/{ProgramName} so that both processes run the same plugin.");
        }
        return dll;
    }

    /// <summary>Runs <c>dotnet &lt;program&gt; args</c> and returns its exit code and output.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(DotNetHost())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(ProgramPath());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The second process did not start.");
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

    // The dotnet CLI tells its children where it is (DOTNET_HOST_PATH); a test host started another way is itself dotnet.
    private static string DotNetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return path;
        return "dotnet";
    }

    private static byte[] Hash(string path) => SHA256.HashData(File.ReadAllBytes(path));
}
