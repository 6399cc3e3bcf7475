using System.Diagnostics;

namespace ServingCluster;

/// <summary>The local PostgreSQL the example uses: the Debian package's cluster started with pg_ctlcluster, a database
/// and a user of the example's, and the schema the Orleans ADO.NET providers query (sql/r2dn-orleans-schema.sql,
/// written for this project). Needs root (or the postgres user) to create the database and the user.</summary>
public static class Postgres
{
    public const string Database = "r2dn_serving";
    public const string User = "r2dn";
    private const string Password = "r2dn-example";

    /// <summary>The connection string of the example's database (on 127.0.0.1:5432).</summary>
    public static string ConnectionString =>
        $"Host=127.0.0.1;Port=5432;Database={Database};Username={User};Password={Password};Pooling=true;" +
        "Maximum Pool Size=25";   // 3 silos x 25 stay under PostgreSQL's default max_connections (100)

    /// <summary>Starts the local cluster if it is down; null when PostgreSQL answers, else why not.</summary>
    public static string? Start()
    {
        if (!File.Exists("/usr/bin/pg_lsclusters"))
            return "PostgreSQL is not installed (apt-get install -y postgresql)";
        var cluster = Run("pg_lsclusters", "-h").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault();
        if (cluster is null) return "pg_lsclusters lists no PostgreSQL cluster";
        var parts = cluster.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 3 && parts[3] != "online")
        {
            var start = Run("pg_ctlcluster", $"{parts[0]} {parts[1]} start");
            if (start.Code != 0) return $"pg_ctlcluster {parts[0]} {parts[1]} start failed: {start.Output.Trim()}";
        }
        for (int i = 0; i < 30; i++)
        {
            if (Run("pg_isready", "-q -h 127.0.0.1 -p 5432").Code == 0) return null;
            Thread.Sleep(500);
        }
        return "PostgreSQL does not answer on 127.0.0.1:5432";
    }

    /// <summary>The schema script (tables and the providers' queries), beside the program.</summary>
    public static string SchemaScript => Path.Combine(AppContext.BaseDirectory, "sql", "r2dn-orleans-schema.sql");

    /// <summary><see cref="CreateDatabase"/>; null when it worked, else why not (not root, no psql, …).</summary>
    public static string? TryCreateDatabase()
    {
        try
        {
            CreateDatabase(SchemaScript);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    /// <summary>A new, empty database for the example (an earlier one is dropped), with the clustering and grain
    /// storage schema of <paramref name="schemaScript"/>.</summary>
    /// <exception cref="InvalidOperationException">A step failed; the message has psql's output.</exception>
    public static void CreateDatabase(string schemaScript)
    {
        AsPostgres($"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{User}') THEN " +
                   $"CREATE ROLE {User} LOGIN PASSWORD '{Password}'; END IF; END$$;");
        AsPostgres($"DROP DATABASE IF EXISTS {Database} WITH (FORCE);");
        AsPostgres($"CREATE DATABASE {Database} OWNER {User};");
        string url = $"postgresql://{User}:{Password}@127.0.0.1:5432/{Database}";
        Check(Run("psql", ["-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url, "-f", schemaScript]),
              $"psql -f {Path.GetFileName(schemaScript)}");
        // The drop ended every connection to the old database: this process's pooled ones must not be reused.
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    private static void AsPostgres(string sql) =>
        Check(Run("runuser", ["-u", "postgres", "--", "psql", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]),
              "psql as postgres");

    private static void Check((int Code, string Output) result, string what)
    {
        if (result.Code != 0) throw new InvalidOperationException($"{what} failed: {result.Output.Trim()}");
    }

    private static (int Code, string Output) Run(string file, string arguments) =>
        Run(file, arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static (int Code, string Output) Run(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (127, $"{file}: {e.Message}");
        }
    }
}
