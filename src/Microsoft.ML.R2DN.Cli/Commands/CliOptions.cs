namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>The shapes the commands declare again and again, each written once: the command itself, an option with a
/// default, <c>--json</c>, <c>--quiet</c> and the required model file.</summary>
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

    /// <summary>A command named <paramref name="name"/> with <paramref name="options"/> (in help order) that runs
    /// <paramref name="run"/>, whose result is the exit code.</summary>
    public static System.CommandLine.Command Command(string name, string description, Func<ParseResult, int> run,
                                                     params Option[] options)
    {
        var command = new System.CommandLine.Command(name, description);
        foreach (var option in options) command.Options.Add(option);
        command.SetAction(run);
        return command;
    }

    /// <summary>A command that works on a model file or on data with a model (evaluate, export, forecast, inspect,
    /// plot): its help ends with the exit codes, and <paramref name="run"/> gets a new <see cref="MLContext"/> (seed 0)
    /// and runs under <see cref="CommandSupport.Run"/> (Ctrl+C, errors in what the user gave as exit code 2).</summary>
    public static System.CommandLine.Command ModelCommand(string name, string description,
                                                          Func<MLContext, ParseResult, CancellationToken, int> run,
                                                          params Option[] options) =>
        Command(name, description + "\n" + Cli.ExitCodeHelp,
                parse => CommandSupport.Run(cancel => run(new MLContext(seed: 0), parse, cancel)), options);
}
