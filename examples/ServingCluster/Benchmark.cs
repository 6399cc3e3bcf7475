using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.R2DN.Orleans;
using Orleans.Configuration;

namespace ServingCluster;

/// <summary>What one run measured.</summary>
public sealed record RunResult(int Silos, long Acknowledged, double Seconds, double P50Ms, double P99Ms,
                               double[] SiloMegabytes, double? RecoverySeconds, int Retried, long LostUpdates,
                               int Mismatches)
{
    public double Throughput => Acknowledged / Seconds;
}

/// <summary>One run: a fresh database, the silos, a client that drives every series through its observations (step
/// by step, <see cref="Concurrency"/> calls in flight), optionally a kill -9 of one silo mid-run, and the check of
/// every series against the uninterrupted single-process run.</summary>
public sealed class Benchmark(string folder, int series, int observations, int silos, int? killAt, TextWriter log)
{
    public const int Concurrency = 128;

    private readonly ConcurrentBag<double> _latencies = [];
    private readonly string[] _ids = Enumerable.Range(0, series).Select(Workload.SeriesId).ToArray();
    private long _killedAt = -1, _lastRecovered = -1;
    private int _retried;

    public async Task<RunResult> RunAsync()
    {
        string model = Path.Combine(folder, "model.zip");
        if (!File.Exists(model)) Workload.TrainModel(model);
        Postgres.CreateDatabase(Postgres.SchemaScript);
        var processes = Enumerable.Range(0, silos).Select(i => SiloProcess.Start(i, model)).ToList();
        try
        {
            using var client = await ConnectAsync();
            var forecasting = client.Services.GetRequiredService<IR2dnForecastingClient>();
            var clock = Stopwatch.StartNew();
            double[] memory = [];
            for (int t = 0; t < observations; t++)
            {
                if (t == killAt) memory = await StepWithKillAsync(forecasting, t, processes);
                else await StepAsync(forecasting, t, _ids);
                if (t % 10 == 9) log.WriteLine($"  step {t + 1}/{observations}: {clock.Elapsed.TotalSeconds:F1} s");
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (memory.Length == 0) memory = processes.Select(p => p.ResidentMegabytes()).ToArray();
            var (lost, mismatches) = await CheckAsync(forecasting, model);
            var sorted = _latencies.Order().ToArray();
            double? recovery = _killedAt < 0 ? null : (_lastRecovered - _killedAt) / (double)Stopwatch.Frequency;
            return new RunResult(silos, (long)series * observations, seconds, Percentile(sorted, 0.5),
                                 Percentile(sorted, 0.99), memory, recovery, _retried, lost, mismatches);
        }
        finally
        {
            foreach (var p in processes) p.Dispose();
        }
    }

    private static async Task<IHost> ConnectAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(c =>
        {
            c.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = SiloProcess.ClusterId;
                o.ServiceId = SiloProcess.ClusterId;
            });
            c.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = Postgres.ConnectionString; });
            c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            c.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
        });
        builder.Services.AddR2dnForecastingClient();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    // Half of the step's series, then kill -9 of the last silo while the other half is in flight.
    private async Task<double[]> StepWithKillAsync(IR2dnForecastingClient client, int t, List<SiloProcess> processes)
    {
        var memory = processes.Select(p => p.ResidentMegabytes()).ToArray();
        await StepAsync(client, t, _ids[..(_ids.Length / 2)]);
        var rest = StepAsync(client, t, _ids[(_ids.Length / 2)..]);
        await Task.Delay(50);
        var victim = processes[^1];
        Interlocked.Exchange(ref _killedAt, Stopwatch.GetTimestamp());
        victim.KillHard();
        log.WriteLine($"  kill -9 of silo {victim.Index} (pid {victim.ProcessId}) at step {t + 1}, mid-step");
        await rest;
        return memory;
    }

    private async Task StepAsync(IR2dnForecastingClient client, int t, string[] ids)
    {
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (id, _) =>
        {
            var observation = Workload.Observation(Workload.Row(id, t));
            for (int attempt = 0; ; attempt++)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    // expectedSteps makes the retry of an update that was stored but whose reply was lost a no-op.
                    await client.ObserveAsync(id, observation, expectedSteps: t);
                    if (attempt == 0) _latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    else Recovered();
                    return;
                }
                catch (Exception) when (attempt < 100 && Interlocked.Read(ref _killedAt) > 0)
                {
                    if (attempt == 0) Interlocked.Increment(ref _retried);
                    await Task.Delay(200);
                }
            }
        });
    }

    private void Recovered()
    {
        long now = Stopwatch.GetTimestamp(), seen;
        while ((seen = Interlocked.Read(ref _lastRecovered)) < now
               && Interlocked.CompareExchange(ref _lastRecovered, now, seen) != seen)
        {
        }
    }

    // Every series' step count and forecast against the single-process engine that saw the same rows without a fault.
    private async Task<(long Lost, int Mismatches)> CheckAsync(IR2dnForecastingClient client, string model)
    {
        var expected = Workload.SingleProcess(model, _ids, observations);
        long lost = 0;
        int mismatches = 0;
        foreach (var chunk in _ids.Chunk(1000))
        {
            var results = await client.ForecastManyAsync(chunk);
            foreach (var r in results)
            {
                var e = expected[r.SeriesId];
                if (r.Forecast is not { } f) { lost += observations; mismatches++; continue; }
                lost += Math.Max(0, observations - f.Steps);
                bool same = f.Forecast.SequenceEqual(e.Forecast) && f.Lower!.SequenceEqual(e.Lower)
                            && f.Upper!.SequenceEqual(e.Upper);
                if (!same) mismatches++;
            }
        }
        return (lost, mismatches);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
