using System.Globalization;

namespace ServingCluster;

/// <summary>Prints a run's figures.</summary>
public static class Report
{
    public static void Print(RunResult r, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"throughput: {r.Throughput:F0} observations/s ") +
                         string.Create(c, $"({r.Acknowledged:N0} acknowledged in {r.Seconds:F1} s)"));
        output.WriteLine(string.Create(c, $"Observe latency: p50 {r.P50Ms:F2} ms, p99 {r.P99Ms:F2} ms ") +
                         $"({Benchmark.Concurrency} calls in flight)");
        var memory = r.SiloMegabytes.Select((m, i) => string.Create(c, $"silo {i} {m:F0} MB"));
        output.WriteLine("memory per silo (RSS): " + string.Join(", ", memory));
        if (r.RecoverySeconds is double s)
            output.WriteLine(string.Create(c, $"recovery: {s:F1} s from the kill to the last retried update ") +
                             $"acknowledged ({r.Retried} updates retried)");
        output.WriteLine($"lost updates: {r.LostUpdates}; series whose forecast differs from the single-process run: " +
                         r.Mismatches.ToString(c));
    }
}
