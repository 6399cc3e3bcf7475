namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// The <c>r2dn</c> command line as a function: parses <c>args</c>, runs the command with the given output and error
/// writers, and turns every failure into one readable line on the error writer and an exit code
/// (<see cref="ExitCodes"/>), never a stack trace. <c>Program</c> calls it with the console; tests call it with string
/// writers.
/// </summary>
public static class Cli
{
    /// <summary>The exit codes, in short, for each command's help.</summary>
    public const string ExitCodeHelp =
        "Exit codes: 0 success, 1 runtime failure, 2 invalid arguments or data, 130 cancelled.";

    /// <summary>The exit codes, as the root help and the README list them.</summary>
    public const string ExitCodeDetails =
        "Exit codes: 0 success; 1 runtime failure (e.g. training diverged, a file could not be written); " +
        "2 invalid arguments or data (unknown option, bad CSV, missing column, wrong model path); " +
        "130 cancelled (Ctrl+C).";

    // Built once: System.CommandLine symbols are not meant to be shared between concurrently built trees, and parsing
    // does not change the tree.
    private static readonly Lazy<RootCommand> Root =
        new(CreateRootCommand, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs <c>r2dn</c> with <paramref name="args"/>.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="output">Where results go (stdout).</param>
    /// <param name="error">Where progress and errors go (stderr).</param>
    /// <returns>The exit code: see <see cref="ExitCodeDetails"/>.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, output, error, errorIsTerminal: false);

    /// <summary>Runs <c>r2dn</c> with <paramref name="args"/>, treating <paramref name="error"/> as a terminal when
    /// <paramref name="errorIsTerminal"/> is true (progress is then redrawn in place with carriage returns).</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="output">Where results go (stdout).</param>
    /// <param name="error">Where progress and errors go (stderr).</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is shown on a terminal. The console's stderr is
    /// detected as such when it is not redirected, whatever this says.</param>
    /// <returns>The exit code: see <see cref="ExitCodeDetails"/>.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool errorIsTerminal) =>
        Run(args, output, error, errorIsTerminal, CancellationToken.None);

    /// <summary>Runs <c>r2dn</c> with <paramref name="args"/>; <paramref name="cancellation"/> stops the command as
    /// Ctrl+C does (exit code 130, no model saved).</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="output">Where results go (stdout).</param>
    /// <param name="error">Where progress and errors go (stderr).</param>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is shown on a terminal.</param>
    /// <param name="cancellation">Cancels the command, besides Ctrl+C.</param>
    /// <returns>The exit code: see <see cref="ExitCodeDetails"/>.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool errorIsTerminal,
                          CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            ParseResult parse = Root.Value.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // The first error is the one to act on; a single line keeps logs and scripts readable.
                var failed = parse.CommandResult.Command;
                string command = failed is RootCommand ? "r2dn" : $"r2dn {failed.Name}";
                error.WriteLine($"r2dn: error: {OneLine(parse.Errors[0].Message)} Run '{command} --help' for usage.");
                return ExitCodes.Usage;
            }
            var errorWriter = errorIsTerminal ? new TerminalWriter(error) : error;
            var configuration = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false, Output = output, Error = errorWriter,
            };
            return CommandSupport.WithCancellation(cancellation, () => parse.Invoke(configuration));
        }
        catch (UsageException e)
        {
            error.WriteLine($"r2dn: error: {OneLine(e.Message)}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("r2dn: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            error.WriteLine($"r2dn: error: {Flatten(e)}");
            return ExitCodes.Failure;
        }
        finally
        {
            output.Flush();
            error.Flush();
        }
    }

    /// <summary>The root command with every subcommand.</summary>
    internal static RootCommand CreateRootCommand() =>
        new("r2dn: robust recurrent networks (R2DN, REN) for .NET: train forecasting and simulation models on CSV " +
            "files, evaluate them, forecast (or simulate), inspect their robustness certificates, plot them and " +
            "export their weights for NumPy. Models are ML.NET zips: an application loads them with " +
            "mlContext.Model.Load.\n" + ExitCodeDetails)
        {
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            ForecastCommand.Create(),
            InspectCommand.Create(),
            PlotCommand.Create(),
            ExportCommand.Create(),
            BenchCommand.Create(),
            BenchExpressivityCommand.Create(),
            BenchForecastCommand.Create(),
            BenchSimulationCommand.Create(),
            BenchStatesCommand.Create(),
        };

    /// <summary>A writer shown on a terminal: progress is redrawn in place on it.</summary>
    internal sealed class TerminalWriter(TextWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override IFormatProvider FormatProvider => inner.FormatProvider;

        public override void Write(char value) => inner.Write(value);

        public override void Write(string? value) => inner.Write(value);

        public override void WriteLine(string? value) => inner.WriteLine(value);

        public override void Flush() => inner.Flush();
    }

    /// <summary>A message on one line.</summary>
    internal static string OneLine(string message) =>
        string.Join(' ', message.ReplaceLineEndings("\n")
                                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Flatten(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        string message = OneLine(e.Message);
        return e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException
            ? message
            : $"{message} ({e.GetType().Name})";
    }
}
