using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.R2DN.Orleans;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace ServingCluster;

/// <summary>A silo as a separate process on loopback (this program with the "silo" command), and the silo
/// itself.</summary>
public sealed class SiloProcess : IDisposable
{
    public const string ClusterId = "r2dn-serving";

    private readonly Process _process;

    private SiloProcess(Process process, int index)
    {
        _process = process;
        Index = index;
    }

    public int Index { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts silo <paramref name="index"/> (ports 11111 + index and 30000 + index) and waits until it has
    /// joined the cluster.</summary>
    public static SiloProcess Start(int index, string modelPath)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            info.ArgumentList.Add(typeof(SiloProcess).Assembly.Location);
        foreach (var a in new[] { "silo", index.ToString(CultureInfo.InvariantCulture), modelPath })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "READY") ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Console.Error.WriteLine($"[silo {index}] {e.Data}");
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(90)) || process.HasExited)
            throw new InvalidOperationException($"Silo {index} did not start.");
        return new SiloProcess(process, index);
    }

    /// <summary>The silo's resident memory (VmRSS), in MB.</summary>
    public double ResidentMegabytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                                    CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }

    /// <summary>kill -9 of the silo's process: no shutdown, no last write.</summary>
    public void KillHard()
    {
        using var kill = Process.Start("kill", ["-9", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    /// <summary>The silo: ADO.NET clustering and grain storage on PostgreSQL, the model served with
    /// AddR2dnForecasting, membership tuned to declare a dead silo within a few seconds.</summary>
    public static async Task<int> RunAsync(int index, string modelPath)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ClusterId; });
            silo.ConfigureEndpoints(IPAddress.Loopback, 11111 + index, 30000 + index);
            silo.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = Postgres.ConnectionString; });
            // The states are already compact bytes: Orleans' binary serializer stores them as they are (the default,
            // JSON, would write them as base64 text).
            silo.AddAdoNetGrainStorage(R2dnServingOptions.DefaultStorageName,
                storage => storage.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = Postgres.ConnectionString;
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            silo.Configure<ClusterMembershipOptions>(Membership);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            silo.AddR2dnForecasting(modelPath);
        });
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("READY");
        await host.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>A silo that misses two probes of one second is declared dead by one vote (the defaults take about
    /// 30 s, for clusters on real networks).</summary>
    public static void Membership(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
    }
}
