namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>The option shapes the commands declare again and again, each written once: an option with a default,
/// <c>--json</c>, <c>--quiet</c> and the required model file.</summary>
/// <remarks>Each call makes a new option: System.CommandLine options belong to the command they are added to, so
/// commands never share one instance.</remarks>
internal static class CliOptions
{
    /// <summary>An option whose value is <paramref name="value"/> when it is not given (help shows it as
    /// <c>[default: value]</c>).</summary>
    public static Option<T> WithDefault<T>(string name, string description, T value) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };

    /// <summary><c>--json</c>: print one JSON object instead of <paramref name="insteadOf"/> ("a table",
    /// "tables", ...).</summary>
    public static Option<bool> Json(string insteadOf) =>
        new("--json") { Description = $"Print one JSON object instead of {insteadOf}" };

    /// <summary><c>--quiet</c> (and <c>-q</c> when <paramref name="shortAlias"/>): no progress on stderr, with what
    /// <paramref name="still"/> reports even then, if anything.</summary>
    public static Option<bool> Quiet(bool shortAlias = false, string still = "")
    {
        string description = "No progress on stderr" + (still.Length == 0 ? "" : $" ({still})");
        return shortAlias
            ? new("--quiet", "-q") { Description = description }
            : new("--quiet") { Description = description };
    }

    /// <summary><c>--model</c> / <c>-m</c>: the model file a command reads, required.</summary>
    public static Option<string> ModelFile(string description) =>
        new("--model", "-m") { Description = description, Required = true };
}
