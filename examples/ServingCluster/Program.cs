// Serving many series on a real Orleans cluster, on this machine: PostgreSQL 15 for membership and grain storage
// (ADO.NET providers), silos as separate processes on loopback, a client that drives every series through its
// observations, a kill -9 of one silo mid-run, and every series' forecast afterwards compared, bit for bit, with an
// uninterrupted single-process ForecastingEngine run.
//
//   dotnet run -c Release --project examples/ServingCluster
//        10,000 series x 100 observations on 3 silos, the last one killed at step 50
//   dotnet run -c Release --project examples/ServingCluster -- --series 1000 --observations 20 --silos 2 --kill-at 10
//   dotnet run -c Release --project examples/ServingCluster -- --scaling --series 2000 --observations 20
//        the same load on 1, 2 and 3 silos, no kill
//
// Needs the Debian postgresql package (apt-get install -y postgresql) and root, to start the cluster and create the
// example's database (r2dn_serving) and user (r2dn). Exit codes: 0 done, every acknowledged update kept and every
// forecast equal; 1 an update lost or a forecast different; 2 bad arguments; 4 SKIPPED: PostgreSQL unavailable.
using System.Globalization;
using ServingCluster;

if (args is ["silo", var index, var model])
    return await SiloProcess.RunAsync(int.Parse(index, CultureInfo.InvariantCulture), model);

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: ServingCluster [--series N] [--observations N] [--silos 1-3] " +
                            "[--kill-at STEP | --no-kill] [--scaling]");
    return 2;
}
if ((Postgres.Start() ?? Postgres.TryCreateDatabase()) is { } why)
{
    Console.WriteLine($"SKIPPED: PostgreSQL could not be started ({why}).");
    return 4;
}
string folder = Directory.CreateTempSubdirectory("r2dn-serving-").FullName;
int[] siloCounts = options.Scaling ? [1, 2, 3] : [options.Silos];
bool ok = true;
foreach (int silos in siloCounts)
{
    int? kill = options.Scaling || silos < 2 ? null : options.KillStep;
    Console.WriteLine($"== {options.Series:N0} series x {options.Observations} observations, {silos} silo(s)" +
                      (kill is int k ? $", kill -9 of one silo at step {k + 1}" : ""));
    var r = await new Benchmark(folder, options.Series, options.Observations, silos, kill, Console.Out).RunAsync();
    Report.Print(r, Console.Out);
    ok &= r.LostUpdates == 0 && r.Mismatches == 0;
}
return ok ? 0 : 1;

/// <summary>The command line.</summary>
internal sealed record Options(int Series, int Observations, int Silos, int? KillAt, bool Scaling, bool NoKill = false)
{
    /// <summary>The step at which a silo is killed: the one given, else the middle of the run; null for none.</summary>
    public int? KillStep => NoKill ? null : KillAt ?? (Observations - 1) / 2;

    public static Options? Parse(string[] args)
    {
        var o = new Options(10_000, 100, 3, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string? next = i + 1 < args.Length ? args[i + 1] : null;
            int Number() =>
                int.TryParse(next, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : -1;
            o = args[i] switch
            {
                "--series" => o with { Series = Number() },
                "--observations" => o with { Observations = Number() },
                "--silos" => o with { Silos = Number() },
                "--kill-at" => o with { KillAt = Number() - 1 },
                "--no-kill" => o with { NoKill = true },
                "--scaling" => o with { Scaling = true },
                _ => o with { Series = -1 },
            };
            if (args[i] is "--series" or "--observations" or "--silos" or "--kill-at") i++;
        }
        bool valid = o.Series > 0 && o.Observations > 0 && o.Silos is >= 1 and <= 3
                     && (o.KillAt is null || o.KillAt >= 0 && o.KillAt < o.Observations);
        return valid ? o : null;
    }
}
