// ML.NET's bike-demand forecasting tutorial (ForecastBySsa) with R2DN: the rentals of each day come from a SQLite
// table through ml.Data.CreateDatabaseLoader, the first year trains the forecaster, the second year evaluates it, and
// the time-series engine forecasts the week after the last training day at once, as ML.NET's does.
//
//   dotnet run -c Release --project examples/BikeDemandForecast                 the real day.csv from ../shared/data
//   dotnet run -c Release --project examples/BikeDemandForecast -- train DAY.csv DIR
//                                            train on a day.csv-style file, write DIR/rentals.db and DIR/bike-r2dn.zip
//   dotnet run -c Release --project examples/BikeDemandForecast -- forecast DIR/bike-r2dn.zip
//                                            load the checkpoint in this (new) process and forecast the same week
//
// Exit codes: 0 done (or SKIPPED: no day.csv), 1 the reloaded forecast differs, 2 bad arguments.
using System.Diagnostics;
using System.Reflection;
using BikeDemandForecast;

return args switch
{
    [] => RunOnSharedData(),
    ["train", var csv, var dir] => Print(Tutorial.Train(csv, dir, Console.Out).Forecast),
    ["forecast", var checkpoint] => Print(Tutorial.ForecastFromCheckpoint(checkpoint)),
    _ => Usage(),
};

static int Print(ModelOutput forecast)
{
    Console.WriteLine("Rental forecast for the week after the training data:");
    foreach (var line in Tutorial.Lines(forecast)) Console.WriteLine(line);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: BikeDemandForecast [train DAY.csv DIR | forecast CHECKPOINT.zip]");
    return 2;
}

// The whole tutorial on the real data, then the checkpoint loaded again in a second process.
static int RunOnSharedData()
{
    string? csv = FindDayCsv();
    if (csv is null)
    {
        Console.WriteLine(
            "SKIPPED: ../shared/data/BikeSharing/day.csv is not present (see ../shared/data/SOURCES.md).");
        return 0;
    }
    string dir = Path.Combine(Path.GetTempPath(), $"bike-r2dn-{Environment.ProcessId}");
    var (_, forecast, checkpoint) = Tutorial.Train(csv, dir, Console.Out);
    Print(forecast);
    Console.WriteLine("-- a new process loads the checkpoint:");
    var (exit, output) = RunSelf("forecast", checkpoint);
    Console.Write(output);
    if (exit != 0) return exit;
    bool same = output.Contains(string.Join(Environment.NewLine, Tutorial.Lines(forecast)), StringComparison.Ordinal);
    Console.WriteLine(same ? "The new process forecast the same week, bit for bit."
                           : "DIFFERENT forecasts after reload.");
    return same ? 0 : 1;
}

static string? FindDayCsv()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", "BikeSharing", "day.csv");
            if (File.Exists(candidate)) return candidate;
        }
    return null;
}

static (int Exit, string Output) RunSelf(params string[] arguments)
{
    string host = Environment.ProcessPath!;
    var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
    foreach (var a in arguments) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    string output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return (process.ExitCode, output);
}
